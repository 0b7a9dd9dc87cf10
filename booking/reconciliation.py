"""The payments reconciliation report (issue 15): our payments, refunds and settlement
receipts beside what YooKassa lists for the same period (fetched through the gateway), row
by row, matched by YooKassa's id, each row saying what differs.

- Our side: the payments and refunds created in the period, and the settlement receipts
  sent in it, each dated on the clock of its order's pier (as the other reports,
  booking.reports); payments never sent to YooKassa (no YooKassa id) are left out. Three
  queries whatever the period: each reads our records of the period's UTC window (the
  period widened by a day each side, `Period.utc_bounds`), so that a provider object of
  ours dated outside the period, or at a pier the reader does not see, is recognised
  as ours and not reported as missing here.
- YooKassa's side: three lists (payments, refunds, receipts) over the same UTC window,
  each followed through its pages (at most a year: `MAX_DAYS`). A provider object we do
  not have is dated on the site's clock; with a pier filter or a member of staff limited
  to piers, such objects are left out (nothing tells which pier they belong to).
  Receipts: those with a prepayment settlement are settlement receipts; sale and refund
  receipts registered with payments are not ours to compare.
- A difference is: missing at YooKassa, missing here, status differs, amount differs,
  refunded amount differs (payments: what we recorded as refunded with succeeded refunds
  against YooKassa's `refunded_amount`). A settlement receipt's amount here is what its
  order's valid tickets paid, which is what `settlement_receipt_send` sends.
- When YooKassa cannot be reached, or the shop has no credentials, the report says so and
  shows our side only.

Totals: per side, the succeeded objects' amounts (the money that moved).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import DecimalField, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import pgettext

from booking.gateways.yookassa import GatewayError, get_gateway
from booking.models import FiscalReceipt, Payment, Refund, Ticket
from booking.reports import ZERO, Column, LocalDate, Period, ReportTable

OK = "ok"
MISSING_AT_PROVIDER = "missing_at_provider"
MISSING_HERE = "missing_here"
STATUS_DIFFERS = "status_differs"
AMOUNT_DIFFERS = "amount_differs"
REFUNDED_DIFFERS = "refunded_differs"
NOT_CHECKED = "not_checked"
SUCCEEDED = "succeeded"
PREPAYMENT = "prepayment"


def difference_label(key: str) -> str:
    return {
        OK: pgettext("reconciliation", "OK"),
        MISSING_AT_PROVIDER: pgettext("reconciliation", "Missing at YooKassa"),
        MISSING_HERE: pgettext("reconciliation", "Missing here"),
        STATUS_DIFFERS: pgettext("reconciliation", "Status differs"),
        AMOUNT_DIFFERS: pgettext("reconciliation", "Amount differs"),
        REFUNDED_DIFFERS: pgettext("reconciliation", "Refunded amount differs"),
        NOT_CHECKED: pgettext("reconciliation", "Not checked"),
    }[key]


@dataclass
class ReconciliationTable(ReportTable):
    """A report table whose rows each carry their differences (`differences[i]`: the keys
    of row i, empty when it matches or was not checked; the totals row has none)."""

    differences: list[list[str]] = field(default_factory=list)


@dataclass
class ReconciliationReport:
    tables: list[ReconciliationTable]
    # False when YooKassa could not be asked; `message` then says why, translated.
    provider_checked: bool
    message: str = ""

    @property
    def differences(self) -> int:
        """How many rows differ, over every table."""
        return sum(1 for table in self.tables for keys in table.differences if keys)


def _status_label(status: str | None, choices=Payment.Status) -> str:
    if status is None:
        return ""
    try:
        return str(choices(status).label)
    except ValueError:
        return status


def _type_label(kind: str | None) -> str:
    if kind is None:
        return ""
    return {
        "payment": pgettext("receipt type", "Payment"),
        "refund": pgettext("receipt type", "Refund"),
    }.get(kind, kind)


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return pgettext("reconciliation", "yes") if value else pgettext("reconciliation", "no")


def _in_period(day: datetime.date, period: Period) -> bool:
    return period.date_from <= day <= period.date_to


def _site_day(moment: datetime.datetime | None) -> datetime.date | None:
    if moment is None:
        return None
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _at_piers(venue_id: int, pier: int | None, piers: frozenset[int] | None) -> bool:
    return (pier is None or venue_id == pier) and (piers is None or venue_id in piers)


def _compare(ours: dict | None, theirs, pairs) -> list[str]:
    """The difference keys of one row; `pairs` are (key, our value, their value)."""
    if theirs is None:
        return [MISSING_AT_PROVIDER]
    if ours is None:
        return [MISSING_HERE]
    return [key for key, mine, yours in pairs if mine != yours]


def _provider_lists(start, end):
    """YooKassa's payments, refunds and receipts of the window, or the reason why not."""
    gateway = get_gateway()
    try:
        return (
            gateway.list_payments(start, end),
            gateway.list_refunds(start, end),
            gateway.list_receipts(start, end),
            "",
        )
    except GatewayError as error:
        if error.code == "configuration":
            message = pgettext(
                "reconciliation",
                "YooKassa is not configured for this shop (no shop id or secret key): "
                "only our side is shown.",
            )
        else:
            message = pgettext(
                "reconciliation",
                "YooKassa could not be reached, so nothing was compared: only our side is "
                "shown. Try again later.",
            )
        return None, None, None, message


def _sorted_rows(entries) -> list[tuple]:
    """(moment, id, row, differences) sorted by moment then id."""
    far = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    return sorted(entries, key=lambda e: (e[0] or far, e[1]))


def _fill(table: ReconciliationTable, entries, totals: list, checked: bool) -> None:
    for _moment, _id, row, keys in _sorted_rows(entries):
        if not checked:
            keys = []
            row[-1] = difference_label(NOT_CHECKED)
        else:
            row[-1] = "; ".join(difference_label(k) for k in keys) or difference_label(OK)
        table.rows.append(row)
        table.differences.append(keys)
    table.rows.append(totals)
    table.differences.append([])


def reconciliation_report(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    pier: int | None = None,
    piers: frozenset[int] | None = None,
) -> ReconciliationReport:
    """Our payments, refunds and settlement receipts of the period (the pier's local
    dates) beside YooKassa's (see the module's docstring). Three queries, and three
    YooKassa lists (one request per page of up to 100 objects)."""
    period = Period(date_from, date_to)
    start, end = period.utc_bounds()
    restricted = pier is not None or piers is not None
    venue = "order__departure__venue"

    refunded_here = (
        Refund.objects.filter(payment=OuterRef("pk"), status=Refund.Status.SUCCEEDED)
        .order_by()
        .values("payment")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    our_payments = list(
        Payment.objects.filter(provider_id__isnull=False, created_at__gte=start, created_at__lt=end)
        .annotate(
            local_day=LocalDate(F("created_at"), F(f"{venue}__timezone")),
            refunded=Coalesce(
                Subquery(refunded_here, output_field=DecimalField(max_digits=12, decimal_places=2)),
                ZERO,
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
        )
        .values(
            "provider_id",
            "status",
            "amount",
            "refunded",
            "created_at",
            "local_day",
            "order__code",
            f"{venue}_id",
        )
        .order_by()
    )
    our_refunds = list(
        Refund.objects.filter(provider_id__isnull=False, created_at__gte=start, created_at__lt=end)
        .annotate(local_day=LocalDate(F("created_at"), F(f"payment__{venue}__timezone")))
        .values(
            "provider_id",
            "status",
            "amount",
            "created_at",
            "local_day",
            "payment__provider_id",
            "payment__order__code",
            f"payment__{venue}_id",
        )
        .order_by()
    )
    valid_paid = (
        Ticket.objects.filter(order=OuterRef("order"), status=Ticket.Status.VALID)
        .order_by()
        .values("order")
        .annotate(total=Sum("paid_amount"))
        .values("total")
    )
    our_receipts = list(
        FiscalReceipt.objects.filter(
            kind=FiscalReceipt.Kind.SETTLEMENT, sent_at__gte=start, sent_at__lt=end
        )
        .exclude(provider_id="")
        .annotate(
            local_day=LocalDate(F("sent_at"), F(f"{venue}__timezone")),
            amount=Coalesce(
                Subquery(valid_paid, output_field=DecimalField(max_digits=12, decimal_places=2)),
                ZERO,
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
        )
        .values(
            "provider_id", "status", "amount", "sent_at", "local_day", "order__code", f"{venue}_id"
        )
        .order_by()
    )

    provider_payments, provider_refunds, provider_receipts, message = _provider_lists(start, end)
    checked = not message
    provider_payments = {p.id: p for p in provider_payments or []}
    provider_refunds = {r.id: r for r in provider_refunds or []}
    provider_receipts = {
        r.id: r for r in provider_receipts or [] if PREPAYMENT in r.settlement_types
    }

    def shown(row, venue_key) -> bool:
        return _in_period(row["local_day"], period) and _at_piers(row[venue_key], pier, piers)

    def provider_only(known: set, objects: dict, moment) -> list:
        if restricted:
            return []
        return [
            obj
            for object_id, obj in objects.items()
            if object_id not in known
            and (day := _site_day(moment(obj))) is not None
            and _in_period(day, period)
        ]

    # --- payments
    payments = ReconciliationTable(
        "payments",
        pgettext("reconciliation", "Payments"),
        [
            Column("provider_id", pgettext("reconciliation", "YooKassa id"), "text"),
            Column("order", pgettext("reconciliation", "Order"), "text"),
            Column("status", pgettext("reconciliation", "Status here"), "text"),
            Column("amount", pgettext("reconciliation", "Amount here"), "money"),
            Column("refunded", pgettext("reconciliation", "Refunded here"), "money"),
            Column("provider_status", pgettext("reconciliation", "YooKassa status"), "text"),
            Column("provider_amount", pgettext("reconciliation", "YooKassa amount"), "money"),
            Column("provider_paid", pgettext("reconciliation", "Paid"), "text"),
            Column("provider_captured", pgettext("reconciliation", "Captured"), "text"),
            Column("provider_refunded", pgettext("reconciliation", "YooKassa refunded"), "money"),
            Column("difference", pgettext("reconciliation", "Difference"), "text"),
        ],
        has_totals=True,
    )
    entries, sums = [], [ZERO, ZERO, ZERO, ZERO]
    known = {row["provider_id"] for row in our_payments}
    pairs = [
        (ours, provider_payments.get(ours["provider_id"]) if checked else None)
        for ours in our_payments
        if shown(ours, f"{venue}_id")
    ]
    pairs += [(None, theirs) for theirs in provider_only(known, provider_payments, _created)]
    for ours, theirs in pairs:
        if ours is not None and ours["status"] == SUCCEEDED:
            sums[0] += ours["amount"]
            sums[1] += ours["refunded"]
        if theirs is not None and theirs.status == SUCCEEDED:
            sums[2] += theirs.amount
            sums[3] += theirs.refunded_amount
        moment = ours["created_at"] if ours else theirs.created_at
        entries.append(
            (moment, ours["provider_id"] if ours else theirs.id, *_payment_row(ours, theirs))
        )
    _fill(
        payments,
        entries,
        [
            pgettext("reconciliation", "Total succeeded"),
            "",
            "",
            sums[0],
            sums[1],
            "",
            sums[2] if checked else None,
            "",
            "",
            sums[3] if checked else None,
            "",
        ],
        checked,
    )

    # --- refunds
    refunds = ReconciliationTable(
        "refunds",
        pgettext("reconciliation", "Refunds"),
        [
            Column("provider_id", pgettext("reconciliation", "YooKassa id"), "text"),
            Column("payment", pgettext("reconciliation", "Payment"), "text"),
            Column("order", pgettext("reconciliation", "Order"), "text"),
            Column("status", pgettext("reconciliation", "Status here"), "text"),
            Column("amount", pgettext("reconciliation", "Amount here"), "money"),
            Column("provider_status", pgettext("reconciliation", "YooKassa status"), "text"),
            Column("provider_amount", pgettext("reconciliation", "YooKassa amount"), "money"),
            Column("difference", pgettext("reconciliation", "Difference"), "text"),
        ],
        has_totals=True,
    )
    entries, sums = [], [ZERO, ZERO]
    known = {row["provider_id"] for row in our_refunds}
    for ours in our_refunds:
        if not shown(ours, f"payment__{venue}_id"):
            continue
        theirs = provider_refunds.get(ours["provider_id"]) if checked else None
        keys = _compare(
            ours,
            theirs,
            [
                (STATUS_DIFFERS, ours["status"], theirs and theirs.status),
                (AMOUNT_DIFFERS, ours["amount"], theirs and theirs.amount),
            ],
        )
        entries.append(
            (
                ours["created_at"],
                ours["provider_id"],
                [
                    ours["provider_id"],
                    ours["payment__provider_id"] or "",
                    ours["payment__order__code"],
                    _status_label(ours["status"], Refund.Status),
                    ours["amount"],
                    _status_label(theirs and theirs.status, Refund.Status),
                    theirs and theirs.amount,
                    "",
                ],
                keys,
            )
        )
        if ours["status"] == SUCCEEDED:
            sums[0] += ours["amount"]
        if theirs is not None and theirs.status == SUCCEEDED:
            sums[1] += theirs.amount
    for theirs in provider_only(known, provider_refunds, _created):
        entries.append(
            (
                theirs.created_at,
                theirs.id,
                [
                    theirs.id,
                    theirs.payment_id,
                    "",
                    "",
                    None,
                    _status_label(theirs.status, Refund.Status),
                    theirs.amount,
                    "",
                ],
                [MISSING_HERE],
            )
        )
        if theirs.status == SUCCEEDED:
            sums[1] += theirs.amount
    _fill(
        refunds,
        entries,
        [
            pgettext("reconciliation", "Total succeeded"),
            "",
            "",
            "",
            sums[0],
            "",
            sums[1] if checked else None,
            "",
        ],
        checked,
    )

    # --- settlement receipts
    receipts = ReconciliationTable(
        "receipts",
        pgettext("reconciliation", "Settlement receipts sent"),
        [
            Column("provider_id", pgettext("reconciliation", "YooKassa id"), "text"),
            Column("order", pgettext("reconciliation", "Order"), "text"),
            Column("type", pgettext("reconciliation", "Type here"), "text"),
            Column("status", pgettext("reconciliation", "Status here"), "text"),
            Column("amount", pgettext("reconciliation", "Amount here"), "money"),
            Column("provider_type", pgettext("reconciliation", "YooKassa type"), "text"),
            Column("provider_status", pgettext("reconciliation", "YooKassa status"), "text"),
            Column("provider_amount", pgettext("reconciliation", "YooKassa amount"), "money"),
            Column("difference", pgettext("reconciliation", "Difference"), "text"),
        ],
        has_totals=True,
    )
    entries, sums = [], [ZERO, ZERO]
    known = {row["provider_id"] for row in our_receipts}
    for ours in our_receipts:
        if not shown(ours, f"{venue}_id"):
            continue
        theirs = provider_receipts.get(ours["provider_id"]) if checked else None
        keys = _compare(
            ours,
            theirs,
            [
                (STATUS_DIFFERS, ours["status"], theirs and theirs.status),
                (AMOUNT_DIFFERS, ours["amount"], theirs and theirs.amount),
            ],
        )
        entries.append(
            (
                ours["sent_at"],
                ours["provider_id"],
                [
                    ours["provider_id"],
                    ours["order__code"],
                    _type_label("payment"),
                    _status_label(ours["status"] or None, Refund.Status),
                    ours["amount"],
                    _type_label(theirs and theirs.type),
                    _status_label(theirs and theirs.status, Refund.Status),
                    theirs and theirs.amount,
                    "",
                ],
                keys,
            )
        )
        if ours["status"] == SUCCEEDED:
            sums[0] += ours["amount"]
        if theirs is not None and theirs.status == SUCCEEDED:
            sums[1] += theirs.amount
    for theirs in provider_only(known, provider_receipts, lambda r: r.registered_at):
        entries.append(
            (
                theirs.registered_at,
                theirs.id,
                [
                    theirs.id,
                    "",
                    "",
                    "",
                    None,
                    _type_label(theirs.type),
                    _status_label(theirs.status, Refund.Status),
                    theirs.amount,
                    "",
                ],
                [MISSING_HERE],
            )
        )
        if theirs.status == SUCCEEDED:
            sums[1] += theirs.amount
    _fill(
        receipts,
        entries,
        [
            pgettext("reconciliation", "Total succeeded"),
            "",
            "",
            "",
            sums[0],
            "",
            "",
            sums[1] if checked else None,
            "",
        ],
        checked,
    )
    return ReconciliationReport([payments, refunds, receipts], checked, message)


def _created(obj) -> datetime.datetime | None:
    return obj.created_at


def _payment_row(ours: dict | None, theirs) -> tuple[list, list[str]]:
    keys = _compare(
        ours,
        theirs,
        [
            (STATUS_DIFFERS, ours and ours["status"], theirs and theirs.status),
            (AMOUNT_DIFFERS, ours and ours["amount"], theirs and theirs.amount),
            (REFUNDED_DIFFERS, ours and ours["refunded"], theirs and theirs.refunded_amount),
        ],
    )
    captured = None if theirs is None else bool(theirs.raw.get("captured_at"))
    row = [
        ours["provider_id"] if ours else theirs.id,
        ours["order__code"] if ours else "",
        _status_label(ours and ours["status"]),
        ours["amount"] if ours else None,
        ours["refunded"] if ours else None,
        _status_label(theirs and theirs.status),
        theirs and theirs.amount,
        _yes_no(theirs and theirs.paid),
        _yes_no(captured),
        theirs and theirs.refunded_amount,
        "",
    ]
    return row, keys
