"""Promo codes and fees on the checkout page: "Apply" shows the discount, an applied code
is remembered for its own hold until it no longer applies, fees have their own lines."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from booking.models import Order, ServiceFee
from tests.booking.checkout.helpers import (
    VALID,
    checkout_url,
    fake_payments,
    field_error,
    hold_for,
    make_promotion,
    message,
    nothing_created,
    visitor,
)
from tests.factories import placed_order
from tests.helpers import parse, text

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------- promo codes


def test_apply_shows_the_discount_without_judging_the_rest(shop):
    make_promotion()
    client, key = visitor()
    hold = hold_for(shop, key)
    response = client.post(checkout_url(hold), {"action": "apply", "promo_code": "spring10"})
    assert response.status_code == 200
    doc = parse(response)
    discount = text(doc.select_one("[data-discount]"))
    assert "SPRING10" in discount and "590 ₽" in discount
    assert text(doc.select_one("[data-total]")) == "5 310 ₽"
    assert "5 310 ₽" in text(doc.select('button[value="pay"]')[-1])
    assert doc.select(".checkout-field__error") == []
    assert doc.select_one("#promo_code-ok")
    nothing_created()


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_apply_with_a_bad_code_says_why_next_to_the_field(shop, language):
    make_promotion(valid_until=timezone.now() - datetime.timedelta(days=1))
    client, key = visitor()
    hold = hold_for(shop, key)
    response = client.post(
        checkout_url(hold, language), {"action": "apply", "promo_code": "SPRING10"}
    )
    doc = parse(response)
    assert field_error(doc, "promo_code") == message("promo_expired", language)
    assert doc.select_one("[data-discount]") is None
    assert text(doc.select_one("[data-total]")).replace(",", " ") in ("5 900 ₽", "5900 ₽")
    nothing_created()


def apply_promo(client, hold, code="spring10"):
    response = client.post(checkout_url(hold), {"action": "apply", "promo_code": code})
    assert response.status_code == 200
    return response


def test_an_applied_promo_code_survives_a_reload(shop):
    make_promotion()
    client, key = visitor()
    hold = hold_for(shop, key)
    apply_promo(client, hold)

    doc = parse(client.get(checkout_url(hold)))
    assert "SPRING10" in text(doc.select_one("[data-discount]"))
    assert text(doc.select_one("[data-total]")) == "5 310 ₽"
    assert doc.select_one("input[name=promo_code]")["value"] == "SPRING10"
    assert doc.select_one("#promo_code-ok")


def test_an_applied_promo_code_survives_changing_the_selection(shop, monkeypatch):
    from booking.services.holds import hold_update

    make_promotion()
    client, key = visitor()
    hold = hold_for(shop, key)
    apply_promo(client, hold)
    checkout = parse(client.get(checkout_url(hold)))
    hold_url = checkout.select_one(".checkout-summary__change a")["href"]
    assert client.get(hold_url).status_code == 200
    hold_update(hold=hold, quantities={shop.adult.pk: 1})

    doc = parse(client.get(checkout_url(hold)))
    assert "220 ₽" in text(doc.select_one("[data-discount]"))
    assert text(doc.select_one("[data-total]")) == "1 980 ₽"
    promo = doc.select_one("input[name=promo_code]")["value"]
    fake_payments(monkeypatch)
    response = client.post(checkout_url(hold), {**VALID, "promo_code": promo})
    assert response.status_code == 303
    order = Order.objects.get()
    assert (order.total, order.promotion.code) == (Decimal("1980.00"), "SPRING10")


def test_the_promo_code_is_remembered_for_its_own_hold_only(shop):
    make_promotion()
    client, key = visitor()
    hold = hold_for(shop, key)
    apply_promo(client, hold)
    other = hold_for(shop, key, adults=1, children=0)

    doc = parse(client.get(checkout_url(other)))
    assert doc.select_one("[data-discount]") is None
    assert doc.select_one("input[name=promo_code]").get("value") is None
    # Someone else's session knows nothing of it either.
    stranger, _ = visitor()
    assert "SPRING10" not in stranger.get(checkout_url(hold)).content.decode()


def test_a_promo_code_removed_by_the_customer_stays_removed(shop):
    make_promotion()
    client, key = visitor()
    hold = hold_for(shop, key)
    apply_promo(client, hold)
    apply_promo(client, hold, "")

    doc = parse(client.get(checkout_url(hold)))
    assert doc.select_one("[data-discount]") is None
    assert text(doc.select_one("[data-total]")) == "5 900 ₽"


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
@pytest.mark.parametrize("how", ["promo_expired", "promo_used_up"])
def test_a_remembered_code_that_no_longer_applies_is_dropped_with_a_message(shop, how, language):
    promotion = make_promotion(max_uses=1)
    client, key = visitor()
    hold = hold_for(shop, key)
    apply_promo(client, hold)
    if how == "promo_expired":
        promotion.valid_until = timezone.now() - datetime.timedelta(seconds=1)
        promotion.save()
    else:
        placed_order(shop.departure, promo_code="SPRING10", email="boris@example.com")

    response = client.get(checkout_url(hold, language))
    assert response.status_code == 200
    doc = parse(response)
    notice = text(doc.select_one("p.booking-notice--error"))
    assert "SPRING10" in notice and message(how, language) in notice
    assert doc.select_one("[data-discount]") is None
    assert text(doc.select_one("[data-total]")).replace(",", " ") in ("5 900 ₽", "5900 ₽")
    assert doc.select_one("input[name=promo_code]").get("value") is None
    assert doc.select_one("#promo_code-ok") is None

    # Said once: the code is forgotten.
    again = parse(client.get(checkout_url(hold, language)))
    assert again.select_one("p.booking-notice--error") is None


def test_fees_have_their_own_lines(shop):
    fee = ServiceFee.objects.create(
        name="Сервисный сбор",
        name_en="Service fee",
        per=ServiceFee.Per.ORDER,
        kind=ServiceFee.Kind.FIXED,
        value=Decimal("100"),
    )
    fee.products.add(shop.product)
    client, key = visitor()
    hold = hold_for(shop, key)
    doc = parse(client.get(checkout_url(hold, "en")))
    assert [text(c) for c in doc.select_one("[data-fee]").select("th, td")] == [
        "Service fee",
        "100 ₽",
    ]
    assert text(doc.select_one("[data-total]")) == "6,000 ₽"
