"""The staff's inventory blocks: seats or places of a departure taken off sale (crew
seats, a broken bench, places kept for guests), and the occupancy the inventory screen
shows.

- Assigned seating: a blocked seat is a `SeatClaim` with no hold, no ticket and no
  expiry, marked with `blocked_by`/`blocked_reason`/`blocked_at`. The unique constraint
  on (departure, seat) is what keeps a seat from being blocked and held or sold at once,
  whatever runs concurrently; every sweeper deletes expired claims only, so a block stays
  until it is lifted, and every availability read (`booking.selectors.seats_claimed`)
  counts it as taken.
- General admission: `Departure.blocked_places`, set under the departure's row lock that
  every hold of places takes too (`booking.services.holds`), so blocks and holds are
  counted one after the other and the capacity is never exceeded.

Each change is one transaction with an audit entry on the departure.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from wagtail.log_actions import log

from booking.models import Departure, DeparturePlaces, Seat, SeatClaim, Ticket
from booking.selectors import places_held, seats_claimed
from booking.services.errors import BookingError
from booking.services.holds import general_admission_held_or_sold, places_reclaim_expired

BLOCK_ACTION = "prichal.departure.block"
UNBLOCK_ACTION = "prichal.departure.unblock"
REASON_MAX = 200


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def _seat_ids(seat_ids) -> list[int]:
    try:
        ids = sorted({int(seat_id) for seat_id in seat_ids or ()})
    except (TypeError, ValueError):
        raise BookingError("seat_unknown") from None
    if not ids:
        raise BookingError("block_no_seats")
    return ids


def _lock_departure(departure: Departure) -> Departure:
    try:
        return (
            Departure.objects.select_for_update(of=("self",))
            .select_related("product", "vessel")
            .get(pk=departure.pk)
        )
    except Departure.DoesNotExist:
        raise BookingError("departure_not_found") from None


def _seats(departure: Departure, ids: list[int]) -> dict[int, Seat]:
    seats = {
        seat.pk: seat
        for seat in Seat.objects.filter(pk__in=ids, seat_map_id=departure.effective_seat_map_id)
    }
    if len(seats) != len(ids):
        raise BookingError("seat_unknown")
    return seats


def _labels(seats) -> str:
    ordered = sorted(seats, key=lambda s: (s.section, s.row, s.number))
    return "; ".join(s.short_label for s in ordered)


def departure_seats_block(
    *, departure: Departure, seat_ids, user, reason: str = ""
) -> list[SeatClaim]:
    """Takes seats of an assigned-seating departure off sale. A seat that is held or
    sold refuses the whole request ("block_seats_taken", listing them) and nothing
    changes; a seat already blocked stays as it is. Returns the new blocks."""
    ids = _seat_ids(seat_ids)
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX:
        raise BookingError("block_reason_too_long", limit=REASON_MAX)
    now = timezone.now()
    actor = _user(user)
    try:
        with transaction.atomic():
            locked = _lock_departure(departure)
            if not locked.is_assigned_seating:
                raise BookingError("block_not_seated")
            seats = _seats(locked, ids)
            if any(seat.kind == Seat.Kind.BLOCKED for seat in seats.values()):
                raise BookingError("seat_blocked")
            # Claims of expired holds count for nobody: they go, as when a hold is made.
            SeatClaim.objects.filter(
                departure=locked, seat_id__in=ids, expires_at__lte=now
            ).delete()
            claims = list(SeatClaim.objects.filter(departure=locked, seat_id__in=ids))
            taken = [seats[c.seat_id] for c in claims if not c.is_block]
            if taken:
                raise BookingError("block_seats_taken", seats=_labels(taken))
            already = {c.seat_id for c in claims}
            new = [seat_id for seat_id in ids if seat_id not in already]
            blocks = SeatClaim.objects.bulk_create(
                [
                    SeatClaim(
                        departure=locked,
                        seat_id=seat_id,
                        blocked_by=actor,
                        blocked_reason=reason,
                        blocked_at=now,
                    )
                    for seat_id in new
                ]
            )
            if new:
                log(
                    instance=locked,
                    action=BLOCK_ACTION,
                    user=actor,
                    data={"seats": new, "labels": _labels(seats[i] for i in new), "reason": reason},
                )
    except IntegrityError:
        # A customer's hold took one of the seats between our read and our insert.
        taken = (
            seats_claimed(now)
            .filter(departure_id=departure.pk, seat_id__in=ids, blocked_at__isnull=True)
            .select_related("seat")
        )
        raise BookingError(
            "block_seats_taken", seats=_labels(c.seat for c in taken) or "—"
        ) from None
    return blocks


def departure_seats_unblock(*, departure: Departure, seat_ids, user) -> int:
    """Puts blocked seats on sale again. A seat that is not blocked refuses the whole
    request ("block_seats_not_blocked") and nothing changes. Returns how many."""
    ids = _seat_ids(seat_ids)
    actor = _user(user)
    with transaction.atomic():
        locked = _lock_departure(departure)
        if not locked.is_assigned_seating:
            raise BookingError("block_not_seated")
        seats = _seats(locked, ids)
        blocks = SeatClaim.objects.select_for_update().filter(
            departure=locked, seat_id__in=ids, blocked_at__isnull=False
        )
        blocked = {c.seat_id for c in blocks}
        missing = [seats[i] for i in ids if i not in blocked]
        if missing:
            raise BookingError("block_seats_not_blocked", seats=_labels(missing))
        SeatClaim.objects.filter(pk__in=[c.pk for c in blocks]).delete()
        log(
            instance=locked,
            action=UNBLOCK_ACTION,
            user=actor,
            data={"seats": ids, "labels": _labels(seats.values())},
        )
    return len(ids)


def _quantity(quantity) -> int:
    if isinstance(quantity, bool):
        raise BookingError("block_places_invalid")
    try:
        value = int(str(quantity).strip()) if not isinstance(quantity, int) else quantity
    except (TypeError, ValueError):
        raise BookingError("block_places_invalid") from None
    if value < 0:
        raise BookingError("block_places_invalid")
    return value


def departure_places_block(*, departure: Departure, quantity, user) -> Departure:
    """Sets how many places of a general-admission departure are off sale (0 unblocks
    them all). More than are free now (capacity − held − sold) is refused
    ("block_places_too_many") and nothing changes. Under the departure's row lock, the
    one every hold of places takes. Audited as a block or an unblock with the old and
    new numbers."""
    wanted = _quantity(quantity)
    now = timezone.now()
    actor = _user(user)
    with transaction.atomic():
        locked = _lock_departure(departure)
        if locked.is_assigned_seating:
            raise BookingError("block_seated")
        previous = locked.blocked_places
        if wanted == previous:
            return locked
        if connection.vendor == "postgresql":
            # By the counter that the block is written to (a trigger adds it, the check
            # refuses what is not free): expired holds give their places back first, then
            # its row is locked so that no hold slips in between.
            places_reclaim_expired(departure_id=locked.pk, now=now)
            taken = (
                DeparturePlaces.objects.select_for_update()
                .values_list("taken", flat=True)
                .get(pk=locked.pk)
            )
            available = locked.effective_capacity - (taken - previous)
        else:
            available = locked.effective_capacity - general_admission_held_or_sold(locked.pk, now)
        if wanted > previous and wanted > available:
            raise BookingError("block_places_too_many", available=max(available, 0))
        locked.blocked_places = wanted
        locked.save(update_fields=["blocked_places"])
        log(
            instance=locked,
            action=BLOCK_ACTION if wanted > previous else UNBLOCK_ACTION,
            user=actor,
            data={"places": wanted, "previous": previous},
        )
    return locked


@dataclass
class Occupancy:
    """A departure's inventory now. `sold` counts valid tickets not boarded yet and
    `boarded` those checked in; `free` = capacity − held − sold − boarded − blocked.
    Assigned seating: `capacity` is the number of sellable seats of the seat map and
    `seat_states` maps each of them to "free", "held", "sold", "boarded" or "blocked"
    (seats of the map's own kind "blocked", never sold, are not listed). General
    admission: `seat_states` is empty."""

    capacity: int
    free: int
    held: int
    sold: int
    boarded: int
    blocked: int
    assigned_seating: bool = False
    seat_states: dict[int, str] = field(default_factory=dict)


def departure_occupancy(departure: Departure) -> Occupancy:
    """The occupancy of `departure`, in at most four queries whatever its size."""
    now = timezone.now()
    departure = Departure.objects.select_related("product", "vessel").get(pk=departure.pk)
    if departure.is_assigned_seating:
        return _seated_occupancy(departure, now)
    held = (
        places_held(now)
        .filter(hold__departure_id=departure.pk)
        .aggregate(total=Sum("quantity"))["total"]
        or 0
    )
    tickets = Ticket.objects.filter(
        departure_id=departure.pk, status=Ticket.Status.VALID
    ).aggregate(
        sold=Count("pk", filter=Q(checked_in_at__isnull=True)),
        boarded=Count("pk", filter=Q(checked_in_at__isnull=False)),
    )
    capacity = departure.effective_capacity
    blocked = departure.blocked_places
    taken = held + tickets["sold"] + tickets["boarded"] + blocked
    return Occupancy(
        capacity=capacity,
        free=max(capacity - taken, 0),
        held=held,
        sold=tickets["sold"],
        boarded=tickets["boarded"],
        blocked=blocked,
    )


def _seated_occupancy(departure: Departure, now) -> Occupancy:
    map_id = departure.effective_seat_map_id
    seat_ids = list(
        Seat.objects.filter(seat_map_id=map_id)
        .exclude(kind=Seat.Kind.BLOCKED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    states = dict.fromkeys(seat_ids, "free")
    claims = (
        seats_claimed(now)
        .filter(departure_id=departure.pk, seat_id__in=seat_ids)
        .values_list("seat_id", "hold_id", "blocked_at", "ticket__checked_in_at")
    )
    for seat_id, hold_id, blocked_at, checked_in_at in claims:
        if blocked_at is not None:
            states[seat_id] = "blocked"
        elif hold_id is not None:
            states[seat_id] = "held"
        elif checked_in_at is not None:
            states[seat_id] = "boarded"
        else:
            states[seat_id] = "sold"
    counts = dict.fromkeys(("free", "held", "sold", "boarded", "blocked"), 0)
    for state in states.values():
        counts[state] += 1
    return Occupancy(
        capacity=len(seat_ids),
        assigned_seating=True,
        seat_states=states,
        **counts,
    )
