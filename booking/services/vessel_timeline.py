"""What one vessel does over a stretch of time: its occupancy rows (`VesselOccupancy`),
departures and rentals alike, with what the staff's timeline shows for each: the
departure, its sold places against capacity, a rental's order and its turnaround buffer.

Read in a fixed number of queries whatever the number of rows. A cancelled departure has
no occupancy row (it frees its vessel), so it is not here."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q

from booking.models import (
    Departure,
    Order,
    Product,
    Seat,
    SeatMap,
    Ticket,
    Vessel,
    VesselOccupancy,
)

# An order that still stands for a rental: paid, or awaiting payment.
RENTAL_ORDER_STATUSES = (
    Order.Status.PAID,
    Order.Status.PARTLY_REFUNDED,
    Order.Status.AWAITING_PAYMENT,
)


@dataclass(frozen=True)
class VesselBusy:
    """One stretch of the vessel's time, `[starts_at, ends_at)`, buffer included."""

    starts_at: datetime.datetime
    ends_at: datetime.datetime
    is_rental: bool
    departure: Departure | None
    sold: int = 0
    capacity: int = 0
    order: Order | None = None
    # Where the turnaround buffer begins (the rental's own end), or None without one.
    buffer_from: datetime.datetime | None = None


def vessel_timeline(
    *, vessel: Vessel, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> list[VesselBusy]:
    """The vessel's busy stretches that overlap `[starts_at, ends_at)`, by start."""
    rows = list(
        VesselOccupancy.overlapping(vessel.pk, starts_at, ends_at)
        .exclude(departure__status=Departure.Status.CANCELLED)
        .select_related("departure__product", "departure__venue", "departure__vessel")
        .order_by("starts_at", "pk")
    )
    departures = [row.departure for row in rows if row.departure is not None]
    ids = [departure.pk for departure in departures]
    sold = Counter(
        dict(
            Ticket.objects.filter(departure_id__in=ids, status=Ticket.Status.VALID)
            .values_list("departure_id")
            .annotate(n=Count("pk"))
        )
    )
    capacities = _capacities(departures)
    orders = _rental_orders([d.pk for d in departures if _is_rental(None, d)])
    found = []
    for row in rows:
        departure = row.departure
        is_rental = _is_rental(row, departure)
        buffer_from = None
        if departure is not None and row.ends_at > departure.ends_at:
            buffer_from = max(departure.ends_at, row.starts_at)
        found.append(
            VesselBusy(
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                is_rental=is_rental,
                departure=departure,
                sold=sold[departure.pk] if departure else 0,
                capacity=capacities.get(departure.pk, 0) if departure else 0,
                order=orders.get(departure.pk) if departure and is_rental else None,
                buffer_from=buffer_from,
            )
        )
    return found


def _is_rental(row: VesselOccupancy | None, departure: Departure | None) -> bool:
    # A rental's row says so; a rental product sold as a one-seat departure (before
    # rentals by the hour) is a rental on the timeline too.
    if row is not None and row.kind == VesselOccupancy.Kind.RENTAL:
        return True
    return departure is not None and departure.product.kind == Product.Kind.RENTAL


def _capacities(departures: list[Departure]) -> dict[int, int]:
    """Each departure's places: its seat map's sellable seats for assigned seating, its
    (or its vessel's) capacity for general admission."""
    seated = [d for d in departures if d.is_assigned_seating]
    default_maps = dict(
        SeatMap.objects.filter(
            vessel_id__in={d.vessel_id for d in seated if not d.seat_map_id}, is_default=True
        ).values_list("vessel_id", "pk")
    )
    map_of = {d.pk: d.seat_map_id or default_maps.get(d.vessel_id) for d in seated}
    seats = dict(
        Seat.objects.filter(seat_map_id__in={m for m in map_of.values() if m})
        .exclude(kind=Seat.Kind.BLOCKED)
        .values_list("seat_map_id")
        .annotate(n=Count("pk"))
    )
    return {
        d.pk: seats.get(map_of[d.pk], 0) if d.pk in map_of else d.effective_capacity
        for d in departures
    }


def _rental_orders(departure_ids: list[int]) -> dict[int, Order]:
    """The standing order of each rental (the latest, should there be more)."""
    found: dict[int, Order] = {}
    orders = Order.objects.filter(
        Q(departure_id__in=departure_ids), status__in=RENTAL_ORDER_STATUSES
    ).order_by("departure_id", "-created_at", "-pk")
    for order in orders:
        found.setdefault(order.departure_id, order)
    return found
