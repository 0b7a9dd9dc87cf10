"""Refunds against each other and against boarding, on real PostgreSQL: real threads,
each with its own connection and transaction, released together (tests/concurrency.py).

A double click, two tabs, or a customer and an agent at once: one refund and one call to
YooKassa. A refund and a check-in scan of the same ticket: exactly one of them wins,
whichever comes first. The service's decision is slowed down (`WINDOW`) so that every
racer is inside it at once: without the row locks of `refund_request` the same races
refund a ticket ten times, or refund a ticket that has just boarded."""

import datetime
import time
from collections import Counter

import pytest
from django.utils import timezone

from booking.models import Order, Refund, RefundPolicy, Ticket
from booking.services import checkin, refunds
from booking.services.checkin import ticket_check_in
from booking.services.errors import BookingError
from booking.services.refunds import refund_request
from tests import concurrency
from tests.booking.refunds.helpers import (
    DEADLINE,
    paid_through_yookassa,
    pier_departure,
    refund_calls,
)
from tests.factories import token_of

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
IN_TIME = DEADLINE - datetime.timedelta(days=2)
# Seconds a racer spends deciding while holding (or, without the locks, not holding)
# what it read: a wide race window.
WINDOW = 0.2


def slow(monkeypatch, module, name):
    real = getattr(module, name)

    def slowed(*args, **kwargs):
        result = real(*args, **kwargs)
        time.sleep(WINDOW)
        return result

    monkeypatch.setattr(module, name, slowed)


def test_ten_requests_for_one_ticket_make_one_refund_and_one_call(yookassa, monkeypatch):
    order = paid_through_yookassa(count=2)
    ticket = order.tickets.order_by("pk").first()
    slow(monkeypatch, refunds, "_quote")

    results = concurrency.race(
        lambda i: refund_request(order=order, tickets=[ticket], now=IN_TIME),
        10,
        expected=(BookingError,),
    )

    made = [r for r in results.values() if isinstance(r, Refund)]
    refusals = Counter(r for r in results.values() if not isinstance(r, Refund))
    print(f"refunds: {len(made)}, refusals {dict(refusals)}")
    assert len(made) == 1 and refusals == {"ticket_refunded": 9}
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.SUCCEEDED
    assert list(refund.tickets.all()) == [ticket]
    assert len(refund_calls(yookassa)) == 1
    order.refresh_from_db()
    assert order.status == Order.Status.PARTLY_REFUNDED
    assert order.tickets.filter(status=Ticket.Status.REFUNDED).count() == 1


@pytest.fixture
def boarding_ticket(yookassa):
    """A paid ticket of a departure boarding now (it leaves in half an hour) whose product
    is refundable until its start."""
    until_start = RefundPolicy.objects.create(name="Until the start", window_hours=0)
    departure = pier_departure(
        policy=until_start, starts_at=timezone.now() + datetime.timedelta(minutes=30)
    )
    order = paid_through_yookassa(departure, count=1)
    return order, order.tickets.get()


def scan(ticket):
    return ticket_check_in(token=token_of(ticket), departure_id=ticket.departure_id, user=None)


def test_a_refund_deciding_when_the_scan_comes_wins(boarding_ticket, monkeypatch):
    order, ticket = boarding_ticket
    slow(monkeypatch, refunds, "_quote")

    def attempt(i):
        if i == 0:
            return refund_request(order=order, tickets=[ticket])
        time.sleep(WINDOW / 3)  # the gangway scans while the refund is being decided
        return scan(ticket)

    results = concurrency.race(attempt, 2, expected=(BookingError,))

    print(f"refund: {results[0]}, scan: {results[1].code}")
    assert isinstance(results[0], Refund)
    assert (results[1].ok, results[1].code) == (False, "refunded")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.REFUNDED and ticket.checked_in_at is None


def test_a_scan_boarding_when_the_refund_comes_wins(boarding_ticket, monkeypatch):
    order, ticket = boarding_ticket
    # The scan holds the ticket's row (its UPDATE) while it writes the audit entry.
    slow(monkeypatch, checkin, "log")

    def attempt(i):
        if i == 0:
            time.sleep(WINDOW / 3)  # the customer presses "refund" as the crew scans
            return refund_request(order=order, tickets=[ticket])
        return scan(ticket)

    results = concurrency.race(attempt, 2, expected=(BookingError,))

    print(f"refund: {results[0]}, scan: {results[1].code}")
    assert results[1].ok
    assert results[0] == "ticket_boarded"
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.VALID and ticket.checked_in_at is not None
    assert not Refund.objects.exists()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
