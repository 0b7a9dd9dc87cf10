"""What can be refunded and for how much: boarded, refunded, foreign and unpaid tickets
refused; fees kept or refunded by the product's policy; the promo code's minimum order;
the order's status after each refund, the audit entry, and nothing changed by a refusal."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from booking.models import Order, Refund, RefundPolicy, Ticket
from booking.services.errors import BookingError
from booking.services.refunds import REFUND_ACTION, refund_quote, refund_request
from tests.booking.refunds.helpers import (
    DEADLINE,
    SECOND,
    order_fee,
    paid_order,
    pier_departure,
    promotion,
)
from tests.factories import placed_order

pytestmark = pytest.mark.django_db
IN_TIME = DEADLINE - datetime.timedelta(days=2)


def tickets_of(order):
    return list(order.tickets.order_by("pk"))


def refused(order, tickets=None, code=None):
    """Asserts that the quote and the request both refuse with `code` and that the request
    changed nothing."""
    before = (order.status, sorted(order.tickets.values_list("pk", "status")))
    quote = refund_quote(order=order, tickets=tickets, now=IN_TIME)
    assert (quote.allowed, quote.code) == (False, code)
    assert quote.message
    with pytest.raises(BookingError) as error:
        refund_request(order=order, tickets=tickets, now=IN_TIME)
    assert error.value.code == code
    order.refresh_from_db()
    assert (order.status, sorted(order.tickets.values_list("pk", "status"))) == before
    return quote


def test_one_ticket_then_the_rest_moves_the_order_and_logs_each_refund(django_user_model):
    agent = django_user_model.objects.create_user(email="agent@prichal.local", password="x")
    order = paid_order(count=3)
    first, *rest = tickets_of(order)

    refund = refund_request(order=order, tickets=[first], now=IN_TIME, requested_by=agent)
    assert (refund.amount, refund.reason, refund.status) == (
        first.paid_amount,
        Refund.Reason.CUSTOMER,
        Refund.Status.CREATED,
    )
    assert refund.payment_id == order.paid_by_id
    assert list(refund.tickets.all()) == [first]
    assert refund.idempotence_key
    order.refresh_from_db()
    assert order.status == Order.Status.PARTLY_REFUNDED
    first.refresh_from_db()
    assert first.status == Ticket.Status.REFUNDED
    assert {t.status for t in order.tickets.exclude(pk=first.pk)} == {Ticket.Status.VALID}

    entry = ModelLogEntry.objects.get(action=REFUND_ACTION)
    assert entry.object_id == str(order.pk) and entry.user_id == agent.pk
    assert entry.data["tickets"] == [first.pk]
    assert entry.data["amount"] == f"{first.paid_amount:.2f}"
    assert entry.data["refund_id"] == refund.pk

    # None: every ticket still refundable; the order is then wholly refunded.
    quote = refund_quote(order=order, now=IN_TIME)
    assert quote.whole_order and [line.ticket.pk for line in quote.lines] == [t.pk for t in rest]
    second = refund_request(order=order, now=IN_TIME)
    assert second.amount == sum(t.paid_amount for t in rest)
    assert second.idempotence_key != refund.idempotence_key
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert Refund.objects.filter(payment__order=order).count() == 2
    assert sum(Refund.objects.values_list("amount", flat=True)) == order.total
    assert ModelLogEntry.objects.filter(action=REFUND_ACTION, user__isnull=True).count() == 1

    # Nothing is left to refund.
    refused(order, code="ticket_refunded")
    refused(order, tickets=[first], code="ticket_refunded")


def test_a_boarded_ticket_is_refused_and_the_others_still_refundable():
    order = paid_order(count=2)
    boarded, other = tickets_of(order)
    Ticket.objects.filter(pk=boarded.pk).update(checked_in_at=timezone.now())
    refused(order, tickets=[boarded], code="ticket_boarded")
    refused(order, tickets=[other, boarded], code="ticket_boarded")

    quote = refund_quote(order=order, now=IN_TIME)
    assert [line.ticket.pk for line in quote.lines] == [other.pk]
    assert not quote.whole_order
    refund_request(order=order, now=IN_TIME)
    order.refresh_from_db()
    assert order.status == Order.Status.PARTLY_REFUNDED
    refused(order, code="ticket_boarded")  # only the boarded one is left


def test_tickets_of_another_order_or_no_ticket_at_all_are_refused():
    departure = pier_departure()
    order = paid_order(departure)
    other = paid_order(departure, email="boris@example.com")
    refused(order, tickets=[other.tickets.first()], code="ticket_invalid")
    refused(order, tickets=[10**12], code="ticket_invalid")
    refused(order, tickets=["1; DROP TABLE"], code="ticket_invalid")
    refused(order, tickets=[True], code="ticket_invalid")
    refused(order, tickets=[], code="no_tickets")


def test_an_unpaid_order_is_not_refundable():
    order = placed_order(pier_departure())
    refused(order, code="order_not_refundable")


def test_the_same_ticket_twice_in_one_request_is_refunded_once():
    order = paid_order(count=2)
    first = tickets_of(order)[0]
    refund = refund_request(order=order, tickets=[first, first.pk, str(first.pk)], now=IN_TIME)
    assert refund.amount == first.paid_amount and refund.tickets.count() == 1


@pytest.mark.parametrize("refunds_fees", [True, False])
def test_fees_follow_the_policy(refunds_fees):
    order_fee("150.00")
    policy = RefundPolicy.objects.create(name="p", window_hours=24, refunds_fees=refunds_fees)
    order = paid_order(pier_departure(policy=policy), count=2)
    first, second = tickets_of(order)
    assert first.fee + second.fee == Decimal("150.00") and first.fee > 0

    quote = refund_quote(order=order, tickets=[first], now=IN_TIME)
    [line] = quote.lines
    if refunds_fees:
        assert (line.amount, line.fee_kept) == (first.paid_amount, 0)
        assert "не возвращается" not in quote.message
    else:
        assert (line.amount, line.fee_kept) == (first.paid_amount - first.fee, first.fee)
        assert "сервисный сбор" in quote.message
    refund = refund_request(order=order, tickets=[first], now=IN_TIME)
    assert refund.amount == quote.amount and refund.fees_refunded is refunds_fees


def test_the_amounts_are_exact_to_the_kopeck():
    """A discount of 10 % over 2000 + 1200 leaves tickets of 1800 and 1080; a fee of 100.01
    per order is split 62.51 / 37.50: each refund returns exactly what its ticket cost."""
    order_fee("100.01")
    promotion(min_order_amount="0", code="TEN")
    departure = pier_departure()
    adult, child = departure.product.ticket_types.order_by("sort_order")
    order = placed_order(
        departure, quantities={adult.pk: 1, child.pk: 1}, promo_code="TEN", paid=True
    )
    amounts = [
        refund_request(order=order, tickets=[t], now=IN_TIME).amount for t in tickets_of(order)
    ]
    assert sum(amounts) == order.total
    assert all(a == a.quantize(Decimal("0.01")) for a in amounts)


class TestPromoMinimum:
    """SUMMER: 10 % off an order of at least 5000 ₽ (by list prices)."""

    def order(self, count):
        promotion("5000.00")
        departure = pier_departure()
        return placed_order(
            departure,
            quantities={departure.product.ticket_types.order_by("sort_order")[0].pk: count},
            promo_code="SUMMER",
            paid=True,
        )

    def test_a_part_that_would_leave_the_order_below_the_minimum_is_refused(self):
        order = self.order(3)  # 3 × 2000 = 6000 ≥ 5000; without one: 4000 < 5000
        quote = refused(order, tickets=[tickets_of(order)[0]], code="promo_minimum")
        assert "SUMMER" in quote.message and "5\u00a0000\u00a0₽" in quote.message
        assert "весь заказ" in quote.message

    def test_the_whole_order_can_always_be_refunded(self):
        order = self.order(3)
        refund = refund_request(order=order, tickets=tickets_of(order), now=IN_TIME)
        assert refund.amount == order.total
        order.refresh_from_db()
        assert order.status == Order.Status.REFUNDED

    def test_a_part_that_keeps_the_order_at_the_minimum_is_refunded(self):
        order = self.order(4)  # 8000; without one: 6000, without two: 4000
        first, second, *_rest = tickets_of(order)
        refund_request(order=order, tickets=[first], now=IN_TIME)
        order.refresh_from_db()
        refused(order, tickets=[second], code="promo_minimum")

    def test_a_cancelled_departure_ignores_the_minimum(self):
        order = self.order(3)
        order.departure.status = order.departure.Status.CANCELLED
        order.departure.save(update_fields=["status"])
        assert refund_quote(order=order, tickets=[tickets_of(order)[0]], now=IN_TIME).allowed


def test_the_quote_changes_nothing():
    order = paid_order()
    refund_quote(order=order, now=DEADLINE - SECOND)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and not Refund.objects.exists()


def test_free_tickets_are_refunded_without_a_call_to_yookassa():
    """A 100 % promo code: nothing was paid, nothing is sent; the tickets are given up."""
    free = promotion(min_order_amount="0", code="FREE")
    free.value = Decimal("100")
    free.save()
    order = placed_order(pier_departure(), promo_code="FREE", paid=True)
    assert order.total == 0
    refund = refund_request(order=order, now=IN_TIME)
    assert (refund.amount, refund.status) == (Decimal("0.00"), Refund.Status.SUCCEEDED)
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert set(order.tickets.values_list("status", flat=True)) == {Ticket.Status.REFUNDED}
