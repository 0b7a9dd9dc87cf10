"""A departure's manifest: who sails (or sailed, or was refunded) on it, for the crew and the
office.

`departure_manifest(departure)` reads the departure's passenger tickets in three queries
whatever its size (the departure with its product, pier and vessel; its tickets with their
orders, types and seats; its rental booking, if it is a rental) and returns plain values: one `ManifestRow` per ticket, sorted by
the order's name, and the totals. Only tickets that were paid for appear: valid ones
(expected, or boarded at HH:MM on the pier's clock) and refunded ones (listed, struck out,
counted apart). Tickets of unpaid orders and holds are not passengers.

A ticket is a child's when its type says so (`TicketType.is_child`, "Детский …" in the
demo data). The headcount is the valid tickets, boarded or not, against the departure's
capacity (its own or its vessel's). A rental's one ticket is its party: the row names the
number of guests, and the counts are people (the guests against the plan's most guests).

`manifest_departures(now=…)` lists today's and tomorrow's departures (by each pier's own
calendar) with their counts: the crew's boarding lists, also before the boarding window
opens. Permission is the caller's business (`crm.permissions.departure_policy`)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.phones import phone_display
from booking.models import Departure, RentalBooking, Ticket

VALID = "valid"
BOARDED = "boarded"
REFUNDED = "refunded"

# The statuses of the tickets on a manifest (paid for at some point).
LISTED_STATUSES = (Ticket.Status.VALID, Ticket.Status.REFUNDED)


@dataclass(frozen=True)
class ManifestRow:
    ticket_id: int
    name: str
    phone: str  # as people read it: "+7 921 555-01-23"
    ticket_type: str  # in the active language (as the seat's label)
    is_child: bool
    seat: str  # "" for general admission
    order_code: str
    order_id: int
    state: str  # VALID (expected), BOARDED or REFUNDED
    boarded_at: datetime.datetime | None  # on the pier's clock
    boarded_time: str  # HH:MM on the pier's clock, "" when not boarded
    people: int = 1  # a rental's ticket: its guests

    @property
    def boarded(self) -> bool:
        return self.state == BOARDED

    @property
    def refunded(self) -> bool:
        return self.state == REFUNDED


@dataclass(frozen=True)
class ManifestTotals:
    capacity: int
    headcount: int  # valid tickets, boarded or not
    boarded: int
    expected: int  # valid, not boarded yet
    children: int  # valid tickets of a child's type
    refunded: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.headcount, 0)


@dataclass(frozen=True)
class Manifest:
    departure: Departure
    local_starts_at: datetime.datetime  # on the pier's clock
    time_zone: str
    assigned_seating: bool
    rows: list[ManifestRow]
    totals: ManifestTotals


def _state(ticket: Ticket) -> str:
    if ticket.status == Ticket.Status.REFUNDED:
        return REFUNDED
    return BOARDED if ticket.checked_in_at else VALID


def _row(ticket: Ticket, departure: Departure, guests: int | None) -> ManifestRow:
    order = ticket.order
    boarded_at = departure.local(ticket.checked_in_at) if ticket.checked_in_at else None
    state = _state(ticket)
    ticket_type = ticket.ticket_type.display_name
    if guests is not None:
        ticket_type = ngettext(
            "%(ticket_type)s, %(count)s guest", "%(ticket_type)s, %(count)s guests", guests
        ) % {"ticket_type": ticket_type, "count": guests}
    return ManifestRow(
        ticket_id=ticket.pk,
        name=order.name,
        phone=phone_display(order.phone),
        ticket_type=ticket_type,
        is_child=ticket.ticket_type.is_child,
        seat=ticket.seat.short_label if ticket.seat_id else "",
        order_code=order.code,
        order_id=order.pk,
        state=state,
        boarded_at=boarded_at if state == BOARDED else None,
        boarded_time=boarded_at.strftime("%H:%M") if boarded_at and state == BOARDED else "",
        people=guests or 1,
    )


def departure_manifest(departure: Departure | int) -> Manifest:
    """The manifest of `departure` (a departure or its id; `Departure.DoesNotExist` for an
    unknown id). Rows sorted by name (case-insensitive), then order code and ticket."""
    if not isinstance(departure, Departure):
        departure = Departure.objects.select_related("product", "venue", "vessel").get(pk=departure)
    tickets = Ticket.objects.filter(
        departure_id=departure.pk, status__in=LISTED_STATUSES
    ).select_related("order", "ticket_type", "seat")
    rental = RentalBooking.objects.filter(departure=departure).select_related("plan").first()
    guests = rental.guests if rental else None
    rows = sorted(
        (_row(ticket, departure, guests) for ticket in tickets),
        key=lambda row: (row.name.casefold(), row.order_code, row.ticket_id),
    )
    live = [row for row in rows if not row.refunded]
    headcount = sum(row.people for row in live)
    boarded = sum(row.people for row in live if row.boarded)
    totals = ManifestTotals(
        capacity=rental.plan.max_guests if rental else departure.effective_capacity,
        headcount=headcount,
        boarded=boarded,
        expected=headcount - boarded,
        children=sum(row.people for row in live if row.is_child),
        refunded=len(rows) - len(live),
    )
    return Manifest(
        departure=departure,
        local_starts_at=departure.local_starts_at,
        time_zone=departure.venue.timezone,
        assigned_seating=departure.is_assigned_seating,
        rows=rows,
        totals=totals,
    )


@dataclass(frozen=True)
class ListedDeparture:
    departure: Departure
    local_starts_at: datetime.datetime
    day: str  # "today" or "tomorrow", by the pier's calendar
    headcount: int
    boarded: int


def manifest_departures(*, now=None, scope: Q | None = None) -> list[ListedDeparture]:
    """Today's and tomorrow's departures (each by its pier's calendar, cancelled ones
    too: the crew should know), with their headcount and boarded count, in one query.
    `scope` narrows them (a filter on departures, e.g. the crew's piers)."""
    now = now or timezone.now()
    # Every pier's "today" lies within a day of UTC's; filter broadly, decide per pier.
    departures = Departure.objects.select_related("venue", "product", "vessel").filter(
        starts_at__gte=now - datetime.timedelta(days=1),
        starts_at__lt=now + datetime.timedelta(days=3),
    )
    if scope is not None:
        departures = departures.filter(scope)
    departures = (
        departures.annotate(
            valid_count=Count("tickets", filter=Q(tickets__status=Ticket.Status.VALID)),
            boarded_count=Count(
                "tickets",
                filter=Q(tickets__status=Ticket.Status.VALID, tickets__checked_in_at__isnull=False),
            ),
        )
        # A rental sails only when it is paid for: one in checkout, or one that lapsed
        # unpaid, is nothing for the crew.
        .filter(Q(rental_booking__isnull=True) | Q(valid_count__gt=0))
        .order_by("starts_at", "pk")
    )
    found = []
    for departure in departures:
        today = now.astimezone(departure.zone).date()
        local = departure.local_starts_at
        if local.date() == today:
            day = "today"
        elif local.date() == today + datetime.timedelta(days=1):
            day = "tomorrow"
        else:
            continue
        found.append(
            ListedDeparture(
                departure=departure,
                local_starts_at=local,
                day=day,
                headcount=departure.valid_count,
                boarded=departure.boarded_count,
            )
        )
    return found
