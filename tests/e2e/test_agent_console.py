"""The agent console in Chromium against the live server and the YooKassa emulator, with
staff who sign in through the Wagtail admin's own sign-in form:

- an agent (the "Agent" group of `crm.roles`) on a desktop types the customer's phone as
  a caller says it into the admin's search → lands on the order (one exact hit) →
  refunds one of its two tickets (the quote, then the confirmation; the refund really
  goes to the emulator) → sends the confirmation again by e-mail → sees both actions,
  with their name, in the order's history (and the audit entries keep the client's
  address);
- a boarding-crew member assigned to pier A, on a phone, is refused the check-in page of
  a departure from pier B (a translated 403 page) and gets the one of pier A."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from booking.models import Order, Refund, Ticket
from tests import factories
from tests.booking.refunds.helpers import paid_through_yookassa, refund_calls
from tests.e2e.conftest import watch_policies
from tests.e2e.test_booking import db
from tests.e2e.test_purchase import sent_mail, shop

__all__ = ["shop"]  # the purchase tests' fixture: the site with the emulator notifying it

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
# Set to a directory to keep a screenshot of each step.
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS", "")
PHONE = "+7 921 555-01-23"
EMAIL = "anna.smirnova@example.com"
AGENT_EMAIL = "agent@example.com"
CREW_EMAIL = "crew@example.com"
PASSWORD = "agent-pass-1"
CLIENT_ADDRESS = "127.0.0.1"  # the live server's client: this browser


def snap(page, name, settle=False):
    if SCREENSHOTS:
        if settle:  # Wagtail's messages slide in
            page.wait_for_timeout(1000)
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/agent-{name}.png", full_page=True)


def staff_member(email, role, first_name, last_name):
    from django.contrib.auth.models import Group

    from accounts.models import User

    user = User.objects.create_user(
        email=email, password=PASSWORD, first_name=first_name, last_name=last_name
    )
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def staff_tabs(chromium):
    """Opens tabs, each in a browser context of its own (ru-RU, Moscow time); page errors
    and policy violations fail the test."""
    contexts, errors, violations = [], [], []

    def open_tab(**options):
        context = chromium.new_context(
            locale="ru-RU", timezone_id="Europe/Moscow", reduced_motion="reduce", **options
        )
        context.set_default_timeout(15_000)
        violations.append(watch_policies(context))
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_tab
    for context in contexts:
        context.close()
    assert errors == []
    assert [v for found in violations for v in found] == []


def sign_in(tab, url):
    """Opens `url` signed out: the admin's sign-in form, then back to `url`."""
    tab.goto(url)
    expect(tab).to_have_url(re.compile(r"/admin/login/"))
    return tab


def submit_sign_in(tab, email):
    tab.locator("input[name=username]").fill(email)
    tab.locator("input[name=password]").fill(PASSWORD)
    tab.locator("form button[type=submit]").first.click()


def test_an_agent_finds_an_order_by_phone_refunds_a_ticket_and_resends_it(site, shop, staff_tabs):
    from crm.roles import AGENT

    def paid_order():
        staff_member(AGENT_EMAIL, AGENT, "Ольга", "Петрова")
        # Two adult places the day after tomorrow at 12:00, paid at the emulator.
        return paid_through_yookassa(site.general, count=2, phone=PHONE, email=EMAIL)

    order = db(paid_order)
    first, second = db(lambda: list(Ticket.objects.filter(order=order).order_by("pk")))
    assert db(lambda: Order.objects.get(pk=order.pk).status) == Order.Status.PAID
    # The confirmation of the purchase, sent before the agent does anything.
    assert sent_mail(lambda m: m.to == [EMAIL] and order.code in m.subject)

    tab = staff_tabs(viewport={"width": 1280, "height": 900})
    sign_in(tab, f"{site.url}/admin/")
    snap(tab, "1-sign-in")
    submit_sign_in(tab, AGENT_EMAIL)
    expect(tab).to_have_url(f"{site.url}/admin/")

    # The dashboard's search box; the caller dictates the phone their own way.
    search = tab.locator("#crm-search-q-dashboard")
    expect(search).to_be_visible()
    snap(tab, "2-dashboard")
    search.fill("8 (921) 555-01-23")
    search.press("Enter")
    order_url = site.url + reverse("crm_orders:inspect", args=[order.pk])
    expect(tab).to_have_url(order_url)
    expect(tab.locator("main")).to_contain_text(order.code)
    snap(tab, "3-order")

    # Refund: one ticket of two, the quote, the confirmation.
    refund_url = reverse("crm_orders:refund", args=[order.pk])
    tab.locator(f"a[href='{refund_url}']").first.click()
    expect(tab).to_have_url(site.url + refund_url)
    boxes = tab.locator("input[name=tickets]")
    expect(boxes).to_have_count(2)
    tab.locator(f"input[name=tickets][value='{second.pk}']").check()
    snap(tab, "4-refund-form")
    tab.locator("main form button[type=submit]").click()
    amount = tab.locator(".crm-refund-amount")
    expect(amount).to_contain_text("₽")
    expect(tab.locator("main table.listing tbody tr")).to_have_count(1)
    expect(tab.locator("main table.listing tbody")).to_contain_text(f"#{second.pk}")
    assert db(lambda: Refund.objects.count()) == 0  # nothing happens before the confirmation
    snap(tab, "5-refund-quote")
    tab.locator("main form button[type=submit]").click()
    expect(tab).to_have_url(order_url)
    success = tab.locator(".messages .success")
    expect(success).to_contain_text(
        re.compile(r"Возврат №\d+ на 2\s200\s₽ оформлен: билеты возвращены\.")
    )
    expect(success).to_be_visible()
    snap(tab, "6-refunded", settle=True)
    if SCREENSHOTS:  # the rest of the order screen (the admin scrolls inside a pane)
        tab.locator("main h2").last.scroll_into_view_if_needed()
        snap(tab, "6b-refunded-below")

    def refunded():
        made = Refund.objects.get()
        return (
            list(made.tickets.values_list("pk", flat=True)),
            made.status,
            dict(Ticket.objects.filter(order=order).values_list("pk", "status")),
            Order.objects.get(pk=order.pk).status,
        )

    tickets, status, states, order_status = db(refunded)
    assert tickets == [second.pk]
    assert status == Refund.Status.SUCCEEDED
    assert states == {first.pk: Ticket.Status.VALID, second.pk: Ticket.Status.REFUNDED}
    assert order_status == Order.Status.PARTLY_REFUNDED
    assert len(refund_calls(shop)) == 1
    # The customer's notice of the refund, before counting the confirmations.
    assert sent_mail(lambda m: m.to == [EMAIL] and "возвращ" in m.subject)

    # Send the confirmation again, by e-mail, to the order's address.
    def confirmations():
        from django.core import mail

        return [m for m in mail.outbox if m.to == [EMAIL] and m.subject.endswith(order.code)]

    before = len(confirmations())
    resend_url = reverse("crm_orders:resend", args=[order.pk])
    # The order's other actions are in the header's "…" menu.
    tab.locator("header .w-dropdown__toggle").first.click()
    tab.locator(f"a[href='{resend_url}']:visible").first.click()
    expect(tab).to_have_url(site.url + resend_url)
    tab.locator("input[name=channels][value=email]").check()
    snap(tab, "7-resend-form")
    tab.locator("main form button[type=submit]").click()
    snap(tab, "8-resend-confirm")
    tab.locator("main form button[type=submit]").click()
    expect(tab).to_have_url(order_url)
    expect(tab.locator(".messages .success")).to_contain_text(EMAIL)
    snap(tab, "9-resent", settle=True)
    sent_mail(lambda m: len(confirmations()) > before)
    resent = confirmations()[before:]
    assert len(resent) == 1 and resent[0].to == [EMAIL]
    assert resent[0].attachments  # the tickets' PDF, as the first time

    # The order's history: both actions, by the agent.
    tab.goto(site.url + reverse("crm_orders:history", args=[order.pk]))
    snap(tab, "10-history")
    rows = tab.locator("main table tbody tr")
    for message in (
        re.compile(r"Возвращено билетов: 1, 2\s200\s₽"),
        "Подтверждение отправлено повторно",
    ):
        row = rows.filter(has_text=message)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Ольга Петрова")

    def audit():
        from wagtail.models import ModelLogEntry

        from accounts.models import User

        agent = User.objects.get(email=AGENT_EMAIL)
        return {
            entry.action: (entry.user_id == agent.pk, entry.data.get("client_address"))
            for entry in ModelLogEntry.objects.filter(
                object_id=str(order.pk),
                action__in=["booking.order.refund", "prichal.order.resend"],
            )
        }

    assert db(audit) == {
        "booking.order.refund": (True, CLIENT_ADDRESS),
        "prichal.order.resend": (True, CLIENT_ADDRESS),
    }


def test_a_crew_member_of_pier_a_cannot_open_the_check_in_of_pier_b(live_server, staff_tabs):
    from guardian.shortcuts import assign_perm

    from crm.roles import BOARDING_CREW

    def departures():
        crew = staff_member(CREW_EMAIL, BOARDING_CREW, "Иван", "Матросов")
        pier_a = factories.VenueFactory(name="Причал А")
        pier_b = factories.VenueFactory(name="Причал Б")
        assign_perm("booking.assigned_to_venue", crew, pier_a)
        soon = timezone.now() + datetime.timedelta(minutes=30)
        return [
            factories.DepartureFactory(
                product=factories.ProductFactory(venue=pier, name=name), starts_at=soon
            ).pk
            for pier, name in ((pier_a, "Невские берега"), (pier_b, "Острова"))
        ]

    ours, theirs = db(departures)
    phone = staff_tabs(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )

    def scanner(pk):
        return live_server.url + reverse("checkin:scanner", args=[pk])

    sign_in(phone, scanner(theirs))
    submit_sign_in(phone, CREW_EMAIL)
    expect(phone).to_have_url(scanner(theirs))
    expect(phone.locator("h1")).to_have_text("Нет доступа")
    expect(phone.locator("main, body").first).to_contain_text(
        "Вы не назначены на причал или судно этого рейса"
    )
    snap(phone, "11-crew-refused")
    response = phone.goto(scanner(theirs))
    assert response.status == 403

    response = phone.goto(scanner(ours))
    assert response.status == 200
    expect(phone.locator("h1")).not_to_have_text("Нет доступа")
    expect(phone.locator("body")).to_contain_text("Невские берега")
    expect(phone.locator("#checkin-token")).to_be_visible()
    snap(phone, "12-crew-scanner")
