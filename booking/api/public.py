"""The public booking API (django-ninja, /api/v1/): catalogue, departures with
availability, seat maps, and holds. Endpoints parse input and call one selector or
service; every refusal is a `BookingError` answered with its code and a message in the
request's language."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from ninja.throttling import AnonRateThrottle

from booking.models import Departure, FunnelStep, Hold, Product
from booking.selectors import (
    PriceTable,
    departure_seat_states,
    departure_slots,
    hold_summary,
    products_with_from_price,
)
from booking.services.errors import BookingError
from booking.services.funnel import funnel_record
from booking.services.holds import (
    OwnerRule,
    SeatRequest,
    hold_create,
    hold_extend,
    hold_get,
    hold_release,
    hold_update,
)
from booking.sessions import remember_hold, session_owner_key
from common.http import client_ip

router = Router(tags=["booking"])

MAX_RANGE_DAYS = 62
# Departures are looked up from a year back to two years ahead; anything else is a typo
# or a probe (and 9999-12-31 plus a month does not exist).
DAYS_BACK, DAYS_AHEAD = 366, 731
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


class ErrorOut(Schema):
    code: str
    message: str


class ProductOut(Schema):
    id: int
    code: str
    kind: str
    name: str
    duration_minutes: int
    from_price: Decimal | None


class TicketTypeOut(Schema):
    id: int
    name: str
    price: Decimal


class SlotOut(Schema):
    id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    local_date: datetime.date
    local_time: str
    venue: str
    seating_mode: str
    remaining: int
    from_price: Decimal | None
    on_sale: bool


class DepartureOut(SlotOut):
    product_id: int
    product_name: str
    ticket_types: list[TicketTypeOut]


class SeatOut(Schema):
    id: int
    section: str
    row: str
    number: str
    x: float
    y: float
    kind: str
    zone: str | None
    status: str
    prices: dict[int, Decimal]


class SeatMapOut(Schema):
    departure_id: int
    ticket_types: list[TicketTypeOut]
    seats: list[SeatOut]


class SeatIn(Schema):
    seat_id: int
    ticket_type_id: int | None = None


class QuantityIn(Schema):
    ticket_type_id: int
    quantity: int = Field(..., ge=0, le=100)


class SelectionIn(Schema):
    seats: list[SeatIn] = Field(default_factory=list, max_length=100)
    quantities: list[QuantityIn] = Field(default_factory=list, max_length=50)


class HoldIn(SelectionIn):
    departure_id: int


class HoldLineOut(Schema):
    ticket_type_id: int
    ticket_type: str
    seat_id: int | None
    seat: str | None
    quantity: int
    unit_price: Decimal


class HoldOut(Schema):
    token: str
    departure_id: int
    expires_at: datetime.datetime
    seconds_left: int
    extended: bool
    lines: list[HoldLineOut]
    total: Decimal


def _slot_out(slot) -> dict:
    departure = slot.departure
    local = departure.local_starts_at
    return {
        "id": departure.pk,
        "starts_at": departure.starts_at,
        "ends_at": departure.ends_at,
        "local_date": local.date(),
        "local_time": local.strftime("%H:%M"),
        "venue": departure.venue.display_name,
        "seating_mode": slot.seating_mode,
        "remaining": slot.remaining,
        "from_price": slot.from_price,
        "on_sale": slot.on_sale,
    }


def _ticket_types_out(prices: PriceTable, departure_id: int) -> list[dict]:
    return [
        {"id": tt.pk, "name": tt.display_name, "price": prices.price(tt.pk, departure_id)}
        for tt in prices.offered(departure_id)
    ]


def owner_key_for(request: HttpRequest, bind_session: bool) -> str:
    """A browser's holds belong to its session; an API client without a session holds
    by the unguessable token alone."""
    if bind_session:
        return session_owner_key(request)
    return request.session.session_key or ""


def _selection(payload: SelectionIn):
    seats = [SeatRequest(s.seat_id, s.ticket_type_id) for s in payload.seats]
    quantities: dict[int, int] = {}
    for item in payload.quantities:
        quantities[item.ticket_type_id] = quantities.get(item.ticket_type_id, 0) + item.quantity
    return seats, quantities


def _own_hold(request: HttpRequest, token: str) -> Hold:
    return hold_get(
        token=token,
        owner_rule=OwnerRule.SESSION_OR_UNBOUND,
        session_key=request.session.session_key,
    )


class HoldRateThrottle(AnonRateThrottle):
    scope = "hold_create"

    def __init__(self):
        super().__init__(settings.BOOKING_HOLD_RATE)

    def allow_request(self, request):
        # The rate is a setting; follow it if it changes (tests, a reloaded config).
        if self.rate != settings.BOOKING_HOLD_RATE:
            self.rate = settings.BOOKING_HOLD_RATE
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


@router.get("/products", response=list[ProductOut])
def list_products(request, kind: str | None = None):
    products = products_with_from_price(Product.objects.filter(is_active=True)).order_by("name")
    if kind in Product.Kind.values:
        products = products.filter(kind=kind)
    elif kind:
        return []
    return [
        {
            "id": p.pk,
            "code": p.code,
            "kind": p.kind,
            "name": p.display_name,
            "duration_minutes": p.duration_minutes,
            "from_price": p.from_price,
        }
        for p in products
    ]


@router.get(
    "/products/{product_id}/departures", response={200: list[SlotOut], 400: ErrorOut, 404: ErrorOut}
)
def list_departures(
    request,
    product_id: int,
    date_from: str | None = Query(None, pattern=DATE_PATTERN, description="YYYY-MM-DD"),
    date_to: str | None = Query(None, pattern=DATE_PATTERN, description="YYYY-MM-DD"),
):
    product = Product.objects.filter(pk=product_id, is_active=True).first()
    if product is None:
        return Status(
            404, {"code": "product_not_found", "message": _("This product does not exist.")}
        )
    try:
        first = _date_in_range(date_from) or timezone.localdate()
        last = _date_in_range(date_to) or first + datetime.timedelta(days=30)
    except BookingError as error:
        return Status(400, {"code": error.code, "message": error.message})
    return _departures_between(product, first, last)


def _date_in_range(value: str | None) -> datetime.date | None:
    """A calendar date (YYYY-MM-DD, nothing else) within the range departures are looked
    up in; None when not given."""
    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise BookingError("date_invalid") from None
    today = timezone.localdate()
    earliest = today - datetime.timedelta(days=DAYS_BACK)
    latest = today + datetime.timedelta(days=DAYS_AHEAD)
    if not earliest <= day <= latest:
        raise BookingError(
            "date_out_of_range", earliest=earliest.isoformat(), latest=latest.isoformat()
        )
    return day


def _departures_between(product: Product, date_from: datetime.date, date_to: datetime.date):
    if date_to < date_from or (date_to - date_from).days > MAX_RANGE_DAYS:
        return Status(
            400,
            {
                "code": "date_range_invalid",
                "message": _("Choose a date range of at most %(days)s days.")
                % {"days": MAX_RANGE_DAYS},
            },
        )
    return [
        _slot_out(slot)
        for slot in departure_slots(product=product, date_from=date_from, date_to=date_to)
    ]


def _departure_or_error(departure_id: int) -> Departure:
    departure = (
        Departure.objects.select_related("product", "vessel", "venue")
        .filter(pk=departure_id)
        .first()
    )
    if departure is None:
        raise BookingError("departure_not_found")
    return departure


@router.get(
    "/departures/{departure_id}", response={200: DepartureOut, 404: ErrorOut, 409: ErrorOut}
)
def get_departure(request, departure_id: int):
    departure = _departure_or_error(departure_id)
    local_date = departure.local_starts_at.date()
    slots = [
        s
        for s in departure_slots(
            product=departure.product, date_from=local_date, date_to=local_date
        )
        if s.departure.pk == departure.pk
    ]
    if not slots:
        raise BookingError("departure_not_on_sale")
    # booking.js asks for the departure when the visitor picks a date and time.
    funnel_record(FunnelStep.DATE_CHOSEN, product_id=departure.product_id)
    prices = PriceTable.for_departures(departure.product_id, [departure.pk])
    return {
        **_slot_out(slots[0]),
        "product_id": departure.product_id,
        "product_name": departure.product.display_name,
        "ticket_types": _ticket_types_out(prices, departure.pk),
    }


@router.get("/departures/{departure_id}/seats", response={200: SeatMapOut, 404: ErrorOut})
def get_seat_map(request, departure_id: int, hold: str | None = None):
    departure = _departure_or_error(departure_id)
    own_hold_id = None
    if hold:
        try:
            own_hold_id = _own_hold(request, hold).pk
        except BookingError:
            own_hold_id = None
    states = departure_seat_states(departure=departure, own_hold_id=own_hold_id)
    prices = PriceTable.for_departures(departure.product_id, [departure.pk])
    return {
        "departure_id": departure.pk,
        "ticket_types": _ticket_types_out(prices, departure.pk),
        "seats": [
            {
                "id": s.seat.pk,
                "section": s.seat.section,
                "row": s.seat.row,
                "number": s.seat.number,
                "x": s.seat.x,
                "y": s.seat.y,
                "kind": s.seat.kind,
                "zone": s.seat.zone.display_name if s.seat.zone else None,
                "status": s.status,
                "prices": s.prices,
            }
            for s in states
        ],
    }


@router.post(
    "/holds",
    response={
        201: HoldOut,
        404: ErrorOut,
        409: ErrorOut,
        410: ErrorOut,
        422: ErrorOut,
        503: ErrorOut,
    },
    throttle=[HoldRateThrottle()],
)
def create_hold(request, payload: HoldIn):
    """Holds seats or quantities. Browsers send `X-Bind-Session: 1` so that the hold
    belongs to their session; API clients keep the returned token."""
    seats, quantities = _selection(payload)
    hold = hold_create(
        departure_id=payload.departure_id,
        owner_key=owner_key_for(request, request.headers.get("X-Bind-Session") == "1"),
        seats=seats,
        quantities=quantities,
        client_address=client_ip(request),
    )
    if hold.owner_key:
        remember_hold(request, hold)
    return Status(201, hold_summary(hold))


@router.get("/holds/{token}", response={200: HoldOut, 404: ErrorOut, 410: ErrorOut})
def read_hold(request, token: str):
    return hold_summary(_own_hold(request, token))


@router.put(
    "/holds/{token}",
    response={
        200: HoldOut,
        404: ErrorOut,
        409: ErrorOut,
        410: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
)
def change_hold(request, token: str, payload: SelectionIn):
    seats, quantities = _selection(payload)
    return hold_summary(
        hold_update(hold=_own_hold(request, token), seats=seats, quantities=quantities)
    )


@router.post(
    "/holds/{token}/extend", response={200: HoldOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut}
)
def extend_hold(request, token: str):
    return hold_summary(hold_extend(hold=_own_hold(request, token)))


@router.delete("/holds/{token}", response={204: None, 404: ErrorOut, 410: ErrorOut})
def release_hold(request, token: str):
    hold_release(hold=_own_hold(request, token))
    return Status(204, None)
