"""Many buyers at once, on real PostgreSQL: real threads, each with its own connection
and its own transactions, released together by a barrier.

The control replaces the counter's locked update with the read-then-write that the row
lock exists to prevent, and shows that the very same race then oversells."""

import time
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from booking.models import DeparturePlaces, Hold, HoldLine, SeatClaim
from booking.services import holds
from booking.services.errors import BookingError
from booking.services.holds import SeatRequest, hold_create
from tests import concurrency
from tests.factories import assigned_departure, general_departure, seats_of, sell_seat

THREADS = 24
# Seconds between reading what is taken and writing the hold: a wide race window.
WINDOW = 0.03

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def race(attempt, threads=THREADS):
    """{i: hold or BookingError code} of `threads` buyers started together."""
    return concurrency.race(attempt, threads, expected=(BookingError,))


def successes(results):
    return {i: r for i, r in results.items() if isinstance(r, Hold)}


def failures(results):
    return Counter(r for r in results.values() if not isinstance(r, Hold))


def test_racing_for_the_last_four_seats_never_sells_a_seat_twice():
    departure = assigned_departure(rows=2, seats_per_row=10)
    seats = seats_of(departure)
    for seat in seats[4:]:
        sell_seat(departure, seat)
    last = seats[:4]
    # Every buyer wants two of the last four seats; the pairs overlap.
    pairs = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 2), (1, 3)]

    def attempt(i):
        a, b = pairs[i % len(pairs)]
        return hold_create(
            departure_id=departure.pk,
            owner_key=f"buyer-{i}",
            seats=[SeatRequest(last[a].pk), SeatRequest(last[b].pk)],
        )

    results = race(attempt)

    won = successes(results)
    print(f"seats: {len(won)} holds won, refusals {dict(failures(results))}")
    now = timezone.now()
    live_claims = SeatClaim.objects.filter(departure=departure).exclude(expires_at__lte=now)
    per_seat = live_claims.values("seat_id").annotate(n=Count("pk")).filter(n__gt=1)
    assert list(per_seat) == []
    assert len(won) >= 1 and len(won) * 2 <= 4
    for i, hold in won.items():
        a, b = pairs[i % len(pairs)]
        claimed = set(SeatClaim.objects.filter(hold=hold).values_list("seat_id", flat=True))
        assert claimed == {last[a].pk, last[b].pk}
        assert set(HoldLine.objects.filter(hold=hold).values_list("seat_id", flat=True)) == claimed
    assert set(failures(results)) <= {"seat_taken", "busy"}
    # Losers left nothing behind.
    assert Hold.objects.count() == len(won)
    assert SeatClaim.objects.filter(departure=departure, hold__isnull=False).count() == 2 * len(won)


def _quantity(i):
    return 1 + i % 3


def _run_general_admission_race(departure):
    adult = departure.product.ticket_types.order_by("sort_order").first()

    def attempt(i):
        return hold_create(
            departure_id=departure.pk, owner_key=f"buyer-{i}", quantities={adult.pk: _quantity(i)}
        )

    results = race(attempt)
    held = sum(
        HoldLine.objects.filter(
            hold__departure=departure, hold__expires_at__gt=timezone.now()
        ).values_list("quantity", flat=True)
    )
    return results, held


def _slow_write(monkeypatch):
    """Every buyer waits WINDOW before writing its lines, so that they all reach the
    counter together."""
    real_write = holds._write_quantities

    def slow_write(*args, **kwargs):
        time.sleep(WINDOW)  # the same window as the control below
        return real_write(*args, **kwargs)

    monkeypatch.setattr(holds, "_write_quantities", slow_write)


def test_racing_for_the_last_ten_places_never_holds_more_than_capacity(monkeypatch):
    departure = general_departure(capacity=10)
    _slow_write(monkeypatch)

    results, held = _run_general_admission_race(departure)

    won = successes(results)
    print(f"places with the lock: {held} held by {len(won)}, refusals {dict(failures(results))}")
    assert won
    assert held <= 10
    assert held == sum(_quantity(i) for i in won)
    assert set(failures(results)) <= {"not_enough_places", "busy"}
    assert Hold.objects.count() == len(won)
    assert DeparturePlaces.objects.get(pk=departure.pk).taken == held


def test_racing_for_the_last_places_sells_exactly_the_capacity(monkeypatch):
    """24 buyers of one place each for the last 5 places of 10: 5 are held by a live
    hold, 3 by an expired one that the counter still counts until the first buyer who
    finds it full reclaims it. Exactly 5 win; the counter ends at the capacity."""
    departure = general_departure(capacity=10)
    adult = departure.product.ticket_types.order_by("sort_order").first()
    hold_create(departure_id=departure.pk, owner_key="early", quantities={adult.pk: 5})
    expired = hold_create(departure_id=departure.pk, owner_key="gone", quantities={adult.pk: 3})
    Hold.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    assert DeparturePlaces.objects.get(pk=departure.pk).taken == 8
    _slow_write(monkeypatch)

    results = race(
        lambda i: hold_create(
            departure_id=departure.pk, owner_key=f"buyer-{i}", quantities={adult.pk: 1}
        )
    )

    won = successes(results)
    print(f"last places: {len(won)} won, refusals {dict(failures(results))}")
    assert len(won) == 5
    assert set(failures(results)) <= {"not_enough_places", "busy"}
    assert not Hold.objects.filter(pk=expired.pk).exists()
    assert DeparturePlaces.objects.get(pk=departure.pk).taken == 10
    assert (
        sum(HoldLine.objects.filter(hold__departure=departure).values_list("quantity", flat=True))
        == 10
    )


def test_control_without_the_row_lock_the_same_race_oversells(monkeypatch):
    """What the counter would be without its row lock: read `taken`, check, then write
    `taken + n` back (the triggers off, as a read-then-write in Python would be). With the
    same window as above, buyers that read before the others commit all see free places,
    and more than the capacity gets held."""
    departure = general_departure(capacity=10)

    def check_then_write(departure, hold, quantities, now):
        taken = DeparturePlaces.objects.get(pk=departure.pk).taken
        time.sleep(WINDOW)
        wanted = sum(quantities.values())
        remaining = departure.effective_capacity - taken
        if wanted > remaining:
            raise BookingError("not_enough_places", remaining=max(remaining, 0))
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")  # no triggers
        lines = HoldLine.objects.bulk_create(
            [HoldLine(hold=hold, ticket_type_id=t, quantity=q) for t, q in quantities.items()]
        )
        DeparturePlaces.objects.filter(pk=departure.pk).update(taken=taken + wanted)
        return lines

    monkeypatch.setattr(holds, "_write_quantities", check_then_write)

    results, held = _run_general_admission_race(departure)

    print(f"places without the lock: {held} held of 10, refusals {dict(failures(results))}")
    assert held == sum(_quantity(i) for i in successes(results))
    assert held > 10, "the unlocked write should have oversold; the race did not happen"


def test_one_session_racing_for_holds_never_exceeds_its_cap(settings, monkeypatch):
    """Many requests of one session at once, each for its own departure: the cap is
    counted under the session's lock, so exactly the cap's number of holds is made. The
    window between counting and writing is widened so that, without the lock, every
    thread would count the others' holds as not there yet."""
    settings.BOOKING_MAX_LIVE_HOLDS_PER_SESSION = 3
    departures = [general_departure(capacity=10) for _ in range(8)]
    real_check = holds._check_client_limits

    def slow_check(**kwargs):
        real_check(**kwargs)
        time.sleep(WINDOW)

    monkeypatch.setattr(holds, "_check_client_limits", slow_check)

    def attempt(i):
        departure = departures[i]
        adult = departure.product.ticket_types.order_by("sort_order").first()
        return hold_create(
            departure_id=departure.pk,
            owner_key="one-session",
            quantities={adult.pk: 1},
            client_address="203.0.113.50",
        )

    results = race(attempt, threads=len(departures))

    print(f"caps: {len(successes(results))} holds, refusals {dict(failures(results))}")
    assert len(successes(results)) == 3
    assert Hold.objects.filter(owner_key="one-session").count() == 3
    assert set(failures(results)) <= {"too_many_holds", "busy"}
