"""The CRM API's operations, /api/v1/crm/ (tag "crm").

- `GET search?q=` — orders the text points at (booking.search.orders_search), only those
  the user may view;
- `GET orders/{code}` — an order: contact, departure (pier's clock), tickets, payments,
  refunds (YooKassa ids and statuses), totals; audited as a view of personal data;
- `GET orders/{code}/refund-quote?tickets=1,2` — the refund rule's answer (changes nothing);
- `POST orders/{code}/refunds` `{"tickets": [ids]}` — refunds them at the customer's
  request (the agent is on the phone with the customer), if the rule allows it now;
- `POST orders/{code}/resend` `{"channels": ["email", "sms"], "email"?, "phone"?}` — sends
  the confirmation again (booking.services.backoffice);
- `GET customers/{id}` — a customer: contacts, orders, total paid, consents; audited;
- `cases…` — support cases: list, read, open, reply, note, change (crm.api.cases);
- `reports/sales|refunds|promotions|occupancy|reconciliation` — the reports (crm.api.reports).

Permissions come from `crm.permissions`: a role without the model permission is 403
(`forbidden`); a record the user may not view reads as unknown (404, its existence not
revealed); a refund or a resend needs "change" on the order. Refusals are `{code, message}`
in the request's language (config/api.py)."""

import datetime
import re
from decimal import Decimal
from typing import Literal

from django.db.models import Prefetch, Sum
from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status

from accounts.models import Consent
from booking.account_selectors import BOARDED
from booking.api.me import (
    RefundCreatedOut,
    RefundQuoteOut,
    refund_created_out,
    refund_quote_out,
)
from booking.api.public import ErrorOut
from booking.i18n import localized_value
from booking.models import Order, Payment, Refund, Ticket
from booking.search import MAX_LIMIT, orders_search
from booking.services.errors import BookingError
from booking.services.orders import ORDER_CODE_ALPHABET
from booking.services.refunds import refund_quote, refund_request
from crm.api.auth import StaffTokenAuth, TokenRateThrottle
from crm.api.cases import router as cases_router
from crm.api.errors import CrmApiError
from crm.api.reports import router as reports_router
from crm.audit import orders_searched, personal_data_viewed
from crm.permissions import customer_policy, order_policy

MAX_TICKETS = 100
MAX_ID = 2**63 - 1
_CODE_RE = re.compile(f"[{ORDER_CODE_ALPHABET}]{{1,12}}")
_TICKET_ID_RE = re.compile(r"[0-9]{1,19}")

router = Router(tags=["crm"], auth=StaffTokenAuth(), throttle=[TokenRateThrottle()])
# Support cases (crm.api.cases): /api/v1/crm/cases…
router.add_router("/cases", cases_router)
# The reports (crm.api.reports): /api/v1/crm/reports/…
router.add_router("/reports", reports_router)


# --- Schemas -------------------------------------------------------------------------


class CrmDepartureOut(Schema):
    id: int
    product: str
    pier: str
    starts_at: datetime.datetime = Field(description="On the pier's clock (with its offset)")
    time_zone: str


class CrmSearchHitOut(Schema):
    kind: str = Field(description="What matched: code, ticket, email, phone or name")
    exact: bool
    code: str = Field(description="The order's code")
    status: str
    status_label: str
    name: str = Field(description="The customer's name on the order")
    total: Decimal
    ticket: int | None = Field(description="The ticket that matched (kind ticket), or null")
    departure: CrmDepartureOut


class CrmContactOut(Schema):
    customer_id: int
    name: str
    email: str
    phone: str = Field(description="E.164")
    language: str


class CrmTicketOut(Schema):
    id: int
    ticket_type: str
    seat: str
    price: Decimal
    discount: Decimal
    fee: Decimal
    paid: Decimal
    status: str = Field(description="reserved, valid, boarded, cancelled or refunded")
    status_label: str
    boarded_at: datetime.datetime | None = Field(description="On the pier's clock")


class CrmPaymentOut(Schema):
    id: int
    provider_id: str | None = Field(description="YooKassa's payment id")
    amount: Decimal
    status: str
    status_label: str
    created_at: datetime.datetime
    succeeded_at: datetime.datetime | None


class CrmRefundOut(Schema):
    id: int
    provider_id: str | None = Field(description="YooKassa's refund id (null: not sent yet)")
    amount: Decimal
    status: str = Field(description="created, pending, succeeded or canceled")
    status_label: str
    reason: str
    reason_label: str
    fees_refunded: bool
    created_at: datetime.datetime
    tickets: list[int]


class CrmTotalsOut(Schema):
    subtotal: Decimal
    discount: Decimal
    fees: Decimal
    total: Decimal
    paid: Decimal = Field(description="Succeeded payments")
    refunded: Decimal = Field(description="Refunds not cancelled by YooKassa")
    promo_code: str


class CrmOrderOut(Schema):
    code: str
    status: str
    status_label: str
    created_at: datetime.datetime
    paid_at: datetime.datetime | None
    contact: CrmContactOut
    departure: CrmDepartureOut
    tickets: list[CrmTicketOut]
    payments: list[CrmPaymentOut]
    refunds: list[CrmRefundOut]
    totals: CrmTotalsOut


class CrmRefundIn(Schema):
    tickets: list[int] = Field(
        ..., min_length=1, max_length=MAX_TICKETS, description="Ticket ids of the order"
    )


class CrmResendIn(Schema):
    channels: list[Literal["email", "sms"]] = Field(..., min_length=1, max_length=2)
    email: str = Field("", max_length=254, description="A corrected address (recorded)")
    phone: str = Field("", max_length=60, description="A corrected phone number (recorded)")


class CrmResendOut(Schema):
    code: str = Field(description="The order's code")
    channels: list[str]


class CrmCustomerOrderOut(Schema):
    code: str
    status: str
    status_label: str
    total: Decimal
    created_at: datetime.datetime


class CrmConsentOut(Schema):
    kind: str
    kind_label: str
    granted: bool
    document_version: str
    document_url: str
    at: datetime.datetime
    order: str | None = Field(description="The code of the order it was given with")


class CrmCustomerOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    language: str
    marketing: bool
    erased: bool
    created_at: datetime.datetime
    orders: list[CrmCustomerOrderOut] = Field(description="Those the user may view")
    total_paid: Decimal = Field(description="Succeeded payments of those orders")
    consents: list[CrmConsentOut]


# --- Reading and checking --------------------------------------------------------------


def _require(policy, user, action: str) -> None:
    if not policy.user_has_permission(user, action):
        raise CrmApiError("forbidden")


def _visible_orders(user):
    return order_policy.instances_user_has_permission_for(user, "view")


def _order(request: HttpRequest, code: str, *, action: str = "view") -> Order:
    """The order the user may act on: 403 without the role's permission, 404 when it does
    not exist or the user may not view it (the same answer), 403 when they may view but
    not `action` it."""
    _require(order_policy, request.user, "view")
    if action != "view":
        _require(order_policy, request.user, action)
    code = code.strip().upper()
    order = None
    if _CODE_RE.fullmatch(code):
        order = (
            _visible_orders(request.user)
            .select_related("departure__product", "departure__venue", "customer", "promotion")
            .filter(code=code)
            .first()
        )
    if order is None:
        raise BookingError("order_not_found")
    if action != "view" and not order_policy.user_has_permission_for_instance(
        request.user, action, order
    ):
        raise CrmApiError("forbidden")
    return order


def _audit_view(request: HttpRequest, customer, order: Order | None = None) -> None:
    """A member of staff saw a person's data through the API, with the token used."""
    personal_data_viewed(
        customer=customer, user=request.user, order=order, via="api", token=request.auth.pk
    )


def _departure_out(departure, language: str) -> dict:
    return {
        "id": departure.pk,
        "product": localized_value(departure.product, "name", language),
        "pier": localized_value(departure.venue, "name", language),
        "starts_at": departure.local_starts_at,
        "time_zone": departure.venue.timezone,
    }


def _ticket_ids(values: list[str] | None) -> list[int] | None:
    """`tickets=1,2` or `tickets=1&tickets=2` → [1, 2]; anything but ids is
    `ticket_invalid` (422)."""
    if values is None:
        return None
    ids = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not _TICKET_ID_RE.fullmatch(part) or not 0 < int(part) <= MAX_ID:
                raise BookingError("ticket_invalid")
            ids.append(int(part))
    if not ids:
        raise BookingError("no_tickets")
    if len(ids) > MAX_TICKETS:
        raise BookingError("too_many_tickets", limit=MAX_TICKETS)
    return ids


# --- Operations ------------------------------------------------------------------------


@router.get(
    "/search",
    response={200: list[CrmSearchHitOut], 403: ErrorOut},
    url_name="crm-search",
    summary="Find orders by code, ticket, e-mail, phone or name",
)
def search(
    request: HttpRequest,
    q: str = Query(..., max_length=1000, description="Whatever the caller reads out"),
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
):
    """Exact matches first (code, ticket secret or QR token, e-mail, phone in any
    format), then names and e-mails by similarity; only orders the user may view."""
    _require(order_policy, request.user, "view")
    hits = orders_search(q, limit=limit)
    orders = {
        order.pk: order
        for order in _visible_orders(request.user)
        .filter(pk__in=[hit.order.pk for hit in hits])
        .select_related("departure__product", "departure__venue")
    }
    language = translation.get_language()
    found = [(hit, orders[hit.order.pk]) for hit in hits if hit.order.pk in orders]
    if q.strip():
        orders_searched(
            user=request.user,
            query_length=len(q),
            hits=len(found),
            via="api",
            token=request.auth.pk,
        )
    return [
        {
            "kind": hit.kind,
            "exact": hit.exact,
            "code": order.code,
            "status": order.status,
            "status_label": str(order.get_status_display()),
            "name": order.name,
            "total": order.total,
            "ticket": hit.ticket.pk if hit.ticket else None,
            "departure": _departure_out(order.departure, language),
        }
        for hit, order in found
    ]


def _ticket_out(order: Order, ticket: Ticket, language: str) -> dict:
    boarded = ticket.status == Ticket.Status.VALID and ticket.checked_in_at is not None
    boarded_at = order.departure.local(ticket.checked_in_at) if boarded else None
    if boarded:
        label = translation.gettext("Boarded at %(time)s") % {"time": boarded_at.strftime("%H:%M")}
    else:
        label = str(ticket.get_status_display())
    return {
        "id": ticket.pk,
        "ticket_type": localized_value(ticket.ticket_type, "name", language),
        "seat": ticket.seat.short_label if ticket.seat_id else "",
        "price": ticket.price,
        "discount": ticket.discount,
        "fee": ticket.fee,
        "paid": ticket.paid_amount,
        "status": BOARDED if boarded else ticket.status,
        "status_label": label,
        "boarded_at": boarded_at,
    }


@router.get(
    "/orders/{code}",
    response={200: CrmOrderOut, 403: ErrorOut, 404: ErrorOut},
    url_name="crm-order",
    summary="An order with its tickets, payments and refunds",
)
def read_order(request: HttpRequest, code: str = Path(..., max_length=100)):
    order = _order(request, code)
    language = translation.get_language()
    tickets = Ticket.objects.filter(order=order).select_related("ticket_type", "seat")
    payments = list(Payment.objects.filter(order=order).order_by("created_at", "pk"))
    refunds = list(
        Refund.objects.filter(payment__order=order)
        .prefetch_related(Prefetch("tickets", queryset=Ticket.objects.only("pk")))
        .order_by("created_at", "pk")
    )
    paid = sum((p.amount for p in payments if p.status == Payment.Status.SUCCEEDED), Decimal(0))
    refunded = sum(
        (r.amount for r in refunds if r.status != Refund.Status.CANCELED), Decimal("0.00")
    )
    _audit_view(request, order.customer, order)
    customer = order.customer
    return {
        "code": order.code,
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "created_at": order.created_at,
        "paid_at": order.paid_at,
        "contact": {
            "customer_id": customer.pk,
            "name": order.name,
            "email": order.email,
            "phone": order.phone,
            "language": order.language,
        },
        "departure": _departure_out(order.departure, language),
        "tickets": [_ticket_out(order, t, language) for t in tickets.order_by("pk")],
        "payments": [
            {
                "id": p.pk,
                "provider_id": p.provider_id,
                "amount": p.amount,
                "status": p.status,
                "status_label": str(p.get_status_display()),
                "created_at": p.created_at,
                "succeeded_at": p.succeeded_at,
            }
            for p in payments
        ],
        "refunds": [
            {
                "id": r.pk,
                "provider_id": r.provider_id,
                "amount": r.amount,
                "status": r.status,
                "status_label": str(r.get_status_display()),
                "reason": r.reason,
                "reason_label": str(r.get_reason_display()),
                "fees_refunded": r.fees_refunded,
                "created_at": r.created_at,
                "tickets": sorted(t.pk for t in r.tickets.all()),
            }
            for r in refunds
        ],
        "totals": {
            "subtotal": order.subtotal,
            "discount": order.discount_total,
            "fees": order.fees_total,
            "total": order.total,
            "paid": paid,
            "refunded": refunded,
            "promo_code": order.promotion.code if order.promotion_id else "",
        },
    }


@router.get(
    "/orders/{code}/refund-quote",
    response={200: RefundQuoteOut, 403: ErrorOut, 404: ErrorOut},
    url_name="crm-refund-quote",
    summary="What refunding these tickets would bring back now, or why not",
)
def read_refund_quote(
    request: HttpRequest,
    code: str = Path(..., max_length=100),
    tickets: Query[list[str] | None] = None,
):
    """The refund rule's answer for `tickets` (ids, comma-separated or the parameter
    repeated; none: every ticket still refundable): `allowed`, and when refused its
    `code` and `message`, deadlines on the pier's clock. Changes nothing."""
    order = _order(request, code)
    ids = _ticket_ids(tickets)
    return refund_quote_out(order, refund_quote(order=order, tickets=ids))


@router.post(
    "/orders/{code}/refunds",
    response={201: RefundCreatedOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="crm-refunds",
    summary="Refund tickets at the customer's request",
)
def create_refund(
    request: HttpRequest, payload: CrmRefundIn, code: str = Path(..., max_length=100)
):
    """Refunds the tickets if the rule allows it now (no override: the window is the
    spec's), to the card that paid; recorded as the customer's request, by this user.
    Refused: 409 for the order's state (window passed, refunded, boarded, not paid), 422
    for a choice that is not valid (another order's ticket, the promo code's minimum)."""
    order = _order(request, code, action="change")
    refund = refund_request(
        order=order,
        tickets=payload.tickets,
        requested_by=request.user,
        # The agent refunds because the customer asked (by phone, by mail): the rule is
        # the customer's. OPERATOR is for refunds the operator starts itself.
        reason=Refund.Reason.CUSTOMER,
    )
    return Status(201, refund_created_out(refund))


@router.post(
    "/orders/{code}/resend",
    response={200: CrmResendOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="crm-resend",
    summary="Send the order's confirmation again by e-mail and/or SMS",
)
def resend_confirmation(
    request: HttpRequest, payload: CrmResendIn, code: str = Path(..., max_length=100)
):
    """To the order's address and phone, or to corrected ones (the correction is
    recorded by the service, as is the resend)."""
    order = _order(request, code, action="change")
    # The back-office service (booking.services.backoffice) comes with the same issue.
    from booking.services.backoffice import order_confirmation_resend

    channels = list(dict.fromkeys(payload.channels))
    order_confirmation_resend(
        order=order,
        channels=channels,
        email=payload.email.strip(),
        phone=payload.phone.strip(),
        user=request.user,
    )
    return {"code": order.code, "channels": channels}


@router.get(
    "/customers/{customer_id}",
    response={200: CrmCustomerOut, 403: ErrorOut, 404: ErrorOut},
    url_name="crm-customer",
    summary="A customer: contacts, orders, total paid, consents",
)
def read_customer(request: HttpRequest, customer_id: int = Path(..., ge=1, le=MAX_ID)):
    _require(customer_policy, request.user, "view")
    customer = (
        customer_policy.instances_user_has_permission_for(request.user, "view")
        .filter(pk=customer_id)
        .first()
    )
    if customer is None:
        raise CrmApiError("customer_not_found")
    orders = list(
        _visible_orders(request.user).filter(customer=customer).order_by("-created_at", "-pk")
    )
    total_paid = Payment.objects.filter(
        order__in=[o.pk for o in orders], status=Payment.Status.SUCCEEDED
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    consents = Consent.objects.filter(customer=customer).select_related("order")
    _audit_view(request, customer)
    return {
        "id": customer.pk,
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "language": customer.language,
        "marketing": customer.marketing_consent,
        "erased": customer.is_erased,
        "created_at": customer.created_at,
        "orders": [
            {
                "code": o.code,
                "status": o.status,
                "status_label": str(o.get_status_display()),
                "total": o.total,
                "created_at": o.created_at,
            }
            for o in orders
        ],
        "total_paid": total_paid,
        "consents": [
            {
                "kind": c.kind,
                "kind_label": str(c.get_kind_display()),
                "granted": c.granted,
                "document_version": c.document_version,
                "document_url": c.document_url,
                "at": c.created_at,
                "order": c.order.code if c.order_id else None,
            }
            for c in consents.order_by("-created_at", "-pk")
        ],
    }
