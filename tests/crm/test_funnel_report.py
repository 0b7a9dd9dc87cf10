"""The sales funnel's report (booking.reports.funnel_report, crm.views.reports,
crm.api.reports) over a hand-computed week of events: the same numbers from raw events,
from daily counts and from both; folding idempotent; raw events deleted after the
retention while the counts stay; a fixed number of queries whatever the period; the
screen, its chart and downloads, and the API per role; bad filters a translated message."""

import csv
import datetime
import io
import zoneinfo
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from wagtail.admin.menu import reports_menu

from booking import reports
from booking.models import FunnelDay, FunnelEvent, FunnelStep
from booking.services.funnel import funnel_aggregate, funnel_aggregate_day
from crm import roles
from tests.crm.api.helpers import api_for
from tests.factories import ProductFactory
from tests.factories.people import signed_in_client, staff_member

pytestmark = pytest.mark.django_db

MSK = zoneinfo.ZoneInfo("Europe/Moscow")
MAY = {"date_from": date(2026, 5, 1), "date_to": date(2026, 5, 31)}
S = FunnelStep
STEPS = [
    S.PRODUCT_VIEWED,
    S.DATE_CHOSEN,
    S.HOLD_CREATED,
    S.CHECKOUT_OPENED,
    S.PAYMENT_STARTED,
    S.PAID,
]


def moscow(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 5, day, hour, minute, tzinfo=MSK)


class World:
    """Events (Moscow time) of two products, A and B:
    10 May 12:00  A ru: viewed 10, date 6, hold 4, checkout 3, payment 2, paid 2
    10 May 23:59  A ru: viewed 1 (still the 10th on the site's clock)
    11 May 00:01  B en: viewed 5, date 2, hold 1
    11 May 18:00  A en: viewed 4, date 2, hold 2, checkout 2, payment 1, paid 1
    12 May 09:00  A ru: viewed 3, date 1 ("today" for the first fold)
    May: viewed 23, date 11, hold 7, checkout 5, payment 3, paid 3."""

    def __init__(self):
        self.a = ProductFactory(name="Закат")
        self.b = ProductFactory(name="Острова")
        rows = []
        for moment, product, language, counts in (
            (moscow(10, 12), self.a, "ru", (10, 6, 4, 3, 2, 2)),
            (moscow(10, 23, 59), self.a, "ru", (1,)),
            (moscow(11, 0, 1), self.b, "en", (5, 2, 1)),
            (moscow(11, 18), self.a, "en", (4, 2, 2, 2, 1, 1)),
            (moscow(12, 9), self.a, "ru", (3, 1)),
        ):
            for step, n in zip(STEPS, counts, strict=False):
                rows += [
                    FunnelEvent(step=step, product=product, language=language, occurred_at=moment)
                    for _ in range(n)
                ]
        FunnelEvent.objects.bulk_create(rows)


@pytest.fixture
def world():
    return World()


def report(**kwargs):
    with translation.override("en"):
        return reports.funnel_report(**{**MAY, **kwargs})


MAY_ROWS = [
    ["Product page viewed", 23, None, 1.0],
    ["Date chosen", 11, 0.4783, 0.4783],
    ["Places held", 7, 0.6364, 0.3043],
    ["Checkout opened", 5, 0.7143, 0.2174],
    ["Payment started", 3, 0.6, 0.1304],
    ["Paid", 3, 1.0, 0.1304],
]


def test_the_same_numbers_from_raw_events_daily_counts_and_both(world):
    [funnel] = report()
    assert funnel.rows == MAY_ROWS
    funnel_aggregate(now=moscow(12, 12))
    # The 10th and 11th folded, the 12th (today) still raw.
    assert sorted(FunnelDay.objects.values_list("day", flat=True).distinct()) == [
        date(2026, 5, 10),
        date(2026, 5, 11),
    ]
    assert report()[0].rows == MAY_ROWS
    day_10 = report(date_from=date(2026, 5, 10), date_to=date(2026, 5, 10))[0]
    assert [row[1] for row in day_10.rows] == [11, 6, 4, 3, 2, 2]
    day_11_12 = report(date_from=date(2026, 5, 11), date_to=date(2026, 5, 12))[0]
    assert [row[1] for row in day_11_12.rows] == [12, 5, 3, 2, 1, 1]


def test_folding_is_idempotent_and_raw_events_go_after_the_retention(world):
    funnel_aggregate(now=moscow(12, 12))
    first = list(FunnelDay.objects.order_by("day", "product", "language", "step").values())
    funnel_aggregate(now=moscow(12, 13))
    funnel_aggregate_day(date(2026, 5, 10))
    again = list(FunnelDay.objects.order_by("day", "product", "language", "step").values())
    assert [{k: v for k, v in r.items() if k != "id"} for r in again] == [
        {k: v for k, v in r.items() if k != "id"} for r in first
    ]
    assert FunnelEvent.objects.count() == 52
    # A week on: every day folded, the raw events older than three days deleted.
    result = funnel_aggregate(now=moscow(20, 12))
    assert result["deleted"] == 52 and FunnelEvent.objects.count() == 0
    assert report()[0].rows == MAY_ROWS
    # Folding a day whose events are gone keeps its counts.
    funnel_aggregate_day(date(2026, 5, 10))
    assert report()[0].rows == MAY_ROWS


def test_split_by_product_and_language_and_filtered(world):
    funnel_aggregate(now=moscow(11, 12))
    funnel, by_language = report(group="language")
    assert funnel.rows == MAY_ROWS
    assert [row[:3] for row in by_language.rows] == [
        ["English", "Product page viewed", 9],
        ["English", "Date chosen", 4],
        ["English", "Places held", 3],
        ["English", "Checkout opened", 2],
        ["English", "Payment started", 1],
        ["English", "Paid", 1],
        ["Русский", "Product page viewed", 14],
        ["Русский", "Date chosen", 7],
        ["Русский", "Places held", 4],
        ["Русский", "Checkout opened", 3],
        ["Русский", "Payment started", 2],
        ["Русский", "Paid", 2],
    ]
    _funnel, by_product = report(group="product")
    assert [row[0] for row in by_product.rows] == ["Закат"] * 6 + ["Острова"] * 6
    assert [row[2] for row in by_product.rows[6:]] == [5, 2, 1, 0, 0, 0]
    [only_b] = report(filters=reports.FunnelFilters(product=world.b.pk))
    assert only_b.rows[3:] == [
        ["Checkout opened", 0, 0.0, 0.0],
        ["Payment started", 0, None, 0.0],
        ["Paid", 0, None, 0.0],
    ]
    [english] = report(filters=reports.FunnelFilters(language="en"))
    assert [row[1] for row in english.rows] == [9, 4, 3, 2, 1, 1]


def test_the_dashboards_selector(world):
    funnel_aggregate(now=moscow(12, 12))
    with translation.override("en"):
        last_two = reports.funnel_conversion(2, today=date(2026, 5, 12))
    assert last_two == [
        ("product_viewed", "Product page viewed", 12),
        ("date_chosen", "Date chosen", 5),
        ("hold_created", "Places held", 3),
        ("checkout_opened", "Checkout opened", 2),
        ("payment_started", "Payment started", 1),
        ("paid", "Paid", 1),
    ]


def test_a_fixed_number_of_queries_whatever_the_period(world):
    funnel_aggregate(now=moscow(12, 12))
    counts = []
    for period in (
        {"date_from": date(2026, 5, 10), "date_to": date(2026, 5, 12)},
        {"date_from": date(2025, 6, 1), "date_to": date(2026, 5, 31)},
    ):
        with CaptureQueriesContext(connection) as queries:
            reports.funnel_report(**period, group="product")
        counts.append(len(queries))
    assert counts[0] == counts[1] == 3


# --- the screen and the API --------------------------------------------------------------


@pytest.mark.parametrize(
    "role, allowed",
    [
        (roles.ADMINISTRATOR, True),
        (roles.MANAGER, True),
        (roles.MARKETER, True),
        (roles.ACCOUNTANT, False),
        (roles.AGENT, False),
        (roles.BOARDING_CREW, False),
    ],
)
def test_who_sees_the_funnel(rf, role, allowed):
    user = staff_member(role)
    response = signed_in_client(user).get(reverse("crm_report_funnel"))
    assert response.status_code == (200 if allowed else 403)
    request = rf.get("/admin/")
    request.user = user
    shown = {item.name for item in reports_menu.menu_items_for_request(request)}
    assert ("report-funnel" in shown) is allowed
    api = api_for(role).get("/reports/funnel", {"date_from": "2026-05-01"})
    assert api.status_code == (200 if allowed else 403)


def test_the_screen_draws_the_chart_and_downloads_the_figures(world):
    client = signed_in_client(staff_member(roles.MARKETER))
    params = {"date_from": "2026-05-01", "date_to": "2026-05-31", "group": "product"}
    response = client.get(reverse("crm_report_funnel"), params, headers={"Accept-Language": "ru"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="report-funnel"' in html and 'id="report-funnel_by_product"' in html
    section = html[html.index('id="report-funnel-chart"') :]
    chart = section[section.index("<svg") : section.index("</svg>")]
    # Every bar is labelled with its step and number, so it reads without colour.
    assert ">23 (100.0%)</text>" in chart and ">3 (13.0%)</text>" in chart
    assert "style=" not in chart and "<script" not in chart
    download = client.get(reverse("crm_report_funnel"), {**params, "export": "csv"})
    lines = list(csv.reader(io.StringIO(download.content.decode())))
    assert lines[0][1:] == ["2026-05-01", "2026-05-31"]
    assert ["Закат", "Оплачено", "3", "1.0", "0.1667"] in lines


def test_the_api_serves_the_same_table(world):
    body = api_for(roles.MARKETER, "en").get(
        "/reports/funnel", {"date_from": "2026-05-01", "date_to": "2026-05-31"}
    )
    assert body.status_code == 200
    [table] = body.json()["tables"]
    assert [c["key"] for c in table["columns"]] == ["step", "count", "from_previous", "from_first"]
    assert table["rows"] == MAY_ROWS


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-05-31", "date_to": "2026-05-01"},
        {"date_from": "yesterday"},
        {"group": "pier"},
        {"language": "fr"},
        {"product": "abc"},
        {"product": "999999"},
    ],
)
def test_bad_filters_are_a_message_not_an_error(params):
    client = signed_in_client(staff_member(roles.MARKETER))
    response = client.get(reverse("crm_report_funnel"), params, headers={"Accept-Language": "ru"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'id="report-funnel"' not in response.content.decode()
    api = api_for(roles.MARKETER, "ru").get("/reports/funnel", params)
    assert api.status_code == 422
    assert api.json()["code"] == "invalid_filters"
    assert api.json()["message"].startswith("Фильтры")


def test_the_hourly_schedule_folds_through_the_task(world):
    from django_q.models import Schedule

    from booking import tasks

    schedule = Schedule.objects.get(func="booking.tasks.aggregate_funnel")
    assert (schedule.schedule_type, schedule.repeats) == (Schedule.HOURLY, -1)
    assert tasks.aggregate_funnel()["days"] >= 2
    assert report()[0].rows == MAY_ROWS
