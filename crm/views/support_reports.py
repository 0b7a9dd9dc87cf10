"""The support desk's report for managers (Reports → "Support cases"): over a period
(default the last 30 days), first-response and resolution times in business time (the desk's
calendar, less the time a case waited on the customer) — median, 75th and 90th percentile,
overall, per queue and per agent; breaches per queue and agent; the backlog of active cases
by age per queue. CSV and XLSX downloads, each written to the audit trail.

For managers and administrators (`support.handle_any_queue`); anyone else gets a 403.

What counts in the period: a first response given in it (`first_responded_at`), a case
resolved in it (`resolved_at`), a breach stamped in it (`*_breached_at`). The agent is the
case's assignee now ("Unassigned" when nobody). Percentiles interpolate linearly between
the closest ranks (as NumPy's default and `statistics.quantiles(method="inclusive")`).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView
from openpyxl import Workbook
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput
from wagtail.log_actions import log

from common.audit import unwrapped
from crm.views.orders import forbidden
from support.clock import MOSCOW, business_between, describe_remaining
from support.models import Case, CasePause
from support.services.sla import desk_calendar

SUPPORT_REPORT_EXPORT_ACTION = "prichal.support_report.export"
PERMISSION = "support.handle_any_queue"
DEFAULT_DAYS = 30
MAX_DAYS = 366
#: Backlog ages: (label, lower bound in days inclusive, upper bound exclusive or None).
AGE_BUCKETS = (
    (pgettext_lazy("support report", "< 1 day"), 0, 1),
    (pgettext_lazy("support report", "1–3 days"), 1, 3),
    (pgettext_lazy("support report", "3–7 days"), 3, 7),
    (pgettext_lazy("support report", "> 7 days"), 7, None),
)


def percentile(values: list[float], share: float) -> float | None:
    """The `share` (0…1) percentile of `values`, linear between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass
class Spread:
    """Business durations of one group: how many, median, 75th and 90th percentile."""

    durations: list[datetime.timedelta] = field(default_factory=list)

    def _at(self, share: float) -> datetime.timedelta | None:
        seconds = percentile([d.total_seconds() for d in self.durations], share)
        return None if seconds is None else datetime.timedelta(seconds=round(seconds))

    @property
    def count(self) -> int:
        return len(self.durations)

    @property
    def median(self):
        return self._at(0.5)

    @property
    def p75(self):
        return self._at(0.75)

    @property
    def p90(self):
        return self._at(0.9)


@dataclass
class Table:
    """One table of the report, the same on the screen, in CSV and in XLSX."""

    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)


def period_bounds(date_from: datetime.date, date_to: datetime.date):
    """[the start of `date_from`, the end of `date_to`) on Moscow's clock, as aware moments."""
    start = datetime.datetime.combine(date_from, datetime.time(0), tzinfo=MOSCOW)
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time(0), tzinfo=MOSCOW
    )
    return start, end


def _agent_name(user) -> str:
    if user is None:
        return str(pgettext_lazy("support report", "Unassigned"))
    return user.get_full_name() or user.get_username()


def _group_rows(
    cases: list[Case], value: Callable[[Case], object], *, overall: bool
) -> list[tuple[str, str, list]]:
    """(group, name, items) for all cases, per queue and per agent."""
    groups: list[tuple[str, str, list]] = []
    if overall:
        groups.append((str(pgettext_lazy("support report", "Overall")), "", []))
    by_queue, by_agent = defaultdict(list), defaultdict(list)
    for case in cases:
        item = value(case)
        if overall:
            groups[0][2].append(item)
        by_queue[case.queue.name].append(item)
        by_agent[_agent_name(case.assignee)].append(item)
    queue_label = str(pgettext_lazy("support report", "Queue"))
    agent_label = str(pgettext_lazy("support report", "Agent"))
    groups += [(queue_label, name, items) for name, items in sorted(by_queue.items())]
    groups += [(agent_label, name, items) for name, items in sorted(by_agent.items())]
    return groups


def support_report(
    *, date_from: datetime.date, date_to: datetime.date, now: datetime.datetime | None = None
) -> list[Table]:
    """The report's tables for the period (see the module's docstring)."""
    now = now or timezone.now()
    start, end = period_bounds(date_from, date_to)
    calendars = {}

    def calendar(all_day: bool):
        if all_day not in calendars:
            calendars[all_day] = desk_calendar(all_day=all_day, around=end)
        return calendars[all_day]

    base = Case.objects.select_related("queue", "assignee")

    def with_pauses(queryset):
        return queryset.prefetch_related(
            Prefetch("pause_set", queryset=CasePause.objects.order_by("began_at"))
        )

    def business(case: Case, until: datetime.datetime) -> datetime.timedelta:
        pauses = [(p.began_at, p.ended_at) for p in case.pause_set.all()]
        return business_between(case.created_at, until, calendar(case.all_day), pauses)

    duration_headers = [
        str(pgettext_lazy("support report", "Group")),
        str(pgettext_lazy("support report", "Name")),
        str(pgettext_lazy("support report", "Cases")),
        str(pgettext_lazy("support report", "Median")),
        str(pgettext_lazy("support report", "75th percentile")),
        str(pgettext_lazy("support report", "90th percentile")),
    ]
    tables = []
    for key, title, stamp in (
        (
            "first_response",
            pgettext_lazy("support report", "First response time (business time)"),
            "first_responded_at",
        ),
        (
            "resolution",
            pgettext_lazy("support report", "Resolution time (business time)"),
            "resolved_at",
        ),
    ):
        cases = list(
            with_pauses(base.filter(**{f"{stamp}__gte": start, f"{stamp}__lt": end})).order_by("pk")
        )
        table = Table(key, str(title), duration_headers)
        for group, name, items in _group_rows(
            cases, lambda case, stamp=stamp: business(case, getattr(case, stamp)), overall=True
        ):
            spread = Spread(items)
            table.rows.append([group, name, spread.count, spread.median, spread.p75, spread.p90])
        tables.append(table)

    breaches = Table(
        "breaches",
        str(pgettext_lazy("support report", "Breaches")),
        [
            str(pgettext_lazy("support report", "Group")),
            str(pgettext_lazy("support report", "Name")),
            str(pgettext_lazy("support report", "First response breaches")),
            str(pgettext_lazy("support report", "Resolution breaches")),
        ],
    )
    breached = list(
        base.filter(
            Q(first_response_breached_at__gte=start, first_response_breached_at__lt=end)
            | Q(resolution_breached_at__gte=start, resolution_breached_at__lt=end)
        ).order_by("pk")
    )

    def in_period(moment) -> int:
        return int(moment is not None and start <= moment < end)

    for group, name, items in _group_rows(
        breached,
        lambda case: (
            in_period(case.first_response_breached_at),
            in_period(case.resolution_breached_at),
        ),
        overall=True,
    ):
        breaches.rows.append(
            [group, name, sum(item[0] for item in items), sum(item[1] for item in items)]
        )
    tables.append(breaches)

    backlog = Table(
        "backlog",
        str(pgettext_lazy("support report", "Backlog by age (active cases now)")),
        [
            str(pgettext_lazy("support report", "Queue")),
            *[str(label) for label, _low, _high in AGE_BUCKETS],
            str(pgettext_lazy("support report", "Total")),
        ],
    )
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(AGE_BUCKETS))
    for queue_name, created_at in (
        Case.objects.filter(status__in=Case.ACTIVE)
        .values_list("queue__name", "created_at")
        .order_by("queue__name")
    ):
        age = (now - created_at) / datetime.timedelta(days=1)
        for index, (_label, low, high) in enumerate(AGE_BUCKETS):
            if age >= low and (high is None or age < high):
                counts[queue_name][index] += 1
                break
    totals = [0] * len(AGE_BUCKETS)
    for queue_name in sorted(counts):
        row = counts[queue_name]
        backlog.rows.append([queue_name, *row, sum(row)])
        totals = [a + b for a, b in zip(totals, row, strict=True)]
    backlog.rows.append([str(pgettext_lazy("support report", "Overall")), *totals, sum(totals)])
    tables.append(backlog)
    return tables


# --- output -------------------------------------------------------------------------------


def hours(value: datetime.timedelta) -> float:
    """A business duration as hours, two decimals (exports)."""
    return round(value.total_seconds() / 3600, 2)


def cell_for_screen(value):
    if isinstance(value, datetime.timedelta):
        return describe_remaining(value)
    return "—" if value is None else value


def cell_for_file(value):
    if isinstance(value, datetime.timedelta):
        return hours(value)
    return "" if value is None else value


def export_note() -> str:
    return str(pgettext_lazy("support report", "Durations in business hours."))


def tables_csv(tables: list[Table], *, date_from, date_to, title=None, note=None) -> str:
    """The tables one after the other under the report's `title`, its period and `note`
    (the sales reports of crm.views.reports reuse it with their own)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            str(title or pgettext_lazy("support report", "Support cases")),
            date_from.isoformat(),
            date_to.isoformat(),
        ]
    )
    writer.writerow([note if note is not None else export_note()])
    for table in tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.headers)
        for row in table.rows:
            writer.writerow([cell_for_file(value) for value in row])
    return out.getvalue()


def tables_xlsx(tables: list[Table], *, date_from, date_to, note=None) -> bytes:
    """One sheet per table (named by its key), the period and the unit (`note`) in its
    first rows."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.key)
        sheet.append([table.title, date_from, date_to])
        sheet.append([note if note is not None else export_note()])
        sheet.append(table.headers)
        for row in table.rows:
            sheet.append([cell_for_file(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def tables_download(
    tables: list[Table], *, export_format: str, name: str, date_from, date_to, title=None, note=None
) -> HttpResponse:
    """The tables as a download: `name`.csv (`tables_csv`) or `name`.xlsx (`tables_xlsx`)."""
    if export_format == "csv":
        response = HttpResponse(
            tables_csv(tables, date_from=date_from, date_to=date_to, title=title, note=note),
            content_type="text/csv; charset=utf-8",
        )
    else:
        response = HttpResponse(
            tables_xlsx(tables, date_from=date_from, date_to=date_to, note=note),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{export_format}"'
    return response


# --- the screen ---------------------------------------------------------------------------


class PeriodForm(forms.Form):
    date_from = forms.DateField(
        label=pgettext_lazy("support report", "From"), widget=AdminDateInput, required=False
    )
    date_to = forms.DateField(
        label=pgettext_lazy("support report", "To"), widget=AdminDateInput, required=False
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to - datetime.timedelta(days=DEFAULT_DAYS)
        if date_from > date_to:
            raise forms.ValidationError(
                pgettext_lazy("support report", "The period ends before it begins.")
            )
        if (date_to - date_from).days > MAX_DAYS:
            raise forms.ValidationError(
                pgettext_lazy("support report", "Choose a period of at most a year.")
            )
        data["date_from"], data["date_to"] = date_from, date_to
        return data


class SupportReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "crm/support_reports/index.html"
    header_icon = "table"
    page_title = pgettext_lazy("support report", "Support cases")
    _show_breadcrumbs = True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get(self, request, *args, **kwargs):
        self.form = PeriodForm(request.GET)
        self.tables = None
        if not self.form.is_valid():
            return super().get(request, *args, **kwargs)
        self.date_from = self.form.cleaned_data["date_from"]
        self.date_to = self.form.cleaned_data["date_to"]
        # The form shows the period the figures are for (the defaults filled in).
        self.form = PeriodForm(initial={"date_from": self.date_from, "date_to": self.date_to})
        self.tables = support_report(date_from=self.date_from, date_to=self.date_to)
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            return self.export(export)
        return super().get(request, *args, **kwargs)

    def export(self, export_format: str) -> HttpResponse:
        user = unwrapped(self.request.user)
        log(
            user,
            SUPPORT_REPORT_EXPORT_ACTION,
            user=user,
            title="support report export",
            data={
                "format": export_format,
                "date_from": self.date_from.isoformat(),
                "date_to": self.date_to.isoformat(),
            },
        )
        return tables_download(
            self.tables,
            export_format=export_format,
            name=f"support-report-{self.date_from:%Y%m%d}-{self.date_to:%Y%m%d}",
            date_from=self.date_from,
            date_to=self.date_to,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        if self.tables is not None:
            query = f"date_from={self.date_from.isoformat()}&date_to={self.date_to.isoformat()}"
            context.update(
                date_from=self.date_from,
                date_to=self.date_to,
                csv_query=f"?{query}&export=csv",
                xlsx_query=f"?{query}&export=xlsx",
                tables=[
                    {
                        "key": table.key,
                        "title": table.title,
                        "headers": table.headers,
                        "rows": [[cell_for_screen(v) for v in row] for row in table.rows],
                    }
                    for table in self.tables
                ],
            )
        return context
