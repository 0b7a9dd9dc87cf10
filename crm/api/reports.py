"""The reports through the CRM API, /api/v1/crm/reports/… (tag "crm"): the same tables as
the admin screens (crm.views.reports), for accounting to pull.

- `GET reports/sales?date_from&date_to&period&group&product&departure&pier&ticket_type&promotion&channel`
- `GET reports/refunds?date_from&date_to&product&departure&pier&ticket_type&promotion`
- `GET reports/promotions?…` (the same filters)
- `GET reports/occupancy?date_from&date_to&product&departure&pier`
- `GET reports/reconciliation?date_from&date_to&pier` — payments, refunds and settlement
  receipts beside YooKassa's (`differences` per row; `provider_checked` false and
  `message` when YooKassa could not be asked)
- `GET reports/funnel?date_from&date_to&group&product&language` (needs
  `booking.view_funnel` instead; dates are the site's local dates)

Dates are ISO (`2026-05-01`), the pier's local dates; the default period is the last 30
days. Ids for the product, departure, pier and ticket type, the code for the promotion.
Refused: without the report's permission 403 (`forbidden`); bad filters 422
(`invalid_filters`, the form's messages in the request's language). Money is a decimal
string in RUB; the last row of a table with `has_totals` is its totals row.
"""

import datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from booking.api.public import ErrorOut
from common.errors import CodedError
from crm.api.errors import CrmApiError
from crm.views.reconciliation import RECONCILIATION, reconciliation_for
from crm.views.reports import REPORTS, ReportFilterForm, report_tables

router = Router(tags=["crm"])

Cell = Decimal | int | float | str | None


class ReportError(CodedError):
    MESSAGES = {"invalid_filters": _("The filters are not valid: %(errors)s")}


class ReportColumnOut(Schema):
    key: str
    label: str
    kind: str = Field(description='"money" (RUB, decimal string), "count", "share" or "text"')


class ReportTableOut(Schema):
    key: str
    title: str
    columns: list[ReportColumnOut]
    rows: list[list[Cell]] = Field(description="Cells in the order of `columns`")
    has_totals: bool = Field(description="Whether the last row is the totals row")


class ReportOut(Schema):
    report: str
    date_from: datetime.date
    date_to: datetime.date
    tables: list[ReportTableOut]


class PeriodQuery(Schema):
    date_from: str | None = Field(None, max_length=20, description="From (ISO date), inclusive")
    date_to: str | None = Field(None, max_length=20, description="To (ISO date), inclusive")
    product: str | None = Field(None, max_length=20, description="Product id")
    departure: str | None = Field(None, max_length=20, description="Departure id")
    pier: str | None = Field(None, max_length=20, description="Pier id")


class FilterQuery(PeriodQuery):
    ticket_type: str | None = Field(None, max_length=20, description="Ticket type id")
    promotion: str | None = Field(None, max_length=40, description="Promo code")


class SalesQuery(FilterQuery):
    period: str | None = Field(None, max_length=10, description="day (default), week or month")
    group: str | None = Field(
        None,
        max_length=20,
        description="product, departure, pier, ticket_type, promo_code or channel",
    )
    channel: str | None = Field(None, max_length=10, description="site, agent or api")


class FunnelQuery(Schema):
    date_from: str | None = Field(None, max_length=20, description="From (ISO date), inclusive")
    date_to: str | None = Field(None, max_length=20, description="To (ISO date), inclusive")
    group: str | None = Field(None, max_length=20, description="product or language")
    product: str | None = Field(None, max_length=20, description="Product id")
    language: str | None = Field(None, max_length=10, description="ru, en or zh-hans")


def _filters(request: HttpRequest, spec, query: Schema) -> dict:
    """The query's filters, checked by the screen's form; 403 without the report's
    permission, 422 with the form's messages."""
    if not request.user.has_perm(spec.permission):
        raise CrmApiError("forbidden")
    params = {key: value for key, value in query.dict().items() if value is not None}
    form = ReportFilterForm(params, spec=spec)
    if not form.is_valid():
        raise ReportError("invalid_filters", errors=form.error_text())
    return form.cleaned_data


def _table_out(table) -> dict:
    return {
        "key": table.key,
        "title": table.title,
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in table.columns],
        "rows": table.rows,
        "has_totals": table.has_totals,
    }


def _report(request: HttpRequest, name: str, query: Schema) -> dict:
    spec = REPORTS[name]
    data = _filters(request, spec, query)
    tables = report_tables(spec, data, request.user)
    return {
        "report": name,
        "date_from": data["date_from"],
        "date_to": data["date_to"],
        "tables": [_table_out(table) for table in tables],
    }


RESPONSES = {200: ReportOut, 403: ErrorOut, 422: ErrorOut}


@router.get("/sales", response=RESPONSES, summary="Sales report")
def sales(request: HttpRequest, query: Query[SalesQuery]):
    """Tickets, gross, discounts, fees, paid, refunds and net per day, week or month,
    optionally split by product, departure, pier, ticket type, promo code or channel; the
    VAT by code."""
    return _report(request, "sales", query)


@router.get("/refunds", response=RESPONSES, summary="Refunds and cancellations report")
def refunds(request: HttpRequest, query: Query[FilterQuery]):
    """Succeeded refunds made in the period by reason and by time before the departure."""
    return _report(request, "refunds", query)


@router.get("/promotions", response=RESPONSES, summary="Promotions report")
def promotions(request: HttpRequest, query: Query[FilterQuery]):
    """Per promo code: uses, tickets, discount given, revenue attributed."""
    return _report(request, "promotions", query)


@router.get("/occupancy", response=RESPONSES, summary="Occupancy report")
def occupancy(request: HttpRequest, query: Query[PeriodQuery]):
    """Per product and per departure: capacity, sold, boarded, no-shows, load factor."""
    return _report(request, "occupancy", query)


# --- the payments reconciliation report ---------------------------------------------------


class ReconciliationTableOut(ReportTableOut):
    differences: list[list[str]] = Field(
        description="Per row, what differs: missing_at_provider, missing_here, "
        "status_differs, amount_differs, refunded_differs (empty: matches or not checked)"
    )


class ReconciliationOut(Schema):
    report: str
    date_from: datetime.date
    date_to: datetime.date
    provider_checked: bool = Field(description="Whether YooKassa's lists were compared")
    message: str = Field(description="Why YooKassa was not compared (translated), or empty")
    differences: int = Field(description="How many rows differ")
    tables: list[ReconciliationTableOut]


class ReconciliationQuery(Schema):
    date_from: str | None = Field(None, max_length=20, description="From (ISO date), inclusive")
    date_to: str | None = Field(None, max_length=20, description="To (ISO date), inclusive")
    pier: str | None = Field(None, max_length=20, description="Pier id")


@router.get(
    "/reconciliation",
    response={200: ReconciliationOut, 403: ErrorOut, 422: ErrorOut},
    summary="Payments reconciliation report",
)
def reconciliation(request: HttpRequest, query: Query[ReconciliationQuery]):
    """Our payments, refunds and settlement receipts of the period beside what YooKassa
    lists, each row with its differences; per side the totals of the succeeded ones."""
    data = _filters(request, RECONCILIATION, query)
    result = reconciliation_for(data, request.user)
    return {
        "report": RECONCILIATION.name,
        "date_from": data["date_from"],
        "date_to": data["date_to"],
        "provider_checked": result.provider_checked,
        "message": result.message,
        "differences": result.differences,
        "tables": [
            {**_table_out(table), "differences": table.differences} for table in result.tables
        ],
    }


@router.get("/funnel", response=RESPONSES, summary="Sales funnel report")
def funnel(request: HttpRequest, query: Query[FunnelQuery]):
    """Per step (product page viewed, date chosen, places held, checkout opened, payment
    started, paid): the count and the conversion from the step before and from the first;
    optionally split by product or language."""
    return _report(request, "funnel", query)
