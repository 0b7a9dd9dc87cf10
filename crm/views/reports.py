"""The operator's reports in the admin (Reports → Sales, Refunds and cancellations,
Promotions, Occupancy): the figures of `booking.reports` for a period of the pier's local
dates, with filters, a totals row and CSV/XLSX downloads (the support report's writers,
each download written to the audit trail). The CRM API serves the same tables
(crm.api.reports) through the same filter form, so both refuse bad input alike.

For holders of `booking.view_reports` (administrators, managers, accountants: crm.roles);
anyone else gets a 403. A member of staff assigned to piers sees only those piers' figures.
The sales funnel (Reports → Sales funnel) is for holders of `booking.view_funnel`
(administrators, managers, marketers); it has no piers, only products and languages.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import pgettext, pgettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput
from wagtail.log_actions import log

from booking import reports
from booking.models import Product, Promotion, TicketType, Venue
from common.audit import unwrapped
from crm.permissions import office_venue_ids
from crm.roles import VIEW_FUNNEL, VIEW_REPORTS
from crm.views.orders import forbidden
from crm.views.support_reports import tables_download

REPORT_EXPORT_ACTION = "prichal.report.export"
DEFAULT_DAYS = 30
WEEKDAYS = (
    pgettext_lazy("weekday", "Mon"),
    pgettext_lazy("weekday", "Tue"),
    pgettext_lazy("weekday", "Wed"),
    pgettext_lazy("weekday", "Thu"),
    pgettext_lazy("weekday", "Fri"),
    pgettext_lazy("weekday", "Sat"),
    pgettext_lazy("weekday", "Sun"),
)


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: object
    # The filter form's fields this report takes besides the period.
    fields: tuple[str, ...]
    permission: str = VIEW_REPORTS


FILTERS = ("product", "departure", "pier", "ticket_type", "promotion")
REPORTS = {
    "sales": ReportSpec(
        "sales",
        pgettext_lazy("report", "Sales"),
        ("period", "group", *FILTERS, "channel"),
    ),
    "refunds": ReportSpec("refunds", pgettext_lazy("report", "Refunds and cancellations"), FILTERS),
    "promotions": ReportSpec(
        "promotions",
        pgettext_lazy("report", "Promotions"),
        ("product", "departure", "pier", "ticket_type", "promotion"),
    ),
    "occupancy": ReportSpec(
        "occupancy", pgettext_lazy("report", "Occupancy"), ("product", "departure", "pier")
    ),
    "funnel": ReportSpec(
        "funnel",
        pgettext_lazy("report", "Sales funnel"),
        ("group", "product", "language"),
        permission=VIEW_FUNNEL,
    ),
}


class ReportFilterForm(forms.Form):
    """The period (default: the last 30 days to today) and the filters of one report; the
    fields a report does not take are removed. Ids of unknown records are refused."""

    date_from = forms.DateField(
        label=pgettext_lazy("report", "From"), widget=AdminDateInput, required=False
    )
    date_to = forms.DateField(
        label=pgettext_lazy("report", "To"), widget=AdminDateInput, required=False
    )
    period = forms.ChoiceField(label=pgettext_lazy("report", "By"), required=False)
    group = forms.ChoiceField(label=pgettext_lazy("report", "Split by"), required=False)
    product = forms.ModelChoiceField(
        Product.objects.order_by("name"), label=pgettext_lazy("report", "Product"), required=False
    )
    departure = forms.IntegerField(
        label=pgettext_lazy("report", "Departure id"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
    )
    pier = forms.ModelChoiceField(
        Venue.objects.order_by("name"), label=pgettext_lazy("report", "Pier"), required=False
    )
    ticket_type = forms.ModelChoiceField(
        TicketType.objects.select_related("product").order_by("product__name", "sort_order"),
        label=pgettext_lazy("report", "Ticket type"),
        required=False,
    )
    promotion = forms.ModelChoiceField(
        Promotion.objects.order_by("code"),
        label=pgettext_lazy("report", "Promo code"),
        required=False,
        to_field_name="code",
    )
    channel = forms.ChoiceField(label=pgettext_lazy("report", "Channel"), required=False)
    language = forms.ChoiceField(label=pgettext_lazy("report", "Language"), required=False)

    def __init__(self, *args, spec: ReportSpec, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = reports.period_choices()
        self.fields["group"].choices = (
            reports.funnel_group_choices() if spec.name == "funnel" else reports.group_choices()
        )
        self.fields["language"].choices = [
            ("", pgettext("report", "All languages")),
            *((code, reports.funnel_language_label(code)) for code, _name in settings.LANGUAGES),
        ]
        self.fields["channel"].choices = [
            ("", pgettext("sales channel", "All channels")),
            *((c, reports.channel_label(c)) for c in reports.CHANNELS),
        ]
        self.fields["ticket_type"].label_from_instance = lambda t: f"{t.product.name}: {t.name}"
        for name in list(self.fields):
            if name not in ("date_from", "date_to", *spec.fields):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        today = timezone.localdate()
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to - datetime.timedelta(days=DEFAULT_DAYS)
        if date_from > date_to:
            raise forms.ValidationError(
                pgettext_lazy("report", "The period ends before it begins.")
            )
        if (date_to - date_from).days > reports.MAX_DAYS:
            raise forms.ValidationError(
                pgettext_lazy("report", "Choose a period of at most a year.")
            )
        data["date_from"], data["date_to"] = date_from, date_to
        return data

    def error_text(self) -> str:
        """Every error in one sentence per field (the API's message)."""
        parts = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            text = " ".join(str(e) for e in errors)
            parts.append(f"{label}: {text}" if label else text)
        return " ".join(parts)


def filters_of(data: dict, user) -> reports.SalesFilters:
    """The form's filters, limited to the piers the user is assigned to, if any."""

    def pk(name):
        value = data.get(name)
        return getattr(value, "pk", value) or None

    return reports.SalesFilters(
        product=pk("product"),
        departure=pk("departure"),
        pier=pk("pier"),
        ticket_type=pk("ticket_type"),
        promotion=pk("promotion"),
        channel=data.get("channel") or "",
        piers=office_venue_ids(user),
    )


def report_tables(spec: ReportSpec, data: dict, user) -> list[reports.ReportTable]:
    """The report's tables for a valid form's `cleaned_data`, as `user` may see them."""
    period = {"date_from": data["date_from"], "date_to": data["date_to"]}
    filters = filters_of(data, user)
    if spec.name == "sales":
        return reports.sales_report(
            **period,
            period=data.get("period") or "day",
            group=data.get("group") or "",
            filters=filters,
        )
    if spec.name == "refunds":
        return reports.refunds_report(**period, filters=filters)
    if spec.name == "promotions":
        return reports.promotions_report(**period, filters=filters)
    if spec.name == "funnel":
        return reports.funnel_report(
            **period,
            group=data.get("group") or "",
            filters=reports.FunnelFilters(
                product=filters.product, language=data.get("language") or ""
            ),
        )
    return reports.occupancy_report(**period, filters=filters)


def money_note() -> str:
    return pgettext("report", "Amounts in RUB; load factor as a share of capacity.")


def funnel_note() -> str:
    return pgettext(
        "report",
        "Steps counted on the site's local dates, without personal data; conversions as "
        "shares of the step before and of the product page.",
    )


def cell_for_screen(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "money":
        return f"{value:,.2f}".replace(",", "\u00a0")
    if kind == "share":
        return f"{value * 100:.1f}\u00a0%"
    return str(value)


def screen_cells(row: list, columns: list[reports.Column]) -> list[dict]:
    """A row's cells as shown: the text and whether it is a number (aligned right)."""
    return [
        {"text": cell_for_screen(value, column.kind), "numeric": column.kind != "text"}
        for value, column in zip(row, columns, strict=True)
    ]


def cell_for_file(value):
    if value is None:
        return ""
    return value if isinstance(value, int | float | Decimal) else str(value)


# --- the heat map -----------------------------------------------------------------------


def heat_map_svg(cells: dict[tuple[int, int], tuple[float, int]]) -> str:
    """The mean load factor by weekday (rows) and hour on the pier's clock (columns, the
    hours that have departures) as an SVG: each cell's percentage is written in it, so it
    reads without colour; darker means fuller."""
    hours = sorted({hour for _day, hour in cells})
    if not hours:
        return ""
    cell_w, cell_h, left, top = 48, 28, 44, 24
    width, height = left + cell_w * len(hours), top + cell_h * 7
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(pgettext('report', 'Load factor by weekday and hour'))}</title>",
    ]
    for column, hour in enumerate(hours):
        x = left + column * cell_w + cell_w / 2
        parts.append(f'<text x="{x}" y="16" text-anchor="middle">{hour:02d}:00</text>')
    for row, name in enumerate(WEEKDAYS):
        y = top + row * cell_h
        parts.append(f'<text x="4" y="{y + 18}">{escape(name)}</text>')
        for column, hour in enumerate(hours):
            x = left + column * cell_w
            value = cells.get((row + 1, hour))
            if value is None:
                parts.append(
                    f'<rect x="{x}" y="{y}" width="{cell_w}" height="{cell_h}" '
                    'fill="none" stroke="#ccc"/>'
                )
                continue
            load, count = value
            shade = min(max(load, 0), 1)
            ink = "#fff" if shade > 0.55 else "#000"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell_w}" height="{cell_h}" fill="#1a5e8c" '
                f'fill-opacity="{0.1 + 0.9 * shade:.2f}" stroke="#fff">'
                f"<title>{escape(name)} {hour:02d}:00 — {load * 100:.0f}% ({count})</title></rect>"
                f'<text x="{x + cell_w / 2}" y="{y + 18}" text-anchor="middle" fill="{ink}">'
                f"{load * 100:.0f}%</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def funnel_svg(rows: list[list]) -> str:
    """The funnel's steps as horizontal bars, one a row: the step's name, a bar as long as
    its count against the largest, and the count with its share of the first step written
    after the bar, so it reads without colour."""
    if not rows:
        return ""
    largest = max(row[1] for row in rows) or 1
    bar_h, gap, left, bar_max, right = 24, 8, 190, 360, 130
    width, height = left + bar_max + right, (bar_h + gap) * len(rows) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
        f"<title>{escape(pgettext('report', 'Sales funnel'))}</title>",
    ]
    for index, (label, count, _from_previous, from_first) in enumerate(rows):
        y = gap + index * (bar_h + gap)
        length = max(round(bar_max * count / largest), 1 if count else 0)
        share = "" if from_first is None else f" ({from_first * 100:.1f}%)"
        parts.append(
            f'<text x="{left - 8}" y="{y + 17}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{left}" y="{y}" width="{length}" height="{bar_h}" fill="#1a5e8c" '
            f'stroke="#000" stroke-width="1"><title>{escape(label)}: {count}{share}</title></rect>'
            f'<text x="{left + length + 6}" y="{y + 17}">{count}{share}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# --- the screen ---------------------------------------------------------------------------


class ReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "crm/reports/index.html"
    header_icon = "table"
    _show_breadcrumbs = True
    report = "sales"
    # Drawn by the reports that have them (occupancy, funnel); subclasses with their own
    # `get` (the reconciliation) have none.
    heat_map = ""
    funnel_chart = ""

    @property
    def spec(self) -> ReportSpec:
        return REPORTS[self.report]

    def get_page_title(self):
        return self.spec.title

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.spec.permission):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.spec.title}]

    def get(self, request, *args, **kwargs):
        self.form = ReportFilterForm(request.GET, spec=self.spec)
        self.tables = None
        self.heat_map = ""
        self.funnel_chart = ""
        if not self.form.is_valid():
            return super().get(request, *args, **kwargs)
        self.data = self.form.cleaned_data
        self.tables = report_tables(self.spec, self.data, request.user)
        if self.spec.name == "occupancy":
            loads = reports.departure_loads(
                date_from=self.data["date_from"],
                date_to=self.data["date_to"],
                filters=filters_of(self.data, request.user),
            )
            self.heat_map = heat_map_svg(reports.occupancy_heat_map(loads))
        self.funnel_chart = funnel_svg(self.tables[0].rows) if self.spec.name == "funnel" else ""
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            return self.export(export)
        return super().get(request, *args, **kwargs)

    def export(self, export_format: str) -> HttpResponse:
        user = unwrapped(self.request.user)
        date_from, date_to = self.data["date_from"], self.data["date_to"]
        log(
            user,
            REPORT_EXPORT_ACTION,
            user=user,
            title=f"{self.spec.name} report export",
            data={
                "report": self.spec.name,
                "format": export_format,
                "date_from": date_from.isoformat(),
                "date_to": date_to.isoformat(),
            },
        )
        tables = [
            reports.ReportTable(
                t.key, t.title, t.columns, [[cell_for_file(v) for v in row] for row in t.rows]
            )
            for t in self.tables
        ]
        return tables_download(
            tables,
            export_format=export_format,
            name=f"{self.spec.name}-report-{date_from:%Y%m%d}-{date_to:%Y%m%d}",
            date_from=date_from,
            date_to=date_to,
            title=self.spec.title,
            note=self.export_note(),
        )

    def export_note(self) -> str:
        """The downloads' second line: what the figures are in."""
        return funnel_note() if self.spec.name == "funnel" else money_note()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        if self.tables is not None:
            query = self.request.GET.copy()
            query.pop("export", None)
            query["date_from"] = self.data["date_from"].isoformat()
            query["date_to"] = self.data["date_to"].isoformat()
            context.update(
                csv_query=f"?{query.urlencode()}&export=csv",
                xlsx_query=f"?{query.urlencode()}&export=xlsx",
                heat_map=self.heat_map,
                funnel_chart=self.funnel_chart,
                tables=[
                    {
                        "key": table.key,
                        "title": table.title,
                        "headers": table.headers,
                        "rows": [
                            screen_cells(row, table.columns)
                            for row in (table.rows[:-1] if table.has_totals else table.rows)
                        ],
                        "totals": screen_cells(table.rows[-1], table.columns)
                        if table.has_totals and table.rows
                        else None,
                    }
                    for table in self.tables
                ],
            )
        return context


class SalesReportView(ReportView):
    report = "sales"


class RefundsReportView(ReportView):
    report = "refunds"


class PromotionsReportView(ReportView):
    report = "promotions"


class OccupancyReportView(ReportView):
    report = "occupancy"


class FunnelReportView(ReportView):
    report = "funnel"
