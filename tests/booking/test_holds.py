"""Holds: lifetime (create, expire, extend once, release, update); the refusals are in
test_hold_refusals.py."""

import datetime

import pytest
from django.utils import timezone

from booking.models import Hold, HoldLine, SeatClaim
from booking.services.errors import BookingError
from booking.services.holds import (
    SeatRequest,
    hold_create,
    hold_extend,
    hold_get,
    hold_release,
    hold_update,
)
from booking.tasks import sweep_expired_holds
from tests import factories
from tests.booking.helpers import claimed_seat_ids, held_places, seat_requests, ticket_types
from tests.factories import (
    assigned_departure,
    expire,
    general_departure,
    row_counts,
    seats_of,
    sell_seat,
)

pytestmark = pytest.mark.django_db

# --- creating ------------------------------------------------------------------------


def test_seat_hold_claims_exactly_the_chosen_seats_for_the_hold_lifetime(settings):
    departure = assigned_departure()
    first, second = seats_of(departure)[:2]
    adult = ticket_types(departure)[0]

    before = timezone.now()
    hold = hold_create(departure_id=departure.pk, owner_key="a", seats=seat_requests(first, second))

    assert len(hold.token) >= 40
    assert claimed_seat_ids(hold) == {first.pk, second.pk}
    lines = list(hold.lines.order_by("seat_id"))
    assert [(line.seat_id, line.ticket_type_id, line.quantity) for line in lines] == [
        (first.pk, adult.pk, 1),
        (second.pk, adult.pk, 1),
    ]
    lifetime = datetime.timedelta(minutes=settings.BOOKING_HOLD_MINUTES)
    assert before + lifetime <= hold.expires_at <= timezone.now() + lifetime
    assert set(SeatClaim.objects.filter(hold=hold).values_list("expires_at", flat=True)) == {
        hold.expires_at
    }


def test_general_admission_hold_records_quantities_per_ticket_type():
    departure = general_departure(capacity=10)
    adult, child = ticket_types(departure)

    hold = hold_create(
        departure_id=departure.pk, owner_key="a", quantities={adult.pk: 2, child.pk: 1}
    )

    assert sorted(hold.lines.values_list("ticket_type_id", "quantity", "seat_id")) == sorted(
        [(adult.pk, 2, None), (child.pk, 1, None)]
    )
    assert SeatClaim.objects.count() == 0


def test_holding_exactly_the_limit_is_allowed(settings):
    departure = general_departure(capacity=50)
    adult, child = ticket_types(departure)
    limit = settings.BOOKING_MAX_TICKETS_PER_HOLD

    hold = hold_create(
        departure_id=departure.pk, owner_key="a", quantities={adult.pk: limit - 1, child.pk: 1}
    )

    assert held_places(departure) == limit == sum(hold.lines.values_list("quantity", flat=True))


def test_general_admission_never_holds_more_than_capacity():
    departure = general_departure(capacity=5)
    adult = ticket_types(departure)[0]
    hold_create(departure_id=departure.pk, owner_key="a", quantities={adult.pk: 4})

    with pytest.raises(BookingError) as refused:
        hold_create(departure_id=departure.pk, owner_key="b", quantities={adult.pk: 2})

    assert refused.value.code == "not_enough_places"
    assert refused.value.params == {"remaining": 1}
    assert held_places(departure) == 4
    hold_create(departure_id=departure.pk, owner_key="b", quantities={adult.pk: 1})
    assert held_places(departure) == 5


def test_capacity_falls_back_to_the_vessel():
    departure = general_departure(capacity=None)
    departure.vessel.capacity = 3
    departure.vessel.save()
    adult = ticket_types(departure)[0]

    with pytest.raises(BookingError) as refused:
        hold_create(departure_id=departure.pk, owner_key="a", quantities={adult.pk: 4})

    assert refused.value.code == "not_enough_places"
    hold_create(departure_id=departure.pk, owner_key="a", quantities={adult.pk: 3})


def test_a_held_seat_is_refused_to_the_next_customer_with_its_name():
    departure = assigned_departure()
    seat = seats_of(departure)[0]
    hold_create(departure_id=departure.pk, owner_key="a", seats=seat_requests(seat))
    before = row_counts()

    with pytest.raises(BookingError) as refused:
        hold_create(departure_id=departure.pk, owner_key="b", seats=seat_requests(seat))

    assert refused.value.code == "seat_taken"
    assert seat.short_label in refused.value.message
    assert row_counts() == before


def test_a_sold_seat_is_refused():
    departure = assigned_departure()
    seat = seats_of(departure)[0]
    sell_seat(departure, seat)

    with pytest.raises(BookingError) as refused:
        hold_create(departure_id=departure.pk, owner_key="b", seats=seat_requests(seat))

    assert refused.value.code == "seat_taken"
    assert Hold.objects.count() == 0


def test_seat_taken_message_names_the_seat_even_if_it_has_an_expired_claim_elsewhere():
    """The seat is held on this departure; an old, expired claim of the same seat on
    another departure of the vessel must not hide it from the message."""
    departure = assigned_departure()
    other = factories.DepartureFactory(
        product=departure.product,
        vessel=departure.vessel,
        starts_at=departure.starts_at + datetime.timedelta(days=1),
    )
    seat = seats_of(departure)[0]
    old = hold_create(departure_id=other.pk, owner_key="c", seats=seat_requests(seat))
    expire(old)
    hold_create(departure_id=departure.pk, owner_key="a", seats=seat_requests(seat))

    with pytest.raises(BookingError) as refused:
        hold_create(departure_id=departure.pk, owner_key="b", seats=seat_requests(seat))

    assert refused.value.code == "seat_taken"
    assert seat.short_label in refused.value.message


def test_the_same_seat_on_another_departure_is_independent():
    departure = assigned_departure()
    other = factories.DepartureFactory(
        product=departure.product,
        vessel=departure.vessel,
        starts_at=departure.starts_at + datetime.timedelta(days=1),
    )
    seat = seats_of(departure)[0]
    hold_create(departure_id=departure.pk, owner_key="a", seats=seat_requests(seat))

    hold = hold_create(departure_id=other.pk, owner_key="b", seats=seat_requests(seat))

    assert claimed_seat_ids(hold) == {seat.pk}


# --- expiry --------------------------------------------------------------------------


def test_expired_seats_can_be_held_by_someone_else_at_once_and_the_sweeper_removes_the_hold():
    departure = assigned_departure()
    first, second = seats_of(departure)[:2]
    old = hold_create(departure_id=departure.pk, owner_key="a", seats=seat_requests(first, second))
    expire(old)

    new = hold_create(departure_id=departure.pk, owner_key="b", seats=seat_requests(first, second))

    assert claimed_seat_ids(new) == {first.pk, second.pk}
    # The expired claims were replaced inside the new hold's transaction.
    assert SeatClaim.objects.filter(departure=departure).count() == 2
    assert Hold.objects.filter(pk=old.pk).exists()
    sweep_expired_holds()
    assert not Hold.objects.filter(pk=old.pk).exists()
    assert not HoldLine.objects.filter(hold_id=old.pk).exists()
    assert claimed_seat_ids(new) == {first.pk, second.pk}
    assert Hold.objects.get().pk == new.pk


def test_expired_general_admission_places_are_free_before_any_sweeper():
    departure = general_departure(capacity=4)
    adult = ticket_types(departure)[0]
    old = hold_create(departure_id=departure.pk, owner_key="a", quantities={adult.pk: 4})
    expire(old)

    new = hold_create(departure_id=departure.pk, owner_key="b", quantities={adult.pk: 4})

    assert held_places(departure) == 4
    sweep_expired_holds()
    assert list(Hold.objects.values_list("pk", flat=True)) == [new.pk]
    assert HoldLine.objects.get().hold_id == new.pk


def test_when_the_clock_moves_past_the_expiry_the_places_are_free(monkeypatch, settings):
    """The same with the clock itself moved on, not the rows."""
    seated = assigned_departure()
    seat = seats_of(seated)[0]
    general = general_departure(capacity=2)
    adult = ticket_types(general)[0]
    hold_create(departure_id=seated.pk, owner_key="a", seats=seat_requests(seat))
    hold_create(departure_id=general.pk, owner_key="a", quantities={adult.pk: 2})
    later = timezone.now() + datetime.timedelta(minutes=settings.BOOKING_HOLD_MINUTES, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    hold_create(departure_id=seated.pk, owner_key="b", seats=seat_requests(seat))
    hold_create(departure_id=general.pk, owner_key="b", quantities={adult.pk: 2})

    assert Hold.objects.filter(owner_key="b").count() == 2


def test_sweeper_keeps_unexpired_holds():
    departure = general_departure(capacity=10)
    adult = ticket_types(departure)[0]
    live = hold_create(departure_id=departure.pk, owner_key="a", quantities={adult.pk: 1})
    dead = hold_create(departure_id=departure.pk, owner_key="b", quantities={adult.pk: 1})
    expire(dead)

    sweep_expired_holds()
    assert list(Hold.objects.values_list("pk", flat=True)) == [live.pk]
    assert list(HoldLine.objects.values_list("hold_id", flat=True)) == [live.pk]
    sweep_expired_holds()
    assert list(Hold.objects.values_list("pk", flat=True)) == [live.pk]


def test_an_expired_hold_cannot_be_read_extended_or_updated():
    departure = general_departure(capacity=10)
    adult = ticket_types(departure)[0]
    hold = hold_create(departure_id=departure.pk, owner_key="a", quantities={adult.pk: 1})
    expire(hold)
    hold.refresh_from_db()

    for call in (
        lambda: hold_get(token=hold.token),
        lambda: hold_extend(hold=hold),
        lambda: hold_update(hold=hold, quantities={adult.pk: 2}),
    ):
        with pytest.raises(BookingError) as refused:
            call()
        assert refused.value.code == "hold_expired"
    hold.refresh_from_db()
    assert hold.extended is False
    assert list(hold.lines.values_list("quantity", flat=True)) == [1]


# --- extend, release -----------------------------------------------------------------


def test_extend_once_moves_the_expiry_of_the_hold_and_its_claims(settings):
    departure = assigned_departure()
    seat = seats_of(departure)[0]
    hold = hold_create(departure_id=departure.pk, owner_key="a", seats=seat_requests(seat))
    Hold.objects.filter(pk=hold.pk).update(
        expires_at=timezone.now() + datetime.timedelta(minutes=1)
    )
    SeatClaim.objects.filter(hold=hold).update(
        expires_at=timezone.now() + datetime.timedelta(minutes=1)
    )

    extended = hold_extend(hold=hold)

    lifetime = datetime.timedelta(minutes=settings.BOOKING_HOLD_MINUTES)
    assert extended.extended is True
    assert extended.expires_at > timezone.now() + lifetime - datetime.timedelta(seconds=30)
    hold.refresh_from_db()
    assert hold.expires_at == extended.expires_at
    assert SeatClaim.objects.get(hold=hold).expires_at == extended.expires_at

    with pytest.raises(BookingError) as refused:
        hold_extend(hold=hold)
    assert refused.value.code == "hold_already_extended"
    hold.refresh_from_db()
    assert hold.expires_at == extended.expires_at


def test_release_frees_seats_and_places_at_once():
    seated = assigned_departure()
    seat = seats_of(seated)[0]
    general = general_departure(capacity=3)
    adult = ticket_types(general)[0]
    seat_hold = hold_create(departure_id=seated.pk, owner_key="a", seats=seat_requests(seat))
    place_hold = hold_create(departure_id=general.pk, owner_key="a", quantities={adult.pk: 3})

    hold_release(hold=seat_hold)
    hold_release(hold=place_hold)

    assert row_counts() == {"holds": 0, "lines": 0, "claims": 0}
    hold_create(departure_id=seated.pk, owner_key="b", seats=seat_requests(seat))
    hold_create(departure_id=general.pk, owner_key="b", quantities={adult.pk: 3})


# --- update --------------------------------------------------------------------------


def test_update_replaces_seats_keeping_the_kept_ones():
    departure = assigned_departure()
    s1, s2, s3 = seats_of(departure)[:3]
    adult, child = ticket_types(departure)
    hold = hold_create(departure_id=departure.pk, owner_key="a", seats=seat_requests(s1, s2))
    kept_claim = SeatClaim.objects.get(hold=hold, seat=s2)

    updated = hold_update(
        hold=hold, seats=[SeatRequest(s2.pk, child.pk), SeatRequest(s3.pk, adult.pk)]
    )

    assert updated.pk == hold.pk
    assert claimed_seat_ids(hold) == {s2.pk, s3.pk}
    # The kept seat's claim is the same row: it was never let go in between.
    assert SeatClaim.objects.get(hold=hold, seat=s2).pk == kept_claim.pk
    assert sorted(hold.lines.values_list("seat_id", "ticket_type_id")) == sorted(
        [(s2.pk, child.pk), (s3.pk, adult.pk)]
    )
    assert updated.expires_at == hold.expires_at
    # The dropped seat is free for the next customer at once.
    other = hold_create(departure_id=departure.pk, owner_key="b", seats=seat_requests(s1))
    assert claimed_seat_ids(other) == {s1.pk}


def test_update_to_a_taken_seat_changes_nothing():
    departure = assigned_departure()
    s1, s2, s3 = seats_of(departure)[:3]
    hold = hold_create(departure_id=departure.pk, owner_key="a", seats=seat_requests(s1, s2))
    hold_create(departure_id=departure.pk, owner_key="b", seats=seat_requests(s3))
    before_lines = sorted(hold.lines.values_list("seat_id", "ticket_type_id"))

    with pytest.raises(BookingError) as refused:
        hold_update(hold=hold, seats=seat_requests(s1, s3))

    assert refused.value.code == "seat_taken"
    assert claimed_seat_ids(hold) == {s1.pk, s2.pk}
    assert sorted(hold.lines.values_list("seat_id", "ticket_type_id")) == before_lines


def test_update_of_quantities_counts_the_hold_itself_once():
    departure = general_departure(capacity=5)
    adult, child = ticket_types(departure)
    hold = hold_create(departure_id=departure.pk, owner_key="a", quantities={adult.pk: 4})
    hold_create(departure_id=departure.pk, owner_key="b", quantities={adult.pk: 1})

    hold_update(hold=hold, quantities={adult.pk: 2, child.pk: 2})
    assert held_places(departure) == 5

    with pytest.raises(BookingError) as refused:
        hold_update(hold=hold, quantities={adult.pk: 5})
    assert refused.value.code == "not_enough_places"
    assert sorted(hold.lines.values_list("ticket_type_id", "quantity")) == sorted(
        [(adult.pk, 2), (child.pk, 2)]
    )
