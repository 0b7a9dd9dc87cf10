"""A refunded ticket gives its seat or place back at once, and stops passing check-in at
once: the next customer buys the very seat in the same test (and could not before)."""

import datetime

import pytest
from django.utils import timezone

from booking.models import Order, RefundPolicy, SeatClaim, Ticket
from booking.selectors import places_sold, seats_claimed
from booking.services.checkin import ticket_check_in
from booking.services.errors import BookingError
from booking.services.holds import SeatRequest, hold_create
from booking.services.orders import order_create
from booking.services.refunds import refund_request
from tests.booking.refunds.helpers import DEADLINE, adult, pier_departure
from tests.factories import checkout_details, placed_order, seats_of, token_of

pytestmark = pytest.mark.django_db
IN_TIME = DEADLINE - datetime.timedelta(days=2)


def test_a_refunded_seat_is_bought_by_another_customer():
    departure = pier_departure(seated=True, rows=1, seats_per_row=4)
    seat = seats_of(departure)[2]
    anna = placed_order(departure, seats=[seat, seats_of(departure)[3]], paid=True)
    ticket = anna.tickets.get(seat=seat)

    with pytest.raises(BookingError) as error:
        hold_create(departure_id=departure.pk, owner_key="boris", seats=[SeatRequest(seat.pk)])
    assert error.value.code == "seat_taken"

    refund_request(order=anna, tickets=[ticket], now=IN_TIME)

    assert not SeatClaim.objects.filter(departure=departure, seat=seat).exists()
    assert not seats_claimed(timezone.now()).filter(departure=departure, seat=seat).exists()
    hold = hold_create(departure_id=departure.pk, owner_key="boris", seats=[SeatRequest(seat.pk)])
    boris = order_create(hold=hold, details=checkout_details(email="boris@example.com"))
    assert boris.tickets.get().seat == seat
    # Anna's other seat is still hers.
    assert (
        SeatClaim.objects.get(departure=departure, seat=seats_of(departure)[3]).ticket.order == anna
    )


def test_a_refunded_place_is_sold_again_on_a_general_admission_departure():
    departure = pier_departure(capacity=2)
    anna = placed_order(departure, quantities={adult(departure).pk: 2}, paid=True)
    with pytest.raises(BookingError) as error:
        hold_create(
            departure_id=departure.pk, owner_key="boris", quantities={adult(departure).pk: 1}
        )
    assert error.value.code == "not_enough_places"

    refund_request(order=anna, tickets=[anna.tickets.first()], now=IN_TIME)

    assert places_sold().filter(departure=departure).count() == 1
    hold = hold_create(
        departure_id=departure.pk, owner_key="boris", quantities={adult(departure).pk: 1}
    )
    boris = order_create(hold=hold, details=checkout_details(email="boris@example.com"))
    assert boris.status == Order.Status.AWAITING_PAYMENT


def test_a_refunded_ticket_no_longer_boards():
    """A product refundable until its start, boarding in half an hour."""
    until_start = RefundPolicy.objects.create(name="Until the start", window_hours=0)
    departure = pier_departure(
        policy=until_start, starts_at=timezone.now() + datetime.timedelta(minutes=30)
    )
    order = placed_order(departure, quantities={adult(departure).pk: 2}, paid=True)
    refunded, kept = order.tickets.order_by("pk")

    refund_request(order=order, tickets=[refunded])

    result = ticket_check_in(token=token_of(refunded), departure_id=departure.pk, user=None)
    assert (result.ok, result.code) == (False, "refunded")
    assert ticket_check_in(token=token_of(kept), departure_id=departure.pk, user=None).ok
    refunded.refresh_from_db()
    assert refunded.status == Ticket.Status.REFUNDED and refunded.checked_in_at is None
