"""Prices to the kopeck: fees, promo codes, VAT modes and their shares per ticket."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from booking.models import Order, ProductTaxes, Promotion, ServiceFee
from booking.services.errors import BookingError
from booking.services.orders import checkout_quote
from booking.services.pricing import (
    Breakdown,
    PricedTicket,
    allocate,
    price_tickets,
    promotion_check,
)
from booking.services.receipts import payment_receipt
from tests.factories import general_departure, placed_order, product_with_ticket_types

D = Decimal
pytestmark = pytest.mark.django_db


def test_allocate_sums_exactly_and_follows_weights():
    assert allocate(D("100.00"), [D(1), D(1), D(1)]) == [D("33.34"), D("33.33"), D("33.33")]
    assert allocate(D("0.05"), [D(3), D(1)]) == [D("0.04"), D("0.01")]
    assert allocate(D("10.00"), [D(0), D(0)]) == [D("5.00"), D("5.00")]
    shares = allocate(D("999.99"), [D("1500"), D("800"), D("800"), D("333.33")])
    assert sum(shares) == D("999.99")


def tickets(*prices, type_id=1):
    return [PricedTicket(type_id, None, D(p)) for p in prices]


def test_no_fees_no_promo_total_is_the_sum_and_no_vat_by_default():
    departure = general_departure()
    breakdown = price_tickets(departure=departure, tickets=tickets("1500", "800"))
    assert breakdown.total == D("2300.00")
    assert breakdown.fees == []
    assert breakdown.vat_code == 1
    assert breakdown.vat_amount is None


def test_fee_rules_per_ticket_and_per_order_fixed_and_percent():
    departure = general_departure()
    ServiceFee.objects.create(name="Сбор за билет", per="ticket", kind="fixed", value=D("50"))
    ServiceFee.objects.create(name="Сервисный сбор", per="order", kind="percent", value=D("3.5"))
    ServiceFee.objects.create(name="Бесплатный", per="order", kind="fixed", value=D("0"))
    other = ServiceFee.objects.create(name="Другой", per="order", kind="fixed", value=D("99"))
    other.products.add(product_with_ticket_types()[0])  # another product's fee

    breakdown = price_tickets(departure=departure, tickets=tickets("1500", "800", "0"))

    assert [(f.names["ru"], f.amount) for f in breakdown.fees] == [
        ("Сбор за билет", D("100.00")),  # the free ticket carries no per-ticket fee
        ("Сервисный сбор", D("80.50")),  # 3.5 % of 2300
    ]
    assert breakdown.total == D("2480.50")
    assert sum(t.paid for t in breakdown.tickets) == breakdown.total
    assert breakdown.tickets[2].paid == D("0.00")


def test_percent_promo_is_spread_by_price_and_fees_follow_the_discounted_price():
    departure = general_departure()
    ServiceFee.objects.create(name="Сбор", per="ticket", kind="percent", value=D("10"))
    promotion = Promotion.objects.create(code="summer", kind="percent", value=D("15"))

    breakdown = price_tickets(
        departure=departure, tickets=tickets("999.99", "333.33", "333.33"), promotion=promotion
    )

    assert breakdown.promo_code == "SUMMER"
    assert breakdown.discount_total == D("250.00")  # 15 % of 1666.65 = 249.9975
    assert [t.discount for t in breakdown.tickets] == [D("150.00"), D("50.00"), D("50.00")]
    assert [t.fee for t in breakdown.tickets] == [D("85.00"), D("28.33"), D("28.33")]
    assert breakdown.total == D("1666.65") - D("250.00") + D("141.66")
    assert sum(t.paid for t in breakdown.tickets) == breakdown.total


def test_fixed_promo_never_exceeds_the_eligible_prices():
    departure = general_departure()
    promotion = Promotion.objects.create(code="BIG", kind="fixed", value=D("5000"))
    breakdown = price_tickets(
        departure=departure, tickets=tickets("1500", "800"), promotion=promotion
    )
    assert breakdown.total == D("0.00")
    assert all(t.paid == 0 for t in breakdown.tickets)


@pytest.mark.parametrize(
    ("vat_code", "expected"),
    [(1, None), (2, D("0.00")), (4, D("383.33")), (11, D("414.75")), (12, D("414.75"))],
)
def test_vat_modes(vat_code, expected):
    departure = general_departure()
    ProductTaxes.objects.create(product=departure.product, vat_code=vat_code)
    breakdown = price_tickets(departure=departure, tickets=tickets("1500", "800"))
    assert breakdown.vat_amount == expected  # VAT inside 2300 at 20 % = 383.33, 22 % = 414.75


def test_breakdown_survives_the_round_trip_through_json():
    departure = general_departure()
    ServiceFee.objects.create(name="Сбор", name_en="Fee", per="order", kind="fixed", value=D("99"))
    breakdown = price_tickets(departure=departure, tickets=tickets("1500", "800"))
    again = Breakdown.from_json(breakdown.to_json())
    assert again.total == breakdown.total == D("2399.00")
    assert again.fees[0].names["en"] == "Fee"


class TestPromotionRules:
    def departure_and_tickets(self):
        departure = general_departure()
        return departure, tickets("1500", "800", type_id=departure.product.ticket_types.first().pk)

    def check(self, code, **kwargs):
        departure, priced = self.departure_and_tickets()
        return promotion_check(
            code=code, departure=departure, tickets=priced, email="a@example.com", **kwargs
        )

    def refusal(self, code):
        with pytest.raises(BookingError) as error:
            self.check(code)
        return error.value.code

    def test_codes_are_case_insensitive(self):
        Promotion.objects.create(code="Vesna", kind="percent", value=D("10"))
        assert self.check("  vesna ").code == "VESNA"

    def test_refusals(self):
        now = timezone.now()
        Promotion.objects.create(code="OFF", kind="percent", value=10, is_active=False)
        Promotion.objects.create(
            code="LATE", kind="percent", value=10, valid_until=now - datetime.timedelta(days=1)
        )
        Promotion.objects.create(
            code="EARLY", kind="percent", value=10, valid_from=now + datetime.timedelta(days=1)
        )
        Promotion.objects.create(code="RICH", kind="percent", value=10, min_order_amount=5000)
        scoped = Promotion.objects.create(code="OTHER", kind="percent", value=10)
        scoped.products.add(product_with_ticket_types()[0])
        assert self.refusal("NOPE") == "promo_unknown"
        assert self.refusal("OFF") == "promo_unknown"
        assert self.refusal("x" * 500) == "promo_unknown"
        assert self.refusal("LATE") == "promo_expired"
        assert self.refusal("EARLY") == "promo_expired"
        assert self.refusal("RICH") == "promo_min_order"
        assert self.refusal("OTHER") == "promo_not_applicable"

    def test_usage_limits_total_and_per_customer(self):
        promotion = Promotion.objects.create(
            code="ONCE", kind="fixed", value=100, max_uses=2, max_uses_per_customer=1
        )
        placed_order(promo_code="ONCE", email="A@example.com")
        assert self.refusal("ONCE") == "promo_customer_limit"  # same customer, any case
        other = placed_order(promo_code="ONCE", email="b@example.com")
        assert Order.objects.filter(promotion=promotion).count() == 2
        with pytest.raises(BookingError) as error:
            promotion_check(
                code="ONCE",
                departure=other.departure,
                tickets=tickets("1500"),
                email="c@example.com",
            )
        assert error.value.code == "promo_used_up"
        # An expired order gives its use back.
        Order.objects.filter(pk=other.pk).update(status=Order.Status.EXPIRED)
        assert promotion_check(
            code="ONCE", departure=other.departure, tickets=tickets("1500"), email="c@example.com"
        )


def test_order_tickets_store_shares_that_sum_to_the_total_and_the_receipt_agrees():
    departure = general_departure()
    adult, child = departure.product.ticket_types.order_by("sort_order")
    ServiceFee.objects.create(name="Сервисный сбор", per="order", kind="fixed", value=D("100"))
    Promotion.objects.create(code="TEN", kind="percent", value=D("10"))

    order = placed_order(departure, quantities={adult.pk: 2, child.pk: 1}, promo_code="ten")

    ticket_rows = list(order.tickets.all())
    assert [t.price for t in ticket_rows] == [D("1500.00"), D("1500.00"), D("800.00")]
    assert order.discount_total == D("380.00")
    assert order.fees_total == D("100.00")
    assert order.total == D("3520.00")
    assert sum(t.paid_amount for t in ticket_rows) == order.total
    receipt = payment_receipt(order)
    assert sum(D(i["amount"]["value"]) * D(i["quantity"]) for i in receipt["items"]) == order.total
    assert {i["vat_code"] for i in receipt["items"]} == {1}
    assert {i["payment_mode"] for i in receipt["items"]} == {"full_prepayment"}
    assert receipt["customer"] == {"email": "anna@example.com", "phone": "79123456789"}
    assert receipt["items"][-1]["description"] == "Сервисный сбор"


def test_checkout_quote_matches_the_order():
    departure = general_departure()
    ServiceFee.objects.create(name="Сбор", per="ticket", kind="fixed", value=D("30"))
    from booking.services.holds import hold_create

    hold = hold_create(
        departure_id=departure.pk,
        owner_key="o",
        quantities={departure.product.ticket_types.first().pk: 3},
    )
    quote = checkout_quote(hold=hold)
    assert quote.total == D("4590.00")
