"""Reads of the booking catalogue that pages and the API share. Each runs a fixed number
of queries however many departures, seats or ticket types there are."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone, translation
from django.utils.translation import gettext

from booking.models import (
    Departure,
    Hold,
    HoldLine,
    Product,
    Seat,
    SeatClaim,
    SeatingMode,
    SeatMap,
    Ticket,
    TicketPrice,
    TicketType,
)


def lowest_ticket_price(product_path: str = ""):
    """The "from" price of a product as an aggregate: its lowest active ticket price.
    `product_path` leads from the queried model to the product (e.g. "product__")."""
    return Min(
        f"{product_path}ticket_types__price",
        filter=Q(**{f"{product_path}ticket_types__is_active": True}),
    )


def products_with_from_price(queryset: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """Products annotated with `from_price`."""
    queryset = Product.objects.all() if queryset is None else queryset
    return queryset.annotate(from_price=lowest_ticket_price())


def product_from_price(product: Product) -> Decimal | None:
    annotated = getattr(product, "from_price", None)
    if annotated is not None:
        return annotated
    return (
        product.ticket_types.filter(is_active=True)
        .aggregate(from_price=Min("price"))
        .get("from_price")
    )


class PriceTable:
    """Prices of a product's ticket types on departures, with zone and departure
    overrides: the most specific price wins."""

    def __init__(self, ticket_types: list[TicketType], overrides: list[TicketPrice]):
        self.ticket_types = ticket_types
        self._base = {tt.pk: tt.price for tt in ticket_types}
        self._overrides = {
            (o.ticket_type_id, o.zone_id, o.departure_id): o.price for o in overrides
        }
        self._departure_scoped = {
            (o.ticket_type_id, o.departure_id) for o in overrides if o.departure_id
        }

    @classmethod
    def for_products(
        cls, product_ids: list[int], departure_ids: list[int]
    ) -> dict[int, "PriceTable"]:
        """One table per product, in two queries."""
        ticket_types = list(
            TicketType.objects.filter(product_id__in=product_ids, is_active=True).order_by(
                "sort_order", "pk"
            )
        )
        overrides = list(
            TicketPrice.objects.filter(ticket_type__in=ticket_types).filter(
                Q(departure__isnull=True) | Q(departure_id__in=departure_ids)
            )
        )
        product_by_type = {tt.pk: tt.product_id for tt in ticket_types}
        return {
            pk: cls(
                [tt for tt in ticket_types if tt.product_id == pk],
                [o for o in overrides if product_by_type[o.ticket_type_id] == pk],
            )
            for pk in product_ids
        }

    @classmethod
    def for_departures(cls, product_id: int, departure_ids: list[int]) -> "PriceTable":
        return cls.for_products([product_id], departure_ids)[product_id]

    def offered(self, departure_id: int) -> list[TicketType]:
        """The ticket types on sale for this departure (see `TicketType.departures_only`)."""
        return [
            tt
            for tt in self.ticket_types
            if not tt.departures_only or (tt.pk, departure_id) in self._departure_scoped
        ]

    def price(self, ticket_type_id: int, departure_id: int, zone_id: int | None = None) -> Decimal:
        for key in (
            (ticket_type_id, zone_id, departure_id),
            (ticket_type_id, None, departure_id),
            (ticket_type_id, zone_id, None),
        ):
            if key in self._overrides:
                return self._overrides[key]
        return self._base[ticket_type_id]

    def from_price(self, departure_id: int, zone_ids: list[int | None] = (None,)) -> Decimal | None:
        prices = [
            self.price(tt.pk, departure_id, zone_id)
            for tt in self.offered(departure_id)
            for zone_id in zone_ids
        ]
        return min(prices, default=None)


def _default_seat_map_id():
    return Subquery(
        SeatMap.objects.filter(vessel_id=OuterRef("vessel_id"), is_default=True).values("pk")[:1]
    )


# --- places taken: the one rule --------------------------------------------------------
# A place is taken by a line of an unexpired hold (an order awaiting payment keeps its
# hold alive) or by a valid ticket; a seat by a claim that is sold (no expiry) or not yet
# expired. The availability shown to customers (below) and the hold service
# (`booking.services.holds`), which decides under the departure's lock, both count with
# these querysets, so they can never disagree.


def places_held(now) -> QuerySet[HoldLine]:
    """Hold lines that take places: those of unexpired holds."""
    return HoldLine.objects.filter(hold__expires_at__gt=now)


def places_sold() -> QuerySet[Ticket]:
    """Tickets that take a place: the valid ones."""
    return Ticket.objects.filter(status=Ticket.Status.VALID)


def seats_claimed(now) -> QuerySet[SeatClaim]:
    """Seat claims that take their seat: sold ones, unexpired holds' and the staff's
    blocks (no expiry, like sold ones)."""
    return SeatClaim.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def departures_with_availability(queryset: QuerySet[Departure], now=None) -> QuerySet[Departure]:
    """Departures annotated with what is taken: `held_places` (general admission, unexpired
    holds and sold tickets), `claimed_seats` (unexpired or sold seat claims) and `seat_count` (sellable
    seats of the effective seat map)."""
    now = now or timezone.now()
    held = (
        places_held(now)
        .filter(hold__departure_id=OuterRef("pk"))
        .order_by()
        .values("hold__departure_id")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    sold = (
        places_sold()
        .filter(departure_id=OuterRef("pk"))
        .order_by()
        .values("departure_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    claimed = (
        seats_claimed(now)
        .filter(departure_id=OuterRef("pk"))
        .order_by()
        .values("departure_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    seats = (
        Seat.objects.filter(seat_map_id=OuterRef("effective_map_id"))
        .exclude(kind=Seat.Kind.BLOCKED)
        .order_by()
        .values("seat_map_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return (
        queryset.select_related("product", "vessel", "venue")
        .annotate(effective_map_id=Coalesce(F("seat_map_id"), _default_seat_map_id()))
        .annotate(
            held_places=Coalesce(Subquery(held, output_field=IntegerField()), 0)
            + Coalesce(Subquery(sold, output_field=IntegerField()), 0),
            claimed_seats=Coalesce(Subquery(claimed, output_field=IntegerField()), 0),
            seat_count=Coalesce(Subquery(seats, output_field=IntegerField()), 0),
        )
    )


def remaining_places(departure: Departure) -> int:
    """Needs a departure from `departures_with_availability`."""
    if departure.effective_seating_mode == SeatingMode.ASSIGNED:
        return max(departure.seat_count - departure.claimed_seats, 0)
    # Places the staff blocked (booking.services.blocking) are not for sale.
    return max(departure.effective_capacity - departure.held_places - departure.blocked_places, 0)


@dataclass
class DepartureSlot:
    departure: Departure
    remaining: int
    from_price: Decimal | None
    seating_mode: str
    on_sale: bool


@dataclass
class ProductSchedule:
    """What one product offers in a period: its bookable ticket types and its slots."""

    ticket_types: list[TicketType]
    slots: list[DepartureSlot]


def product_schedules(
    *,
    product_ids: list[int],
    date_from: datetime.date,
    date_to: datetime.date,
    limit_per_product: int | None = None,
    now=None,
) -> dict[int, ProductSchedule]:
    """Scheduled future departures of several products between two dates (inclusive, in
    the server's time zone), at most `limit_per_product` each, with places left and the
    "from" price of each. A fixed number of queries for any number of products."""
    now = now or timezone.now()
    departures = Departure.objects.on_timetable().filter(
        product_id__in=product_ids,
        starts_at__gt=now,
        starts_at__date__gte=date_from,
        starts_at__date__lte=date_to,
    )
    if limit_per_product is not None:
        # Choose the rows by id first (a sub-query of the same statement), so that the
        # availability sub-queries run for the shown departures only.
        shown_ids = (
            departures.annotate(
                slot_number=Window(
                    RowNumber(), partition_by=[F("product_id")], order_by=F("starts_at").asc()
                )
            )
            .filter(slot_number__lte=limit_per_product)
            .values("pk")
        )
        departures = Departure.objects.filter(pk__in=shown_ids)
    departures = list(
        departures_with_availability(departures.order_by("product_id", "starts_at"), now=now)
    )
    prices = PriceTable.for_products(product_ids, [d.pk for d in departures])
    # Zones matter for the prices of assigned seating only.
    zone_ids = zone_ids_by_seat_map(
        {
            d.effective_map_id
            for d in departures
            if d.effective_map_id and d.effective_seating_mode == SeatingMode.ASSIGNED
        }
    )
    schedules = {pk: ProductSchedule(prices[pk].ticket_types, []) for pk in product_ids}
    for departure in departures:
        assigned = departure.effective_seating_mode == SeatingMode.ASSIGNED
        zones = zone_ids.get(departure.effective_map_id, [None]) if assigned else [None]
        schedules[departure.product_id].slots.append(
            DepartureSlot(
                departure=departure,
                remaining=remaining_places(departure),
                from_price=prices[departure.product_id].from_price(departure.pk, zones),
                seating_mode=departure.effective_seating_mode,
                on_sale=departure_is_on_sale(departure, now),
            )
        )
    return schedules


def departure_slots(
    *, product: Product, date_from: datetime.date, date_to: datetime.date, now=None
) -> list[DepartureSlot]:
    """`product_schedules` for one product."""
    return product_schedules(
        product_ids=[product.pk], date_from=date_from, date_to=date_to, now=now
    )[product.pk].slots


def departure_is_on_sale(departure: Departure, now) -> bool:
    return (
        departure.status == Departure.Status.SCHEDULED
        and departure.starts_at > now
        and (departure.on_sale_from is None or departure.on_sale_from <= now)
        and now < departure.sale_closes_at
        and departure.product.is_active
    )


def zone_ids_by_seat_map(map_ids: set[int]) -> dict[int, list[int | None]]:
    result: dict[int, set] = {map_id: set() for map_id in map_ids}
    for map_id, zone_id in (
        Seat.objects.filter(seat_map_id__in=map_ids)
        .exclude(kind=Seat.Kind.BLOCKED)
        .values_list("seat_map_id", "zone_id")
        .distinct()
    ):
        result[map_id].add(zone_id)
    return {
        map_id: sorted(zones, key=lambda z: z or 0) or [None] for map_id, zones in result.items()
    }


@dataclass
class SeatState:
    seat: Seat
    status: str  # free | held | sold | blocked | mine
    prices: dict[int, Decimal] = field(default_factory=dict)


def departure_seat_states(
    *, departure: Departure, own_hold_id: int | None = None, now=None
) -> list[SeatState]:
    """Every seat of the departure's seat map with its status and its price per ticket
    type, in a fixed number of queries however many seats there are."""
    now = now or timezone.now()
    map_id = departure.effective_seat_map_id
    if map_id is None:
        return []
    seats = list(Seat.objects.filter(seat_map_id=map_id).select_related("zone"))
    claims = {
        seat_id: (hold_id, expires_at, blocked_at)
        for seat_id, hold_id, expires_at, blocked_at in seats_claimed(now)
        .filter(departure=departure)
        .values_list("seat_id", "hold_id", "expires_at", "blocked_at")
    }
    prices = PriceTable.for_departures(departure.product_id, [departure.pk])
    states = []
    for seat in seats:
        if seat.kind == Seat.Kind.BLOCKED:
            status = "blocked"
        elif seat.pk in claims:
            hold_id, expires_at, blocked_at = claims[seat.pk]
            if blocked_at is not None:
                status = "blocked"  # taken off sale by the staff (booking.services.blocking)
            elif expires_at is None:
                status = "sold"
            elif own_hold_id is not None and hold_id == own_hold_id:
                status = "mine"
            else:
                status = "held"
        else:
            status = "free"
        states.append(
            SeatState(
                seat=seat,
                status=status,
                prices={
                    tt.pk: prices.price(tt.pk, departure.pk, seat.zone_id)
                    for tt in prices.offered(departure.pk)
                },
            )
        )
    return states


def hold_summary(hold: Hold) -> dict:
    """A hold's lines with their prices and the total, as the API and the hold page show it.
    Three queries; none for a hold fresh from `hold_create`, which keeps the lines it wrote
    (`written_lines`) and the price table it checked them against (`price_table`)."""
    lines = getattr(hold, "written_lines", None)
    if lines is None:
        lines = list(hold.lines.select_related("ticket_type", "seat").order_by("pk"))
    prices = getattr(hold, "price_table", None) or PriceTable.for_departures(
        hold.departure.product_id, [hold.departure_id]
    )
    out_lines, total = [], Decimal("0")
    for line in lines:
        unit = prices.price(
            line.ticket_type_id, hold.departure_id, line.seat.zone_id if line.seat else None
        )
        total += unit * line.quantity
        out_lines.append(
            {
                "ticket_type_id": line.ticket_type_id,
                "ticket_type": line.ticket_type.display_name,
                "seat_id": line.seat_id,
                "seat": line.seat.short_label if line.seat else None,
                "quantity": line.quantity,
                "unit_price": unit,
            }
        )
    return {
        "token": hold.token,
        "departure_id": hold.departure_id,
        "expires_at": hold.expires_at,
        "seconds_left": max(int((hold.expires_at - timezone.now()).total_seconds()), 0),
        "extended": hold.extended,
        "lines": out_lines,
        "total": total,
    }


def breakdown_display(breakdown, *, departure: Departure, language: str) -> dict:
    """A price breakdown (`booking.services.pricing.Breakdown`) as the checkout page, the
    order page, the e-mail and the PDF show it, in `language`: a line per ticket (type,
    seat, price, discount, fee, paid), the fee lines, the discount, the total and the VAT
    line. Two queries whatever the number of tickets."""
    from booking.i18n import localized_value
    from booking.models import VAT_RATES, VatCode

    type_ids = {t.ticket_type_id for t in breakdown.tickets}
    seat_ids = {t.seat_id for t in breakdown.tickets if t.seat_id}
    types = {tt.pk: tt for tt in TicketType.objects.filter(pk__in=type_ids)}
    seats = {s.pk: s for s in Seat.objects.filter(pk__in=seat_ids)} if seat_ids else {}
    with translation.override(language):
        lines = [
            {
                "ticket_type": localized_value(types[t.ticket_type_id], "name", language)
                if t.ticket_type_id in types
                else "",
                "seat": seats[t.seat_id].short_label if t.seat_id in seats else "",
                "price": t.price,
                "discount": t.discount,
                "fee": t.fee,
                "paid": t.paid,
            }
            for t in breakdown.tickets
        ]
        rate = VAT_RATES.get(breakdown.vat_code)
        if rate is None:
            vat_label = gettext("VAT not applicable")
        else:
            vat_label = gettext("Including VAT %(rate)s%%") % {"rate": rate}
        fees = [
            {"name": f.names.get(language) or f.names.get("ru", ""), "amount": f.amount}
            for f in breakdown.fees
        ]
    return {
        "lines": lines,
        "fees": fees,
        "subtotal": breakdown.subtotal,
        "promo_code": breakdown.promo_code,
        "discount_total": breakdown.discount_total,
        "fees_total": breakdown.fees_total,
        "total": breakdown.total,
        "vat_code": breakdown.vat_code,
        "vat_code_label": str(VatCode(breakdown.vat_code).label),
        "vat_label": vat_label,
        "vat_amount": breakdown.vat_amount,
    }


def purchase_for_analytics(order, *, product) -> dict:
    """A paid order as Yandex Metrica's e-commerce "purchase" object (the order page hands
    it to static/js/analytics.js, which reports it only with the visitor's consent): the
    order's code, its total, and a line per ticket type and price paid, named in Russian
    so that the reports group the sales whatever the buyer's language. Nothing about the
    buyer: no name, e-mail, phone or account. One query (the ticket types)."""
    from booking.services.pricing import Breakdown

    breakdown = Breakdown.from_json(order.breakdown)
    names = dict(
        TicketType.objects.filter(pk__in={t.ticket_type_id for t in breakdown.tickets}).values_list(
            "pk", "name"
        )
    )
    lines: dict[tuple, dict] = {}
    for ticket in breakdown.tickets:
        key = (ticket.ticket_type_id, ticket.paid)
        if key not in lines:
            lines[key] = {
                "id": str(product.pk),
                "name": product.name,
                "variant": names.get(ticket.ticket_type_id, ""),
                "price": float(ticket.paid),
                "quantity": 0,
            }
        lines[key]["quantity"] += 1
    return {
        "actionField": {"id": order.code, "revenue": float(breakdown.total)},
        "products": list(lines.values()),
    }
