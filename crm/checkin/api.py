"""The boarding check-in API under /api/v1/checkin/, used by the scanner page's script.

Staff only: the Django session (with its CSRF token on POST) authenticates; no session
is 401, a user without `booking.check_in_ticket` is 403, both as `{"code", "message"}`.
Every business outcome — admitted or refused — is a 200 whose `ok` and `code` say which,
so a scanner never confuses "this ticket is refused" with "the request failed"."""

import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status
from ninja.security import django_auth

from accounts.staff.two_factor import two_factor_pending
from booking.services.checkin import (
    CheckInResult,
    OrderLookup,
    TicketInfo,
    boarding_departure,
    order_tickets_for_boarding,
    ticket_check_in,
    ticket_check_in_by_id,
)
from crm.permissions import BOARD, departure_policy

router = Router(tags=["check-in"], auth=django_auth)

PERMISSION = "booking.check_in_ticket"


class ErrorOut(Schema):
    code: str
    message: str


class ScanIn(Schema):
    token: str
    departure_id: int


class BoardIn(Schema):
    departure_id: int


class TicketOut(Schema):
    id: int
    order_code: str
    ticket_type: str
    seat: str | None
    name: str
    status: str
    state: str
    can_board: bool
    checked_in_at: datetime.datetime | None
    checked_in_time: str


class CountsOut(Schema):
    valid: int
    boarded: int


class CheckInOut(Schema):
    ok: bool
    code: str
    message: str
    ticket: TicketOut | None
    counts: CountsOut | None


class OrderOut(Schema):
    ok: bool
    code: str
    message: str
    order_code: str
    name: str
    tickets: list[TicketOut]


def _forbidden(request: HttpRequest, departure_id: int):
    """403 without the check-in permission, or for a departure the user may not board
    (`departure_policy`'s "board": not of their piers or vessels). An unknown departure
    passes: the service answers it as a business outcome."""
    if not request.user.has_perm(PERMISSION):
        return Status(
            403,
            {"code": "forbidden", "message": _("You do not have permission to check tickets in.")},
        )
    if two_factor_pending(request.user):
        return Status(
            403,
            {
                "code": "two_factor_required",
                "message": _("Sign in with your two-factor code first."),
            },
        )
    departure = boarding_departure(departure_id)  # None for an unknown or malformed id
    if departure is None or departure_policy.user_has_permission_for_instance(
        request.user, BOARD, departure
    ):
        return None
    return Status(
        403,
        {
            "code": "forbidden",
            "message": _("You are not assigned to this departure's pier or vessel."),
        },
    )


def _ticket(info: TicketInfo | None) -> dict | None:
    if info is None:
        return None
    return {
        "id": info.id,
        "order_code": info.order_code,
        "ticket_type": info.ticket_type,
        "seat": info.seat,
        "name": info.name,
        "status": info.status,
        "state": info.state,
        "can_board": info.can_board,
        "checked_in_at": info.checked_in_at,
        "checked_in_time": info.checked_in_time,
    }


def _result(result: CheckInResult) -> dict:
    counts = result.counts
    return {
        "ok": result.ok,
        "code": result.code,
        "message": result.message,
        "ticket": _ticket(result.ticket),
        "counts": {"valid": counts.valid, "boarded": counts.boarded} if counts else None,
    }


def _lookup(lookup: OrderLookup) -> dict:
    return {
        "ok": lookup.ok,
        "code": lookup.code,
        "message": lookup.message,
        "order_code": lookup.order_code,
        "name": lookup.name,
        "tickets": [_ticket(t) for t in lookup.tickets],
    }


@router.post(
    "/scan",
    response={200: CheckInOut, 403: ErrorOut},
    url_name="checkin-scan",
    summary="Check a scanned ticket token in at boarding",
)
def scan(request: HttpRequest, payload: ScanIn):
    if refusal := _forbidden(request, payload.departure_id):
        return refusal
    return _result(
        ticket_check_in(token=payload.token, departure_id=payload.departure_id, user=request.user)
    )


@router.get(
    "/departures/{departure_id}/orders/{code}",
    response={200: OrderOut, 403: ErrorOut},
    url_name="checkin-order",
    summary="An order's tickets on the departure being boarded (manual entry)",
)
def order_lookup(request: HttpRequest, departure_id: int, code: str):
    if refusal := _forbidden(request, departure_id):
        return refusal
    return _lookup(order_tickets_for_boarding(order_code=code, departure_id=departure_id))


@router.post(
    "/tickets/{ticket_id}",
    response={200: CheckInOut, 403: ErrorOut},
    url_name="checkin-ticket",
    summary="Check a ticket in by its id (manual entry)",
)
def board_ticket(request: HttpRequest, ticket_id: int, payload: BoardIn):
    if refusal := _forbidden(request, payload.departure_id):
        return refusal
    return _result(
        ticket_check_in_by_id(
            ticket_id=ticket_id, departure_id=payload.departure_id, user=request.user
        )
    )
