"""The scanner page in Debian's Chromium (Playwright) at a phone's width: with its script
the manual forms go through the API without reloading, and the result panel says what
to do in words as well as colour."""

import base64
import io

import pytest
import qrcode
from django.conf import settings
from django.test import Client
from guardian.shortcuts import assign_perm
from playwright.sync_api import expect, sync_playwright

from tests.e2e.conftest import CHROMIUM_ARGS, watch_policies
from tests.factories import check_in_group, far_east_departure, make_user, placed_order, token_of

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def boarding(live_server):
    """Committed data for the live server's thread, built before Playwright starts."""
    departure = far_east_departure()
    order = placed_order(departure, paid=True)
    crew = make_user("deck@example.com")
    crew.groups.add(check_in_group())
    assign_perm("booking.assigned_to_venue", crew, departure.venue)
    client = Client()
    client.force_login(crew)
    return {
        "url": f"{live_server.url}/en/staff/check-in/{departure.pk}/",
        "live": live_server.url,
        "order": order,
        "tickets": list(order.tickets.order_by("pk")),
        "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }


@pytest.fixture
def phone(boarding):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            locale="en-GB", viewport={"width": 390, "height": 844}, has_touch=True
        )
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": boarding["session"],
                    "url": boarding["live"],
                }
            ]
        )
        context.set_default_timeout(15_000)
        violations = watch_policies(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            yield page
        finally:
            browser.close()
        assert errors == []
        assert violations == []


def test_the_crew_checks_tickets_in_without_reloading(boarding, phone):
    phone.goto(boarding["url"])
    marker = phone.evaluate("window.__notReloaded = true")
    assert marker is True
    counts = phone.locator("[data-counts]")
    expect(counts).to_have_text("Boarded: 0 of 2")
    # The camera part is offered (the browser has getUserMedia), the forms stay usable.
    expect(phone.locator("[data-camera]")).to_be_visible()

    token = token_of(boarding["tickets"][0])
    phone.fill("#checkin-token", token)
    phone.get_by_role("button", name="Check").click()
    result = phone.locator("[data-result] .checkin-result")
    expect(result).to_have_attribute("data-code", "ok")
    expect(result).to_contain_text("Board")
    expect(result).to_contain_text("Valid ticket. Welcome aboard!")
    expect(result).to_contain_text(boarding["order"].code)
    expect(counts).to_have_text("Boarded: 1 of 2")
    expect(phone.locator("#checkin-token")).to_have_value("")

    phone.fill("#checkin-token", token)
    phone.get_by_role("button", name="Check").click()
    expect(result).to_have_attribute("data-code", "already_used")
    expect(result).to_contain_text("Already used at")

    phone.fill("#checkin-order-code", boarding["order"].code.lower())
    phone.get_by_role("button", name="Find order").click()
    tickets = phone.locator("[data-order] .checkin-ticket")
    expect(tickets).to_have_count(2)
    expect(tickets.nth(0)).to_contain_text("Boarded at")
    tickets.nth(1).get_by_role("button", name="Board").click()
    expect(result).to_have_attribute("data-code", "ok")
    expect(counts).to_have_text("Boarded: 2 of 2")
    expect(tickets.nth(1)).to_contain_text("Boarded at")
    expect(phone.locator("[data-order] button")).to_have_count(0)

    assert phone.evaluate("window.__notReloaded") is True
    # Nothing is wider than the phone's screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_vendored_decoder_reads_a_ticket_qr_code(boarding, phone):
    """The fallback for browsers without BarcodeDetector: jsQR reads the QR code of a
    ticket (drawn as the PDF draws it) back to the very token."""
    token = token_of(boarding["tickets"][0])
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=6)
    code.add_data(token)
    png = io.BytesIO()
    code.make_image().save(png)
    data_url = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    phone.goto(boarding["url"])

    decoded = phone.evaluate(
        """async (src) => {
            const image = new Image();
            image.src = src;
            await image.decode();
            const canvas = document.createElement("canvas");
            canvas.width = image.width;
            canvas.height = image.height;
            const context = canvas.getContext("2d");
            context.drawImage(image, 0, 0);
            const pixels = context.getImageData(0, 0, image.width, image.height);
            const found = window.jsQR(pixels.data, image.width, image.height);
            return found && found.data;
        }""",
        data_url,
    )

    assert decoded == token
