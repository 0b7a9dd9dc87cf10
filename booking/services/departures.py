"""Departures: creating a season of them at once, the rule that a vessel is never in
two places at once, and which status changes staff may make by editing a departure.

Cancelling a departure that has sold tickets needs refunds and messages to the buyers;
until the departure-cancellation service does that, such a departure cannot be cancelled
by setting its status (`departure_check_status_change`, called by the admin form and by
any other caller that changes a status)."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from booking.models import Departure, Product, Ticket, Venue, Vessel, VesselOccupancy
from booking.models.inventory import OCCUPANCY_NO_OVERLAP
from booking.services.errors import BookingError, violated_constraint

MAX_GENERATED = 2000
# Tickets that are paid for, or may be paid for any moment (an order awaiting payment).
SOLD_TICKET_STATUSES = (Ticket.Status.VALID, Ticket.Status.RESERVED)


class ScheduleError(ValueError):
    def __init__(self, messages):
        self.messages = [str(m) for m in messages]
        super().__init__("; ".join(self.messages))


@dataclass
class PlannedDeparture:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    status: str  # "new" | "exists" | "vessel_busy"


def _local_datetime(day: datetime.date, at: datetime.time, tz: zoneinfo.ZoneInfo):
    """The instant a wall-clock time happens on a day in the venue's zone. With fold=0
    (PEP 495) a time that does not exist that day (clocks jump forward) moves on by the
    gap, as a clock would, and an ambiguous one (clocks go back) is its first occurrence."""
    return datetime.datetime.combine(day, at).replace(tzinfo=tz).astimezone(datetime.UTC)


def departure_schedule_plan(
    *,
    product: Product,
    vessel: Vessel,
    venue: Venue,
    date_from: datetime.date,
    date_to: datetime.date,
    times: list[datetime.time],
    weekdays: set[int],
    duration_minutes: int,
) -> list[PlannedDeparture]:
    """What a recurring schedule would create: every `weekdays` day (0 = Monday) from
    `date_from` to `date_to` inclusive at each of `times` (venue's local time), marking
    departures that already exist and slots where the vessel is busy."""
    errors = []
    if date_to < date_from:
        errors.append(_("The last date is before the first."))
    if not times:
        errors.append(_("Add at least one departure time."))
    if not weekdays:
        errors.append(_("Choose at least one day of the week."))
    if not 1 <= duration_minutes <= 24 * 60:
        errors.append(_("The duration must be from 1 minute to 24 hours."))
    if errors:
        raise ScheduleError(errors)
    tz = zoneinfo.ZoneInfo(venue.timezone)
    duration = datetime.timedelta(minutes=duration_minutes)
    slots = []
    day = date_from
    while day <= date_to:
        if day.weekday() in weekdays:
            for at in sorted(set(times)):
                starts_at = _local_datetime(day, at, tz)
                slots.append((starts_at, starts_at + duration))
        day += datetime.timedelta(days=1)
        if len(slots) > MAX_GENERATED:
            raise ScheduleError(
                [_("At most %(max)s departures can be created at once.") % {"max": MAX_GENERATED}]
            )
    if not slots:
        return []
    window_start, window_end = slots[0][0], slots[-1][1]
    existing = set(
        Departure.objects.filter(
            product=product, vessel=vessel, starts_at__gte=window_start, starts_at__lt=window_end
        ).values_list("starts_at", flat=True)
    )
    # The vessel's busy time (departures of any product, rentals later): the occupancy
    # table the database keeps free of overlaps.
    busy = list(
        VesselOccupancy.overlapping(vessel.pk, window_start, window_end).values_list(
            "starts_at", "ends_at"
        )
    )
    plan = []
    for starts_at, ends_at in slots:
        if starts_at in existing:
            # The same departure exists, perhaps cancelled: never create it twice.
            status = "exists"
        elif any(
            other_start < ends_at and starts_at < other_end for other_start, other_end in busy
        ):
            status = "vessel_busy"
        else:
            status = "new"
            # The schedule's own departures must not overlap each other either.
            busy.append((starts_at, ends_at))
        plan.append(PlannedDeparture(starts_at, ends_at, status))
    return plan


def departures_create_recurring(
    *,
    product: Product,
    vessel: Vessel,
    venue: Venue,
    date_from: datetime.date,
    date_to: datetime.date,
    times: list[datetime.time],
    weekdays: set[int],
    duration_minutes: int,
    seating_mode: str = "",
) -> list[Departure]:
    """Creates the new departures of a recurring schedule with their vessel occupancy;
    those that exist or would collide with the vessel's busy time are skipped. Safe to run
    again. A slot taken meanwhile by another writer (the exclusion constraint on
    PostgreSQL) refuses the whole schedule with `BookingError` "vessel_busy"."""
    try:
        return _create_recurring(
            product=product,
            vessel=vessel,
            venue=venue,
            date_from=date_from,
            date_to=date_to,
            times=times,
            weekdays=weekdays,
            duration_minutes=duration_minutes,
            seating_mode=seating_mode,
        )
    except IntegrityError as error:
        if violated_constraint(error) != OCCUPANCY_NO_OVERLAP:
            raise
        raise BookingError(
            "vessel_busy",
            vessel=vessel,
            start=date_from.isoformat(),
            end=date_to.isoformat(),
        ) from error


def _create_recurring(
    *, product, vessel, venue, date_from, date_to, times, weekdays, duration_minutes, seating_mode
):
    with transaction.atomic():
        # One schedule at a time per vessel, so two editors cannot double-book it.
        Vessel.objects.select_for_update().filter(pk=vessel.pk).values_list("pk").get()
        plan = departure_schedule_plan(
            product=product,
            vessel=vessel,
            venue=venue,
            date_from=date_from,
            date_to=date_to,
            times=times,
            weekdays=weekdays,
            duration_minutes=duration_minutes,
        )
        new = [
            Departure(
                product=product,
                vessel=vessel,
                venue=venue,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                seating_mode=seating_mode,
            )
            for slot in plan
            if slot.status == "new"
        ]
        created = Departure.objects.bulk_create(new)
        VesselOccupancy.objects.bulk_create(
            [VesselOccupancy.for_departure(departure) for departure in created]
        )
        return created


def departure_sold_ticket_count(*, departure: Departure) -> int:
    """Tickets of the departure that are paid for or awaiting payment."""
    if departure.pk is None:
        return 0
    return Ticket.objects.filter(departure=departure, status__in=SOLD_TICKET_STATUSES).count()


def departure_check_status_change(*, departure: Departure, status: str) -> None:
    """Refuses (`BookingError` "departure_has_tickets") to cancel a departure that has
    sold tickets by a mere status change; any other change, and cancelling a departure
    nobody bought tickets for, is allowed."""
    if status != Departure.Status.CANCELLED or departure.pk is None:
        return
    current = Departure.objects.filter(pk=departure.pk).values_list("status", flat=True).first()
    if current == Departure.Status.CANCELLED:
        return
    count = departure_sold_ticket_count(departure=departure)
    if count:
        raise BookingError("departure_has_tickets", count=count)
