"""A change to a hold racing the checkout of the same hold, on real PostgreSQL with real
threads: once the order is placed the hold is the order's, so the change must be refused
even when it was asked for while the order was being written.

The interleaving is forced, not left to luck: the checkout takes the hold's row lock and
waits inside its transaction until the other thread is waiting for that lock; only then
does it commit. A change that checked "already ordered" before taking the lock has
already decided by then, and lands after the order."""

import threading
import time

import pytest
from django.db import connection

from booking.models import Hold, Order, SeatClaim
from booking.services import orders
from booking.services.errors import BookingError
from booking.services.holds import SeatRequest, hold_create, hold_extend, hold_release, hold_update
from booking.services.orders import order_create
from tests.concurrency import race
from tests.factories import assigned_departure, checkout_details, seats_of

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.fixture
def checkout_waits_for_the_change(monkeypatch):
    """Makes `order_create` hold the hold's row lock, with its order written but not yet
    committed, until another transaction waits for a lock; sets the event it returns
    once the checkout holds the lock."""
    locked = threading.Event()
    real_hold_tickets = orders.hold_tickets

    def hold_tickets_then_wait(hold):
        locked.set()
        deadline = time.monotonic() + 10
        while not _someone_waits_for_a_lock():
            assert time.monotonic() < deadline, "the change never waited for the hold's lock"
            time.sleep(0.01)
        return real_hold_tickets(hold)

    monkeypatch.setattr(orders, "hold_tickets", hold_tickets_then_wait)
    return locked


def _change(action, hold, seats):
    if action == "update":
        return hold_update(hold=hold, seats=[SeatRequest(seats[2].pk)])
    if action == "extend":
        return hold_extend(hold=hold)
    return hold_release(hold=hold)


@pytest.mark.parametrize("action", ["update", "extend", "release"])
def test_a_hold_change_racing_the_checkout_never_lands_after_the_order(
    action, checkout_waits_for_the_change
):
    departure = assigned_departure(rows=1, seats_per_row=5)
    seats = seats_of(departure)
    hold = hold_create(
        departure_id=departure.pk, owner_key="buyer", seats=[SeatRequest(seats[1].pk)]
    )
    expires_at = hold.expires_at

    def attempt(i):
        if i == 0:
            return order_create(hold=hold, details=checkout_details())
        assert checkout_waits_for_the_change.wait(timeout=10)
        return _change(action, hold, seats)

    results = race(attempt, 2, expected=(BookingError,))

    order = results[0]
    assert isinstance(order, Order)
    assert results[1] == "hold_ordered"
    # The order and its hold still agree: seat 2, the same expiry, the hold still there.
    kept = Hold.objects.get(pk=hold.pk)
    assert kept.expires_at == expires_at and not kept.extended
    assert list(SeatClaim.objects.filter(hold=kept).values_list("seat_id", flat=True)) == [
        seats[1].pk
    ]
    assert list(kept.lines.values_list("seat_id", flat=True)) == [seats[1].pk]
