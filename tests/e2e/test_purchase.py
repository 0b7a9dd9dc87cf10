"""The whole purchase in Chromium against the live server and the YooKassa emulator (real
HTTP, the official SDK, notifications POSTed back to the live server):

page → two seats → hold page → checkout → the emulator's "Pay" → the order page shows the
paid tickets → the e-mail in the outbox carries the PDF → the QR code decoded from that PDF
boards once at the check-in page and is refused the second time.

And "Decline": the order stays unpaid, and when its time runs out the seats are free."""

import datetime
import re
import shutil
import subprocess
import time

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from booking.models import Hold, Order, SeatClaim, Ticket
from booking.services.orders import orders_expire
from booking.tickets.tokens import read_ticket_token
from tests.e2e.conftest import watch_policies
from tests.e2e.test_booking import choose_departure, db, seat

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
NOTIFY = "/api/v1/payments/yookassa/notifications"


@pytest.fixture
def shop(site, yookassa, settings):
    """The site with YooKassa (the emulator) notifying the live server."""
    yookassa.server.emulator.notification_url = site.url + NOTIFY
    settings.SITE_URL = site.url
    return yookassa


def to_checkout(tab, site, seats):
    booking = choose_departure(tab, site, site.seated_path, "15:00")
    for row, number in seats:
        seat(booking, row, number).click()
    expect(booking.locator(".bw-lines > li")).to_have_count(len(seats))
    expect(booking.locator(".bw-summary")).not_to_have_attribute("aria-busy", "true")
    booking.get_by_role("link", name="Продолжить").click()
    expect(tab).to_have_url(re.compile(r"/ru/booking/hold/[\w-]+/$"))
    tab.locator(".hold-checkout a").click()
    expect(tab).to_have_url(re.compile(r"/ru/booking/checkout/[\w-]+/$"))


def fill_checkout(tab, email="anna@example.com"):
    form = tab.locator("form[data-checkout-form]")
    form.locator("input[name=name]").fill("Анна Смирнова")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=phone]").fill("8 (912) 345-67-89")
    for name in ("personal_data_consent", "offer_accepted"):
        box = form.locator(f"input[name={name}]")
        expect(box).not_to_be_checked()
        box.check()
    expect(form.locator("input[name=marketing_consent]")).not_to_be_checked()
    return form


def sent_mail(matches, timeout=20.0):
    """The e-mails that match, once there are any: the confirmation is rendered (PDF and
    all) by whichever request confirmed the payment, the order page's poll or YooKassa's
    notification, and the page can show the tickets before that request has finished."""
    deadline = time.monotonic() + timeout
    while not (found := [m for m in mail.outbox if matches(m)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def pay_button(form):
    return form.locator("button[data-pay]")


def qr_tokens_of(pdf: bytes, tmp_path) -> list[str]:
    for tool in ("pdftoppm", "zbarimg"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is missing: .ci/run installs poppler-utils and zbar-tools")
    path = tmp_path / "tickets.pdf"
    path.write_bytes(pdf)
    tokens = []
    pages = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout,
        ).group(1)
    )
    for page in range(1, pages + 1):
        prefix = tmp_path / f"page{page}"
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "200",
                "-f",
                str(page),
                "-l",
                str(page),
                "-png",
                "-singlefile",
                path,
                prefix,
            ],
            check=True,
        )
        decoded = subprocess.run(
            ["zbarimg", "--quiet", "--raw", f"{prefix}.png"], capture_output=True, text=True
        ).stdout.split()
        tokens.extend(decoded)
    return tokens


def test_a_customer_pays_and_boards_with_the_qr_code_from_the_e_mail(
    site, shop, customers, chromium, live_server, tmp_path
):
    tab = customers()
    to_checkout(tab, site, [(2, 3), (2, 4)])
    main = tab.locator("main")
    expect(main).to_contain_text("3 600")  # two adult seats at 1 800 ₽
    form = fill_checkout(tab)
    pay_button(form).click()

    # YooKassa's confirmation page (the emulator), then back to the shop.
    expect(tab).to_have_url(re.compile(rf"^{re.escape(shop.url)}/checkout/"))
    expect(tab.locator(".amount")).to_have_text("3600.00 ₽")
    tab.get_by_role("button", name="Оплатить · Pay").click()
    expect(tab).to_have_url(re.compile(r"/ru/booking/order/[A-Z0-9]{8}/[\w-]+/$"))

    order = db(lambda: Order.objects.get())
    expect(tab.locator("main")).to_contain_text(order.code)
    # The page waits for the payment and then shows the tickets.
    pdf_link = tab.locator(f'a[href$="/order/{order.code}/{order.secret}/tickets.pdf"]')
    expect(pdf_link).to_be_visible(timeout=20_000)
    expect(tab.locator("main")).to_contain_text(re.compile("ряд 2, место 3", re.I))
    expect(tab.locator("main")).to_contain_text(re.compile("ряд 2, место 4", re.I))

    def sold():
        order = Order.objects.get()
        return (
            order.status,
            sorted(Ticket.objects.filter(order=order).values_list("status", flat=True)),
            SeatClaim.objects.filter(ticket__order=order, expires_at__isnull=True).count(),
            Hold.objects.count(),
        )

    assert db(sold) == ("paid", ["valid", "valid"], 2, 0)

    # The e-mail, in Russian, with the PDF; its QR codes are the tickets' tokens.
    (message,) = sent_mail(lambda m: order.code in m.subject)
    assert message.to == ["anna@example.com"]
    ((filename, pdf, mimetype),) = message.attachments
    assert (filename, mimetype) == (f"prichal-{order.code}.pdf", "application/pdf")
    tokens = qr_tokens_of(pdf, tmp_path)
    assert len(tokens) == 2
    assert {read_ticket_token(t).departure_id for t in tokens} == {site.seated.pk}

    # A crew member boards the first ticket, once.
    def crew_member():
        from guardian.shortcuts import assign_perm

        from accounts.models import User
        from booking.models import Departure

        user = User.objects.create_user(email="crew@example.com", password="crew-pass-1")
        group = Group.objects.create(name="Crew")
        group.permissions.add(
            Permission.objects.get(codename="check_in_ticket"),
            Permission.objects.get(codename="access_admin"),
        )
        user.groups.add(group)
        # Crew board only at their pier (crm.permissions).
        assign_perm(
            "booking.assigned_to_venue", user, Departure.objects.get(pk=site.seated.pk).venue
        )
        # Boarding opens two hours before the start: the departure is about to leave.
        soon = timezone.now() + datetime.timedelta(minutes=30)
        Departure.objects.filter(pk=site.seated.pk).update(
            starts_at=soon, ends_at=soon + datetime.timedelta(minutes=90)
        )

    db(crew_member)
    crew = chromium.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
    crew_violations = watch_policies(crew)
    try:
        phone = crew.new_page()
        phone.goto(f"{site.url}/ru/staff/check-in/{site.seated.pk}/")
        phone.locator("input[name=username]").fill("crew@example.com")
        phone.locator("input[name=password]").fill("crew-pass-1")
        phone.locator("form button[type=submit]").first.click()
        expect(phone).to_have_url(f"{site.url}/ru/staff/check-in/{site.seated.pk}/")

        def scan(token):
            phone.locator("#checkin-token").fill(token)
            phone.locator("form[data-token-form] button[type=submit]").click()
            return phone.locator(".checkin-result").last

        result = scan(tokens[0])
        expect(result).to_have_attribute("data-code", "ok")
        expect(result).to_contain_text(order.code)
        again = scan(tokens[0])
        expect(again).to_have_attribute("data-code", "already_used")
        expect(again).to_contain_text(re.compile(r"\d\d:\d\d"))
    finally:
        crew.close()
    assert crew_violations == []
    assert db(lambda: Ticket.objects.filter(checked_in_at__isnull=False).count()) == 1


def test_declined_payment_leaves_the_order_unpaid_and_frees_the_seats_when_it_expires(
    site, shop, customers
):
    tab = customers()
    to_checkout(tab, site, [(1, 5)])
    pay_button(fill_checkout(tab)).click()
    expect(tab).to_have_url(re.compile(rf"^{re.escape(shop.url)}/checkout/"))
    tab.get_by_role("button", name="Отказаться · Decline").click()
    expect(tab).to_have_url(re.compile(r"/ru/booking/order/[A-Z0-9]{8}/[\w-]+/$"))
    # The order page offers to pay again.
    expect(tab.locator("form[action$='/pay/'] button")).to_be_visible(timeout=20_000)

    def state():
        order = Order.objects.get()
        return order.status, order.payments.get().status, SeatClaim.objects.count()

    assert db(state) == ("awaiting_payment", "canceled", 1)

    def run_out():
        past = timezone.now() - datetime.timedelta(seconds=1)
        Hold.objects.update(expires_at=past)
        SeatClaim.objects.update(expires_at=past)
        Order.objects.update(expires_at=past)
        return orders_expire()

    assert db(run_out) == 1
    assert db(state) == ("expired", "canceled", 0)
    assert not [m for m in mail.outbox if "anna@" in m.to[0]]


def test_after_a_declined_payment_pay_again_pays_the_order(site, shop, customers):
    """The order page's "Pay again" is a form POST: it must pass the CSRF origin check
    (a `no-referrer` policy made the browser send `Origin: null`, answered 403)."""
    tab = customers()
    to_checkout(tab, site, [(1, 6)])
    pay_button(fill_checkout(tab)).click()
    expect(tab).to_have_url(re.compile(rf"^{re.escape(shop.url)}/checkout/"))
    tab.get_by_role("button", name="Отказаться · Decline").click()
    expect(tab).to_have_url(re.compile(r"/ru/booking/order/[A-Z0-9]{8}/[\w-]+/$"))
    order_url = tab.url

    tab.locator("form[action$='/pay/'] button").click()
    expect(tab).to_have_url(re.compile(rf"^{re.escape(shop.url)}/checkout/"))
    expect(tab.locator(".amount")).to_have_text("1800.00 ₽")
    tab.get_by_role("button", name="Оплатить · Pay").click()
    expect(tab).to_have_url(order_url)

    order = db(lambda: Order.objects.get())
    pdf_link = tab.locator(f'a[href$="/order/{order.code}/{order.secret}/tickets.pdf"]')
    expect(pdf_link).to_be_visible(timeout=20_000)

    def state():
        order = Order.objects.get()
        return (
            order.status,
            sorted(order.payments.values_list("status", flat=True)),
            Ticket.objects.filter(order=order, status="valid").count(),
        )

    assert db(state) == ("paid", ["canceled", "succeeded"], 1)
