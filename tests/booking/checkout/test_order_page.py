"""The order page: reachable by its secret link only; status, breakdown, tickets and the
PDF once paid; a small JSON status for the page to poll."""

import pytest
from django.test import Client

from booking.models import Order, Payment
from tests.booking.checkout.helpers import (
    breakdown_rows,
    checkout_url,
    hold_for,
    order_url,
    visitor,
)
from tests.factories import placed_order
from tests.helpers import HTML_LANG, parse, text

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------- the order page


def test_a_wrong_secret_is_a_404_like_an_unknown_order(shop):
    order = placed_order(shop.departure)
    client = Client()
    for url in (
        f"/ru/booking/order/{order.code}/{'x' * 43}/",
        f"/ru/booking/order/NOSUCH12/{order.secret}/",
        f"/ru/booking/order/{order.code}/{'x' * 43}/status.json",
        f"/ru/booking/order/{order.code}/{'x' * 43}/tickets.pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/ru/booking/order/{order.code}/{'x' * 43}/pay/").status_code == 404
    assert client.get(order_url(order)).status_code == 200


def test_an_order_awaiting_payment(shop):
    order = placed_order(shop.departure)
    response = Client().get(order_url(order))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    doc = parse(response)
    assert order.code in text(doc)
    assert doc.select_one("[data-order-status]")["data-order-status"] == "awaiting_payment"
    assert doc.select_one("[data-pdf]") is None
    assert doc.select_one("[data-tickets]") is None
    assert ["Итого", "4 400 ₽"] in breakdown_rows(doc)
    status = Client().get(order_url(order, tail="status.json"))
    assert status.status_code == 200
    assert status.json() == {"status": "awaiting_payment", "paid": False, "payment": None}
    assert Client().get(order_url(order, tail="tickets.pdf")).status_code == 404


def test_while_the_payment_is_pending_the_page_polls(shop):
    order = placed_order(shop.departure)
    Payment.objects.create(
        order=order, idempotence_key="k1", provider_id="p1", amount=order.total, status="pending"
    )
    doc = parse(Client().get(order_url(order)))
    root = doc.select_one("[data-order]")
    assert root["data-poll"] == order_url(order, tail="status.json")
    refresh = doc.select_one('noscript meta[http-equiv="refresh"]')
    assert refresh is not None and int(refresh["content"]) <= 5
    data = Client().get(order_url(order, tail="status.json")).json()
    assert data == {"status": "awaiting_payment", "paid": False, "payment": "pending"}


def test_a_declined_payment_offers_to_pay_again(shop):
    order = placed_order(shop.departure)
    Payment.objects.create(
        order=order, idempotence_key="k1", provider_id="p1", amount=order.total, status="canceled"
    )
    doc = parse(Client().get(order_url(order, "en")))
    assert "Payment did not go through" in text(doc.select_one("h1"))
    form = doc.select_one(f'form[action="{order_url(order, "en", "pay/")}"]')
    assert "Pay again" in text(form)
    assert doc.select_one('meta[http-equiv="refresh"]') is None


def test_secret_pages_keep_their_address_from_other_sites_without_breaking_their_forms(shop):
    """`no-referrer` makes browsers send `Origin: null` on the page's own POST ("Pay
    again"), which the CSRF check refuses; `same-origin` keeps the secret from other sites
    and the form working. The end-to-end test presses the button in Chromium."""
    client, key = visitor()
    checkout = client.get(checkout_url(hold_for(shop, key)))
    order = placed_order(shop.departure)
    Payment.objects.create(
        order=order, idempotence_key="k1", provider_id="p1", amount=order.total, status="canceled"
    )
    page = Client().get(order_url(order))
    for response in (checkout, page):
        assert response.status_code == 200
        assert response["Referrer-Policy"] == "same-origin"
        assert parse(response).select('meta[name="referrer"]') == []


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_a_paid_order_shows_its_tickets_and_the_pdf(shop, language):
    order = placed_order(shop.departure, paid=True)
    response = Client().get(order_url(order, language))
    assert response.status_code == 200
    doc = parse(response)
    assert doc.html["lang"] == HTML_LANG[language]
    assert doc.select_one("[data-order-status]")["data-order-status"] == "paid"
    rows = doc.select("[data-tickets] tbody tr")
    assert len(rows) == 2
    names = {"ru": "Взрослый", "en": "Adult", "zh-hans": "成人票"}
    assert names[language] in text(rows[0])
    assert doc.select_one("[data-pdf]")["href"] == order_url(order, language, "tickets.pdf")
    assert doc.select_one('meta[http-equiv="refresh"]') is None
    assert Client().get(order_url(order, language, "status.json")).json()["paid"] is True


def test_the_pdf_is_an_attachment(shop):
    """The real PDF (booking.services.confirmations.order_tickets_pdf)."""
    order = placed_order(shop.departure, paid=True)
    response = Client().get(order_url(order, tail="tickets.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="prichal-{order.code}.pdf"'
    assert response.content.startswith(b"%PDF")


def test_a_late_payment_that_lost_its_places_says_the_money_is_coming_back(shop):
    from booking.models import Refund

    order = placed_order(shop.departure)
    payment = Payment.objects.create(
        order=order, idempotence_key="k1", provider_id="p1", amount=order.total, status="succeeded"
    )
    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED, hold=None)
    Refund.objects.create(
        payment=payment, idempotence_key="r1", amount=payment.amount, reason="late_payment"
    )
    doc = parse(Client().get(order_url(order, "en")))
    assert "being returned" in text(doc.select_one(".order-state"))
    assert doc.select_one("[data-pdf]") is None
