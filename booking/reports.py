"""The operator's reports (issue 15): sales, refunds and cancellations, promotions and
occupancy. Each is a function of explicit arguments (a period of the pier's local dates,
a grouping, filters) answering with `ReportTable`s that the admin screens, their CSV/XLSX
downloads and the CRM API show alike (crm.views.reports, crm.api.reports).

Every report runs a fixed number of aggregate queries whatever the period: the database
groups and sums; Python only folds the grouped rows (and splits a refund of several tickets
between them, see `_split`). Money is `Decimal` RUB to the kopeck.

Dates are the pier's local dates (`Venue.timezone`): a sale is dated by its order's
payment, a refund by its creation, a departure by its start, each on the clock of the pier
it belongs to (PostgreSQL's `AT TIME ZONE`).

Definitions:
- A sale is a ticket of a paid order (`paid_at` set) that was issued (valid or refunded
  since); late and duplicate payments refunded whole never issued tickets and are no sale.
- Refunds in the sales and promotions reports are the succeeded refunds of the tickets
  sold in the period, whenever they happened (the period's sales, net of what went back);
  a refund of several tickets is split between them in proportion to what each paid. The
  refunds report dates refunds by when they were made instead.
- The channel: orders record none; today every order is made by the site's checkout (the
  public API holds places but the order is placed on the site, and staff do not sell), so
  each is "site". An agent's or a partner's sales path must add `Order.channel`.
- VAT is the VAT inside each VAT code's net amount, rounded to the kopeck once per code.

The sales funnel (`funnel_report`, `funnel_conversion`) is counted differently: steps, not
money, dated by the site's local date (settings.TIME_ZONE), from the daily counts and the
raw events not folded yet (booking.services.funnel).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, pgettext, pgettext_lazy

from booking.models import Departure, FunnelDay, FunnelEvent, FunnelStep, Refund, Ticket
from booking.models.inventory import CancelReason
from booking.models.pricing import VAT_RATES, VatCode
from booking.services.funnel import day_bounds, funnel_last_aggregated_day
from booking.services.pricing import KOPECK, kopecks

ZERO = Decimal("0.00")
MAX_DAYS = 366
# A sale is dated within a day of its UTC moment whatever the pier's time zone (UTC−12 …
# UTC+14): the index-friendly bounds around the exact local-date filter.
TZ_MARGIN = datetime.timedelta(days=1)

PERIODS = ("day", "week", "month")
SALES_GROUPS = ("", "product", "departure", "pier", "ticket_type", "promo_code", "channel")
CHANNELS = ("site", "agent", "api")


class LocalDate(Func):
    """The date of a moment on the clock of a time-zone column, truncated to the start of
    its day, ISO week (Monday) or month: PostgreSQL's `AT TIME ZONE` and `date_trunc`."""

    output_field = DateField()

    def __init__(self, moment, zone, unit: str = "day"):
        if unit not in PERIODS:  # a programming error; not an assert, which -O removes
            raise ValueError(unit)
        self.unit = unit
        super().__init__(moment, zone)

    def as_sql(self, compiler, connection, **extra):
        moment, zone = (compiler.compile(expression) for expression in self.source_expressions)
        sql = f"DATE_TRUNC('{self.unit}', ({moment[0]}) AT TIME ZONE ({zone[0]}))::date"
        return sql, (*moment[1], *zone[1])

    def as_sqlite(self, compiler, connection, **extra):
        # The demo's SQLite (`make run`): the Python functions Django registers on every
        # SQLite connection take the time zone as an argument, so a column works too. The
        # moment is stored in UTC; truncated on the pier's clock, then read as a date.
        moment, zone = (compiler.compile(expression) for expression in self.source_expressions)
        sql = (
            f"django_datetime_cast_date(django_datetime_trunc('{self.unit}', {moment[0]}, "
            f"{zone[0]}, 'UTC'), NULL, NULL)"
        )
        return sql, (*moment[1], *zone[1])


@dataclass
class Column:
    key: str
    label: str
    # "money" (Decimal RUB), "count", "share" (0…1) or "text".
    kind: str = "count"


@dataclass
class ReportTable:
    """One table of a report: the screen, CSV, XLSX and the API show the same rows. The
    last row is the totals row when `has_totals`."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    has_totals: bool = False

    @property
    def headers(self) -> list[str]:
        return [column.label for column in self.columns]


@dataclass(frozen=True)
class Period:
    date_from: datetime.date
    date_to: datetime.date

    def utc_bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """Bounds in UTC that hold every moment of the period on any pier's clock."""
        start = datetime.datetime.combine(self.date_from, datetime.time(0), tzinfo=datetime.UTC)
        end = datetime.datetime.combine(
            self.date_to + datetime.timedelta(days=1), datetime.time(0), tzinfo=datetime.UTC
        )
        return start - TZ_MARGIN, end + TZ_MARGIN


@dataclass(frozen=True)
class SalesFilters:
    """Ids to keep (None: all) and a channel ("" all). `piers` is the limit of a member of
    staff assigned to some piers (crm.permissions.office_venue_ids; None: every pier)."""

    product: int | None = None
    departure: int | None = None
    pier: int | None = None
    ticket_type: int | None = None
    promotion: int | None = None
    channel: str = ""
    piers: frozenset[int] | None = None


# --- labels ---------------------------------------------------------------------------


def _at_departures(queryset, filters: SalesFilters, departure: str = ""):
    """`queryset` kept to the rows whose departure (reached by the `departure` lookup; ""
    for departures themselves) matches the filters' product, departure and pier, and the
    piers a member of staff is limited to."""
    prefix = f"{departure}__" if departure else ""
    if filters.product:
        queryset = queryset.filter(**{f"{prefix}product_id": filters.product})
    if filters.departure:
        queryset = queryset.filter(**{f"{prefix}pk": filters.departure})
    if filters.pier:
        queryset = queryset.filter(**{f"{prefix}venue_id": filters.pier})
    if filters.piers is not None:
        queryset = queryset.filter(**{f"{prefix}venue_id__in": filters.piers})
    return queryset


def _bucket_label(day: datetime.date, unit: str) -> str:
    if unit == "month":
        return f"{day:%Y-%m}"
    if unit == "week":
        return f"{day.isoformat()} – {(day + datetime.timedelta(days=6)).isoformat()}"
    return day.isoformat()


def _group_label(group: str, row: dict) -> str:
    if group == "product":
        return row["departure__product__name"]
    if group == "pier":
        return row["departure__venue__name"]
    if group == "ticket_type":
        return f"{row['ticket_type__product__name']}: {row['ticket_type__name']}"
    if group == "promo_code":
        return row["order__promotion__code"] or gettext("No promo code")
    if group == "channel":
        return channel_label("site")
    if group == "departure":
        moment = row["departure__starts_at"].astimezone(
            zoneinfo.ZoneInfo(row["departure__venue__timezone"])
        )
        return f"{row['departure__product__name']} — {moment:%Y-%m-%d %H:%M}"
    return ""


def channel_label(channel: str) -> str:
    return {
        "site": pgettext("sales channel", "Site"),
        "agent": pgettext("sales channel", "Agent"),
        "api": pgettext("sales channel", "API"),
    }[channel]


GROUP_FIELDS = {
    "": (),
    "product": ("departure__product_id", "departure__product__name"),
    "departure": (
        "departure_id",
        "departure__product__name",
        "departure__starts_at",
        "departure__venue__timezone",
    ),
    "pier": ("departure__venue_id", "departure__venue__name"),
    "ticket_type": ("ticket_type_id", "ticket_type__name", "ticket_type__product__name"),
    "promo_code": ("order__promotion_id", "order__promotion__code"),
    "channel": (),
}


def group_choices() -> list[tuple[str, str]]:
    return [
        ("", pgettext("report grouping", "No grouping")),
        ("product", pgettext("report grouping", "Product")),
        ("departure", pgettext("report grouping", "Departure")),
        ("pier", pgettext("report grouping", "Pier")),
        ("ticket_type", pgettext("report grouping", "Ticket type")),
        ("promo_code", pgettext("report grouping", "Promo code")),
        ("channel", pgettext("report grouping", "Channel")),
    ]


def period_choices() -> list[tuple[str, str]]:
    return [
        ("day", pgettext("report period", "Day")),
        ("week", pgettext("report period", "Week")),
        ("month", pgettext("report period", "Month")),
    ]


# --- sales ------------------------------------------------------------------------------


def _sold_tickets(period: Period, filters: SalesFilters, unit: str):
    """Tickets sold in the period (see the module's docstring), annotated with the start of
    their day/week/month on the pier's clock as `bucket`."""
    start, end = period.utc_bounds()
    tickets = (
        Ticket.objects.filter(
            order__paid_at__gte=start,
            order__paid_at__lt=end,
            status__in=(Ticket.Status.VALID, Ticket.Status.REFUNDED),
        )
        .annotate(
            local_day=LocalDate(F("order__paid_at"), F("departure__venue__timezone")),
            bucket=LocalDate(F("order__paid_at"), F("departure__venue__timezone"), unit),
        )
        .filter(local_day__gte=period.date_from, local_day__lte=period.date_to)
    )
    tickets = _at_departures(tickets, filters, "departure")
    if filters.ticket_type:
        tickets = tickets.filter(ticket_type_id=filters.ticket_type)
    if filters.promotion:
        tickets = tickets.filter(order__promotion_id=filters.promotion)
    if filters.channel and filters.channel != "site":
        tickets = tickets.none()
    return tickets


def _split(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`amount` split in proportion to `weights`, to the kopeck, the parts adding up to it
    exactly (the largest remainders get the leftover kopecks)."""
    total = sum(weights, ZERO)
    if not weights:
        return []
    if total == 0:
        weights, total = [Decimal(1)] * len(weights), Decimal(len(weights))
    cents = int(amount / KOPECK)
    exact = [Decimal(cents) * w / total for w in weights]
    parts = [int(x) for x in exact]
    leftover = cents - sum(parts)
    for index in sorted(range(len(exact)), key=lambda i: exact[i] - parts[i], reverse=True)[
        :leftover
    ]:
        parts[index] += 1
    return [Decimal(p) * KOPECK for p in parts]


@dataclass
class SalesLine:
    tickets: int = 0
    orders: set = field(default_factory=set)
    gross: Decimal = ZERO
    discounts: Decimal = ZERO
    fees: Decimal = ZERO
    paid: Decimal = ZERO
    refunds: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.paid - self.refunds


def _sales_lines(period: Period, filters: SalesFilters, unit: str, group: str):
    """{(bucket, group key): SalesLine}, {group key: label}, {vat code: SalesLine}: two
    queries (the sold tickets summed per bucket, group, VAT code and order; the refunded
    tickets with their refunds)."""
    fields = GROUP_FIELDS[group]
    tickets = _sold_tickets(period, filters, unit)
    lines: dict[tuple, SalesLine] = defaultdict(SalesLine)
    by_vat: dict[int, SalesLine] = defaultdict(SalesLine)
    labels: dict = {}
    for row in (
        tickets.values("bucket", "order__vat_code", "order_id", *fields)
        .annotate(
            n=Count("pk"),
            gross=Sum("price"),
            discounts=Sum("discount"),
            fees=Sum("fee"),
            paid=Sum("paid_amount"),
        )
        .order_by()
    ):
        key = tuple(row[name] for name in fields[:1])
        labels[key] = _group_label(group, row)
        for line in (lines[(row["bucket"], key)], by_vat[row["order__vat_code"]]):
            line.tickets += row["n"]
            line.orders.add(row["order_id"])
            line.gross += row["gross"]
            line.discounts += row["discounts"]
            line.fees += row["fees"]
            line.paid += row["paid"]
    refunded = (
        Refund.tickets.through.objects.filter(
            refund__status=Refund.Status.SUCCEEDED,
            ticket__in=tickets.filter(status=Ticket.Status.REFUNDED).values("pk"),
        )
        .annotate(
            bucket=LocalDate(
                F("ticket__order__paid_at"), F("ticket__departure__venue__timezone"), unit
            )
        )
        .values(
            "refund_id",
            "refund__amount",
            "ticket_id",
            "ticket__paid_amount",
            "ticket__order__vat_code",
            "bucket",
            *(f"ticket__{name}" for name in fields[:1]),
        )
        .order_by("refund_id", "ticket_id")
    )
    # All the tickets of each refund, even those outside the filters, share its amount.
    shares = Refund.tickets.through.objects.filter(
        refund_id__in=refunded.values("refund_id")
    ).values_list("refund_id", "ticket__paid_amount", "ticket_id")
    weights: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for refund_id, paid, ticket_id in shares.order_by("refund_id", "ticket_id"):
        weights[refund_id].append((ticket_id, paid))
    parts: dict[tuple[int, int], Decimal] = {}
    refund_rows = list(refunded)
    amounts = {row["refund_id"]: row["refund__amount"] for row in refund_rows}
    for refund_id, amount in amounts.items():
        ids = [ticket_id for ticket_id, _paid in weights[refund_id]]
        split = _split(amount, [paid for _id, paid in weights[refund_id]])
        parts.update(
            {(refund_id, ticket_id): part for ticket_id, part in zip(ids, split, strict=True)}
        )
    for row in refund_rows:
        key = tuple(row[f"ticket__{name}"] for name in fields[:1])
        part = parts[(row["refund_id"], row["ticket_id"])]
        lines[(row["bucket"], key)].refunds += part
        by_vat[row["ticket__order__vat_code"]].refunds += part
    return lines, labels, by_vat


def _money_columns() -> list[Column]:
    return [
        Column("tickets", pgettext("report", "Tickets")),
        Column("gross", pgettext("report", "Gross"), "money"),
        Column("discounts", pgettext("report", "Discounts"), "money"),
        Column("fees", pgettext("report", "Fees"), "money"),
        Column("paid", pgettext("report", "Paid"), "money"),
        Column("refunds", pgettext("report", "Refunds"), "money"),
        Column("net", pgettext("report", "Net"), "money"),
    ]


def _money_cells(line: SalesLine) -> list:
    return [
        line.tickets,
        line.gross,
        line.discounts,
        line.fees,
        line.paid,
        line.refunds,
        line.net,
    ]


def _add(total: SalesLine, line: SalesLine) -> None:
    total.tickets += line.tickets
    total.orders |= line.orders
    total.gross += line.gross
    total.discounts += line.discounts
    total.fees += line.fees
    total.paid += line.paid
    total.refunds += line.refunds


def _vat_table(by_vat: dict[int, SalesLine]) -> ReportTable:
    table = ReportTable(
        "vat",
        pgettext("report", "VAT by code"),
        [
            Column("vat_code", pgettext("report", "VAT code"), "text"),
            Column("tickets", pgettext("report", "Tickets")),
            Column("net", pgettext("report", "Net"), "money"),
            Column("vat", pgettext("report", "VAT"), "money"),
        ],
        has_totals=True,
    )
    total_net, total_vat, total_tickets = ZERO, ZERO, 0
    for code in sorted(by_vat):
        line = by_vat[code]
        rate = VAT_RATES.get(code)
        vat = ZERO if rate is None else kopecks(line.net * rate / (100 + rate))
        table.rows.append([str(VatCode(code).label), line.tickets, line.net, vat])
        total_net, total_vat, total_tickets = (
            total_net + line.net,
            total_vat + vat,
            (total_tickets + line.tickets),
        )
    table.rows.append([pgettext("report", "Total"), total_tickets, total_net, total_vat])
    return table


def sales_report(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    period: str = "day",
    group: str = "",
    filters: SalesFilters = SalesFilters(),
) -> list[ReportTable]:
    """Sales per day, week or month (`period`), each split by `group` (one of
    `SALES_GROUPS`): tickets, gross (list prices), discounts, fees, paid, refunds, net;
    a totals row; and the VAT table by code. Three queries."""
    if period not in PERIODS or group not in SALES_GROUPS:
        raise ValueError((period, group))
    lines, labels, by_vat = _sales_lines(Period(date_from, date_to), filters, period, group)
    columns = [Column("period", pgettext("report", "Period"), "text")]
    if group:
        columns.append(Column("group", dict(group_choices())[group], "text"))
    table = ReportTable(
        "sales", pgettext("report", "Sales"), columns + _money_columns(), has_totals=True
    )
    total = SalesLine()
    for bucket, key in sorted(lines, key=lambda k: (k[0], str(labels.get(k[1], "")))):
        line = lines[(bucket, key)]
        label = [labels.get(key, "")] if group else []
        table.rows.append([_bucket_label(bucket, period), *label, *_money_cells(line)])
        _add(total, line)
    table.rows.append([pgettext("report", "Total"), *([""] if group else []), *_money_cells(total)])
    return [table, _vat_table(by_vat)]


# --- promotions ---------------------------------------------------------------------------


def promotions_report(
    *, date_from: datetime.date, date_to: datetime.date, filters: SalesFilters = SalesFilters()
) -> list[ReportTable]:
    """Per promo code, over the orders paid in the period with it: uses (orders), tickets,
    the discount given, what was paid and what stays after refunds (the revenue attributed
    to the code). Three queries."""
    lines, labels, _by_vat = _sales_lines(
        Period(date_from, date_to), filters, "month", "promo_code"
    )
    per_code: dict = defaultdict(SalesLine)
    for (_bucket, key), line in lines.items():
        if key != (None,):
            _add(per_code[key], line)
    table = ReportTable(
        "promotions",
        pgettext("report", "Promotions"),
        [
            Column("promo_code", pgettext("report", "Promo code"), "text"),
            Column("uses", pgettext("report", "Uses")),
            Column("tickets", pgettext("report", "Tickets")),
            Column("gross", pgettext("report", "Gross"), "money"),
            Column("discounts", pgettext("report", "Discount given"), "money"),
            Column("paid", pgettext("report", "Paid"), "money"),
            Column("refunds", pgettext("report", "Refunds"), "money"),
            Column("net", pgettext("report", "Revenue attributed"), "money"),
        ],
        has_totals=True,
    )
    total = SalesLine()
    for key in sorted(per_code, key=lambda k: labels[k]):
        line = per_code[key]
        table.rows.append(
            [
                labels[key],
                len(line.orders),
                line.tickets,
                line.gross,
                line.discounts,
                line.paid,
                line.refunds,
                line.net,
            ]
        )
        _add(total, line)
    table.rows.append(
        [
            pgettext("report", "Total"),
            len(total.orders),
            total.tickets,
            total.gross,
            total.discounts,
            total.paid,
            total.refunds,
            total.net,
        ]
    )
    return [table]


# --- refunds and cancellations ----------------------------------------------------------

#: Time between a refund and its departure's start: (key, label, upper bound exclusive;
#: None: no bound). A refund made after the start (a cancellation) is "after".
BEFORE_DEPARTURE = (
    ("after", pgettext_lazy("report", "After the start"), datetime.timedelta(0)),
    ("day", pgettext_lazy("report", "Less than 24 hours before"), datetime.timedelta(days=1)),
    ("days3", pgettext_lazy("report", "1–3 days before"), datetime.timedelta(days=3)),
    ("week", pgettext_lazy("report", "3–7 days before"), datetime.timedelta(days=7)),
    ("more", pgettext_lazy("report", "More than 7 days before"), None),
)


def _reason_label(reason: str, cancel_reason: str) -> str:
    if reason == Refund.Reason.DEPARTURE_CANCELLED:
        cause = (
            CancelReason(cancel_reason).label
            if cancel_reason
            else pgettext("report", "No reason given")
        )
        return pgettext("report", "Departure cancelled: %(cause)s") % {"cause": cause}
    return str(Refund.Reason(reason).label)


def refunds_report(
    *, date_from: datetime.date, date_to: datetime.date, filters: SalesFilters = SalesFilters()
) -> list[ReportTable]:
    """The succeeded refunds made in the period (dated by their creation on the pier's
    clock) by reason — the customer's request, the operator's, a departure cancelled for
    the weather, a technical fault or another cause, a late or duplicate payment — and by
    the time before the departure they were made. Two queries."""
    start, end = Period(date_from, date_to).utc_bounds()
    departure = "payment__order__departure"
    refunds = (
        Refund.objects.filter(
            status=Refund.Status.SUCCEEDED, created_at__gte=start, created_at__lt=end
        )
        .annotate(local_day=LocalDate(F("created_at"), F(f"{departure}__venue__timezone")))
        .filter(local_day__gte=date_from, local_day__lte=date_to)
    )
    refunds = _at_departures(refunds, filters, departure)
    if filters.promotion:
        refunds = refunds.filter(payment__order__promotion_id=filters.promotion)
    if filters.ticket_type:
        refunds = refunds.filter(
            pk__in=Refund.tickets.through.objects.filter(
                ticket__ticket_type_id=filters.ticket_type
            ).values("refund_id")
        )
    if filters.channel and filters.channel != "site":
        refunds = refunds.none()
    whens = [
        When(**{f"{departure}__starts_at__lte": F("created_at") + upper}, then=Value(key))
        for key, _label, upper in BEFORE_DEPARTURE
        if upper is not None
    ]
    refunds = refunds.annotate(
        before=Case(*whens, default=Value("more"), output_field=CharField()),
        cause=F(f"{departure}__cancel_reason"),
    )
    grouped = defaultdict(lambda: [0, 0, ZERO])
    for row in (
        refunds.values("reason", "cause", "before")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by()
    ):
        line = grouped[(row["reason"], row["cause"], row["before"])]
        line[0] += row["n"]
        line[2] += row["amount"]
    ticket_counts = {
        (row["refund__reason"], row["cause"]): row["n"]
        for row in Refund.tickets.through.objects.filter(refund__in=refunds.values("pk"))
        .annotate(cause=F(f"refund__{departure}__cancel_reason"))
        .values("refund__reason", "cause")
        .annotate(n=Count("pk"))
        .order_by()
    }
    by_reason = ReportTable(
        "by_reason",
        pgettext("report", "Refunds by reason"),
        [
            Column("reason", pgettext("report", "Reason"), "text"),
            Column("refunds", pgettext("report", "Refunds")),
            Column("tickets", pgettext("report", "Tickets")),
            Column("amount", pgettext("report", "Amount"), "money"),
        ],
        has_totals=True,
    )
    reasons: dict[tuple, list] = defaultdict(lambda: [0, ZERO])
    for (reason, cause, _before), (n, _t, amount) in grouped.items():
        cause = cause if reason == Refund.Reason.DEPARTURE_CANCELLED else ""
        reasons[(reason, cause)][0] += n
        reasons[(reason, cause)][1] += amount
    tickets_by_reason: dict[tuple, int] = defaultdict(int)
    for (reason, cause), n in ticket_counts.items():
        cause = cause if reason == Refund.Reason.DEPARTURE_CANCELLED else ""
        tickets_by_reason[(reason, cause)] += n
    totals = [0, 0, ZERO]
    for reason, cause in sorted(reasons, key=lambda k: _reason_label(*k)):
        n, amount = reasons[(reason, cause)]
        tickets = tickets_by_reason[(reason, cause)]
        by_reason.rows.append([_reason_label(reason, cause), n, tickets, amount])
        totals = [totals[0] + n, totals[1] + tickets, totals[2] + amount]
    by_reason.rows.append([pgettext("report", "Total"), *totals])

    by_time = ReportTable(
        "by_time",
        pgettext("report", "Refunds by time before departure"),
        [
            Column("before", pgettext("report", "Made"), "text"),
            Column("refunds", pgettext("report", "Refunds")),
            Column("amount", pgettext("report", "Amount"), "money"),
        ],
        has_totals=True,
    )
    per_time: dict[str, list] = defaultdict(lambda: [0, ZERO])
    for (_reason, _cause, before), (n, _t, amount) in grouped.items():
        per_time[before][0] += n
        per_time[before][1] += amount
    total_n, total_amount = 0, ZERO
    for key, label, _upper in BEFORE_DEPARTURE:
        n, amount = per_time.get(key, (0, ZERO))
        by_time.rows.append([str(label), n, amount])
        total_n, total_amount = total_n + n, total_amount + amount
    by_time.rows.append([pgettext("report", "Total"), total_n, total_amount])
    return [by_reason, by_time]


# --- occupancy ---------------------------------------------------------------------------


@dataclass
class DepartureLoad:
    departure_id: int
    product_id: int
    product: str
    local_start: datetime.datetime
    capacity: int
    sold: int
    boarded: int
    started: bool

    @property
    def no_shows(self) -> int | None:
        return self.sold - self.boarded if self.started else None

    @property
    def load(self) -> float | None:
        return round(self.sold / self.capacity, 4) if self.capacity else None


def departure_loads(
    *, date_from: datetime.date, date_to: datetime.date, filters: SalesFilters, now=None
) -> list[DepartureLoad]:
    """The departures that sailed or will sail in the period (not cancelled, not rentals),
    dated by their start on the pier's clock, with their capacity, the tickets standing
    (valid) and those boarded. One query."""
    now = now or timezone.now()
    start, end = Period(date_from, date_to).utc_bounds()
    departures = (
        Departure.objects.filter(
            starts_at__gte=start, starts_at__lt=end, rental_booking__isnull=True
        )
        .exclude(status=Departure.Status.CANCELLED)
        .annotate(local_day=LocalDate(F("starts_at"), F("venue__timezone")))
        .filter(local_day__gte=date_from, local_day__lte=date_to)
    )
    departures = _at_departures(departures, filters)
    valid = Q(tickets__status=Ticket.Status.VALID)
    rows = (
        departures.annotate(
            seats=Coalesce("capacity", "vessel__capacity", output_field=IntegerField()),
            sold=Count("tickets", filter=valid),
            boarded=Count("tickets", filter=valid & Q(tickets__checked_in_at__isnull=False)),
        )
        .values(
            "pk",
            "product_id",
            "product__name",
            "starts_at",
            "venue__timezone",
            "seats",
            "sold",
            "boarded",
        )
        .order_by("starts_at", "pk")
    )
    return [
        DepartureLoad(
            departure_id=row["pk"],
            product_id=row["product_id"],
            product=row["product__name"],
            local_start=row["starts_at"].astimezone(zoneinfo.ZoneInfo(row["venue__timezone"])),
            capacity=row["seats"],
            sold=row["sold"],
            boarded=row["boarded"],
            started=row["starts_at"] <= now,
        )
        for row in rows
    ]


def _occupancy_columns(first: Column) -> list[Column]:
    return [
        first,
        Column("capacity", pgettext("report", "Capacity")),
        Column("sold", pgettext("report", "Sold")),
        Column("boarded", pgettext("report", "Boarded")),
        Column("no_shows", pgettext("report", "No-shows")),
        Column("load", pgettext("report", "Load factor"), "share"),
    ]


def occupancy_report(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    filters: SalesFilters = SalesFilters(),
    now=None,
) -> list[ReportTable]:
    """Per product and per departure: capacity, sold, boarded, no-shows (of departures
    that have started) and the load factor (sold ÷ capacity). One query."""
    loads = departure_loads(date_from=date_from, date_to=date_to, filters=filters, now=now)
    per_departure = ReportTable(
        "departures",
        pgettext("report", "Occupancy by departure"),
        _occupancy_columns(Column("departure", pgettext("report", "Departure"), "text")),
        has_totals=True,
    )
    per_product: dict[tuple[str, int], list] = defaultdict(lambda: [0, 0, 0, 0, False])
    total = [0, 0, 0, 0, False]
    for load in loads:
        per_departure.rows.append(
            [
                f"{load.product} — {load.local_start:%Y-%m-%d %H:%M}",
                load.capacity,
                load.sold,
                load.boarded,
                load.no_shows,
                load.load,
            ]
        )
        for line in (per_product[(load.product, load.product_id)], total):
            line[0] += load.capacity
            line[1] += load.sold
            line[2] += load.boarded
            if load.started:
                line[3] += load.no_shows
                line[4] = True

    def cells(line) -> list:
        capacity, sold, boarded, no_shows, started = line
        return [
            capacity,
            sold,
            boarded,
            no_shows if started else None,
            round(sold / capacity, 4) if capacity else None,
        ]

    per_departure.rows.append([pgettext("report", "Total"), *cells(total)])
    by_product = ReportTable(
        "products",
        pgettext("report", "Occupancy by product"),
        _occupancy_columns(Column("product", pgettext("report", "Product"), "text")),
        has_totals=True,
    )
    for product, product_id in sorted(per_product):
        by_product.rows.append([product, *cells(per_product[(product, product_id)])])
    by_product.rows.append([pgettext("report", "Total"), *cells(total)])
    return [by_product, per_departure]


def occupancy_heat_map(loads: list[DepartureLoad]) -> dict[tuple[int, int], tuple[float, int]]:
    """{(ISO weekday 1–7, hour on the pier's clock): (mean load factor, departures)}."""
    cells: dict[tuple[int, int], list[float]] = defaultdict(list)
    for load in loads:
        if load.load is not None:
            cells[(load.local_start.isoweekday(), load.local_start.hour)].append(load.load)
    return {key: (round(sum(v) / len(v), 4), len(v)) for key, v in cells.items()}


# --- the dashboard's sales panel ---------------------------------------------------------


@dataclass
class DaySales:
    """A day's sales on the site's clock (a sale as in the sales report; `paid` is what the
    customers paid for the tickets), `by_hour` cumulative at the end of each hour 0–23,
    and `so_far` the figures up to the moment of the day the comparison is made at."""

    day: datetime.date
    tickets: int = 0
    paid: Decimal = ZERO
    so_far_tickets: int = 0
    so_far_paid: Decimal = ZERO
    by_hour: list[Decimal] = field(default_factory=lambda: [ZERO] * 24)


def sales_today_and_week_ago(*, now=None, piers=None) -> tuple[DaySales, DaySales]:
    """Today's sales so far and the same weekday's a week ago (whole, and up to the same
    time of day), on the site's clock, in one query. `piers`: the piers a member of staff
    is limited to (None: every pier)."""
    from django.db.models.functions import TruncHour

    zone = timezone.get_current_timezone()
    now = timezone.localtime(now or timezone.now(), zone)
    today_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week = datetime.timedelta(days=7)
    days = (
        DaySales(today_start.date()),
        DaySales((today_start - week).date()),
    )
    windows = Q()
    for start in (today_start, today_start - week):
        end = timezone.make_aware(
            datetime.datetime.combine(start.date() + datetime.timedelta(days=1), datetime.time()),
            zone,
        )
        windows |= Q(order__paid_at__gte=start, order__paid_at__lt=end)
    tickets = Ticket.objects.filter(
        windows, status__in=(Ticket.Status.VALID, Ticket.Status.REFUNDED)
    )
    if piers is not None:
        tickets = tickets.filter(departure__venue_id__in=piers)
    so_far = Q(order__paid_at__lt=now - week) | Q(order__paid_at__gte=today_start)
    rows = (
        tickets.annotate(hour=TruncHour("order__paid_at", tzinfo=zone))
        .values("hour")
        .annotate(
            count=Count("pk"),
            paid=Sum("paid_amount"),
            so_far_count=Count("pk", filter=so_far),
            so_far_paid=Sum("paid_amount", filter=so_far),
        )
        .order_by("hour")
    )
    for row in rows:
        hour = timezone.localtime(row["hour"], zone)
        day = days[0] if hour.date() == days[0].day else days[1]
        day.tickets += row["count"]
        day.paid += row["paid"] or ZERO
        day.so_far_tickets += row["so_far_count"]
        day.so_far_paid += row["so_far_paid"] or ZERO
        for later in range(hour.hour, 24):
            day.by_hour[later] += row["paid"] or ZERO
    return days


# --- the sales funnel --------------------------------------------------------------------

FUNNEL_GROUPS = ("", "product", "language")


@dataclass(frozen=True)
class FunnelFilters:
    """A product id and a language code to keep (None / "": all)."""

    product: int | None = None
    language: str = ""


def funnel_group_choices() -> list[tuple[str, str]]:
    return [
        ("", pgettext("report grouping", "No grouping")),
        ("product", pgettext("report grouping", "Product")),
        ("language", pgettext("report grouping", "Language")),
    ]


def funnel_language_label(code: str) -> str:
    names = dict(settings.LANGUAGES)
    return str(names[code]) if code in names else pgettext("report", "Unknown language")


def _funnel_counts(
    date_from: datetime.date, date_to: datetime.date, filters: FunnelFilters, group: str
) -> tuple[dict[tuple, dict[str, int]], dict[tuple, str]]:
    """{group key: {step: count}} and {group key: label} over the site-local days
    `date_from`…`date_to`: the daily counts up to the last day folded, the raw events after
    it (today's, and any day the hourly task has not folded yet). Three queries."""
    last = funnel_last_aggregated_day()
    fields = {"": (), "product": ("product_id", "product__name"), "language": ("language",)}[group]
    rows = []
    if last is not None and last >= date_from:
        days = _funnel_filtered(
            FunnelDay.objects.filter(day__gte=date_from, day__lte=min(date_to, last)), filters
        )
        rows += days.values("step", *fields).annotate(n=Sum("count")).order_by()
        raw_from = last + datetime.timedelta(days=1)
    else:
        raw_from = date_from
    raw_from = max(raw_from, date_from)
    if raw_from <= date_to:
        start, _end = day_bounds(raw_from)
        _start, end = day_bounds(date_to)
        events = FunnelEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        rows += (
            _funnel_filtered(events, filters)
            .values("step", *fields)
            .annotate(n=Count("pk"))
            .order_by()
        )
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    labels: dict[tuple, str] = {}
    for row in rows:
        key = tuple(row[name] for name in fields[:1])
        counts[key][row["step"]] += row["n"]
        if group == "product":
            labels[key] = row["product__name"] or pgettext("report", "Deleted product")
        elif group == "language":
            labels[key] = funnel_language_label(row["language"])
    return counts, labels


def _funnel_filtered(queryset, filters: FunnelFilters):
    if filters.product:
        queryset = queryset.filter(product_id=filters.product)
    if filters.language:
        queryset = queryset.filter(language=filters.language)
    return queryset


def funnel_rows(steps: dict[str, int]) -> list[list]:
    """Per step: its label, count, conversion from the step before and from the first."""
    rows, first, previous = [], None, None
    for step in FunnelStep:
        count = steps.get(step.value, 0)
        first = count if first is None else first
        rows.append(
            [
                str(step.label),
                count,
                round(count / previous, 4) if previous else None,
                round(count / first, 4) if first else None,
            ]
        )
        previous = count
    return rows


def funnel_report(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    group: str = "",
    filters: FunnelFilters = FunnelFilters(),
) -> list[ReportTable]:
    """The sales funnel over the site-local days `date_from`…`date_to`: per step (product
    page viewed … paid) how many times it was taken, the conversion from the step before
    and from the first step; split by product or language (`group`, one of
    `FUNNEL_GROUPS`) in a second table. Three queries."""
    if group not in FUNNEL_GROUPS:
        raise ValueError(group)
    columns = [
        Column("step", pgettext("report", "Step"), "text"),
        Column("count", pgettext("report", "Count")),
        Column("from_previous", pgettext("report", "From the step before"), "share"),
        Column("from_first", pgettext("report", "From the product page"), "share"),
    ]
    counts, labels = _funnel_counts(date_from, date_to, filters, group)
    overall: dict[str, int] = defaultdict(int)
    for steps in counts.values():
        for step, n in steps.items():
            overall[step] += n
    tables = [
        ReportTable("funnel", pgettext("report", "Sales funnel"), columns, funnel_rows(overall))
    ]
    if group:
        split = ReportTable(
            f"funnel_by_{group}",
            pgettext("report", "Sales funnel by product")
            if group == "product"
            else pgettext("report", "Sales funnel by language"),
            [Column("group", dict(funnel_group_choices())[group], "text"), *columns],
        )
        for key in sorted(counts, key=lambda k: labels.get(k, "")):
            split.rows += [[labels.get(key, ""), *row] for row in funnel_rows(counts[key])]
        tables.append(split)
    return tables


def funnel_conversion(days: int, *, today: datetime.date | None = None) -> list[tuple]:
    """The last `days` site-local days to `today`, overall: [(step, label, count)] in the
    funnel's order (the dashboard's conversion panel). Three queries."""
    today = today or timezone.localdate()
    counts, _labels = _funnel_counts(
        today - datetime.timedelta(days=max(days, 1) - 1), today, FunnelFilters(), ""
    )
    steps = counts.get((), {})
    return [(step.value, str(step.label), steps.get(step.value, 0)) for step in FunnelStep]
