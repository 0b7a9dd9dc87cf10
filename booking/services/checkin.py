"""Boarding check-in: a crew member scans a ticket's QR token (or finds the order by its
code) for the departure being boarded, and the ticket is admitted exactly once.

Exactly once is the database's decision, not Python's: the admission is a conditional
``UPDATE … WHERE checked_in_at IS NULL AND status = 'valid'``. Two scanners reading one
ticket at the same moment both reach the UPDATE; PostgreSQL lets the first through and
makes the second re-check the condition against the committed row, which then matches
nothing, so the second is answered "already used at HH:MM". The same row lock orders a
scan and a refund of the ticket (`booking.services.refunds`, which locks the order and
then its tickets before deciding): the UPDATE waits for a refund deciding and then
matches nothing (refunded), a refund waits for a scan's UPDATE and then sees the ticket
boarded. A scan locks that one row only, so the two can never deadlock.

A departure boards only inside its boarding window: from
`BOOKING_CHECKIN_OPENS_MINUTES_BEFORE` minutes before its start until
`BOOKING_CHECKIN_CLOSES_MINUTES_AFTER_END` minutes after its end; a cancelled departure
never boards. Outside the window every scan is refused with the reason, and the boarding
list shows only departures whose window is open.

Every admission is written to Wagtail's audit log (`CHECK_IN_ACTION`) in the same
transaction as the admission. An administrator with `booking.undo_check_in` can undo a
boarding with a reason (`ticket_check_in_undo`, logged as `CHECK_IN_UNDO_ACTION`).

Every outcome, admitted or refused, is a `CheckInResult` with a code that clients
branch on and a message in the active language; refusals are not exceptions because a
refused ticket is an ordinary answer at a gangway. Permission to check in is the
caller's business (views and API check `booking.check_in_ticket`); undoing checks its
own permission, since only administrators may."""

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from booking.models import Departure, Order, Ticket, WebhookEvent
from booking.services.orders import ORDER_CODE_ALPHABET, ORDER_CODE_LENGTH
from booking.services.webhooks import departure_data, ticket_data, webhooks_emit
from booking.tickets.tokens import MAX_DEPARTURE_ID, InvalidTicketToken, read_ticket_token

OK = "ok"
INVALID = "invalid"
WRONG_DEPARTURE = "wrong_departure"
NOT_FOUND = "not_found"
NOT_PAID = "not_paid"
REFUNDED = "refunded"
ALREADY_USED = "already_used"
DEPARTURE_NOT_FOUND = "departure_not_found"
ORDER_NOT_FOUND = "order_not_found"
ORDER_CODE_INVALID = "order_code_invalid"
DEPARTURE_CANCELLED = "departure_cancelled"
BOARDING_NOT_OPEN = "boarding_not_open"
BOARDING_CLOSED = "boarding_closed"

CHECK_IN_ACTION = "booking.ticket.check_in"
CHECK_IN_UNDO_ACTION = "booking.ticket.check_in_undo"
UNDO_PERMISSION = "booking.undo_check_in"
MAX_UNDO_REASON = 500

CODES = (
    OK,
    INVALID,
    WRONG_DEPARTURE,
    NOT_FOUND,
    NOT_PAID,
    REFUNDED,
    ALREADY_USED,
    DEPARTURE_NOT_FOUND,
    DEPARTURE_CANCELLED,
    BOARDING_NOT_OPEN,
    BOARDING_CLOSED,
)

_ORDER_CODE_RE = re.compile(f"[{ORDER_CODE_ALPHABET}]{{{ORDER_CODE_LENGTH}}}")
# What people type around a code: spaces, dashes, a leading '#'.
_ORDER_CODE_NOISE = re.compile(r"[\s\-#]+")
MAX_ORDER_CODE_INPUT = 40


@dataclass(frozen=True)
class TicketInfo:
    """What the crew sees about a ticket: enough to match it to the person in front."""

    id: int
    order_code: str
    ticket_type: str
    seat: str | None
    name: str
    status: str
    checked_in_at: datetime.datetime | None
    # `checked_in_at` as HH:MM in the pier's time zone, "" when not boarded.
    checked_in_time: str

    @property
    def can_board(self) -> bool:
        return self.status == Ticket.Status.VALID and self.checked_in_at is None

    @property
    def state(self) -> str:
        """One of the check-in codes, as scanning this ticket now would answer."""
        if self.status == Ticket.Status.REFUNDED:
            return REFUNDED
        if self.status != Ticket.Status.VALID:
            return NOT_PAID
        return ALREADY_USED if self.checked_in_at else OK


@dataclass(frozen=True)
class BoardingCounts:
    valid: int
    boarded: int


@dataclass(frozen=True)
class CheckInResult:
    ok: bool
    code: str
    message: str
    ticket: TicketInfo | None = None
    counts: BoardingCounts | None = None


@dataclass(frozen=True)
class OrderLookup:
    ok: bool
    code: str
    message: str
    order_code: str = ""
    name: str = ""
    tickets: list[TicketInfo] = field(default_factory=list)


@dataclass(frozen=True)
class BoardingDeparture:
    departure: Departure
    local_starts_at: datetime.datetime
    day: str  # "today" or "tomorrow"
    counts: BoardingCounts


# --- helpers ---------------------------------------------------------------------------


def _local_time(moment: datetime.datetime | None, departure: Departure) -> str:
    return departure.local(moment).strftime("%H:%M") if moment else ""


def _departure_label(departure: Departure) -> str:
    local = departure.local_starts_at
    return _("%(product)s, %(date)s at %(time)s") % {
        "product": departure.product.display_name,
        "date": date_format(local.date(), "SHORT_DATE_FORMAT"),
        "time": local.strftime("%H:%M"),
    }


def _valid_id(value) -> int | None:
    """A positive bigint, or None for anything else (text, bools, floats, huge numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit() or len(value) > 19:
            return None
        value = int(value)
    if not isinstance(value, int) or not 0 < value <= MAX_DEPARTURE_ID:
        return None
    return value


def _load_departure(departure_id) -> Departure | None:
    pk = _valid_id(departure_id)
    if pk is None:
        return None
    return Departure.objects.select_related("venue", "product").filter(pk=pk).first()


def _ticket_info(ticket: Ticket, departure: Departure) -> TicketInfo:
    return TicketInfo(
        id=ticket.pk,
        order_code=ticket.order.code,
        ticket_type=ticket.ticket_type.display_name,
        seat=ticket.seat.short_label if ticket.seat_id else None,
        name=ticket.order.name,
        status=ticket.status,
        checked_in_at=ticket.checked_in_at,
        checked_in_time=_local_time(ticket.checked_in_at, departure),
    )


def _tickets():
    return Ticket.objects.select_related("order", "ticket_type", "seat")


def _counts(departure_id: int) -> BoardingCounts:
    totals = Ticket.objects.filter(departure_id=departure_id, status=Ticket.Status.VALID).aggregate(
        valid=Count("pk"), boarded=Count("pk", filter=Q(checked_in_at__isnull=False))
    )
    return BoardingCounts(valid=totals["valid"], boarded=totals["boarded"])


def departure_boarding_counts(departure: Departure) -> BoardingCounts:
    """Valid (paid, not refunded) tickets of the departure and how many have boarded."""
    return _counts(departure.pk)


def _refusal(code: str, message: str, ticket=None, departure=None) -> CheckInResult:
    info = _ticket_info(ticket, departure) if ticket is not None else None
    return CheckInResult(ok=False, code=code, message=message, ticket=info)


def _status_refusal(ticket: Ticket, departure: Departure) -> CheckInResult:
    if ticket.status == Ticket.Status.REFUNDED:
        return _refusal(REFUNDED, _("This ticket has been refunded."), ticket, departure)
    if ticket.status == Ticket.Status.CANCELLED:
        return _refusal(NOT_PAID, _("This ticket has been cancelled."), ticket, departure)
    return _refusal(NOT_PAID, _("This ticket has not been paid for."), ticket, departure)


def _already_used(ticket: Ticket, departure: Departure) -> CheckInResult:
    return _refusal(
        ALREADY_USED,
        _("Already used at %(time)s.") % {"time": _local_time(ticket.checked_in_at, departure)},
        ticket,
        departure,
    )


def _wrong_departure(other_id: int | None, ticket=None, departure=None) -> CheckInResult:
    other = _load_departure(other_id) if other_id is not None else None
    if other is None:
        message = _("This ticket is for another departure.")
    else:
        message = _("This ticket is for another departure: %(departure)s.") % {
            "departure": _departure_label(other)
        }
    return _refusal(WRONG_DEPARTURE, message, ticket, departure)


def _departure_not_found() -> CheckInResult:
    return CheckInResult(
        ok=False, code=DEPARTURE_NOT_FOUND, message=_("This departure does not exist.")
    )


def _admit(ticket_filter: Q, departure: Departure, user, now, offline=False) -> CheckInResult:
    """The shared end of both ways in: find the ticket, refuse what cannot board, and
    admit with one conditional UPDATE."""
    with transaction.atomic():
        ticket = _tickets().filter(ticket_filter).first()
        if ticket is None:
            return _refusal(NOT_FOUND, _("No such ticket was sold."))
        if ticket.departure_id != departure.pk:
            return _wrong_departure(ticket.departure_id, ticket, departure)
        if ticket.status != Ticket.Status.VALID:
            return _status_refusal(ticket, departure)
        if ticket.checked_in_at is not None:
            return _already_used(ticket, departure)
        by = user if user is not None and getattr(user, "is_authenticated", False) else None
        admitted = Ticket.objects.filter(
            pk=ticket.pk, status=Ticket.Status.VALID, checked_in_at__isnull=True
        ).update(checked_in_at=now, checked_in_by=by)
        # Read again either way: after the UPDATE this statement sees what was committed,
        # so a scanner that lost the race learns the winner's time.
        ticket = _tickets().get(pk=ticket.pk)
        if not admitted:
            if ticket.checked_in_at is not None:
                return _already_used(ticket, departure)
            return _status_refusal(ticket, departure)
        data = {"departure_id": departure.pk}
        if offline:  # scanned on a phone without a connection, synced later
            data["offline"] = True
        log(ticket, CHECK_IN_ACTION, user=by, data=data)
        webhooks_emit(
            event=WebhookEvent.TICKET_CHECKED_IN,
            payload=lambda: {
                "ticket": ticket_data(ticket),
                "order": {"code": ticket.order.code},
                "departure": departure_data(departure),
                "offline": offline,
            },
        )
        info = _ticket_info(ticket, departure)
        return CheckInResult(
            ok=True,
            code=OK,
            message=_("Valid ticket. Welcome aboard!"),
            ticket=info,
            counts=_counts(departure.pk),
        )


def _with_counts(result: CheckInResult, departure: Departure | None) -> CheckInResult:
    if result.counts is not None or departure is None:
        return result
    return CheckInResult(
        ok=result.ok,
        code=result.code,
        message=result.message,
        ticket=result.ticket,
        counts=_counts(departure.pk),
    )


def boarding_window(departure: Departure) -> tuple[datetime.datetime, datetime.datetime]:
    """When boarding of the departure opens and closes."""
    opens = departure.starts_at - datetime.timedelta(
        minutes=settings.BOOKING_CHECKIN_OPENS_MINUTES_BEFORE
    )
    closes = departure.ends_at + datetime.timedelta(
        minutes=settings.BOOKING_CHECKIN_CLOSES_MINUTES_AFTER_END
    )
    return opens, closes


def boarding_refusal(departure: Departure, now=None) -> CheckInResult | None:
    """Why the departure cannot board now (cancelled, not yet open, closed), or None."""
    now = now or timezone.now()
    if departure.status == Departure.Status.CANCELLED:
        return _refusal(
            DEPARTURE_CANCELLED, _("This departure has been cancelled: nobody boards it.")
        )
    opens, closes = boarding_window(departure)
    if now < opens:
        local = departure.local(opens)
        return _refusal(
            BOARDING_NOT_OPEN,
            _("Boarding for this departure opens on %(date)s at %(time)s.")
            % {
                "date": date_format(local.date(), "SHORT_DATE_FORMAT"),
                "time": local.strftime("%H:%M"),
            },
        )
    if now >= closes:
        return _refusal(BOARDING_CLOSED, _("Boarding for this departure has closed."))
    return None


# --- services --------------------------------------------------------------------------


def ticket_check_in(
    *, token: str, departure_id: int, user, now=None, offline: bool = False
) -> CheckInResult:
    """Admit the ticket of a scanned (or pasted) QR token to the departure being boarded.
    `offline`: a scan a phone admitted without a connection, replayed at its time `now`
    (`booking.services.checkin_offline`); the audit entry says so."""
    now = now or timezone.now()
    departure = _load_departure(departure_id)
    if departure is None:
        return _departure_not_found()
    if refusal := boarding_refusal(departure, now):
        return _with_counts(refusal, departure)
    try:
        data = read_ticket_token(token)
    except InvalidTicketToken:
        return _with_counts(
            _refusal(INVALID, _("This is not a ticket of ours: the code is not valid.")),
            departure,
        )
    if data.departure_id != departure.pk:
        # Refused before the database is asked about the ticket.
        return _with_counts(_wrong_departure(data.departure_id), departure)
    return _with_counts(
        _admit(Q(secret=data.secret), departure, user, now, offline=offline), departure
    )


def ticket_check_in_by_id(*, ticket_id: int, departure_id: int, user, now=None) -> CheckInResult:
    """Admit a ticket chosen from an order's list (the fallback when a QR code will not
    scan: the crew types the order code and taps the ticket)."""
    now = now or timezone.now()
    departure = _load_departure(departure_id)
    if departure is None:
        return _departure_not_found()
    if refusal := boarding_refusal(departure, now):
        return _with_counts(refusal, departure)
    pk = _valid_id(ticket_id)
    if pk is None:
        return _with_counts(_refusal(NOT_FOUND, _("No such ticket was sold.")), departure)
    return _with_counts(_admit(Q(pk=pk), departure, user, now), departure)


def normalise_order_code(text) -> str | None:
    """The canonical order code in what was typed, or None if it cannot be one."""
    if not isinstance(text, str) or len(text) > MAX_ORDER_CODE_INPUT:
        return None
    code = _ORDER_CODE_NOISE.sub("", text).upper()
    return code if _ORDER_CODE_RE.fullmatch(code) else None


def order_tickets_for_boarding(*, order_code: str, departure_id: int) -> OrderLookup:
    """An order's tickets on the departure being boarded, each with its boarding state."""
    departure = _load_departure(departure_id)
    if departure is None:
        return OrderLookup(
            ok=False, code=DEPARTURE_NOT_FOUND, message=_("This departure does not exist.")
        )
    code = normalise_order_code(order_code)
    if code is None:
        return OrderLookup(
            ok=False,
            code=ORDER_CODE_INVALID,
            message=_("An order code is %(length)s letters and digits, as printed on the ticket.")
            % {"length": ORDER_CODE_LENGTH},
        )
    with transaction.atomic():
        order = Order.objects.filter(code=code).first()
        if order is None:
            return OrderLookup(
                ok=False, code=ORDER_NOT_FOUND, message=_("There is no order with this code.")
            )
        tickets = list(_tickets().filter(order=order, departure=departure).order_by("pk"))
        if not tickets:
            other = _load_departure(order.departure_id)
            return OrderLookup(
                ok=False,
                code=WRONG_DEPARTURE,
                message=_("This order is for another departure: %(departure)s.")
                % {"departure": _departure_label(other)},
                order_code=order.code,
                name=order.name,
            )
        return OrderLookup(
            ok=True,
            code=OK,
            message="",
            order_code=order.code,
            name=order.name,
            tickets=[_ticket_info(t, departure) for t in tickets],
        )


def boarding_departures(*, now=None) -> list[BoardingDeparture]:
    """Departures whose boarding window is open now, with counts; `day` says whether
    each starts today or tomorrow by its own pier's calendar."""
    now = now or timezone.now()
    # `boarding_window` as a query: opened (start − before ≤ now), not closed (end + after
    # > now), not cancelled; exactly the departures `boarding_refusal` lets board.
    departures = (
        Departure.objects.select_related("venue", "product", "vessel")
        .filter(
            starts_at__lte=now
            + datetime.timedelta(minutes=settings.BOOKING_CHECKIN_OPENS_MINUTES_BEFORE),
            ends_at__gt=now
            - datetime.timedelta(minutes=settings.BOOKING_CHECKIN_CLOSES_MINUTES_AFTER_END),
        )
        .exclude(status=Departure.Status.CANCELLED)
        .annotate(
            valid_count=Count("tickets", filter=Q(tickets__status=Ticket.Status.VALID)),
            boarded_count=Count(
                "tickets",
                filter=Q(tickets__status=Ticket.Status.VALID, tickets__checked_in_at__isnull=False),
            ),
        )
        .order_by("starts_at", "pk")
    )
    found = []
    for departure in departures:
        zone = departure.zone
        today = now.astimezone(zone).date()
        local = departure.starts_at.astimezone(zone)
        # A window is open only around the start, so this is today or (near midnight)
        # tomorrow; a departure still out on the water past midnight counts as today's.
        day = "tomorrow" if local.date() > today else "today"
        found.append(
            BoardingDeparture(
                departure=departure,
                local_starts_at=local,
                day=day,
                counts=BoardingCounts(valid=departure.valid_count, boarded=departure.boarded_count),
            )
        )
    return found


def boarding_departure(departure_id) -> Departure | None:
    """The departure to board, with what the scanner page shows, or None."""
    return _load_departure(departure_id)


@dataclass(frozen=True)
class UndoResult:
    ok: bool
    code: str
    message: str


def ticket_check_in_undo(*, ticket_id, user, reason: str) -> UndoResult:
    """Undo a ticket's boarding (a crew member admitted the wrong ticket or person): the
    ticket can board again. Only a holder of `booking.undo_check_in` may, and only with a
    reason, which goes to the audit log with who boarded the ticket and when."""
    if user is None or not user.has_perm(UNDO_PERMISSION):
        return UndoResult(False, "forbidden", _("You do not have permission to undo a boarding."))
    reason = (reason or "").strip()
    if not reason:
        return UndoResult(False, "reason_required", _("Say why the boarding is undone."))
    if len(reason) > MAX_UNDO_REASON:
        return UndoResult(
            False,
            "reason_too_long",
            _("The reason is at most %(max)s characters.") % {"max": MAX_UNDO_REASON},
        )
    pk = _valid_id(ticket_id)
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update().filter(pk=pk).first() if pk is not None else None
        )
        if ticket is None:
            return UndoResult(False, NOT_FOUND, _("No such ticket was sold."))
        if ticket.checked_in_at is None:
            return UndoResult(False, "not_boarded", _("This ticket has not boarded."))
        data = {
            "reason": reason,
            "checked_in_at": ticket.checked_in_at.isoformat(),
            "checked_in_by": ticket.checked_in_by_id,
            "departure_id": ticket.departure_id,
        }
        Ticket.objects.filter(pk=ticket.pk).update(checked_in_at=None, checked_in_by=None)
        log(ticket, CHECK_IN_UNDO_ACTION, user=user, data=data)
    return UndoResult(True, OK, _("The boarding was undone: the ticket can board again."))
