"""Holds: every refusal, which must carry its reason code and leave no rows behind."""

import datetime

import pytest
from django.utils import timezone

from booking.models import Departure, SeatingMode
from booking.services.errors import BookingError
from booking.services.holds import (
    SeatRequest,
    hold_create,
    hold_update,
)
from tests import factories
from tests.booking.helpers import claimed_seat_ids, seat_requests, ticket_types
from tests.factories import (
    assigned_departure,
    general_departure,
    row_counts,
    seat_map_with_seats,
    seats_of,
)

pytestmark = pytest.mark.django_db

# --- refusals ------------------------------------------------------------------------


def _past(departure):
    Departure.objects.filter(pk=departure.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        ends_at=timezone.now() + datetime.timedelta(minutes=30),
    )


def _status(status):
    def change(departure):
        Departure.objects.filter(pk=departure.pk).update(status=status)

    return change


def _sale(**fields):
    def change(departure):
        now = timezone.now()
        Departure.objects.filter(pk=departure.pk).update(
            **{name: now + delta for name, delta in fields.items()}
        )

    return change


def _product_inactive(departure):
    departure.product.is_active = False
    departure.product.save()


DEPARTURE_REFUSALS = [
    ("past", _past, "departure_past"),
    ("departed", _status(Departure.Status.DEPARTED), "departure_past"),
    ("cancelled", _status(Departure.Status.CANCELLED), "departure_cancelled"),
    (
        "not on sale yet",
        _sale(on_sale_from=datetime.timedelta(days=1)),
        "departure_not_on_sale",
    ),
    (
        "sale closed",
        _sale(on_sale_until=-datetime.timedelta(minutes=1)),
        "departure_not_on_sale",
    ),
    ("inactive product", _product_inactive, "departure_not_on_sale"),
]


@pytest.mark.parametrize("seating", ["general", "assigned"])
@pytest.mark.parametrize(
    ("change", "code"),
    [(change, code) for _name, change, code in DEPARTURE_REFUSALS],
    ids=[name for name, _change, _code in DEPARTURE_REFUSALS],
)
def test_departures_that_are_not_on_sale_are_refused(seating, change, code):
    departure = general_departure() if seating == "general" else assigned_departure()
    change(departure)
    seat = seats_of(departure)[0] if seating == "assigned" else None
    selection = (
        {"seats": seat_requests(seat)}
        if seat
        else {"quantities": {ticket_types(departure)[0].pk: 1}}
    )

    with pytest.raises(BookingError) as refused:
        hold_create(departure_id=departure.pk, owner_key="a", **selection)

    assert refused.value.code == code
    assert refused.value.message
    assert row_counts() == {"holds": 0, "lines": 0, "claims": 0}


def test_a_departure_that_is_on_sale_within_its_window_is_accepted():
    departure = general_departure()
    _sale(on_sale_from=-datetime.timedelta(days=1), on_sale_until=datetime.timedelta(hours=1))(
        departure
    )
    hold = hold_create(
        departure_id=departure.pk, owner_key="a", quantities={ticket_types(departure)[0].pk: 1}
    )
    assert hold.pk


def _general_quantities(builder):
    def selection(departure, other):
        return {"quantities": builder(ticket_types(departure), other)}

    return selection


def _seats(builder):
    def selection(departure, other):
        return {"seats": builder(seats_of(departure), ticket_types(departure), other)}

    return selection


SELECTION_REFUSALS = [
    # general admission
    # One ticket type above the limit is an invalid quantity; the limit is in the message.
    ("ga too many", "general", _general_quantities(lambda t, o: {t[0].pk: 11}), "quantity_invalid"),
    (
        "ga too many over two types",
        "general",
        _general_quantities(lambda t, o: {t[0].pk: 6, t[1].pk: 5}),
        "too_many_tickets",
    ),
    ("ga nothing", "general", _general_quantities(lambda t, o: {}), "no_tickets"),
    ("ga zero", "general", _general_quantities(lambda t, o: {t[0].pk: 0}), "no_tickets"),
    ("ga negative", "general", _general_quantities(lambda t, o: {t[0].pk: -1}), "quantity_invalid"),
    ("ga bool", "general", _general_quantities(lambda t, o: {t[0].pk: True}), "quantity_invalid"),
    ("ga float", "general", _general_quantities(lambda t, o: {t[0].pk: 1.0}), "quantity_invalid"),
    ("ga string", "general", _general_quantities(lambda t, o: {t[0].pk: "2"}), "quantity_invalid"),
    (
        "ga huge",
        "general",
        _general_quantities(lambda t, o: {t[0].pk: 10**9}),
        "quantity_invalid",
    ),
    (
        "ga other product's ticket type",
        "general",
        _general_quantities(lambda t, o: {o.pk: 1}),
        "ticket_type_invalid",
    ),
    (
        "ga unknown ticket type",
        "general",
        _general_quantities(lambda t, o: {10**9: 1}),
        "ticket_type_invalid",
    ),
    (
        "ga seats",
        "general",
        lambda d, o: {"seats": [SeatRequest(1)], "quantities": {}},
        "seats_not_allowed",
    ),
    # assigned seating
    (
        "assigned quantities",
        "assigned",
        lambda d, o: {"quantities": {ticket_types(d)[0].pk: 1}},
        "seats_required",
    ),
    ("assigned nothing", "assigned", lambda d, o: {"seats": []}, "no_tickets"),
    (
        "assigned too many",
        "assigned",
        _seats(lambda s, t, o: [SeatRequest(seat.pk) for seat in s[:11]]),
        "too_many_tickets",
    ),
    (
        "assigned unknown seat",
        "assigned",
        _seats(lambda s, t, o: [SeatRequest(s[0].pk), SeatRequest(10**9)]),
        "seat_unknown",
    ),
    (
        "assigned same seat twice",
        "assigned",
        _seats(lambda s, t, o: [SeatRequest(s[0].pk), SeatRequest(s[0].pk)]),
        "seat_unknown",
    ),
    (
        "assigned other product's ticket type",
        "assigned",
        _seats(lambda s, t, o: [SeatRequest(s[0].pk, o.pk)]),
        "ticket_type_invalid",
    ),
]


@pytest.mark.parametrize(
    ("seating", "selection", "code"),
    [(seating, selection, code) for _n, seating, selection, code in SELECTION_REFUSALS],
    ids=[name for name, *_rest in SELECTION_REFUSALS],
)
def test_invalid_selections_are_refused_and_leave_no_rows(seating, selection, code):
    departure = general_departure() if seating == "general" else assigned_departure()
    other_type = factories.TicketTypeFactory()  # of another product

    with pytest.raises(BookingError) as refused:
        hold_create(departure_id=departure.pk, owner_key="a", **selection(departure, other_type))

    assert refused.value.code == code
    assert refused.value.message
    assert row_counts() == {"holds": 0, "lines": 0, "claims": 0}


def test_a_seat_of_another_seat_map_is_unknown():
    departure = assigned_departure()
    foreign = seat_map_with_seats().seats.first()
    own = seats_of(departure)[0]

    with pytest.raises(BookingError) as refused:
        hold_create(departure_id=departure.pk, owner_key="a", seats=seat_requests(own, foreign))

    assert refused.value.code == "seat_unknown"
    assert row_counts() == {"holds": 0, "lines": 0, "claims": 0}


def test_a_departure_with_its_own_seat_map_accepts_only_that_maps_seats():
    departure = assigned_departure()
    special = seat_map_with_seats(factories.VesselFactory(seating_mode=SeatingMode.ASSIGNED))
    special.vessel = departure.vessel
    special.is_default = False
    special.save()
    departure.seat_map = special
    departure.save()
    default_seat = seats_of(departure)[0]

    with pytest.raises(BookingError) as refused:
        hold_create(departure_id=departure.pk, owner_key="a", seats=seat_requests(default_seat))
    assert refused.value.code == "seat_unknown"

    hold = hold_create(
        departure_id=departure.pk, owner_key="a", seats=seat_requests(special.seats.first())
    )
    assert claimed_seat_ids(hold) == {special.seats.first().pk}


def test_a_blocked_seat_is_refused():
    departure = assigned_departure()
    free, blocked = seats_of(departure)[:2]
    blocked.kind = blocked.Kind.BLOCKED
    blocked.save()

    with pytest.raises(BookingError) as refused:
        hold_create(departure_id=departure.pk, owner_key="a", seats=seat_requests(free, blocked))

    assert refused.value.code == "seat_blocked"
    assert row_counts() == {"holds": 0, "lines": 0, "claims": 0}


def test_an_inactive_ticket_type_is_refused():
    departure = general_departure()
    _adult, child = ticket_types(departure)
    child.is_active = False
    child.save()

    with pytest.raises(BookingError) as refused:
        hold_create(departure_id=departure.pk, owner_key="a", quantities={child.pk: 1})

    assert refused.value.code == "ticket_type_invalid"
    assert row_counts() == {"holds": 0, "lines": 0, "claims": 0}


@pytest.mark.parametrize("departure_id", [10**9, "abc", None, -1])
def test_an_unknown_departure_is_refused(departure_id):
    with pytest.raises(BookingError) as refused:
        hold_create(departure_id=departure_id, owner_key="a", quantities={1: 1})
    assert refused.value.code == "departure_not_found"
    assert row_counts() == {"holds": 0, "lines": 0, "claims": 0}


def test_a_general_admission_departure_of_an_assigned_vessel_takes_quantities():
    """The departure's own seating mode wins over the vessel's."""
    departure = assigned_departure(seating_mode=SeatingMode.GENERAL, capacity=4)
    adult = ticket_types(departure)[0]

    with pytest.raises(BookingError) as refused:
        hold_create(
            departure_id=departure.pk, owner_key="a", seats=seat_requests(seats_of(departure)[0])
        )
    assert refused.value.code == "seats_not_allowed"

    hold = hold_create(departure_id=departure.pk, owner_key="a", quantities={adult.pk: 4})
    assert sum(hold.lines.values_list("quantity", flat=True)) == 4


def test_refused_update_leaves_the_hold_as_it_was():
    departure = general_departure(capacity=10)
    adult = ticket_types(departure)[0]
    hold = hold_create(departure_id=departure.pk, owner_key="a", quantities={adult.pk: 2})

    for quantities, code in (({adult.pk: -1}, "quantity_invalid"), ({}, "no_tickets")):
        with pytest.raises(BookingError) as refused:
            hold_update(hold=hold, quantities=quantities)
        assert refused.value.code == code
    assert list(hold.lines.values_list("ticket_type_id", "quantity")) == [(adult.pk, 2)]
