"""The payments reconciliation report in the admin (Reports → Payments reconciliation): our
payments, refunds and settlement receipts beside YooKassa's (booking.reconciliation), the
rows that differ marked with a CSS class and a written marker (readable without colour),
CSV/XLSX downloads written to the audit trail like the other reports' (crm.views.reports).
The CRM API serves the same tables (crm.api.reports, `reports/reconciliation`).

For holders of `booking.view_reports`; a member of staff assigned to piers sees only
those piers' records (and none of YooKassa's objects we do not have: nothing says whose
pier they are).
"""

from __future__ import annotations

from django.utils.translation import pgettext, pgettext_lazy

from booking.reconciliation import ReconciliationReport, reconciliation_report
from crm.views.reports import (
    ReportFilterForm,
    ReportSpec,
    ReportView,
    filters_of,
    screen_cells,
)

RECONCILIATION = ReportSpec(
    "reconciliation", pgettext_lazy("report", "Payments reconciliation"), ("pier",)
)
# Written before a differing row's difference, so that it reads without colour too.
DIFFERS_MARKER = "≠"


def reconciliation_for(data: dict, user) -> ReconciliationReport:
    """The report for a valid filter form's `cleaned_data`, as `user` may see it."""
    filters = filters_of(data, user)
    return reconciliation_report(
        date_from=data["date_from"],
        date_to=data["date_to"],
        pier=filters.pier,
        piers=filters.piers,
    )


def reconciliation_note(report: ReconciliationReport) -> str:
    note = pgettext("reconciliation", "Amounts in RUB; totals of the succeeded ones per side.")
    return f"{note} {report.message}" if report.message else note


class ReconciliationReportView(ReportView):
    template_name = "crm/reports/reconciliation.html"
    report = "reconciliation"

    @property
    def spec(self) -> ReportSpec:
        return RECONCILIATION

    def get(self, request, *args, **kwargs):
        # ReportView.get builds the sales reports' tables; this report has its own, so the
        # view skips to TemplateView.get (the permission check is ReportView.dispatch's).
        self.form = ReportFilterForm(request.GET, spec=self.spec)
        self.result = None
        self.tables = None
        self.heat_map = ""
        if not self.form.is_valid():
            return super(ReportView, self).get(request, *args, **kwargs)
        self.data = self.form.cleaned_data
        self.result = reconciliation_for(self.data, request.user)
        self.tables = self.result.tables
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            return self.export(export)
        return super(ReportView, self).get(request, *args, **kwargs)

    def export_note(self) -> str:
        return reconciliation_note(self.result)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.result is None:
            return context
        tables = []
        for table in self.result.tables:
            body = table.rows[:-1] if table.has_totals else table.rows
            rows = []
            for row, keys in zip(body, table.differences, strict=False):
                cells = screen_cells(row, table.columns)
                rows.append({"cells": cells, "differs": bool(keys)})
            tables.append(
                {
                    "key": table.key,
                    "title": table.title,
                    "headers": table.headers,
                    "rows": rows,
                    "totals": screen_cells(table.rows[-1], table.columns)
                    if table.has_totals and table.rows
                    else None,
                }
            )
        context.update(
            tables=tables,
            provider_checked=self.result.provider_checked,
            provider_message=self.result.message,
            differences=self.result.differences,
            differs_marker=DIFFERS_MARKER,
        )
        return context
