"""The signed-in customer's orders, as the account pages and `/api/v1/me/` read them.

An account owns the orders of the customer record linked to it (`Customer.user`; the
link is made when an address is verified, `accounts.services.customers`): guest orders
placed with that address before the account existed included. Another account's order
reads as unknown (`BookingError("order_not_found")`, a 404 on the page and the API).

Each read runs a fixed number of queries however many orders, tickets, payments and
refunds there are. Texts are in the active language; times are on the pier's clock."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation

from booking.i18n import localized_value
from booking.models import Order, Payment, Refund, Ticket
from booking.selectors import breakdown_display
from booking.services.errors import BookingError
from booking.services.pricing import Breakdown
from booking.services.refunds import pier_moment, refund_quote

# A ticket as the customer reads it: its own status, and "boarded" for a valid ticket
# that has been checked in at the gangway.
BOARDED = "boarded"


def owned_orders(user: AbstractBaseUser) -> QuerySet[Order]:
    """Every order of the account, newest first (none for an anonymous visitor)."""
    if not getattr(user, "is_authenticated", False):
        return Order.objects.none()
    return Order.objects.filter(customer__user=user).order_by("-created_at", "-pk")


@dataclass(frozen=True)
class OrderRow:
    code: str
    status: str
    status_label: str
    product_name: str
    pier_name: str
    starts_at: datetime.datetime  # on the pier's clock
    time_zone: str
    total: Decimal
    created_at: datetime.datetime
    is_confirmed: bool


def account_orders(*, user: AbstractBaseUser) -> list[OrderRow]:
    """The account's orders, newest first: one query."""
    language = translation.get_language()
    orders = owned_orders(user).select_related("departure__product", "departure__venue")
    return [_order_row(order, language) for order in orders]


def _order_row(order: Order, language: str) -> OrderRow:
    departure = order.departure
    return OrderRow(
        code=order.code,
        status=order.status,
        status_label=str(order.get_status_display()),
        product_name=localized_value(departure.product, "name", language),
        pier_name=localized_value(departure.venue, "name", language),
        starts_at=departure.local_starts_at,
        time_zone=departure.venue.timezone,
        total=order.total,
        created_at=order.created_at,
        is_confirmed=order.is_confirmed,
    )


@dataclass(frozen=True)
class TicketRow:
    id: int
    ticket_type: str
    seat: str
    paid: Decimal
    status: str  # reserved | valid | boarded | cancelled | refunded
    status_label: str
    boarded_at: datetime.datetime | None  # on the pier's clock
    has_pdf: bool  # a valid ticket of a confirmed order (boarded or not)


@dataclass(frozen=True)
class PaymentRow:
    amount: Decimal
    status: str
    status_label: str
    at: datetime.datetime


@dataclass(frozen=True)
class RefundRow:
    amount: Decimal
    status: str
    status_label: str
    reason: str
    reason_label: str
    at: datetime.datetime
    ticket_ids: tuple[int, ...]


@dataclass(frozen=True)
class AccountOrder:
    order: Order
    row: OrderRow
    pier_address: str
    tickets: list[TicketRow]
    payments: list[PaymentRow]
    refunds: list[RefundRow]
    breakdown: dict


def account_order(*, user: AbstractBaseUser, code: str) -> AccountOrder:
    """One order of the account with its tickets, payments, refunds and price breakdown:
    six queries whatever its size. Another account's order (or none) is
    `order_not_found`."""
    if not isinstance(code, str) or not code.strip() or len(code) > 12:
        raise BookingError("order_not_found")
    order = (
        owned_orders(user)
        .select_related("departure__product", "departure__venue", "customer")
        .prefetch_related(
            Prefetch(
                "tickets",
                queryset=Ticket.objects.select_related("ticket_type", "seat").order_by("pk"),
            ),
            Prefetch("payments", queryset=Payment.objects.order_by("created_at", "pk")),
        )
        .filter(code=code.strip().upper())
        .first()
    )
    if order is None:
        raise BookingError("order_not_found")
    language = translation.get_language()
    refunds = list(
        Refund.objects.filter(payment__order=order)
        .prefetch_related(Prefetch("tickets", queryset=Ticket.objects.only("pk")))
        .order_by("created_at", "pk")
    )
    departure = order.departure
    return AccountOrder(
        order=order,
        row=_order_row(order, language),
        pier_address=localized_value(departure.venue, "address", language),
        tickets=[_ticket_row(order, ticket, language) for ticket in order.tickets.all()],
        payments=[
            PaymentRow(
                amount=payment.amount,
                status=payment.status,
                status_label=str(payment.get_status_display()),
                at=departure.local(payment.succeeded_at or payment.created_at),
            )
            for payment in order.payments.all()
        ],
        refunds=[
            RefundRow(
                amount=refund.amount,
                status=refund.status,
                status_label=str(refund.get_status_display()),
                reason=refund.reason,
                reason_label=str(refund.get_reason_display()),
                at=departure.local(refund.created_at),
                ticket_ids=tuple(ticket.pk for ticket in refund.tickets.all()),
            )
            for refund in refunds
        ],
        breakdown=breakdown_display(
            Breakdown.from_json(order.breakdown), departure=departure, language=language
        ),
    )


def _ticket_row(order: Order, ticket: Ticket, language: str) -> TicketRow:
    boarded = ticket.status == Ticket.Status.VALID and ticket.checked_in_at is not None
    boarded_at = order.departure.local(ticket.checked_in_at) if boarded else None
    if boarded:
        label = translation.gettext("Boarded at %(time)s") % {"time": boarded_at.strftime("%H:%M")}
    else:
        label = str(ticket.get_status_display())
    return TicketRow(
        id=ticket.pk,
        ticket_type=localized_value(ticket.ticket_type, "name", language),
        seat=ticket.seat.short_label if ticket.seat_id else "",
        paid=ticket.paid_amount,
        status=BOARDED if boarded else ticket.status,
        status_label=label,
        boarded_at=boarded_at,
        has_pdf=order.is_confirmed and ticket.status == Ticket.Status.VALID,
    )


def owned_ticket(*, user: AbstractBaseUser, code: str, ticket_id: int) -> tuple[Order, Ticket]:
    """A valid ticket of a confirmed order of the account, for its PDF; anything else is
    `order_not_found`."""
    if not isinstance(code, str) or not code.strip() or len(code) > 12:
        raise BookingError("order_not_found")
    ticket = (
        Ticket.objects.select_related(
            "order__departure__product", "order__departure__venue", "ticket_type", "seat"
        )
        .filter(
            pk=ticket_id,
            order__code=code.strip().upper(),
            order__customer__user=user,
            order__status__in=Order.CONFIRMED_STATUSES,
            status=Ticket.Status.VALID,
        )
        .first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if ticket is None:
        raise BookingError("order_not_found")
    return ticket.order, ticket


def owned_order(*, user: AbstractBaseUser, code: str) -> Order:
    """The account's order by its code, for the refund pages and API (which read it afresh
    through `booking.services.refunds`); another account's order (or none) is
    `order_not_found`."""
    if not isinstance(code, str) or not code.strip() or len(code) > 12:
        raise BookingError("order_not_found")
    order = (
        owned_orders(user)
        .select_related("departure__venue", "departure__product")
        .filter(code=code.strip().upper())
        .first()
    )
    if order is None:
        raise BookingError("order_not_found")
    return order


@dataclass(frozen=True)
class RefundSection:
    """What the refund part of an account order page shows.

    `state`: "open" (the form: `refundable_ids` may be ticked), "closed" (the window has
    passed: `message` says until when it was possible), "done" (a confirmed order with
    nothing left to refund: every ticket refunded or boarded) or "none" (an order never
    paid: no section). `deadline` is the window's end on the pier's clock ("" for a
    cancelled departure, refundable whenever)."""

    state: str
    cancelled: bool
    deadline: str
    message: str
    refundable_ids: frozenset[int]


def refund_section(*, order: Order, now: datetime.datetime | None = None) -> RefundSection:
    """The refund part of the order's page, from the quote for every ticket still
    refundable (`booking.services.refunds.refund_quote`, the one rule)."""
    now = now or timezone.now()
    quote = refund_quote(order=order, now=now)
    departure = order.departure
    deadline = pier_moment(departure, quote.deadline, now) if quote.deadline else ""
    if quote.allowed:
        return RefundSection(
            state="open",
            cancelled=quote.departure_cancelled,
            deadline=deadline,
            message=quote.message,
            refundable_ids=frozenset(line.ticket.pk for line in quote.lines),
        )
    if quote.code == "refund_window_passed":
        state = "closed"
    elif quote.code in ("ticket_refunded", "ticket_boarded"):
        state = "done"
    else:
        state = "none"
    return RefundSection(
        state=state,
        cancelled=False,
        deadline=deadline,
        message=quote.message,
        refundable_ids=frozenset(),
    )
