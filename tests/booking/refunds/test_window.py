"""The refund window at its edges, with the clock frozen (`now` given, and once through
Django's clock itself), on the pier's clock: 24 h + 1 s before the start refundable, 24 h
and 24 h − 1 s not, the deadline said in the pier's time; a departure the operator
cancelled refundable in full whenever; a product's own policy and the settings' default."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from booking.models import Departure, Order, Refund, RefundPolicy, Ticket
from booking.services.errors import BookingError
from booking.services.refunds import refund_quote, refund_request
from tests.booking.refunds.helpers import (
    DEADLINE,
    SECOND,
    STARTS_AT,
    order_fee,
    paid_order,
    pier_departure,
)

pytestmark = pytest.mark.django_db


def test_refundable_one_second_before_the_deadline():
    order = paid_order()
    quote = refund_quote(order=order, now=DEADLINE - SECOND)
    assert quote.allowed and quote.code is None
    assert quote.amount == order.total
    assert quote.deadline == DEADLINE == STARTS_AT - datetime.timedelta(hours=24)
    assert quote.whole_order
    assert {line.ticket.pk for line in quote.lines} == set(
        order.tickets.values_list("pk", flat=True)
    )
    assert "6 декабря, 11:00" in quote.message


@pytest.mark.parametrize("now", [DEADLINE, DEADLINE + SECOND], ids=["exactly 24 h", "24 h - 1 s"])
def test_not_refundable_from_the_deadline_on(now):
    order = paid_order()
    quote = refund_quote(order=order, now=now)
    assert not quote.allowed
    assert quote.code == "refund_window_passed"
    assert quote.amount == 0 and quote.lines == ()
    assert quote.deadline == DEADLINE
    # The pier's clock (Vladivostok, UTC+10), not Moscow's (04:00) nor UTC's (01:00).
    assert quote.message == "Возврат возможен до 6 декабря, 11:00; этот срок прошёл."

    with pytest.raises(BookingError) as error:
        refund_request(order=order, now=now)
    assert error.value.code == "refund_window_passed"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert not Refund.objects.exists()
    assert set(order.tickets.values_list("status", flat=True)) == {Ticket.Status.VALID}


@pytest.mark.parametrize(
    ("language", "deadline"),
    [("en", "December 6, 11:00"), ("zh-hans", "12月6日 11:00")],
)
def test_the_refusal_speaks_the_active_language(language, deadline):
    order = paid_order()
    with translation.override(language):
        quote = refund_quote(order=order, now=DEADLINE)
    assert deadline in quote.message
    assert "Возврат" not in quote.message


def test_the_deadline_names_its_year_when_it_is_not_this_year():
    order = paid_order()
    quote = refund_quote(order=order, now=datetime.datetime(2030, 12, 31, tzinfo=datetime.UTC))
    assert quote.allowed
    assert "6 декабря 2031 г., 11:00" in quote.message


def test_with_django_clock_frozen_at_the_edges(monkeypatch):
    order = paid_order()
    monkeypatch.setattr(timezone, "now", lambda: DEADLINE - SECOND)
    assert refund_quote(order=order).allowed
    monkeypatch.setattr(timezone, "now", lambda: DEADLINE + SECOND)
    assert refund_quote(order=order).code == "refund_window_passed"


def test_a_cancelled_departure_is_refunded_in_full_inside_the_window():
    order_fee("150.00")
    keeps_fees = RefundPolicy.objects.create(name="No fees", window_hours=24, refunds_fees=False)
    departure = pier_departure(policy=keeps_fees)
    order = paid_order(departure)
    Departure.objects.filter(pk=departure.pk).update(status=Departure.Status.CANCELLED)
    two_hours_before = STARTS_AT - datetime.timedelta(hours=2)

    quote = refund_quote(order=order, now=two_hours_before)
    assert quote.allowed
    assert quote.deadline is None
    assert quote.amount == order.total == Decimal("4150.00")  # the fee too
    assert all(line.fee_kept == 0 for line in quote.lines)

    refund = refund_request(order=order, now=two_hours_before, reason=Refund.Reason.OPERATOR)
    assert refund.amount == order.total and refund.fees_refunded
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED


def test_a_product_policy_sets_its_own_window():
    departure = pier_departure(
        policy=RefundPolicy.objects.create(name="Three days", window_hours=72)
    )
    order = paid_order(departure)
    assert refund_quote(order=order, now=STARTS_AT - datetime.timedelta(hours=72) - SECOND).allowed
    late = refund_quote(order=order, now=STARTS_AT - datetime.timedelta(hours=48))
    assert late.code == "refund_window_passed"
    assert "4 декабря, 11:00" in late.message


def test_the_default_policy_comes_from_the_settings(settings):
    settings.BOOKING_REFUND_WINDOW_HOURS = 48
    order = paid_order()
    assert refund_quote(order=order, now=STARTS_AT - datetime.timedelta(hours=30)).code == (
        "refund_window_passed"
    )
    assert refund_quote(order=order, now=STARTS_AT - datetime.timedelta(hours=49)).allowed


def test_the_policy_share_is_all_or_nothing_today():
    policy = RefundPolicy.default()
    assert policy.window_hours == 24 and policy.refunds_fees
    day = datetime.timedelta(hours=24)
    assert policy.share_at(day + SECOND) == 1
    assert policy.share_at(day) == 0
    assert policy.share_at(day - SECOND) == 0
