"""The general-admission counter (`DeparturePlaces`): after every writer it equals what
the hold lines, valid tickets and blocks say, and its check constraint refuses an
oversell even when the services are bypassed."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from booking.models import Departure, DeparturePlaces, Hold, HoldLine, Ticket
from booking.services.blocking import departure_places_block
from booking.services.cancellations import departure_cancel
from booking.services.errors import BookingError
from booking.services.holds import (
    hold_create,
    hold_release,
    hold_update,
    holds_delete_expired,
)
from booking.services.refunds import refund_request
from tests.factories import expire, general_departure, placed_order
from tests.factories.people import make_user

pytestmark = pytest.mark.django_db


def counter(departure) -> int:
    return DeparturePlaces.objects.get(pk=departure.pk).taken


def recounted(departure) -> int:
    """What the counter must say, summed the slow way: every existing hold line without a
    seat (expired ones too, until deleted), valid tickets without a seat, blocked places."""
    held = (
        HoldLine.objects.filter(hold__departure=departure, seat__isnull=True).aggregate(
            total=Sum("quantity")
        )["total"]
        or 0
    )
    sold = Ticket.objects.filter(
        departure=departure, seat__isnull=True, status=Ticket.Status.VALID
    ).count()
    blocked = Departure.objects.get(pk=departure.pk).blocked_places
    return held + sold + blocked


def adult(departure):
    return departure.product.ticket_types.order_by("sort_order", "pk").first()


def hold(departure, count, owner="someone"):
    return hold_create(
        departure_id=departure.pk, owner_key=owner, quantities={adult(departure).pk: count}
    )


def test_a_new_departure_has_its_counter_at_its_capacity():
    departure = general_departure(capacity=12)
    places = DeparturePlaces.objects.get(pk=departure.pk)
    assert (places.capacity, places.taken, places.overbooked) == (12, 0, 0)


def test_holds_updates_and_releases_keep_the_counter():
    departure = general_departure(capacity=10)
    first = hold(departure, 3)
    second = hold(departure, 2, owner="other")
    assert counter(departure) == recounted(departure) == 5
    hold_update(hold=first, quantities={adult(departure).pk: 6})
    assert counter(departure) == recounted(departure) == 8
    hold_release(hold=second)
    assert counter(departure) == recounted(departure) == 6


def test_an_update_within_the_places_left_by_its_own_hold_is_allowed():
    departure = general_departure(capacity=4)
    mine = hold(departure, 4)
    hold_update(hold=mine, quantities={adult(departure).pk: 3})
    hold_update(hold=mine, quantities={adult(departure).pk: 4})
    assert counter(departure) == 4
    with pytest.raises(BookingError) as refused:
        hold_update(hold=mine, quantities={adult(departure).pk: 5})
    assert refused.value.code == "not_enough_places"
    assert refused.value.params["remaining"] == 4
    assert counter(departure) == recounted(departure) == 4


def test_an_expired_hold_is_reclaimed_by_the_buyer_who_finds_the_counter_full():
    departure = general_departure(capacity=5)
    gone = hold(departure, 4, owner="gone")
    expire(gone)
    # Still counted: nobody has deleted it yet, but availability already ignores it.
    assert counter(departure) == 4
    fresh = hold(departure, 5, owner="fresh")
    assert not Hold.objects.filter(pk=gone.pk).exists()
    assert counter(departure) == recounted(departure) == 5
    with pytest.raises(BookingError) as refused:
        hold(departure, 1, owner="late")
    assert refused.value.code == "not_enough_places"
    assert refused.value.params["remaining"] == 0
    assert Hold.objects.filter(departure=departure).get() == fresh


def test_the_sweeper_gives_expired_places_back():
    departure = general_departure(capacity=5)
    expire(hold(departure, 3))
    hold(departure, 1, owner="live")
    assert holds_delete_expired() == 1
    assert counter(departure) == recounted(departure) == 1


def test_a_paid_order_keeps_its_places_and_a_refund_gives_them_back():
    departure = general_departure(capacity=5)
    order = placed_order(departure, quantities={adult(departure).pk: 3}, paid=True)
    assert not Hold.objects.filter(departure=departure).exists()
    assert counter(departure) == recounted(departure) == 3
    refund_request(order=order, tickets=[order.tickets.order_by("pk").first()], notify=False)
    assert counter(departure) == recounted(departure) == 2


def test_a_full_departure_confirms_its_own_order():
    """The order's hold gives its places back before its tickets take them: a full
    departure does not trip the check on its own order."""
    departure = general_departure(capacity=3)
    order = placed_order(departure, quantities={adult(departure).pk: 3})
    placed = order.__class__.objects.get(pk=order.pk)
    from tests.factories import order_paid

    order_paid(placed)
    assert counter(departure) == recounted(departure) == 3
    assert Ticket.objects.filter(order=order, status=Ticket.Status.VALID).count() == 3


def test_blocks_count_and_are_refused_beyond_the_free_places():
    manager = make_user("manager@prichal.test", is_staff=True)
    departure = general_departure(capacity=10)
    hold(departure, 4)
    expire(hold(departure, 3, owner="gone"))
    departure_places_block(departure=departure, quantity=6, user=manager)
    assert counter(departure) == recounted(departure) == 10
    with pytest.raises(BookingError) as refused:
        departure_places_block(departure=departure, quantity=7, user=manager)
    assert refused.value.code == "block_places_too_many"
    departure_places_block(departure=departure, quantity=0, user=manager)
    assert counter(departure) == recounted(departure) == 4


def test_a_cancelled_departure_gives_its_held_places_back():
    departure = general_departure(capacity=10)
    hold(departure, 4)
    placed_order(departure, quantities={adult(departure).pk: 2})
    departure_cancel(departures=[departure], reason="weather")
    assert counter(departure) == recounted(departure) == 0


def test_a_lowered_capacity_sells_nothing_until_what_is_taken_is_under_it():
    departure = general_departure(capacity=10)
    held = hold(departure, 8)
    departure.capacity = 5
    departure.save()
    places = DeparturePlaces.objects.get(pk=departure.pk)
    assert (places.capacity, places.taken, places.overbooked) == (5, 8, 3)
    with pytest.raises(BookingError):
        hold(departure, 1, owner="other")
    hold_update(hold=held, quantities={adult(departure).pk: 4})
    places.refresh_from_db()
    assert (places.capacity, places.taken, places.overbooked) == (5, 4, 0)
    hold(departure, 1, owner="other")
    with pytest.raises(BookingError):
        hold(departure, 1, owner="third")


def test_the_vessel_capacity_reaches_departures_without_their_own():
    departure = general_departure(capacity=None)
    vessel = departure.vessel
    vessel.capacity = 33
    vessel.save()
    assert DeparturePlaces.objects.get(pk=departure.pk).capacity == 33


def test_the_check_refuses_an_oversell_written_around_the_services():
    departure = general_departure(capacity=2)
    held = hold(departure, 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        HoldLine.objects.create(hold=held, ticket_type=adult(departure), quantity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeparturePlaces.objects.filter(pk=departure.pk).update(taken=3)
    assert counter(departure) == recounted(departure) == 2
    assert HoldLine.objects.filter(hold=held).count() == 1


def test_expiry_alone_does_not_change_the_counter_or_availability_rules():
    departure = general_departure(capacity=3)
    expire(hold(departure, 3))
    assert counter(departure) == 3
    assert Hold.objects.filter(expires_at__lte=timezone.now()).count() == 1
