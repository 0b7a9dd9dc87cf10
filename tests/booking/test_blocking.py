"""Staff blocks of seats and places: a blocked seat or place is taken for every reader of
availability and for every hold, no sweeper lifts it, a held or sold seat cannot be
blocked, and the occupancy counts add up in a few queries."""

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from booking.models import Departure, SeatClaim, Ticket
from booking.selectors import departure_seat_states, departures_with_availability, remaining_places
from booking.services.blocking import (
    BLOCK_ACTION,
    UNBLOCK_ACTION,
    departure_occupancy,
    departure_places_block,
    departure_seats_block,
    departure_seats_unblock,
)
from booking.services.errors import BookingError
from booking.services.holds import SeatRequest, hold_create, holds_delete_expired
from booking.services.orders import orders_expire
from tests.factories import (
    assigned_departure,
    expire,
    general_departure,
    placed_order,
    seats_of,
)
from tests.factories.people import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return make_user("manager@prichal.test", is_staff=True)


def _hold_seats(departure, seats, owner="someone"):
    return hold_create(
        departure_id=departure.pk, owner_key=owner, seats=[SeatRequest(s.pk) for s in seats]
    )


def _hold_places(departure, count, owner="someone"):
    ticket_type = departure.product.ticket_types.order_by("sort_order", "pk").first()
    return hold_create(
        departure_id=departure.pk, owner_key=owner, quantities={ticket_type.pk: count}
    )


def _remaining(departure) -> int:
    return remaining_places(
        departures_with_availability(Departure.objects.filter(pk=departure.pk)).get()
    )


# --- seats -----------------------------------------------------------------------------


def test_a_blocked_seat_is_taken_for_customers_and_stays_blocked(manager):
    departure = assigned_departure()
    seats = seats_of(departure)
    blocks = departure_seats_block(
        departure=departure, seat_ids=[seats[0].pk, seats[1].pk], user=manager, reason="Экипаж"
    )
    assert len(blocks) == 2
    claim = SeatClaim.objects.get(departure=departure, seat=seats[0])
    assert claim.blocked_by == manager and claim.blocked_reason == "Экипаж"
    assert claim.hold is None and claim.ticket is None and claim.expires_at is None

    # The public seat map shows it blocked; a hold cannot take it.
    states = {s.seat.pk: s.status for s in departure_seat_states(departure=departure)}
    assert states[seats[0].pk] == "blocked" and states[seats[2].pk] == "free"
    assert _remaining(departure) == len(seats) - 2
    with pytest.raises(BookingError) as refused:
        _hold_seats(departure, [seats[0]])
    assert refused.value.code == "seat_taken"

    # No sweeper lifts a block.
    hold = _hold_seats(departure, [seats[2]])
    expire(hold)
    holds_delete_expired()
    orders_expire()
    _hold_seats(departure, [seats[2]], owner="next")  # deletes expired claims of that seat
    assert SeatClaim.objects.filter(departure=departure, blocked_at__isnull=False).count() == 2

    entry = ModelLogEntry.objects.get(action=BLOCK_ACTION)
    assert entry.user_id == manager.pk and entry.data["seats"] == [seats[0].pk, seats[1].pk]


def test_held_or_sold_seats_cannot_be_blocked_and_nothing_changes(manager):
    departure = assigned_departure()
    seats = seats_of(departure)
    _hold_seats(departure, [seats[0]])
    placed_order(departure, seats=[seats[1]], paid=True)

    with pytest.raises(BookingError) as refused:
        departure_seats_block(
            departure=departure, seat_ids=[seats[0].pk, seats[1].pk, seats[5].pk], user=manager
        )
    assert refused.value.code == "block_seats_taken"
    assert seats[0].short_label in refused.value.message
    assert seats[1].short_label in refused.value.message
    assert seats[5].short_label not in refused.value.message
    assert not SeatClaim.objects.filter(blocked_at__isnull=False).exists()
    assert not ModelLogEntry.objects.filter(action=BLOCK_ACTION).exists()


def test_a_seat_of_an_expired_hold_can_be_blocked(manager):
    departure = assigned_departure()
    seat = seats_of(departure)[0]
    expire(_hold_seats(departure, [seat]))
    departure_seats_block(departure=departure, seat_ids=[seat.pk], user=manager)
    assert SeatClaim.objects.get(departure=departure, seat=seat).blocked_at is not None


def test_unblocking_puts_seats_on_sale_and_refuses_seats_not_blocked(manager):
    departure = assigned_departure()
    seats = seats_of(departure)
    departure_seats_block(departure=departure, seat_ids=[seats[0].pk], user=manager)

    with pytest.raises(BookingError) as refused:
        departure_seats_unblock(
            departure=departure, seat_ids=[seats[0].pk, seats[1].pk], user=manager
        )
    assert refused.value.code == "block_seats_not_blocked"
    assert SeatClaim.objects.filter(blocked_at__isnull=False).count() == 1

    assert departure_seats_unblock(departure=departure, seat_ids=[seats[0].pk], user=manager) == 1
    assert not SeatClaim.objects.exists()
    _hold_seats(departure, [seats[0]])
    assert ModelLogEntry.objects.filter(action=UNBLOCK_ACTION).count() == 1


@pytest.mark.parametrize(
    ("seat_ids", "code"),
    [([], "block_no_seats"), (["abc"], "seat_unknown"), ([999999999], "seat_unknown")],
)
def test_bad_seat_input_is_refused(manager, seat_ids, code):
    departure = assigned_departure()
    with pytest.raises(BookingError) as refused:
        departure_seats_block(departure=departure, seat_ids=seat_ids, user=manager)
    assert refused.value.code == code
    assert not SeatClaim.objects.exists()


def test_seats_and_places_go_with_their_seating(manager):
    with pytest.raises(BookingError) as refused:
        departure_seats_block(departure=general_departure(), seat_ids=[1], user=manager)
    assert refused.value.code == "block_not_seated"
    with pytest.raises(BookingError) as refused:
        departure_places_block(departure=assigned_departure(), quantity=2, user=manager)
    assert refused.value.code == "block_seated"


def test_a_too_long_reason_is_refused(manager):
    departure = assigned_departure()
    with pytest.raises(BookingError) as refused:
        departure_seats_block(
            departure=departure,
            seat_ids=[seats_of(departure)[0].pk],
            user=manager,
            reason="x" * 201,
        )
    assert refused.value.code == "block_reason_too_long"
    assert not SeatClaim.objects.exists()


# --- places ----------------------------------------------------------------------------


def test_blocked_places_are_taken_for_holds_and_the_public_count(manager):
    departure = general_departure(capacity=10)
    departure_places_block(departure=departure, quantity=3, user=manager)
    assert _remaining(departure) == 7

    with pytest.raises(BookingError) as refused:
        _hold_places(departure, 8)
    assert refused.value.code == "not_enough_places"
    assert refused.value.params == {"remaining": 7}
    _hold_places(departure, 7)
    assert _remaining(departure) == 0

    # Nothing free: no more can be blocked; fewer (or none) can.
    with pytest.raises(BookingError) as refused:
        departure_places_block(departure=departure, quantity=4, user=manager)
    assert refused.value.code == "block_places_too_many"
    assert Departure.objects.get(pk=departure.pk).blocked_places == 3
    departure_places_block(departure=departure, quantity=0, user=manager)
    assert Departure.objects.get(pk=departure.pk).blocked_places == 0
    assert _remaining(departure) == 3
    actions = list(ModelLogEntry.objects.order_by("pk").values_list("action", "data"))
    assert actions == [
        (BLOCK_ACTION, {"places": 3, "previous": 0}),
        (UNBLOCK_ACTION, {"places": 0, "previous": 3}),
    ]


def test_a_late_payment_does_not_take_blocked_places(manager):
    departure = general_departure(capacity=4)
    order = placed_order(departure)  # 2 places
    expire(order.hold)
    departure_places_block(departure=departure, quantity=3, user=manager)
    from tests.booking.test_backoffice import _pay

    assert _pay(order) == "refunded"


@pytest.mark.parametrize("quantity", [-1, "two", None, True, 1.5])
def test_bad_place_counts_are_refused(manager, quantity):
    departure = general_departure(capacity=10)
    with pytest.raises(BookingError) as refused:
        departure_places_block(departure=departure, quantity=quantity, user=manager)
    assert refused.value.code == "block_places_invalid"
    assert Departure.objects.get(pk=departure.pk).blocked_places == 0


# --- occupancy -------------------------------------------------------------------------


def test_seated_occupancy(manager, django_assert_max_num_queries):
    departure = assigned_departure(rows=2, seats_per_row=5)
    seats = seats_of(departure)
    _hold_seats(departure, [seats[0]])
    order = placed_order(departure, seats=[seats[1], seats[2]], paid=True)
    Ticket.objects.filter(order=order, seat=seats[2]).update(checked_in_at=timezone.now())
    departure_seats_block(departure=departure, seat_ids=[seats[3].pk], user=manager)

    with django_assert_max_num_queries(4):
        occupancy = departure_occupancy(departure)

    assert occupancy.assigned_seating
    assert (occupancy.capacity, occupancy.free, occupancy.held) == (10, 6, 1)
    assert (occupancy.sold, occupancy.boarded, occupancy.blocked) == (1, 1, 1)
    assert occupancy.seat_states[seats[0].pk] == "held"
    assert occupancy.seat_states[seats[1].pk] == "sold"
    assert occupancy.seat_states[seats[2].pk] == "boarded"
    assert occupancy.seat_states[seats[3].pk] == "blocked"
    assert occupancy.seat_states[seats[4].pk] == "free"


def test_general_admission_occupancy(manager, django_assert_max_num_queries):
    departure = general_departure(capacity=20)
    _hold_places(departure, 3)
    order = placed_order(departure, paid=True)  # 2 tickets
    Ticket.objects.filter(pk=order.tickets.first().pk).update(checked_in_at=timezone.now())
    departure_places_block(departure=departure, quantity=5, user=manager)

    with django_assert_max_num_queries(3):
        occupancy = departure_occupancy(departure)

    assert not occupancy.assigned_seating and occupancy.seat_states == {}
    assert (occupancy.capacity, occupancy.held, occupancy.sold, occupancy.boarded) == (20, 3, 1, 1)
    assert (occupancy.blocked, occupancy.free) == (5, 10)
