"""The boarding check-in API under /api/v1/checkin/, used by the scanner page's script.

Staff only: the Django session (with its CSRF token on POST) authenticates; no session
is 401, a user without `booking.check_in_ticket` is 403, both as `{"code", "message"}`.
Every business outcome — admitted or refused — is a 200 whose `ok` and `code` say which,
so a scanner never confuses "this ticket is refused" with "the request failed"."""

import datetime

from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
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
from booking.services.checkin_offline import (
    MAX_CLIENT_ID,
    MAX_SYNC_ITEMS,
    QueuedCheckIn,
    offline_bundle,
    offline_check_ins_sync,
)
from crm.audit import manifest_viewed
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


class OfflineRowOut(Schema):
    id: int
    digest: str
    order_code: str
    name: str
    ticket_type: str
    seat: str
    state: str
    boarded_time: str


class OfflineDepartureOut(Schema):
    id: int
    product: str
    venue: str
    vessel: str
    starts_at: datetime.datetime
    local_date: str
    local_time: str
    time_zone: str
    boarding_opens_at: datetime.datetime
    boarding_closes_at: datetime.datetime
    cancelled: bool


class OfflineBundleOut(Schema):
    departure: OfflineDepartureOut
    public_keys: list[str]
    rows: list[OfflineRowOut]
    revoked: list[str]
    generated_at: datetime.datetime
    generated_time: str


# A queued token longer than any token is refused as a malformed batch: the page queues
# only tokens it has verified.
MAX_SYNC_TOKEN = 500


class SyncItemIn(Schema):
    token: str = Field(max_length=MAX_SYNC_TOKEN)
    scanned_at: datetime.datetime
    client_id: str = Field(min_length=1, max_length=MAX_CLIENT_ID)


class SyncIn(Schema):
    items: list[SyncItemIn] = Field(min_length=1, max_length=MAX_SYNC_ITEMS)


class SyncItemOut(Schema):
    client_id: str
    ok: bool
    code: str
    message: str
    repeat: bool
    ticket: TicketOut | None


class SyncOut(Schema):
    results: list[SyncItemOut]
    counts: CountsOut | None


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


@router.get(
    "/departures/{departure_id}/offline",
    response={200: OfflineBundleOut, 403: ErrorOut, 404: ErrorOut},
    url_name="checkin-offline",
    summary="What the crew's phone keeps to board the departure without a connection",
)
def offline(request: HttpRequest, departure_id: int):
    if refusal := _forbidden(request, departure_id):
        return refusal
    departure = boarding_departure(departure_id)
    if departure is None:
        return Status(
            404, {"code": "departure_not_found", "message": _("This departure does not exist.")}
        )
    bundle = offline_bundle(departure=departure)
    # Names of passengers go to a phone: audited as a read of the manifest.
    manifest_viewed(departure=departure, user=request.user, format="offline", rows=len(bundle.rows))
    local = bundle.local_starts_at
    return {
        "departure": {
            "id": departure.pk,
            "product": departure.product.display_name,
            "venue": departure.venue.display_name,
            "vessel": departure.vessel.display_name if departure.vessel_id else "",
            "starts_at": departure.starts_at,
            "local_date": date_format(local.date(), "SHORT_DATE_FORMAT"),
            "local_time": local.strftime("%H:%M"),
            "time_zone": bundle.time_zone,
            "boarding_opens_at": bundle.boarding_opens_at,
            "boarding_closes_at": bundle.boarding_closes_at,
            "cancelled": bundle.cancelled,
        },
        "public_keys": bundle.public_keys,
        "rows": [
            {
                "id": row.ticket_id,
                "digest": row.digest,
                "order_code": row.order_code,
                "name": row.name,
                "ticket_type": row.ticket_type,
                "seat": row.seat,
                "state": row.state,
                "boarded_time": row.boarded_time,
            }
            for row in bundle.rows
        ],
        "revoked": bundle.revoked,
        "generated_at": bundle.generated_at,
        "generated_time": bundle.generated_time,
    }


@router.post(
    "/departures/{departure_id}/sync",
    response={200: SyncOut, 403: ErrorOut},
    url_name="checkin-sync",
    summary="Check in the tickets a phone admitted offline (each at the time it was scanned)",
)
def sync(request: HttpRequest, departure_id: int, payload: SyncIn):
    if refusal := _forbidden(request, departure_id):
        return refusal
    outcomes = offline_check_ins_sync(
        departure_id=departure_id,
        items=[
            QueuedCheckIn(client_id=i.client_id, token=i.token, scanned_at=i.scanned_at)
            for i in payload.items
        ],
        user=request.user,
    )
    counts = next(
        (o.result.counts for o in reversed(outcomes) if o.result.counts is not None), None
    )
    return {
        "results": [
            {
                "client_id": o.client_id,
                "ok": o.result.ok,
                "code": o.result.code,
                "message": o.result.message,
                "repeat": o.repeat,
                "ticket": _ticket(o.result.ticket),
            }
            for o in outcomes
        ],
        "counts": {"valid": counts.valid, "boarded": counts.boarded} if counts else None,
    }
