"""Boarding offline in Debian's Chromium at a phone's width: the scanner page keeps the
departure's bundle, checks tickets without a connection (the Ed25519 signature by
WebCrypto, the revocation list), queues the check-ins and syncs them when the connection
is back, each ticket boarded once."""

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from guardian.shortcuts import assign_perm
from playwright.sync_api import expect, sync_playwright
from wagtail.models import ModelLogEntry

from booking.models import Ticket
from booking.services.checkin import CHECK_IN_ACTION
from booking.tickets.tokens import legacy_ticket_token
from tests.e2e.conftest import CHROMIUM_ARGS, watch_policies
from tests.factories import check_in_group, far_east_departure, make_user, placed_order, token_of

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def boarding(live_server):
    departure = far_east_departure()
    order = placed_order(departure, paid=True)
    refunded = placed_order(departure, paid=True).tickets.order_by("pk").first()
    Ticket.objects.filter(pk=refunded.pk).update(status=Ticket.Status.REFUNDED)
    crew = make_user("deck@example.com")
    crew.groups.add(check_in_group())
    assign_perm("booking.assigned_to_venue", crew, departure.venue)
    client = Client()
    client.force_login(crew)
    return {
        "departure": departure,
        "url": f"{live_server.url}/en/staff/check-in/{departure.pk}/",
        "live": live_server.url,
        "order": order,
        "tickets": list(order.tickets.order_by("pk")),
        "refunded": refunded,
        "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }


@pytest.fixture
def phone_context(boarding):
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
            yield context, page
        finally:
            browser.close()
            # The test's own queries ran under Playwright (its greenlet has a database
            # connection of its own): closed here, or the test database cannot be dropped.
            connections.close_all()
        assert errors == []
        assert violations == []


def settled(page):
    """Nothing of the offline part is on its way to the server."""
    expect(page.locator("section[data-offline]:not([data-busy])")).to_be_attached()


def check(page, token):
    page.fill("#checkin-token", token)
    page.get_by_role("button", name="Check").click()


def test_tickets_are_checked_offline_and_synced_once(boarding, phone_context):
    context, phone = phone_context
    first, second = boarding["tickets"]
    phone.goto(boarding["url"])
    status = phone.locator("[data-offline-status]")
    expect(status).to_contain_text("Ready to board offline: manifest of")
    result = phone.locator("[data-result] .checkin-result")
    pending = phone.locator("[data-offline-pending]")

    context.set_offline(True)
    expect(status).to_contain_text("No connection")

    # a valid signed ticket: admitted on the phone, queued
    check(phone, token_of(first))
    expect(result).to_have_attribute("data-code", "ok")
    expect(result).to_have_attribute("data-checked-offline", "")
    expect(result).to_contain_text("Valid ticket, checked offline.")
    expect(result).to_contain_text(boarding["order"].code)
    expect(pending).to_have_text("Check-ins waiting to sync: 1.")
    expect(phone.locator(f'[data-manifest-ticket="{first.pk}"]')).to_have_class("is-boarded")

    # the same ticket again: refused on the phone, nothing more queued
    check(phone, token_of(first))
    expect(result).to_have_attribute("data-code", "already_used")
    expect(pending).to_have_text("Check-ins waiting to sync: 1.")

    # a refunded ticket: on the revocation list
    check(phone, token_of(boarding["refunded"]))
    expect(result).to_have_attribute("data-code", "refunded")
    expect(result).to_contain_text("This ticket has been refunded.")

    # a forged token (one character of the signature changed): WebCrypto says no
    token = token_of(second)
    forged = token[:100] + ("A" if token[100] != "A" else "B") + token[101:]
    check(phone, forged)
    expect(result).to_have_attribute("data-code", "invalid")

    # a ticket of the old kind is recognised by its secret on the manifest
    check(phone, legacy_ticket_token(second.secret, second.departure_id))
    expect(result).to_have_attribute("data-code", "ok")
    expect(pending).to_have_text("Check-ins waiting to sync: 2.")
    assert not Ticket.objects.filter(checked_in_at__isnull=False).exists()

    # back online: the queue is synced and cleared
    context.set_offline(False)
    expect(pending).to_be_hidden()
    expect(status).to_contain_text("Ready to board offline")
    expect(phone.locator("[data-counts]")).to_have_text("Boarded: 2 of 3")
    expect(phone.locator("[data-offline-conflicts]")).to_be_empty()
    settled(phone)

    for ticket in (first, second):
        ticket.refresh_from_db()
        assert ticket.checked_in_at is not None
    assert ModelLogEntry.objects.filter(action=CHECK_IN_ACTION).count() == 2
    assert Ticket.objects.get(pk=boarding["refunded"].pk).checked_in_at is None

    # the kept queue survives a reload and is not sent again; another departure's bundle
    # kept for long after its boarding closed is forgotten (passengers' names)
    phone.evaluate(
        """() => localStorage.setItem("prichal.checkin.999999.bundle",
            JSON.stringify({departure: {boarding_closes_at: "2020-01-01T00:00:00Z"}}))"""
    )
    phone.reload()
    expect(status).to_contain_text("Ready to board offline")
    settled(phone)
    expect(pending).to_be_hidden()
    assert ModelLogEntry.objects.filter(action=CHECK_IN_ACTION).count() == 2
    kept = phone.evaluate("() => Object.keys(localStorage).sort()")
    assert kept == [
        f"prichal.checkin.{first.departure_id}.bundle",
        f"prichal.checkin.{first.departure_id}.queue",
    ]
    # once synced, what the phone keeps names tickets by digests, never by their secrets
    stored = phone.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")
    assert first.secret not in stored and second.secret not in stored
    assert token_of(first) not in stored


def test_a_ticket_boarded_elsewhere_meanwhile_is_shown_as_a_conflict(boarding, phone_context):
    context, phone = phone_context
    ticket = boarding["tickets"][0]
    phone.goto(boarding["url"])
    expect(phone.locator("[data-offline-status]")).to_contain_text("Ready to board offline")

    context.set_offline(True)
    check(phone, token_of(ticket))
    expect(phone.locator("[data-result] .checkin-result")).to_have_attribute("data-code", "ok")
    # another phone boards it online meanwhile
    Ticket.objects.filter(pk=ticket.pk).update(checked_in_at=boarding["departure"].starts_at)

    context.set_offline(False)
    conflicts = phone.locator("[data-offline-conflicts]")
    expect(conflicts).to_contain_text("Admitted offline but refused by the server:")
    expect(conflicts.locator("[data-code]")).to_have_attribute("data-code", "already_used")
    expect(phone.locator("[data-offline-pending]")).to_be_hidden()
    settled(phone)
    assert not ModelLogEntry.objects.filter(action=CHECK_IN_ACTION).exists()
