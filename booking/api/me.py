"""The signed-in customer's API, /api/v1/me/ (django-ninja): the profile and the orders.

Session authentication, as the site's own pages are signed in (django-allauth): the
session cookie, and for a request that changes something (PATCH) Django's CSRF token in
the `X-CSRFToken` header. Anonymous → 401; a missing or wrong CSRF token → 403; another
account's order → 404; every refusal is `{code, message}` in the request's language.
Endpoints read through `booking.account_selectors` and change through
`accounts.services.profile.profile_update`, the profile page's own rule.

Refunds: `GET /me/orders/{code}/refund-quote?tickets=…` (the quote, changes nothing; a
refusal is a quote with `allowed: false`, its `code` and `message`) and
`POST /me/orders/{code}/refunds` with `{"tickets": [ids]}` (omitted: every ticket still
refundable) → 201 with the refund, or the refusal: 409 when the order's state refuses it
(window passed, ticket refunded or boarded, order not paid), 422 for a choice that is not
valid. The rule is the refund service's own (`booking.services.refunds`), as on the
account's order page."""

import datetime
from decimal import Decimal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from ninja.security import SessionAuth

from accounts.services.profile import Profile, profile_get, profile_update
from booking.account_selectors import (
    AccountOrder,
    OrderRow,
    account_order,
    account_orders,
    owned_order,
)
from booking.api.public import ErrorOut
from booking.services.refunds import refund_quote, refund_request
from common.http import client_ip


class CsrfRefused(Exception):
    """A session request that changes something came without a valid CSRF token."""


class CustomerSession(SessionAuth):
    """ninja's session authentication with CSRF, its refusal answered as our own 403
    (config/api.py) rather than as a bare HTTP error."""

    def _get_key(self, request: HttpRequest):
        try:
            return super()._get_key(request)
        except HttpError as error:
            if error.status_code == 403:
                raise CsrfRefused from None
            raise


router = Router(tags=["me"], auth=CustomerSession(csrf=True))


class ProfileOut(Schema):
    email: str
    name: str
    phone: str = Field(description="E.164, or empty")
    language: str = Field(description="ru, en or zh-hans: e-mails, SMS and tickets")
    marketing: bool = Field(description="Consent to news and offers by e-mail and SMS")


class ProfileIn(Schema):
    """Only the fields sent are changed."""

    name: str | None = Field(None, max_length=300)
    phone: str | None = Field(None, max_length=60)
    language: str | None = Field(None, max_length=20)
    marketing: bool | None = None


class OrderSummaryOut(Schema):
    code: str
    status: str
    status_label: str
    product: str
    pier: str
    starts_at: datetime.datetime = Field(description="On the pier's clock (with its offset)")
    time_zone: str
    total: Decimal
    created_at: datetime.datetime
    url: str


class TicketOut(Schema):
    id: int
    ticket_type: str
    seat: str
    paid: Decimal
    status: str = Field(description="reserved, valid, boarded, cancelled or refunded")
    status_label: str
    boarded_at: datetime.datetime | None
    pdf_url: str | None


class PaymentOut(Schema):
    amount: Decimal
    status: str
    status_label: str
    at: datetime.datetime


class RefundOut(Schema):
    amount: Decimal
    status: str
    status_label: str
    reason: str
    reason_label: str
    at: datetime.datetime
    ticket_ids: list[int]


class BreakdownLineOut(Schema):
    ticket_type: str
    seat: str
    price: Decimal
    discount: Decimal
    fee: Decimal
    paid: Decimal


class FeeOut(Schema):
    name: str
    amount: Decimal


class BreakdownOut(Schema):
    lines: list[BreakdownLineOut]
    fees: list[FeeOut]
    subtotal: Decimal
    promo_code: str
    discount_total: Decimal
    fees_total: Decimal
    total: Decimal
    vat_label: str
    vat_amount: Decimal | None


class OrderOut(OrderSummaryOut):
    pier_address: str
    tickets: list[TicketOut]
    payments: list[PaymentOut]
    refunds: list[RefundOut]
    breakdown: BreakdownOut
    pdf_url: str | None
    ics_url: str | None


class RefundQuoteLineOut(Schema):
    ticket: int
    amount: Decimal
    fee_kept: Decimal = Field(description="The ticket's share of the service fees not refunded")


class RefundQuoteOut(Schema):
    allowed: bool
    code: str | None = Field(description="Why not (the refusal's code), or null")
    message: str = Field(description="In the request's language, deadlines on the pier's clock")
    deadline: datetime.datetime | None = Field(
        description="The refund window's end (null: the departure was cancelled)"
    )
    amount: Decimal
    whole_order: bool
    fees_refunded: bool
    lines: list[RefundQuoteLineOut]


class RefundIn(Schema):
    tickets: list[int] | None = Field(
        None, max_length=100, description="Ticket ids of the order; omitted: all refundable"
    )


class RefundCreatedOut(Schema):
    id: int
    status: str = Field(description="created (being sent to YooKassa), pending or succeeded")
    amount: Decimal
    tickets: list[int]


def _profile_out(profile: Profile) -> dict:
    return {
        "email": profile.email,
        "name": profile.name,
        "phone": profile.phone,
        "language": profile.language,
        "marketing": profile.marketing,
    }


def _summary_out(row: OrderRow) -> dict:
    return {
        "code": row.code,
        "status": row.status,
        "status_label": row.status_label,
        "product": row.product_name,
        "pier": row.pier_name,
        "starts_at": row.starts_at,
        "time_zone": row.time_zone,
        "total": row.total,
        "created_at": row.created_at,
        "url": reverse("account_order", kwargs={"code": row.code}),
    }


def _tickets_out(detail: AccountOrder) -> list[dict]:
    code = detail.order.code
    return [
        {
            "id": ticket.id,
            "ticket_type": ticket.ticket_type,
            "seat": ticket.seat,
            "paid": ticket.paid,
            "status": ticket.status,
            "status_label": ticket.status_label,
            "boarded_at": ticket.boarded_at,
            "pdf_url": reverse("account_ticket_pdf", kwargs={"code": code, "ticket_id": ticket.id})
            if ticket.has_pdf
            else None,
        }
        for ticket in detail.tickets
    ]


def _order_out(detail: AccountOrder) -> dict:
    row, code = detail.row, detail.order.code
    return {
        **_summary_out(row),
        "pier_address": detail.pier_address,
        "tickets": _tickets_out(detail),
        "payments": [vars(payment) for payment in detail.payments],
        "refunds": [
            {**vars(refund), "ticket_ids": list(refund.ticket_ids)} for refund in detail.refunds
        ],
        "breakdown": detail.breakdown,
        "pdf_url": reverse("account_order_pdf", kwargs={"code": code})
        if row.is_confirmed
        else None,
        "ics_url": reverse("account_order_ics", kwargs={"code": code})
        if row.is_confirmed
        else None,
    }


def _user_agent(request: HttpRequest) -> str:
    agent = request.META.get("HTTP_USER_AGENT") or ""
    return "".join(c for c in agent if c >= " ")[:300]


@router.get("/profile", response={200: ProfileOut, 403: ErrorOut})
def read_profile(request):
    """The profile; 403 `email_unverified` while the account has no confirmed address."""
    return _profile_out(profile_get(user=request.auth))


@router.patch("/profile", response={200: ProfileOut, 403: ErrorOut, 422: ErrorOut})
def change_profile(request, payload: ProfileIn):
    """Changes the fields sent. A change of `marketing` is recorded as a new consent."""
    profile = profile_update(
        user=request.auth,
        name=payload.name,
        phone=payload.phone,
        language=payload.language,
        marketing=payload.marketing,
        ip=client_ip(request),
        user_agent=_user_agent(request),
        document_url=request.build_absolute_uri(reverse("account_profile")),
    )
    return _profile_out(profile)


@router.get("/orders", response=list[OrderSummaryOut])
def list_orders(request):
    """Every order of the account, newest first (guest orders placed with its confirmed
    address included)."""
    return [_summary_out(row) for row in account_orders(user=request.auth)]


@router.get("/orders/{code}", response={200: OrderOut, 404: ErrorOut})
def read_order(request, code: str):
    return _order_out(account_order(user=request.auth, code=code))


@router.get("/orders/{code}/tickets", response={200: list[TicketOut], 404: ErrorOut})
def read_order_tickets(request, code: str):
    return _tickets_out(account_order(user=request.auth, code=code))


def refund_quote_out(order, quote) -> dict:
    """A `RefundQuoteOut` (also the CRM API's): deadlines on the pier's clock."""
    departure = order.departure
    return {
        "allowed": quote.allowed,
        "code": quote.code,
        "message": quote.message,
        "deadline": departure.local(quote.deadline) if quote.deadline else None,
        "amount": quote.amount,
        "whole_order": quote.whole_order,
        "fees_refunded": quote.fees_refunded,
        "lines": [
            {"ticket": line.ticket.pk, "amount": line.amount, "fee_kept": line.fee_kept}
            for line in quote.lines
        ],
    }


def refund_created_out(refund) -> dict:
    """A `RefundCreatedOut` (also the CRM API's)."""
    return {
        "id": refund.pk,
        "status": refund.status,
        "amount": refund.amount,
        "tickets": sorted(refund.tickets.values_list("pk", flat=True)),
    }


@router.get("/orders/{code}/refund-quote", response={200: RefundQuoteOut, 404: ErrorOut})
def read_refund_quote(request, code: str, tickets: Query[list[int] | None] = None):
    """What refunding these tickets (repeat `tickets`; none: every ticket still
    refundable) would bring back now, or why it is refused. Changes nothing."""
    order = owned_order(user=request.auth, code=code)
    return refund_quote_out(order, refund_quote(order=order, tickets=tickets))


@router.post(
    "/orders/{code}/refunds",
    response={201: RefundCreatedOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def create_refund(request, code: str, payload: RefundIn):
    """Refunds the tickets (`{}`: every ticket still refundable) if the rule allows it
    now: the money goes back to the card that paid. A second request for the same tickets
    is refused (`ticket_refunded`)."""
    order = owned_order(user=request.auth, code=code)
    refund = refund_request(order=order, tickets=payload.tickets, requested_by=request.auth)
    return Status(201, refund_created_out(refund))
