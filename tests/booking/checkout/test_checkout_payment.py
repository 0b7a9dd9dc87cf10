"""Placing the order: "Pay" creates the order with its consents in the visitor's language
and sends the browser to YooKassa; the whole way to the emulator and back."""

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Consent
from booking.models import Order, Payment
from tests.booking.checkout.helpers import (
    VALID,
    FakePayment,
    checkout_url,
    fake_payments,
    hold_for,
    make_promotion,
    message,
    order_url,
    visitor,
)
from tests.helpers import parse, text

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------- placing the order


def test_pay_creates_the_order_and_its_consents_and_goes_to_the_payment(shop, monkeypatch):
    calls = fake_payments(monkeypatch)
    client, key = visitor()
    hold = hold_for(shop, key)
    before = timezone.now()
    response = client.post(
        checkout_url(hold),
        {**VALID, "marketing_consent": "on"},
        REMOTE_ADDR="198.51.100.4",
        headers={"user-agent": "Firefox/140"},
    )
    assert response.status_code == 303
    assert response["Location"] == FakePayment.confirmation_url
    order = Order.objects.get()
    assert order.hold_id == hold.pk
    assert order.phone == "+79123456789"
    assert order.language == "ru"
    assert order.total == Decimal("5900.00")
    [(started, return_url)] = calls
    assert started == order
    assert return_url == f"http://testserver{order_url(order)}"
    consents = {c.kind: c for c in Consent.objects.filter(order=order)}
    assert set(consents) == {"personal_data", "offer", "marketing"}
    pd_page = shop.documents["personal_data_consent_page"]["ru"]
    assert consents["personal_data"].document_version == f"{pd_page.pk}.{pd_page.live_revision_id}"
    assert consents["personal_data"].document_url == pd_page.url
    offer = shop.documents["offer_page"]["ru"]
    assert consents["offer"].document_version == f"{offer.pk}.{offer.live_revision_id}"
    for consent in consents.values():
        assert consent.ip_address == "198.51.100.4"
        assert consent.user_agent == "Firefox/140"
        assert consent.created_at >= before
    # Back on the checkout page (the browser's Back button): the order is there already.
    again = client.get(checkout_url(hold))
    assert again.status_code == 303 and again["Location"] == order_url(order)


def test_the_order_keeps_the_visitors_language_and_the_translated_document(shop, monkeypatch):
    fake_payments(monkeypatch)
    client, key = visitor()
    hold = hold_for(shop, key)
    response = client.post(checkout_url(hold, "zh-hans"), {**VALID, "phone": "+86 139 1234 5678"})
    assert response.status_code == 303
    order = Order.objects.get()
    assert order.language == "zh-hans"
    assert order.phone == "+8613912345678"
    consent = Consent.objects.get(order=order, kind="personal_data")
    assert consent.document_url == shop.document_url("personal_data_consent_page", "zh-hans")
    assert not Consent.objects.filter(kind="marketing").exists()


def test_pay_with_a_promo_code(shop, monkeypatch):
    fake_payments(monkeypatch)
    make_promotion()
    client, key = visitor()
    hold = hold_for(shop, key)
    response = client.post(checkout_url(hold), {**VALID, "promo_code": "spring10"})
    assert response.status_code == 303
    assert Order.objects.get().total == Decimal("5310.00")


def test_payment_unavailable_shows_the_order_page_with_try_again(shop, monkeypatch):
    fake_payments(monkeypatch, error="payment_unavailable")
    client, key = visitor()
    hold = hold_for(shop, key)
    response = client.post(checkout_url(hold), VALID)
    order = Order.objects.get()
    assert response.status_code == 303
    assert response["Location"] == order_url(order)
    doc = parse(client.get(response["Location"]))
    assert message("payment_unavailable") in text(doc)
    form = doc.select_one(f'form[action="{order_url(order, tail="pay/")}"]')
    assert form is not None and form["method"] == "post"
    fake_payments(monkeypatch)
    response = client.post(order_url(order, tail="pay/"))
    assert response.status_code == 303
    assert response["Location"] == FakePayment.confirmation_url


# ---------------------------------------------------------------- with the emulator


def test_checkout_to_the_emulator_and_back_paid(shop, yookassa):
    client, key = visitor()
    hold = hold_for(shop, key)
    response = client.post(checkout_url(hold, "en"), VALID, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 303
    order = Order.objects.get()
    payment = order.payments.get()
    assert response["Location"] == payment.confirmation_url
    assert response["Location"].startswith(yookassa.url)
    remote = yookassa.payment(payment.provider_id)
    assert remote["confirmation"]["return_url"] == f"http://testserver{order_url(order, 'en')}"
    assert Consent.objects.filter(order=order, ip_address="203.0.113.9").count() == 2

    # Back from YooKassa before paying: the page waits and polls.
    doc = parse(client.get(order_url(order, "en")))
    assert doc.select_one("[data-order]")["data-poll"] == order_url(order, "en", "status.json")
    assert client.get(order_url(order, "en", "status.json")).json()["paid"] is False

    yookassa.settle(payment.provider_id, "succeed")
    Payment.objects.filter(pk=payment.pk).update(checked_at=None)
    data = client.get(order_url(order, "en", "status.json")).json()
    assert data["status"] == "paid" and data["paid"] is True
    doc = parse(client.get(order_url(order, "en")))
    assert doc.select_one("[data-order-status]")["data-order-status"] == "paid"
    assert len(doc.select("[data-tickets] tbody tr")) == 3
    assert doc.select_one("[data-pdf]")


def test_a_declined_payment_can_be_paid_again(shop, yookassa):
    client, key = visitor()
    hold = hold_for(shop, key)
    first = client.post(checkout_url(hold), VALID)
    order = Order.objects.get()
    payment = order.payments.get()
    yookassa.settle(payment.provider_id, "decline")
    Payment.objects.filter(pk=payment.pk).update(checked_at=None)
    doc = parse(client.get(order_url(order)))
    assert doc.select_one(".order-status--declined")
    form = doc.select_one(f'form[action="{order_url(order, tail="pay/")}"]')
    assert form is not None
    again = client.post(form["action"])
    assert again.status_code == 303
    assert again["Location"] != first["Location"]
    assert again["Location"].startswith(yookassa.url)
    assert order.payments.count() == 2
