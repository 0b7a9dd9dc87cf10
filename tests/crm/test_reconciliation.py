"""The payments reconciliation report (booking.reconciliation, crm.views.reconciliation,
`/api/v1/crm/reports/reconciliation`) over a hand-made 12 May 2026, against the real
YooKassa emulator over HTTP (the site's gateway, the official SDK):

| YooKassa id | here | at YooKassa | expected |
|---|---|---|---|
| PA (order A, 2 × 1500.00) | succeeded 3000.00, refunded 1500.00 | succeeded 3000.00, refunded 1500.00 | OK |
| PB (order B, 1 × 1500.00) | succeeded 1500.00 | pending 1500.00 (never paid) | status differs |
| PC (order C, 1 × 800.00) | succeeded 800.00 | — | missing at YooKassa |
| PX | — | succeeded 1000.00 | missing here |
| R1 (refund of one of A's tickets) | succeeded 1500.00 | succeeded 1500.00 | OK |
| S1 (A's settlement receipt, its valid ticket) | succeeded 1500.00 | payment, succeeded, prepayment 1500.00 | OK |

Totals of the succeeded: payments here 5300.00 (refunded 1500.00), at YooKassa 4000.00
(refunded 1500.00); refunds 1500.00 each side; settlement receipts 1500.00 each side.
"""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from wagtail.admin.menu import reports_menu
from wagtail.models import ModelLogEntry

from booking.gateways.yookassa import get_gateway
from booking.models import FiscalReceipt, Payment, Refund, Ticket
from booking.reconciliation import (
    AMOUNT_DIFFERS,
    MISSING_AT_PROVIDER,
    MISSING_HERE,
    STATUS_DIFFERS,
    reconciliation_report,
)
from crm import roles
from tests.crm.api.helpers import api_for
from tests.factories import general_departure, placed_order, product_with_ticket_types
from tests.factories.people import signed_in_client, staff_member

pytestmark = pytest.mark.django_db

D = Decimal
DAY = {"date_from": datetime.date(2026, 5, 12), "date_to": datetime.date(2026, 5, 12)}
QUERY = {"date_from": "2026-05-12", "date_to": "2026-05-12"}
RETURN_URL = "http://shop.test/return"


def at(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 5, 12, hour, minute, tzinfo=datetime.UTC)


def iso(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class World:
    pa: str
    pb: str
    pc: str
    px: str
    r1: str
    s1: str
    codes: dict


def _provider_payment(gateway, amount: str, key: str, *, pay: bool, yookassa) -> str:
    payment = gateway.create_payment(
        amount=D(amount),
        description="Заказ",
        return_url=RETURN_URL,
        metadata={},
        receipt=None,
        idempotence_key=key,
    )
    if pay:
        yookassa.settle(payment.id)
    return payment.id


def _date_at_provider(yookassa, collection: str, object_id: str, moment, field="created_at"):
    """The emulator stamps objects with the current time; the fixture's are of 12 May."""
    getattr(yookassa.server.emulator.store, collection)[object_id][field] = iso(moment)


def build_world(yookassa) -> World:
    product, (adult, child) = product_with_ticket_types(prices=("1500.00", "800.00"))
    departure = general_departure(capacity=20, product=product, venue=product.venue)
    order_a = placed_order(departure, quantities={adult.pk: 2}, paid=True)
    order_b = placed_order(departure, quantities={adult.pk: 1}, paid=True)
    order_c = placed_order(departure, quantities={child.pk: 1}, paid=True)
    assert (order_a.total, order_b.total, order_c.total) == (D("3000.00"), D("1500.00"), D("800"))

    gateway = get_gateway()
    pa = _provider_payment(gateway, "3000.00", "world-pa", pay=True, yookassa=yookassa)
    pb = _provider_payment(gateway, "1500.00", "world-pb", pay=False, yookassa=yookassa)
    px = _provider_payment(gateway, "1000.00", "world-px", pay=True, yookassa=yookassa)
    refund = gateway.create_refund(
        payment_id=pa,
        amount=D("1500.00"),
        description="Возврат",
        receipt=None,
        idempotence_key="world-r1",
    )
    ticket = order_a.tickets.order_by("pk").first()
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.REFUNDED)
    receipt = gateway.create_receipt(
        receipt={
            "type": "payment",
            "payment_id": pa,
            "send": True,
            "customer": {"email": "buyer@example.com"},
            "items": [
                {
                    "description": "Билет",
                    "quantity": "1",
                    "amount": {"value": "1500.00", "currency": "RUB"},
                    "vat_code": 1,
                    "payment_mode": "full_payment",
                    "payment_subject": "service",
                }
            ],
            "settlements": [
                {"type": "prepayment", "amount": {"value": "1500.00", "currency": "RUB"}}
            ],
        },
        idempotence_key="world-s1",
    )
    for object_id, moment in ((pa, at(10)), (pb, at(10, 5)), (px, at(10, 15))):
        _date_at_provider(yookassa, "payments", object_id, moment)
    _date_at_provider(yookassa, "refunds", refund.id, at(11))
    _date_at_provider(yookassa, "receipts", receipt["id"], at(12), field="registered_at")

    ours = {order_a: (pa, at(10)), order_b: (pb, at(10, 5)), order_c: (None, at(10, 10))}
    for order, (provider_id, moment) in ours.items():
        payment = Payment.objects.get(order=order)
        Payment.objects.filter(pk=payment.pk).update(
            provider_id=provider_id or payment.provider_id, created_at=moment
        )
    pc = Payment.objects.get(order=order_c).provider_id
    our_refund = Refund.objects.create(
        payment=Payment.objects.get(order=order_a),
        idempotence_key="world-refund",
        provider_id=refund.id,
        amount=D("1500.00"),
        reason=Refund.Reason.CUSTOMER,
        status=Refund.Status.SUCCEEDED,
    )
    our_refund.tickets.add(ticket)
    Refund.objects.filter(pk=our_refund.pk).update(created_at=at(11))
    FiscalReceipt.objects.create(
        order=order_a,
        kind=FiscalReceipt.Kind.SETTLEMENT,
        idempotence_key="world-receipt",
        provider_id=receipt["id"],
        status="succeeded",
        sent_at=at(12),
    )
    codes = {pa: order_a.code, pb: order_b.code, pc: order_c.code}
    return World(pa, pb, pc, px, refund.id, receipt["id"], codes)


@pytest.fixture
def world(yookassa):
    return build_world(yookassa)


def _report(**kwargs):
    with translation.override("en"):
        return reconciliation_report(**{**DAY, **kwargs})


# --- the figures --------------------------------------------------------------------------


def test_each_row_says_what_differs_and_the_totals_add_up_to_the_kopeck(world):
    report = _report()
    assert report.provider_checked and report.message == ""
    payments, refunds, receipts = report.tables
    codes = world.codes
    assert payments.rows == [
        [world.pa, codes[world.pa], "Succeeded", D("3000.00"), D("1500.00"), "Succeeded",
         D("3000.00"), "yes", "yes", D("1500.00"), "OK"],
        [world.pb, codes[world.pb], "Succeeded", D("1500.00"), D("0.00"), "Pending",
         D("1500.00"), "no", "no", D("0"), "Status differs"],
        [world.pc, codes[world.pc], "Succeeded", D("800.00"), D("0.00"), "", None, "", "",
         None, "Missing at YooKassa"],
        [world.px, "", "", None, None, "Succeeded", D("1000.00"), "yes", "yes", D("0"),
         "Missing here"],
        ["Total succeeded", "", "", D("5300.00"), D("1500.00"), "", D("4000.00"), "", "",
         D("1500.00"), ""],
    ]  # fmt: skip
    assert payments.differences == [[], [STATUS_DIFFERS], [MISSING_AT_PROVIDER], [MISSING_HERE], []]
    assert refunds.rows == [
        [world.r1, world.pa, codes[world.pa], "Succeeded", D("1500.00"), "Succeeded",
         D("1500.00"), "OK"],
        ["Total succeeded", "", "", "", D("1500.00"), "", D("1500.00"), ""],
    ]  # fmt: skip
    assert receipts.rows == [
        [world.s1, codes[world.pa], "Payment", "Succeeded", D("1500.00"), "Payment",
         "Succeeded", D("1500.00"), "OK"],
        ["Total succeeded", "", "", "", D("1500.00"), "", "", D("1500.00"), ""],
    ]  # fmt: skip
    assert report.differences == 3


def test_an_amount_that_differs_is_reported(world, yookassa):
    Refund.objects.filter(provider_id=world.r1).update(amount=D("1499.99"))
    refunds = _report().tables[1]
    assert refunds.differences[0] == [AMOUNT_DIFFERS]
    assert refunds.rows[0][-1] == "Amount differs"
    assert refunds.rows[-1][4] == D("1499.99")


def test_another_day_shows_nothing(world):
    report = _report(date_from=datetime.date(2026, 5, 14), date_to=datetime.date(2026, 5, 14))
    assert [len(table.rows) for table in report.tables] == [1, 1, 1]
    assert report.differences == 0


@pytest.mark.parametrize("setting", ["unreachable", "no_credentials"])
def test_without_yookassa_the_report_says_so_and_shows_our_side(world, settings, setting):
    if setting == "unreachable":
        settings.YOOKASSA_API_URL = "http://127.0.0.1:9/v3"
        expected = "YooKassa could not be reached"
    else:
        settings.YOOKASSA_SHOP_ID = ""
        expected = "YooKassa is not configured"
    report = _report()
    assert not report.provider_checked and report.message.startswith(expected)
    payments = report.tables[0]
    assert [row[0] for row in payments.rows[:-1]] == [world.pa, world.pb, world.pc]
    assert {row[-1] for row in payments.rows[:-1]} == {"Not checked"}
    assert payments.rows[-1][3] == D("5300.00") and payments.rows[-1][6] is None
    assert report.differences == 0
    with translation.override("ru"):
        assert "ЮKassa" in reconciliation_report(**DAY).message


@pytest.mark.parametrize(
    "period",
    [DAY, {"date_from": datetime.date(2025, 6, 1), "date_to": datetime.date(2026, 5, 31)}],
)
def test_a_fixed_number_of_queries_and_provider_requests_whatever_the_period(
    world, yookassa, period
):
    reads = yookassa.server.emulator.store.reads
    before = len(reads)
    with CaptureQueriesContext(connection) as queries:
        reconciliation_report(**period)
    assert len(queries) == 3
    # One page of each list: payments, refunds, receipts.
    assert [read.split("?")[0] for read in reads[before:]] == [
        "/v3/payments",
        "/v3/refunds",
        "/v3/receipts",
    ]


def test_a_manager_limited_to_another_pier_sees_none_of_it(world):
    from booking.models import Venue

    other = Venue.objects.exclude(pk=Payment.objects.first().order.departure.venue_id)
    pier = other.first().pk if other.exists() else 10**9
    report = _report(piers=frozenset({pier}))
    assert [len(table.rows) for table in report.tables] == [1, 1, 1]


# --- the screen, its downloads and the API ---------------------------------------------------


@pytest.mark.parametrize(
    "role, allowed",
    [
        (roles.ADMINISTRATOR, True),
        (roles.MANAGER, True),
        (roles.ACCOUNTANT, True),
        (roles.AGENT, False),
        (roles.MARKETER, False),
    ],
)
def test_the_screen_the_menu_and_the_api_per_role(rf, yookassa, role, allowed):
    user = staff_member(role)
    response = signed_in_client(user).get(reverse("crm_report_reconciliation"), QUERY)
    assert response.status_code == (200 if allowed else 403)
    request = rf.get("/admin/")
    request.user = user
    shown = {item.name for item in reports_menu.menu_items_for_request(request)}
    assert ("report-reconciliation" in shown) is allowed
    response = api_for(role).get("/reports/reconciliation", QUERY)
    assert response.status_code == (200 if allowed else 403)


def test_the_screen_marks_the_rows_that_differ(world):
    client = signed_in_client(staff_member(roles.ACCOUNTANT))
    response = client.get(
        reverse("crm_report_reconciliation"), QUERY, headers={"Accept-Language": "en"}
    )
    html = response.content.decode()
    assert html.count('class="crm-reconciliation__row--differs"') == 3
    assert html.count('class="crm-reconciliation__marker">≠</strong>') == 3
    assert "Status differs" in html and "Missing here" in html
    assert "5\u00a0300.00" in html
    assert "style=" not in html.split('id="report-payments"')[1].split("</section>")[0]


def test_the_screen_says_when_yookassa_is_unreachable(world, settings):
    settings.YOOKASSA_API_URL = "http://127.0.0.1:9/v3"
    client = signed_in_client(staff_member(roles.ACCOUNTANT))
    response = client.get(reverse("crm_report_reconciliation"), QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "crm-reconciliation__unchecked" in html and world.pa in html


def test_csv_and_xlsx_downloads_are_audited(world):
    client = signed_in_client(staff_member(roles.ACCOUNTANT))
    url = reverse("crm_report_reconciliation")
    response = client.get(url, {**QUERY, "export": "csv"}, headers={"Accept-Language": "en"})
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="reconciliation-report-20260512-20260512.csv"'
    )
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert [world.pb, world.codes[world.pb], "Succeeded", "1500.00", "0.00", "Pending",
            "1500.00", "no", "no", "0", "Status differs"] in lines  # fmt: skip
    response = client.get(url, {**QUERY, "export": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["payments", "refunds", "receipts"]
    last = [list(row) for row in book["payments"].iter_rows(values_only=True)][-1]
    assert last[3] == 5300 and last[6] == 4000
    assert ModelLogEntry.objects.filter(action="prichal.report.export").count() == 2


def test_the_api_answers_the_same_figures(world):
    response = api_for(roles.ACCOUNTANT, language="en").get("/reports/reconciliation", QUERY)
    assert response.status_code == 200
    body = response.json()
    assert (body["provider_checked"], body["differences"]) == (True, 3)
    payments = body["tables"][0]
    assert payments["differences"][:4] == [
        [],
        ["status_differs"],
        ["missing_at_provider"],
        ["missing_here"],
    ]
    assert payments["rows"][-1][3] == "5300.00"


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-05-31", "date_to": "2026-05-01"},
        {"date_from": "2024-01-01", "date_to": "2026-05-01"},
        {"date_from": "yesterday"},
        {"pier": "abc"},
        {"pier": "999999"},
    ],
)
def test_bad_filters_are_a_translated_message_not_an_error(yookassa, params):
    client = signed_in_client(staff_member(roles.ACCOUNTANT))
    response = client.get(
        reverse("crm_report_reconciliation"), params, headers={"Accept-Language": "ru"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'id="report-payments"' not in response.content.decode()
    response = api_for(roles.ACCOUNTANT).get("/reports/reconciliation", params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_filters"
    assert "Фильтры" in response.json()["message"] or "фильтр" in response.json()["message"]
