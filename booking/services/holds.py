"""Holds: a customer's timed claim on seats or places of one departure.

Overselling is impossible because the database decides, not Python:
- a seat: `SeatClaim` has a unique constraint on (departure, seat). An expired claim is
  deleted in the same transaction just before the insert, so two buyers racing for one
  seat get one row and one IntegrityError between them;
- general admission: a counter, `DeparturePlaces.taken`, with a check constraint
  `taken <= capacity`. Inserting the hold's lines makes a trigger add their places to
  the departure's counter row: that UPDATE takes the row's lock (held until the commit,
  so the departure's holds queue there and nowhere else) and the check refuses the
  places that are not there. No sum of hold lines runs on the way.
Expired holds: availability shown to customers ignores them (every read filters on
`expires_at`). The counter still counts an expired hold until its row is deleted, by
the periodic sweeper or by the first writer that finds the counter full: that writer
deletes the departure's expired holds in a transaction of its own (`places_reclaim_expired`,
the triggers give their places back) and tries once more; only then is the customer told
there is no room. So an expired hold never keeps a place from a buyer, and the common
path (room left) pays nothing for expiry.

One client cannot hold the whole inventory: the live holds (unexpired, not ordered) of a
session and of a client address, and the places they hold, are capped
(`BOOKING_MAX_*_PER_SESSION` / `_PER_ADDRESS`). The cap is counted under a transaction-level
advisory lock on the session and on the address, taken before any other lock, so that
concurrent requests of one client are counted one after the other.
"""

import re
import secrets
import zlib
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from booking.models import (
    Departure,
    DeparturePlaces,
    FunnelStep,
    Hold,
    HoldLine,
    Order,
    Seat,
    SeatClaim,
)
from booking.models.inventory import PLACES_WITHIN_CAPACITY
from booking.selectors import PriceTable, places_held, places_sold, seats_claimed
from booking.services.errors import BookingError, violated_constraint
from booking.services.funnel import funnel_record
from common.metrics import HOLDS_CREATED, HOLDS_EXPIRED

LOCK_ATTEMPTS = 3
# What `secrets.token_urlsafe(32)` produces; anything else is not a token of ours.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")


@dataclass(frozen=True)
class SeatRequest:
    seat_id: int
    ticket_type_id: int | None = None


def hold_lifetime() -> timedelta:
    return timedelta(minutes=settings.BOOKING_HOLD_MINUTES)


def general_admission_held_or_sold(
    departure_id: int, now, exclude_hold_id: int | None = None
) -> int:
    """Places of a general-admission departure that customers have: in unexpired holds
    (orders awaiting payment included: their hold is kept) and in sold tickets. The rule
    is `booking.selectors`' `places_held`/`places_sold`, which the availability shown to
    customers counts with too."""
    lines = places_held(now).filter(hold__departure_id=departure_id)
    if exclude_hold_id is not None:
        lines = lines.exclude(hold_id=exclude_hold_id)
    held = lines.aggregate(total=Sum("quantity"))["total"] or 0
    sold = places_sold().filter(departure_id=departure_id).count()
    return held + sold


def general_admission_taken(
    departure_id: int, now, exclude_hold_id: int | None = None, *, blocked: int | None = None
) -> int:
    """Places taken on a general-admission departure: held or sold
    (`general_admission_held_or_sold`) and blocked by the staff (`Departure.blocked_places`;
    callers that hold the departure's row lock pass the value they read under it)."""
    if blocked is None:
        blocked = (
            Departure.objects.filter(pk=departure_id)
            .values_list("blocked_places", flat=True)
            .first()
            or 0
        )
    return general_admission_held_or_sold(departure_id, now, exclude_hold_id) + blocked


def check_departure_on_sale(departure: Departure, now) -> None:
    if departure.status == Departure.Status.CANCELLED:
        raise BookingError("departure_cancelled")
    if departure.status == Departure.Status.DEPARTED or departure.starts_at <= now:
        raise BookingError("departure_past")
    if not departure.product.is_active:
        raise BookingError("departure_not_on_sale")
    if departure.on_sale_from and now < departure.on_sale_from:
        raise BookingError("departure_not_on_sale")
    if now >= departure.sale_closes_at:
        raise BookingError("departure_not_on_sale")


def _validated_selection(departure: Departure, prices: PriceTable, seats, quantities):
    """Checks the shape of a selection against the departure's seating, the ticket types
    it offers (`prices`, the departure's price table) and the limits; returns (seat
    requests with ticket types resolved, {ticket type id: quantity})."""
    limit = settings.BOOKING_MAX_TICKETS_PER_HOLD
    ticket_types = {tt.pk: tt for tt in prices.offered(departure.pk)}
    if departure.is_assigned_seating:
        if quantities:
            raise BookingError("seats_required")
        if not seats:
            raise BookingError("no_tickets")
        if len(seats) > limit:
            raise BookingError("too_many_tickets", limit=limit)
        if len({s.seat_id for s in seats}) != len(seats):
            raise BookingError("seat_unknown")
        default_type = min(ticket_types.values(), key=lambda t: (t.sort_order, t.pk), default=None)
        resolved = []
        for request in seats:
            type_id = request.ticket_type_id or (default_type.pk if default_type else None)
            if type_id not in ticket_types:
                raise BookingError("ticket_type_invalid")
            resolved.append(SeatRequest(request.seat_id, type_id))
        return resolved, {}
    if seats:
        raise BookingError("seats_not_allowed")
    cleaned = {}
    for type_id, quantity in quantities.items():
        if type_id not in ticket_types:
            raise BookingError("ticket_type_invalid")
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not 0 <= quantity <= limit
        ):
            raise BookingError("quantity_invalid", limit=limit)
        if quantity:
            cleaned[type_id] = quantity
    total = sum(cleaned.values())
    if total == 0:
        raise BookingError("no_tickets")
    if total > limit:
        raise BookingError("too_many_tickets", limit=limit)
    return [], cleaned


def _in_short_transaction(write, *, owner_key: str = "", client_address: str | None = None):
    """Runs `write` in one short transaction, with a short lock timeout and the client's
    locks (`_lock_client`) taken first. A lock wait that times out is retried a few
    times, then answered with a friendly "busy"."""
    for attempt in range(LOCK_ATTEMPTS):
        try:
            with transaction.atomic():
                _lock_client(owner_key, client_address)
                return write()
        except OperationalError as error:
            if "lock" not in str(error).lower() or attempt == LOCK_ATTEMPTS - 1:
                raise BookingError("busy") from error
    raise BookingError("busy")


def _write_seats(departure: Departure, hold: Hold, seats: list[SeatRequest], now) -> list[HoldLine]:
    seat_ids = sorted(s.seat_id for s in seats)
    found = {
        seat.pk: seat
        for seat in Seat.objects.filter(
            pk__in=seat_ids, seat_map_id=departure.effective_seat_map_id
        )
    }
    if len(found) != len(seat_ids):
        raise BookingError("seat_unknown")
    if any(seat.kind == Seat.Kind.BLOCKED for seat in found.values()):
        raise BookingError("seat_blocked")
    SeatClaim.objects.filter(
        departure=departure, seat_id__in=seat_ids, expires_at__lte=now
    ).delete()
    SeatClaim.objects.bulk_create(
        [
            SeatClaim(departure=departure, seat_id=seat_id, hold=hold, expires_at=hold.expires_at)
            for seat_id in seat_ids
        ]
    )
    return HoldLine.objects.bulk_create(
        [HoldLine(hold=hold, ticket_type_id=s.ticket_type_id, seat=found[s.seat_id]) for s in seats]
    )


def _write_quantities(
    departure: Departure, hold: Hold, quantities: dict[int, int], now
) -> list[HoldLine]:
    lines = [
        HoldLine(hold=hold, ticket_type_id=t, quantity=q) for t, q in sorted(quantities.items())
    ]
    if connection.vendor == "postgresql":
        # The trigger adds the places to the counter under its row lock; the check
        # constraint refuses them when they are not there (IntegrityError, see
        # `_hold_write`).
        return HoldLine.objects.bulk_create(lines)
    # SQLite (`make run`, no triggers): one write transaction at a time, so counting is safe.
    blocked = (
        Departure.objects.select_for_update()
        .filter(pk=departure.pk)
        .values_list("blocked_places", flat=True)
        .get()
    )
    taken = general_admission_taken(departure.pk, now, exclude_hold_id=hold.pk, blocked=blocked)
    remaining = departure.effective_capacity - taken
    if sum(quantities.values()) > remaining:
        raise BookingError("not_enough_places", remaining=max(remaining, 0))
    return HoldLine.objects.bulk_create(lines)


def places_full(error: IntegrityError) -> bool:
    """Whether `error` is the counter's check refusing places that are not there."""
    return violated_constraint(error) == PLACES_WITHIN_CAPACITY


def places_reclaim_expired(*, departure_id: int, now) -> int:
    """Deletes the departure's expired holds of places, as the sweeper would, so that the
    counter gives their places back (the triggers subtract them). Runs in the caller's
    transaction, before it holds the departure's counter lock: the orders of those holds
    are locked first, in the order a payment takes them (order, hold, counter), so a
    payment confirming at the same time cannot deadlock with this."""
    expired = list(
        Hold.objects.filter(
            departure_id=departure_id, expires_at__lte=now, lines__seat__isnull=True
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    if not expired:
        return 0
    list(Order.objects.select_for_update().filter(hold_id__in=expired).values_list("pk"))
    deleted = (
        Hold.objects.filter(pk__in=expired, expires_at__lte=now)
        .delete()[1]
        .get(Hold._meta.label, 0)
    )
    HOLDS_EXPIRED.inc(deleted)
    return deleted


def places_remaining(departure: Departure, *, own_hold_id: int | None = None) -> int:
    """Free general-admission places by the counter (the hold's own places count as
    free for `own_hold_id`): what a refused customer is told."""
    taken = DeparturePlaces.objects.filter(pk=departure.pk).values_list("taken", flat=True).first()
    if taken is None:
        return 0
    own = 0
    if own_hold_id is not None:
        own = (
            HoldLine.objects.filter(hold_id=own_hold_id, seat__isnull=True).aggregate(
                total=Sum("quantity")
            )["total"]
            or 0
        )
    return max(departure.effective_capacity - taken + own, 0)


def _hold_write(write, *, departure: Departure, owner_key, client_address, now, own_hold_id=None):
    """Runs a hold's `write`; when the counter is full, reclaims the departure's
    expired holds in a transaction of its own and tries once more."""
    try:
        return _in_short_transaction(write, owner_key=owner_key, client_address=client_address)
    except IntegrityError as error:
        if not places_full(error):
            raise
    # Even when another request reclaimed them first: once this returns, every hold that
    # had expired when the counter was found full is gone, so the second try is decisive.
    with transaction.atomic():
        places_reclaim_expired(departure_id=departure.pk, now=now)
    try:
        return _in_short_transaction(write, owner_key=owner_key, client_address=client_address)
    except IntegrityError as error:
        if not places_full(error):
            raise
    raise BookingError(
        "not_enough_places", remaining=places_remaining(departure, own_hold_id=own_hold_id)
    )


def _seat_taken_error(departure_id: int, seats: list[SeatRequest], now) -> BookingError:
    taken = (
        seats_claimed(now)
        .filter(departure_id=departure_id, seat_id__in=[s.seat_id for s in seats])
        .select_related("seat")
        .order_by("seat__section", "seat__row", "seat__number")
    )
    return BookingError("seat_taken", seats="; ".join(c.seat.short_label for c in taken) or "—")


def _lock_client(owner_key: str, client_address: str | None) -> None:
    """Serialises the holds of one session and of one address until the transaction ends.
    Always the session first, then the address, so two clients never wait on each other
    in a circle."""
    if connection.vendor != "postgresql":
        return  # SQLite (`make run`) runs one write transaction at a time anyway
    keys = [f"hold-owner:{owner_key}"] if owner_key else []
    if client_address:
        keys.append(f"hold-address:{client_address}")
    # One round trip: the transaction's lock timeout, then each lock in order (a select
    # list is evaluated left to right). Two 32-bit keys: a namespace for holds, and a
    # stable hash of the client.
    columns = ["set_config('lock_timeout', '2s', true)"]
    params = []
    for key in keys:
        columns.append("pg_advisory_xact_lock(%s, %s)")
        params += [0x484F4C44, _hash32(key)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)}", params)


def _hash32(text: str) -> int:
    return zlib.crc32(text.encode()) - 2**31


def _check_client_limits(
    *, owner_key: str, client_address: str | None, places: int, now, hold_id: int | None = None
) -> None:
    """Refuses a new hold (`hold_id` None) or a changed one that would take its client's
    live holds or held places above the caps. Runs under `_lock_client`."""
    limits = {}
    if owner_key:
        limits["session"] = (
            Q(owner_key=owner_key),
            settings.BOOKING_MAX_LIVE_HOLDS_PER_SESSION,
            settings.BOOKING_MAX_HELD_PLACES_PER_SESSION,
        )
    if client_address:
        limits["address"] = (
            Q(client_ip=client_address),
            settings.BOOKING_MAX_LIVE_HOLDS_PER_ADDRESS,
            settings.BOOKING_MAX_HELD_PLACES_PER_ADDRESS,
        )
    if not limits:
        return
    live = Hold.objects.filter(expires_at__gt=now, order__isnull=True)
    if hold_id is not None:
        live = live.exclude(pk=hold_id)
    # Both clients' holds and places in one query (the lines are joined, so the holds are
    # counted distinct).
    totals = live.filter(reduce(or_, (who for who, _, _ in limits.values()))).aggregate(
        **{
            f"{name}_{what}": aggregate
            for name, (who, _, _) in limits.items()
            for what, aggregate in (
                ("holds", Count("pk", distinct=True, filter=who)),
                ("places", Sum("lines__quantity", filter=who)),
            )
        }
    )
    for name, (_, max_holds, max_places) in limits.items():
        if hold_id is None and totals[f"{name}_holds"] >= max_holds:
            raise BookingError("too_many_holds", limit=max_holds)
        if (totals[f"{name}_places"] or 0) + places > max_places:
            raise BookingError("too_many_places_held", limit=max_places)


def _places(seat_requests: list[SeatRequest], quantities: dict[int, int]) -> int:
    return len(seat_requests) + sum(quantities.values())


def _load_departure(departure_id) -> Departure:
    try:
        return Departure.objects.select_related("product", "vessel").get(pk=int(departure_id))
    except (Departure.DoesNotExist, ValueError, TypeError):
        raise BookingError("departure_not_found") from None


def hold_create(
    *,
    departure_id: int,
    owner_key: str,
    seats: list[SeatRequest] | None = None,
    quantities: dict[int, int] | None = None,
    client_address: str | None = None,
) -> Hold:
    """Holds seats (assigned seating) or quantities per ticket type (general admission)
    on a departure that is on sale, for `BOOKING_HOLD_MINUTES`, within the caps of the
    session (`owner_key`, if any) and of the client's address (if known)."""
    now = timezone.now()
    departure = _load_departure(departure_id)
    check_departure_on_sale(departure, now)
    prices = PriceTable.for_departures(departure.product_id, [departure.pk])
    seat_requests, quantities = _validated_selection(
        departure, prices, list(seats or []), dict(quantities or {})
    )
    written: list[HoldLine] = []

    def write():
        written.clear()
        _check_client_limits(
            owner_key=owner_key,
            client_address=client_address,
            places=_places(seat_requests, quantities),
            now=now,
        )
        hold = Hold.objects.create(
            token=secrets.token_urlsafe(32),
            departure=departure,
            owner_key=owner_key,
            client_ip=client_address,
            expires_at=now + hold_lifetime(),
        )
        if seat_requests:
            written.extend(_write_seats(departure, hold, seat_requests, now))
        else:
            written.extend(_write_quantities(departure, hold, quantities, now))
        return hold

    try:
        hold = _hold_write(
            write,
            departure=departure,
            owner_key=owner_key,
            client_address=client_address,
            now=now,
        )
    except IntegrityError:
        raise _seat_taken_error(departure.pk, seat_requests, now) from None
    funnel_record(FunnelStep.HOLD_CREATED, product_id=departure.product_id)
    HOLDS_CREATED.inc()
    # The answer to this request (`hold_summary`) is the lines just written, priced by the
    # table they were checked against: kept on the hold rather than read back (three
    # queries fewer on the busiest write of a sale).
    types = {tt.pk: tt for tt in prices.ticket_types}
    for line in written:
        line.ticket_type = types[line.ticket_type_id]
    hold.written_lines, hold.price_table = written, prices
    return hold


class OwnerRule(StrEnum):
    """Who may use a hold, given its token and the request's session key.

    - `SESSION` (the booking pages): only the session that made it. A hold made without a
      session (by an API client) is nobody's page.
    - `SESSION_OR_UNBOUND` (the API): a hold bound to a session only to that session; an
      unbound one to whoever has its unguessable token.
    """

    SESSION = "session"
    SESSION_OR_UNBOUND = "session_or_unbound"


def hold_owned_by(hold: Hold, *, owner_rule: OwnerRule, session_key: str | None) -> bool:
    """Whether the request with `session_key` owns `hold` under `owner_rule`. The keys are
    compared in constant time."""
    if owner_rule not in (OwnerRule.SESSION, OwnerRule.SESSION_OR_UNBOUND):
        raise ValueError(f"Unknown owner rule {owner_rule!r}")
    theirs = (hold.owner_key or "").encode()
    mine = (session_key or "").encode()
    if owner_rule == OwnerRule.SESSION_OR_UNBOUND and not theirs:
        return True
    # compare_digest first, always, so the time does not tell an empty key from another.
    return secrets.compare_digest(theirs, mine) and bool(mine)


def hold_get(
    *, token: str, owner_rule: OwnerRule | None = None, session_key: str | None = None
) -> Hold:
    """An unexpired hold by its token. Request-facing callers (pages, API) pass their
    `owner_rule` and the request's `session_key`: a hold the request does not own reads as
    unknown ("hold_not_found", like a wrong token). Without a rule (internal callers that
    already trust the token), no owner check."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        raise BookingError("hold_not_found")
    holds = Hold.objects.select_related(
        "departure__product", "departure__vessel", "departure__venue"
    )
    try:
        hold = holds.get(token=token)
    except Hold.DoesNotExist:
        raise BookingError("hold_not_found") from None
    if owner_rule is not None and not hold_owned_by(
        hold, owner_rule=owner_rule, session_key=session_key
    ):
        raise BookingError("hold_not_found")
    if hold.expires_at <= timezone.now():
        raise BookingError("hold_expired")
    return hold


def _lock_unordered(hold: Hold) -> Hold | None:
    """The hold's row, locked, or None when it is gone. Once an order is placed its hold is
    the order's inventory: changing, extending or releasing it would make the order and its
    tickets disagree. The check runs under the lock that `order_create` takes too, so an
    order placed while the change waited for the lock is seen."""
    locked = Hold.objects.select_for_update().filter(pk=hold.pk).first()
    if locked is not None and Order.objects.filter(hold_id=locked.pk).exists():
        raise BookingError("hold_ordered")
    return locked


def hold_update(
    *,
    hold: Hold,
    seats: list[SeatRequest] | None = None,
    quantities: dict[int, int] | None = None,
) -> Hold:
    """Replaces what a hold holds (the customer added or removed a seat or a ticket); the
    expiry stays. Seats kept in the selection are never let go in between."""
    now = timezone.now()
    if hold.expires_at <= now:
        raise BookingError("hold_expired")
    departure = _load_departure(hold.departure_id)
    check_departure_on_sale(departure, now)
    seat_requests, quantities = _validated_selection(
        departure,
        PriceTable.for_departures(departure.product_id, [departure.pk]),
        list(seats or []),
        dict(quantities or {}),
    )

    def write():
        locked = _lock_unordered(hold)
        if locked is None or locked.expires_at <= now:
            raise BookingError("hold_expired")
        _check_client_limits(
            owner_key=locked.owner_key,
            client_address=locked.client_ip,
            places=_places(seat_requests, quantities),
            now=now,
            hold_id=locked.pk,
        )
        if seat_requests:
            wanted = {s.seat_id for s in seat_requests}
            kept = set(
                SeatClaim.objects.filter(hold=locked, seat_id__in=wanted).values_list(
                    "seat_id", flat=True
                )
            )
            SeatClaim.objects.filter(hold=locked).exclude(seat_id__in=wanted).delete()
            HoldLine.objects.filter(hold=locked).delete()
            new = [s for s in seat_requests if s.seat_id not in kept]
            if new:
                _write_seats(departure, locked, new, now)
            HoldLine.objects.bulk_create(
                [
                    HoldLine(hold=locked, ticket_type_id=s.ticket_type_id, seat_id=s.seat_id)
                    for s in seat_requests
                    if s.seat_id in kept
                ]
            )
        else:
            HoldLine.objects.filter(hold=locked).delete()
            _write_quantities(departure, locked, quantities, now)
        return locked

    try:
        return _hold_write(
            write,
            departure=departure,
            owner_key=hold.owner_key,
            client_address=hold.client_ip,
            now=now,
            own_hold_id=hold.pk,
        )
    except IntegrityError:
        raise _seat_taken_error(departure.pk, seat_requests, now) from None


def hold_extend(*, hold: Hold) -> Hold:
    """Gives a hold one more full lifetime, once."""
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_unordered(hold)
        if locked is None or locked.expires_at <= now:
            raise BookingError("hold_expired")
        if locked.extended:
            raise BookingError("hold_already_extended")
        locked.expires_at = now + hold_lifetime()
        locked.extended = True
        locked.save(update_fields=["expires_at", "extended"])
        SeatClaim.objects.filter(hold=locked).update(expires_at=locked.expires_at)
    return locked


def hold_release(*, hold: Hold) -> None:
    """The customer let the places go: they are free at once."""
    with transaction.atomic():
        if _lock_unordered(hold) is not None:
            Hold.objects.filter(pk=hold.pk).delete()


def holds_delete_expired(*, now=None) -> int:
    """Deletes holds whose time ran out. Availability already ignores them; this only
    keeps the tables small."""
    now = now or timezone.now()
    expired = Hold.objects.filter(expires_at__lte=now)
    count = expired.count()
    expired.delete()
    HOLDS_EXPIRED.inc(count)
    return count
