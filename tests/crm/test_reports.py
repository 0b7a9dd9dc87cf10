"""The operator's reports (booking.reports, crm.views.reports): sales, refunds and
cancellations, promotions and occupancy over the hand-computed May of
tests/crm/reports_world.py; totals that add up to the kopeck and match the orders; a fixed
number of queries whatever the period; the screens per role, their filters' refusals and
their CSV/XLSX downloads."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from wagtail.admin.menu import reports_menu
from wagtail.models import ModelLogEntry

from booking import reports
from booking.models import Order, Ticket
from crm import roles
from tests.crm.reports_world import build_world
from tests.factories.people import signed_in_client, staff_member

pytestmark = pytest.mark.django_db

MAY = {"date_from": date(2026, 5, 1), "date_to": date(2026, 5, 31)}
D = Decimal


@pytest.fixture
def world():
    with translation.override("en"):
        yield build_world()


def rows(table) -> list[list]:
    return [list(row) for row in table.rows]


def money(*values) -> list[Decimal]:
    return [D(v) for v in values]


# --- sales ------------------------------------------------------------------------------


def test_sales_by_day_on_the_piers_clock(world):
    with translation.override("en"):
        sales, vat = reports.sales_report(**MAY)
    assert rows(sales) == [
        ["2026-05-05", 1, *money("2000", "0", "150", "2150", "2150", "0")],
        ["2026-05-10", 3, *money("3800", "0", "150", "3950", "800", "3150")],
        # O2 paid at 22:30 UTC on the 10th: 01:30 on the 11th in Moscow.
        ["2026-05-11", 2, *money("3000", "300", "150", "2850", "0", "2850")],
        ["2026-05-20", 1, *money("2000", "0", "150", "2150", "2000", "150")],
        ["Total", 7, *money("10800", "300", "600", "11100", "4950", "6150")],
    ]
    # O3 paid at 15:00 UTC on 31 May is 1 June in Vladivostok: June's, not May's.
    june = reports.sales_report(date_from=date(2026, 6, 1), date_to=date(2026, 6, 30))[0]
    assert rows(june)[0] == ["2026-06-01", 2, *money("4000", "0", "150", "4150", "0", "4150")]
    assert rows(vat) == [
        ["No VAT", 2, D("150"), D("0")],
        ["VAT 22%", 5, D("6000"), D("1081.97")],
        ["Total", 7, D("6150"), D("1081.97")],
    ]


def test_sales_totals_match_the_orders_they_come_from(world):
    sold = ["O5", "O1", "O2", "O4"]
    orders = Order.objects.filter(pk__in=[world.orders[n].pk for n in sold])
    sums = orders.aggregate(
        gross=Sum("subtotal"), discounts=Sum("discount_total"), fees=Sum("fees_total")
    )
    paid = orders.aggregate(total=Sum("total"))["total"]
    total = reports.sales_report(**MAY)[0].rows[-1]
    assert total[2:6] == [sums["gross"], sums["discounts"], sums["fees"], paid]
    assert total[1] == Ticket.objects.filter(order__in=orders).count()


def test_sales_by_week_and_month(world):
    weeks = reports.sales_report(**MAY, period="week")[0]
    assert [(row[0], row[1], row[5]) for row in weeks.rows[:-1]] == [
        ("2026-05-04 – 2026-05-10", 4, D("6100")),
        ("2026-05-11 – 2026-05-17", 2, D("2850")),
        ("2026-05-18 – 2026-05-24", 1, D("2150")),
    ]
    months = reports.sales_report(**MAY, period="month")[0]
    assert rows(months)[0] == ["2026-05", 7, *money("10800", "300", "600", "11100", "4950", "6150")]


def test_sales_split_by_product_ticket_type_promo_code_and_channel(world):
    by_product = reports.sales_report(**MAY, period="month", group="product")[0]
    assert [(r[1], r[2], r[8]) for r in by_product.rows[:-1]] == [
        ("Белые ночи", 2, D("150")),
        ("Закат", 5, D("6000")),
    ]
    by_type = reports.sales_report(**MAY, period="month", group="ticket_type")[0]
    per_type = {r[1]: r for r in by_type.rows[:-1]}
    # [period, group, tickets, gross, discounts, fees, paid, refunds, net]
    assert per_type["Закат: Взрослый"][2:5] == [4, D("6000"), D("300")]
    assert per_type["Закат: Взрослый"][7] == D("0")
    assert per_type["Закат: Детский"][2:4] == [1, D("800")]
    assert per_type["Закат: Детский"][7] == D("800")
    assert per_type["Белые ночи: Взрослый"][7] == D("4150")
    for column in range(2, 9):
        assert sum(r[column] for r in by_type.rows[:-1]) == by_type.rows[-1][column]
    by_code = reports.sales_report(**MAY, period="month", group="promo_code")[0]
    assert [(r[1], r[2]) for r in by_code.rows[:-1]] == [("No promo code", 5), ("SUMMER", 2)]
    by_channel = reports.sales_report(**MAY, period="month", group="channel")[0]
    assert [(r[1], r[2]) for r in by_channel.rows[:-1]] == [("Site", 7)]


def test_sales_filters(world):
    only_d1 = reports.SalesFilters(departure=world.d1.pk)
    assert reports.sales_report(**MAY, filters=only_d1)[0].rows[-1][1:] == [
        5,
        *money("6800", "300", "300", "6800", "800", "6000"),
    ]
    pier = reports.SalesFilters(pier=world.d2.venue_id)
    assert reports.sales_report(**MAY, filters=pier)[0].rows[-1][1] == 2
    assert reports.sales_report(**MAY, filters=reports.SalesFilters(channel="agent"))[0].rows == [
        ["Total", 0, *money("0", "0", "0", "0", "0", "0")]
    ]


def test_a_refund_of_several_tickets_is_split_to_the_kopeck():
    assert reports._split(D("100.00"), [D("1"), D("1"), D("1")]) == money("33.34", "33.33", "33.33")
    assert reports._split(D("2150.00"), [D("2075"), D("75")]) == money("2075.00", "75.00")
    assert sum(reports._split(D("0.05"), [D("3"), D("3")])) == D("0.05")


# --- refunds, promotions, occupancy -------------------------------------------------------


def test_refunds_by_reason_and_time_before_departure(world):
    with translation.override("en"):
        by_reason, by_time = reports.refunds_report(**MAY)
    assert rows(by_reason) == [
        ["Customer's request", 2, 2, D("2800")],
        ["Departure cancelled: Weather", 1, 1, D("2150")],
        ["Total", 3, 3, D("4950")],
    ]
    assert rows(by_time) == [
        ["After the start", 1, D("2150")],
        ["Less than 24 hours before", 1, D("2000")],
        ["1–3 days before", 0, D("0")],
        ["3–7 days before", 1, D("800")],
        ["More than 7 days before", 0, D("0")],
        ["Total", 3, D("4950")],
    ]


def test_promotions(world):
    (table,) = reports.promotions_report(**MAY)
    assert rows(table) == [
        ["SUMMER", 1, 2, *money("3000", "300", "2850", "0", "2850")],
        ["Total", 1, 2, *money("3000", "300", "2850", "0", "2850")],
    ]
    assert table.rows[0][4] == world.orders["O2"].discount_total


def test_occupancy_per_product_and_departure_and_the_heat_map(world):
    products, departures = reports.occupancy_report(**MAY)
    assert rows(departures) == [
        ["Закат — 2026-05-15 19:00", 10, 4, 3, 1, 0.4],
        ["Белые ночи — 2026-05-26 06:00", 20, 2, 0, 2, 0.1],
        ["Total", 30, 6, 3, 3, 0.2],
    ]
    assert rows(products) == [
        ["Белые ночи", 20, 2, 0, 2, 0.1],
        ["Закат", 10, 4, 3, 1, 0.4],
        ["Total", 30, 6, 3, 3, 0.2],
    ]
    loads = reports.departure_loads(**MAY, filters=reports.SalesFilters())
    # Friday 19:00 in Moscow; Tuesday 06:00 in Vladivostok.
    assert reports.occupancy_heat_map(loads) == {(5, 19): (0.4, 1), (2, 6): (0.1, 1)}


@pytest.mark.parametrize(
    "report, most",
    [
        (lambda **p: reports.sales_report(**p, group="departure"), 3),
        (reports.refunds_report, 2),
        (reports.promotions_report, 3),
        (reports.occupancy_report, 1),
    ],
)
def test_a_fixed_number_of_queries_whatever_the_period(world, report, most):
    counts = []
    for period in (
        {"date_from": date(2026, 5, 10), "date_to": date(2026, 5, 10)},
        {"date_from": date(2025, 6, 1), "date_to": date(2026, 6, 1)},
    ):
        with CaptureQueriesContext(connection) as queries:
            report(**period)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= most


# --- the screens --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, allowed",
    [
        (roles.ADMINISTRATOR, True),
        (roles.MANAGER, True),
        (roles.ACCOUNTANT, True),
        (roles.AGENT, False),
        (roles.MARKETER, False),
        (roles.BOARDING_CREW, False),
    ],
)
def test_the_screens_and_menu_per_role(rf, role, allowed):
    user = staff_member(role)
    client = signed_in_client(user)
    for name in ("sales", "refunds", "promotions", "occupancy"):
        response = client.get(reverse(f"crm_report_{name}"))
        assert response.status_code == (200 if allowed else 403), name
    request = rf.get("/admin/")
    request.user = user
    shown = {item.name for item in reports_menu.menu_items_for_request(request)}
    names = {"report-sales", "report-refunds", "report-promotions", "report-occupancy"}
    assert (names <= shown) if allowed else not (names & shown)


def test_the_sales_screen_shows_the_totals_row(world):
    client = signed_in_client(staff_member(roles.ACCOUNTANT))
    response = client.get(
        reverse("crm_report_sales"),
        {"date_from": "2026-05-01", "date_to": "2026-05-31", "group": "product"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<tfoot>" in html and "11\u00a0100.00" in html and "Закат" in html


def test_the_occupancy_screen_draws_the_heat_map(world):
    client = signed_in_client(staff_member(roles.MANAGER))
    response = client.get(
        reverse("crm_report_occupancy"), {"date_from": "2026-05-01", "date_to": "2026-05-31"}
    )
    html = response.content.decode()
    assert "<svg" in html and ">40%</text>" in html and ">10%</text>" in html


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-05-31", "date_to": "2026-05-01"},
        {"date_from": "2024-01-01", "date_to": "2026-05-01"},
        {"date_from": "yesterday"},
        {"period": "decade"},
        {"group": "weather"},
        {"product": "999999"},
        {"product": "abc"},
        {"promotion": "NOSUCH"},
        {"departure": "-1"},
    ],
)
def test_bad_filters_are_a_message_not_an_error(params):
    client = signed_in_client(staff_member(roles.ACCOUNTANT))
    response = client.get(reverse("crm_report_sales"), params, headers={"Accept-Language": "ru"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'id="report-sales"' not in response.content.decode()


def test_csv_and_xlsx_downloads_hold_the_figures_and_are_audited(world):
    accountant = staff_member(roles.ACCOUNTANT)
    client = signed_in_client(accountant)
    params = {"date_from": "2026-05-01", "date_to": "2026-05-31", "period": "month"}
    response = client.get(reverse("crm_report_sales"), {**params, "export": "csv"})
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="sales-report-20260501-20260531.csv"'
    )
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == ["Продажи", "2026-05-01", "2026-05-31"]
    assert [
        "2026-05",
        "7",
        "10800.00",
        "300.00",
        "600.00",
        "11100.00",
        "4950.00",
        "6150.00",
    ] in lines
    assert ["Итого", "7", "6150.00", "1081.97"] in lines

    response = client.get(reverse("crm_report_refunds"), {**params, "export": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["by_reason", "by_time"]
    sheet = [list(row) for row in book["by_reason"].iter_rows(values_only=True)]
    assert sheet[-1] == ["Итого", 3, 3, 4950]
    assert ModelLogEntry.objects.filter(action="prichal.report.export").count() == 2


def test_a_manager_assigned_to_a_pier_sees_only_its_figures(world):
    from guardian.shortcuts import assign_perm

    from crm.permissions import VENUE_ASSIGNMENT

    manager = staff_member(roles.MANAGER)
    assign_perm(VENUE_ASSIGNMENT, manager, world.d1.venue)
    client = signed_in_client(manager)
    params = {"date_from": "2026-05-01", "date_to": "2026-05-31", "period": "month"}
    response = client.get(reverse("crm_report_sales"), {**params, "export": "csv"})
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["2026-05", "5", "6800.00", "300.00", "300.00", "6800.00", "800.00", "6000.00"] in lines
    response = client.get(reverse("crm_report_occupancy"), params)
    products = response.context["tables"][0]["rows"]
    assert [row[0]["text"] for row in products] == ["Закат"]
