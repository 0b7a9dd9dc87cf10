"""Promo codes cannot be guessed: wrong codes are counted per session and per address,
and over the limit no code is checked at all — not by "Apply", not by "Pay"."""

import pytest

from booking.models import Order
from tests.booking.checkout.helpers import (
    VALID,
    checkout_url,
    field_error,
    hold_for,
    make_promotion,
    message,
    visitor,
)
from tests.helpers import parse, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def promo_rate(settings):
    settings.BOOKING_PROMO_RATE = "3/10m"
    settings.BOOKING_PROMO_ADDRESS_RATE = "5/10m"


def apply(client, hold, code, language="ru"):
    return client.post(checkout_url(hold, language), {"action": "apply", "promo_code": code})


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_after_the_wrong_codes_the_right_one_is_not_even_checked(shop, promo_rate, language):
    make_promotion()
    client, key = visitor()
    hold = hold_for(shop, key)

    statuses = [apply(client, hold, f"GUESS{i}", language).status_code for i in range(3)]
    response = apply(client, hold, "SPRING10", language)

    assert statuses == [400, 400, 400]
    assert response.status_code == 429
    doc = parse(response)
    assert field_error(doc, "promo_code") == message("promo_rate_limited", language)
    assert doc.select_one("[data-discount]") is None
    assert doc.select_one("#promo_code-ok") is None


def test_a_right_code_does_not_count_against_the_limit(shop, promo_rate):
    make_promotion()
    client, key = visitor()
    hold = hold_for(shop, key)
    assert [apply(client, hold, "SPRING10").status_code for _ in range(5)] == [200] * 5


def test_pay_with_a_code_is_refused_too_once_over_the_limit(shop, promo_rate):
    make_promotion()
    client, key = visitor()
    hold = hold_for(shop, key)
    for i in range(3):
        apply(client, hold, f"GUESS{i}")

    response = client.post(checkout_url(hold), {**VALID, "promo_code": "SPRING10"})

    assert response.status_code == 429
    assert field_error(parse(response), "promo_code") == message("promo_rate_limited")
    assert Order.objects.count() == 0


def test_the_address_has_its_own_budget_across_sessions(shop, promo_rate):
    make_promotion()
    tries = []
    for _ in range(3):  # three sessions from one address, two wrong codes each
        client, key = visitor()
        hold = hold_for(shop, key, adults=1, children=0)
        tries += [apply(client, hold, "NOPE").status_code for _ in range(2)]
    assert tries == [400] * 5 + [429]
    doc = parse(apply(client, hold, "SPRING10"))
    assert "SPRING10" not in text(doc.select_one("[data-discount]"))
