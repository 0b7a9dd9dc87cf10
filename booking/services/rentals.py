"""Rentals by the hour: what a vessel's day looks like to a customer, what a rental costs,
and the hold that books it.

A rental is booked by materialising it as a `Departure` of the plan's product with one
place (the whole boat) and the rental's price as the departure's own price, then holding
that place with the ordinary hold service: from there the order, payment, receipt, ticket
and refund machinery is the one every departure uses. The vessel's occupancy row of the
rental (its time plus the turnaround buffer) is written in the same transaction, so the
exclusion constraint of `VesselOccupancy` decides between two customers, or a customer
and a schedule, whatever races.

A rental that nobody pays for lapses like any hold: availability ignores it as soon as its
hold has run out (`_lapsed`), the next booking of an overlapping time releases it in its
own transaction, and the sweeper (`rentals_release_lapsed`) releases the rest. Released
means deleted when no order ever named it, else cancelled (the expired order keeps its
history); either way its occupancy row goes and the vessel is free."""

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from booking.models import (
    Departure,
    Hold,
    Order,
    RentalBooking,
    RentalOption,
    RentalPlan,
    TicketPrice,
    TicketType,
    VesselOccupancy,
)
from booking.services.errors import BookingError, violated_constraint
from booking.services.holds import hold_create
from booking.services.pricing import kopecks
from common.money import format_rub

UNIQUE_SLOT = "booking_departure_unique_slot"
HOUR = Decimal(60)


@dataclass(frozen=True)
class BusyStretch:
    """A stretch of the vessel's time a customer cannot have (no personal data)."""

    starts_at: datetime.datetime
    ends_at: datetime.datetime
    kind: str  # VesselOccupancy.Kind: "departure" | "rental" (its buffer included)


@dataclass(frozen=True)
class RentalStart:
    """A time a rental may start, and the longest rental that fits from it."""

    starts_at: datetime.datetime
    max_minutes: int


@dataclass(frozen=True)
class RentalDay:
    plan: RentalPlan
    day: datetime.date
    windows: list[tuple[datetime.datetime, datetime.datetime]]
    busy: list[BusyStretch]
    starts: list[RentalStart]
    durations: list[int]


@dataclass(frozen=True)
class QuoteLine:
    label: str
    amount: Decimal


@dataclass(frozen=True)
class RentalQuote:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    minutes: int
    guests: int
    with_skipper: bool
    options: list[RentalOption]
    lines: list[QuoteLine]
    total: Decimal


def rental_plan_for_product(product_id: int) -> RentalPlan | None:
    return (
        RentalPlan.objects.select_related("product", "vessel", "venue")
        .filter(product_id=product_id)
        .first()
    )


def _zone(plan: RentalPlan) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(plan.venue.timezone)


def _at(day: datetime.date, at: datetime.time, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, at).replace(tzinfo=zone)


def _windows(plan: RentalPlan, day: datetime.date) -> list[tuple]:
    """The bookable hours opening on `day` (pier's clock): that weekday's seasonal rows
    if any cover the day, else its rows without a season. A row whose closing time is not
    after its opening runs past midnight."""
    rows = [h for h in plan.hours.all() if h.weekday == day.weekday() and h.covers(day)]
    seasonal = [h for h in rows if h.is_seasonal]
    zone = _zone(plan)
    windows = []
    for row in sorted(seasonal or rows, key=lambda h: h.opens):
        opens = _at(day, row.opens, zone)
        close_day = day if row.closes > row.opens else day + datetime.timedelta(days=1)
        windows.append((opens, _at(close_day, row.closes, zone)))
    return windows


def _rate(plan: RentalPlan, day: datetime.date):
    """The hourly rate of a day: a seasonal rate covering it beats one without a season;
    among equals the lowest (an operator who overlaps two rates means the cheaper)."""
    rates = [r for r in plan.rates.all() if r.applies_on(day)]
    seasonal = [r for r in rates if r.is_seasonal]
    return min(seasonal or rates, key=lambda r: r.price_per_hour, default=None)


def _lapsed(now) -> Q:
    """Rental departures whose hold has run out and whose order (if any) is not paid (or
    was refunded in full): the vessel's time they occupy is free for anyone."""
    live_hold = Hold.objects.filter(departure=OuterRef("pk"), expires_at__gt=now)
    paid = Order.objects.filter(departure=OuterRef("pk"), status__in=Order.CONFIRMED_STATUSES)
    return (
        Q(rental_booking__isnull=False, status=Departure.Status.SCHEDULED)
        & ~Exists(live_hold)
        & ~Exists(paid)
    )


def _busy(plan: RentalPlan, starts_at, ends_at, now) -> list[BusyStretch]:
    rows = (
        VesselOccupancy.objects.filter(
            vessel_id=plan.vessel_id, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .exclude(departure__in=Departure.objects.filter(_lapsed(now)))
        .order_by("starts_at")
        .values_list("starts_at", "ends_at", "kind")
    )
    return [BusyStretch(*row) for row in rows]


def _durations(plan: RentalPlan) -> list[int]:
    return list(range(plan.min_minutes, plan.max_minutes + 1, plan.step_minutes))


def _bookable_from(plan: RentalPlan, now) -> datetime.datetime:
    return now + datetime.timedelta(minutes=plan.notice_minutes)


def _last_bookable_day(plan: RentalPlan, now) -> datetime.date:
    return now.astimezone(_zone(plan)).date() + datetime.timedelta(days=plan.horizon_days)


def _longest_from(plan, start, window_end, busy: list[BusyStretch]) -> int:
    """The longest rental (a multiple of the step, at most the plan's) from `start` that
    ends within the window and whose time plus buffer overlaps nothing busy; 0 if none."""
    limit = min(start + datetime.timedelta(minutes=plan.max_minutes), window_end)
    for stretch in busy:
        if stretch.ends_at <= start:
            continue
        if stretch.starts_at <= start:
            return 0  # busy at the start itself
        limit = min(limit, stretch.starts_at - plan.turnaround)
    minutes = int((limit - start).total_seconds() // 60)
    minutes -= minutes % plan.step_minutes
    return minutes if minutes >= plan.min_minutes else 0


def rental_day(*, plan: RentalPlan, day: datetime.date, now=None) -> RentalDay:
    """The customer's view of one day of a plan: its bookable hours, the vessel's busy
    time in them and every start (on the step from the opening) still free for the
    shortest rental, after the booking notice and within the bookable days."""
    now = now or timezone.now()
    windows = _windows(plan, day)
    if not windows:
        return RentalDay(plan, day, [], [], [], _durations(plan))
    buffer = plan.turnaround
    busy = _busy(plan, windows[0][0] - buffer, max(end for _, end in windows) + buffer, now)
    step = datetime.timedelta(minutes=plan.step_minutes)
    earliest = _bookable_from(plan, now)
    starts = []
    if day <= _last_bookable_day(plan, now) and plan.product.is_active:
        for opens, closes in windows:
            start = opens
            while start + datetime.timedelta(minutes=plan.min_minutes) <= closes:
                if start >= earliest and _rate(plan, start.astimezone(_zone(plan)).date()):
                    longest = _longest_from(plan, start, closes, busy)
                    if longest:
                        starts.append(RentalStart(start, longest))
                start += step
    return RentalDay(plan, day, windows, busy, starts, _durations(plan))


def _window_of(plan: RentalPlan, starts_at) -> tuple | None:
    """The window a start belongs to: one opening that day or, past midnight, the day
    before."""
    local_day = starts_at.astimezone(_zone(plan)).date()
    for day in (local_day - datetime.timedelta(days=1), local_day):
        for opens, closes in _windows(plan, day):
            if opens <= starts_at < closes:
                return opens, closes
    return None


def _hours_label(minutes: int) -> str:
    """ "3 h", "1.5 h" in the active language."""
    hours = number_format(Decimal(minutes) / HOUR, decimal_pos=None, use_l10n=True)
    return _("%(hours)s h") % {"hours": hours}


def rental_quote(
    *,
    plan: RentalPlan,
    starts_at: datetime.datetime,
    minutes: int,
    guests: int,
    with_skipper: bool,
    option_ids: list[int],
    now=None,
) -> RentalQuote:
    """What a rental costs, line by line, or the `BookingError` that says why it cannot be
    booked as asked (a busy vessel is the hold's business: a quote does not lock).

    Each step of the rental is priced by the hourly rate of the (pier's) day it starts on,
    so an evening that runs past midnight into a weekend pays the weekend rate after
    midnight."""
    now = now or timezone.now()
    if not plan.product.is_active:
        raise BookingError("departure_not_on_sale")
    if not isinstance(starts_at, datetime.datetime) or timezone.is_naive(starts_at):
        raise BookingError("rental_start_invalid")
    window = _window_of(plan, starts_at)
    step = plan.step_minutes
    if window is None or int((starts_at - window[0]).total_seconds()) % (step * 60):
        raise BookingError("rental_start_invalid")
    if starts_at < _bookable_from(plan, now):
        raise BookingError("rental_too_soon", hours=_hours_label(plan.notice_minutes))
    if starts_at.astimezone(_zone(plan)).date() > _last_bookable_day(plan, now):
        raise BookingError("rental_too_far", days=plan.horizon_days)
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not plan.min_minutes <= minutes <= plan.max_minutes
        or minutes % step
    ):
        raise BookingError(
            "rental_duration_invalid",
            shortest=_hours_label(plan.min_minutes),
            longest=_hours_label(plan.max_minutes),
        )
    ends_at = starts_at + datetime.timedelta(minutes=minutes)
    if ends_at > window[1]:
        raise BookingError(
            "rental_ends_after_hours", end=f"{window[1].astimezone(_zone(plan)):%H:%M}"
        )
    if (
        isinstance(guests, bool)
        or not isinstance(guests, int)
        or not 1 <= guests <= plan.max_guests
    ):
        raise BookingError("rental_guests_invalid", limit=plan.max_guests)
    offered = {o.pk: o for o in plan.options.all() if o.is_active}
    if len(set(option_ids)) != len(option_ids) or any(i not in offered for i in option_ids):
        raise BookingError("rental_option_invalid")
    options = [offered[i] for i in sorted(option_ids)]
    with_skipper = plan.skipper == RentalPlan.Skipper.INCLUDED or bool(with_skipper)

    # The steps priced by their day's rate, consecutive steps at one rate on one line.
    zone = _zone(plan)
    runs: list[list] = []  # [rate, minutes]
    moment = starts_at
    while moment < ends_at:
        rate = _rate(plan, moment.astimezone(zone).date())
        if rate is None:
            raise BookingError("rental_start_invalid")
        if runs and runs[-1][0].pk == rate.pk:
            runs[-1][1] += step
        else:
            runs.append([rate, step])
        moment += datetime.timedelta(minutes=step)
    lines = [
        QuoteLine(
            _("%(hours)s × %(rate)s")
            % {"hours": _hours_label(m), "rate": format_rub(r.price_per_hour)},
            kopecks(r.price_per_hour * Decimal(m) / HOUR),
        )
        for r, m in runs
    ]
    hours = Decimal(minutes) / HOUR
    if plan.fixed_price:
        lines.append(QuoteLine(_("Boarding and cleaning"), kopecks(plan.fixed_price)))
    if with_skipper and plan.skipper == RentalPlan.Skipper.ADDON:
        lines.append(QuoteLine(_("Skipper"), kopecks(plan.skipper_price_per_hour * hours)))
    for option in options:
        price = option.price * hours if option.per_hour else option.price
        lines.append(QuoteLine(option.display_name, kopecks(price)))
    return RentalQuote(
        starts_at=starts_at,
        ends_at=ends_at,
        minutes=minutes,
        guests=guests,
        with_skipper=with_skipper,
        options=options,
        lines=lines,
        total=sum((line.amount for line in lines), Decimal("0")),
    )


def rental_ticket_type(plan: RentalPlan) -> TicketType:
    """The one ticket type a plan's rentals are sold as: sold only on departures with
    their own price (each rental's), its own price the plan's "from" price that listings
    show (the cheapest rate for the shortest rental, fixed part included). Made or brought
    up to date here; call it after editing a plan."""
    rates = [r.price_per_hour for r in plan.rates.all()]
    from_price = kopecks(
        min(rates, default=Decimal("0")) * Decimal(plan.min_minutes) / HOUR + plan.fixed_price
    )
    ticket_type = (
        TicketType.objects.filter(product_id=plan.product_id).order_by("sort_order", "pk").first()
    )
    if ticket_type is None:
        return TicketType.objects.create(
            product_id=plan.product_id,
            name="Аренда",
            name_en="Rental",
            name_zh="包船",
            price=from_price,
            departures_only=True,
        )
    if ticket_type.price != from_price or not ticket_type.departures_only:
        ticket_type.price = from_price
        ticket_type.departures_only = True
        ticket_type.save(update_fields=["price", "departures_only"])
    return ticket_type


def _release(departure_ids, now) -> int:
    """Releases lapsed rentals among `departure_ids` (locked, checked again under the
    lock): deleted when no order names them, else cancelled."""
    released = 0
    for departure in (
        Departure.objects.select_for_update()
        .filter(pk__in=list(departure_ids))
        .filter(_lapsed(now))
        .order_by("pk")
    ):
        # Asked again now that the row is locked: a payment confirmed meanwhile (it locks
        # the departure too) keeps the rental.
        if Departure.objects.filter(pk=departure.pk).filter(_lapsed(now)).count() == 0:
            continue
        if departure.orders.exists():
            departure.status = Departure.Status.CANCELLED
            departure.save(update_fields=["status"])
        else:
            departure.delete()
        released += 1
    return released


def rental_hold(
    *,
    plan: RentalPlan,
    starts_at: datetime.datetime,
    minutes: int,
    guests: int,
    with_skipper: bool,
    option_ids: list[int],
    owner_key: str,
    client_address: str | None = None,
    now=None,
) -> Hold:
    """Books a rental for the customer for the hold's time, in one transaction: releases
    lapsed rentals in the way, creates the departure that carries the rental (its vessel
    occupancy with the buffer refused by the database when the vessel is busy:
    "vessel_busy"), its price and its `RentalBooking`, and holds its one place."""
    quote = rental_quote(
        plan=plan,
        starts_at=starts_at,
        minutes=minutes,
        guests=guests,
        with_skipper=with_skipper,
        option_ids=option_ids,
        now=now,
    )
    busy_until = quote.ends_at + plan.turnaround
    try:
        with transaction.atomic():
            ticket_type = rental_ticket_type(plan)
            in_the_way = VesselOccupancy.objects.filter(
                vessel_id=plan.vessel_id, starts_at__lt=busy_until, ends_at__gt=starts_at
            ).values_list("departure_id", flat=True)
            _release(in_the_way, timezone.now())
            departure = Departure(
                product=plan.product,
                vessel=plan.vessel,
                venue=plan.venue,
                starts_at=quote.starts_at,
                ends_at=quote.ends_at,
                capacity=1,
            )
            with transaction.atomic():
                departure.save()
            TicketPrice.objects.create(
                ticket_type=ticket_type, departure=departure, price=quote.total
            )
            RentalBooking.objects.create(
                departure=departure,
                plan=plan,
                guests=quote.guests,
                minutes=quote.minutes,
                with_skipper=quote.with_skipper,
                options=[
                    {
                        "id": o.pk,
                        "name": o.name,
                        "name_en": o.name_en,
                        "name_zh": o.name_zh,
                        "price": str(o.price),
                        "per_hour": o.per_hour,
                    }
                    for o in quote.options
                ],
                price_breakdown={
                    "lines": [
                        {"label": line.label, "amount": str(line.amount)} for line in quote.lines
                    ],
                    "total": str(quote.total),
                },
            )
            return hold_create(
                departure_id=departure.pk,
                owner_key=owner_key,
                quantities={ticket_type.pk: 1},
                client_address=client_address,
            )
    except IntegrityError as error:
        # Two customers asking for the same start at once: the later one meets the
        # departure's unique slot before the occupancy constraint.
        if violated_constraint(error) != UNIQUE_SLOT:
            raise
        raise VesselOccupancy.busy_error(plan.vessel_id, starts_at, busy_until) from error


def rentals_release_lapsed(*, now=None) -> int:
    """The sweeper: releases every lapsed rental, a hundred per transaction."""
    now = now or timezone.now()
    released = 0
    while True:
        with transaction.atomic():
            batch = list(
                Departure.objects.filter(_lapsed(now))
                .order_by("pk")
                .values_list("pk", flat=True)[:100]
            )
            if not batch:
                return released
            count = _release(batch, now)
        released += count
        if count < len(batch):
            return released
