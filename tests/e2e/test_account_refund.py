"""A customer refunds one ticket from the account, on a phone, in Chromium against the
live server and the YooKassa emulator:

buys two seats as a guest → the guest order page's link to sign in → the e-mail and the
code read from the test outbox → the account's order (claimed) → one ticket unticked →
«Вернуть билеты» → the quote → confirmed → the ticket refunded, its seat free, one refund
sent to YooKassa and the e-mail in Russian."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from booking.models import Order, Refund, SeatClaim, Ticket
from tests.booking.refunds.helpers import refund_calls
from tests.e2e.conftest import PHONE, snap, watched_tab
from tests.e2e.test_booking import db
from tests.e2e.test_purchase import fill_checkout, pay_button, sent_mail, shop, to_checkout

__all__ = ["shop"]  # the purchase tests' fixture: the site with the emulator notifying it

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
CODE = re.compile(r"^\s*(\d{6})\s*$", re.MULTILINE)
# Set to a directory to keep a screenshot of each step (looking at the pages on a phone).


@pytest.fixture
def phone(site, chromium):
    """A tab on a phone (390×844, touch) of a Russian-speaking visitor; page errors and
    policy violations fail the test."""
    yield from watched_tab(chromium.new_context(viewport={"width": 390, "height": 844}, **PHONE))


def sign_in_code(email: str) -> str:
    (message,) = sent_mail(lambda m: m.to == [email] and CODE.search(m.body))
    return CODE.search(message.body).group(1)


def test_a_customer_refunds_one_ticket_from_the_account_on_a_phone(site, shop, phone):
    tab = phone
    # A guest buys two seats, the day after tomorrow at 15:00 (well outside 24 hours).
    to_checkout(tab, site, [(2, 3), (2, 4)])
    pay_button(fill_checkout(tab)).click()
    expect(tab).to_have_url(re.compile(rf"^{re.escape(shop.url)}/checkout/"))
    tab.get_by_role("button", name="Оплатить · Pay").click()
    expect(tab).to_have_url(re.compile(r"/ru/booking/order/[A-Z0-9]{8}/[\w-]+/$"))
    order = db(lambda: Order.objects.get())
    expect(tab.locator("a[data-pdf]")).to_be_visible(timeout=20_000)
    sent_mail(lambda m: order.code in m.subject)  # the confirmation, before the code's

    # The guest page cannot refund: it sends the customer to sign in with the order's address.
    snap(tab, "1-guest-order")
    tab.get_by_role("link", name="Чтобы вернуть билеты, войдите с почтой заказа").click()
    expect(tab).to_have_url(re.compile(r"/ru/account/login/code/\?next="))
    snap(tab, "2-sign-in")
    tab.locator("input[name=email]").fill("anna@example.com")
    tab.get_by_role("button", name="Получить код").click()
    expect(tab).to_have_url(re.compile(r"/ru/account/login/code/confirm/"))
    tab.locator("input[name=code]").fill(sign_in_code("anna@example.com"))
    tab.get_by_role("button", name="Подтвердить", exact=True).click()

    # Signed in, on the order's page; the guest order is in the account's list.
    expect(tab).to_have_url(f"{site.url}/ru/account/orders/{order.code}/")
    tab.get_by_role("link", name="← Мои заказы").click()
    card = tab.locator(".account-order-card", has_text=order.code)
    expect(card).to_be_visible()
    snap(tab, "3-orders")
    card.locator("a").first.click()
    expect(tab).to_have_url(f"{site.url}/ru/account/orders/{order.code}/")

    refund = tab.locator("section[data-refund]")
    expect(refund.locator("[data-refund-deadline]")).to_contain_text(
        re.compile(r"Вернуть билеты можно до \d+ \S+, 15:00 \(время причала\)")
    )
    first, second = db(
        lambda: list(Ticket.objects.filter(order=order).select_related("seat").order_by("pk"))
    )
    boxes = refund.locator("input[name=tickets]")
    expect(boxes).to_have_count(2)
    expect(boxes.nth(0)).to_be_checked()
    expect(boxes.nth(1)).to_be_checked()
    # The customer keeps the first seat and returns the second.
    refund.locator(f"input[value='{first.pk}']").uncheck()
    snap(tab, "4-order")
    refund.get_by_role("button", name="Вернуть билеты").click()

    quote = tab.locator("[data-refund-quote]")
    expect(quote.locator("[data-refund-line]")).to_have_count(1)
    expect(quote.locator(f"[data-refund-line='{second.pk}']")).to_contain_text(
        second.seat.short_label
    )
    expect(quote.locator("[data-refund-amount]")).to_have_text("1\u00a0800\u00a0₽")
    expect(quote).to_contain_text("в течение 3–10 рабочих дней")
    assert db(lambda: Refund.objects.count()) == 0  # nothing happens before the confirmation
    snap(tab, "5-confirm")
    tab.get_by_role("button", name="Подтвердить возврат").click()

    expect(tab).to_have_url(f"{site.url}/ru/account/orders/{order.code}/")
    expect(tab.locator(".account-notice--success")).to_have_text(
        "Возврат оформлен: 1\u00a0800\u00a0₽ вернутся на карту, с которой вы платили."
    )
    expect(tab.locator(f"[data-ticket='{second.pk}']")).to_have_attribute(
        "data-ticket-status", "refunded"
    )
    expect(tab.locator(f"[data-ticket='{first.pk}']")).to_have_attribute(
        "data-ticket-status", "valid"
    )
    snap(tab, "6-refunded")

    def outcome():
        (made,) = Refund.objects.all()
        return (
            list(made.tickets.values_list("pk", flat=True)),
            made.amount,
            Order.objects.get().status,
            sorted(
                SeatClaim.objects.filter(departure=order.departure_id).values_list(
                    "ticket_id", flat=True
                )
            ),
        )

    tickets, amount, status, claimed = db(outcome)
    assert tickets == [second.pk] and str(amount) == "1800.00"
    assert status == Order.Status.PARTLY_REFUNDED
    assert claimed == [first.pk]  # the second seat is for sale again
    assert len(refund_calls(shop)) == 1
    (notice,) = sent_mail(lambda m: m.subject == f"Заказ {order.code}: билеты возвращены")
    assert notice.to == ["anna@example.com"]
    assert len(mail.outbox) >= 3
