"""The managers' support report (crm.views.support_reports): first-response and resolution
times in business time (median, 75th and 90th percentile) overall, per queue and per agent,
breaches per queue and agent, the backlog by age; CSV and XLSX downloads written to the
audit trail; agents refused."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from wagtail.admin.menu import reports_menu
from wagtail.models import ModelLogEntry

from crm.views.support_reports import percentile, support_report
from support.clock import MOSCOW
from support.models import Case, CasePause, Queue
from support.services.cases import CaseRequest, case_open
from tests.factories.people import signed_in_client, staff_member

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
APRIL = {"date_from": date(2026, 4, 1), "date_to": date(2026, 4, 30)}


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def make_case(queue, *, created_at, all_day=True, assignee=None, **fields) -> Case:
    case = case_open(
        request=CaseRequest(
            channel=Case.Channel.WEB,
            subject="Вопрос",
            body="Текст.",
            email="anna@example.ru",
            name="Анна",
            language="ru",
        )
    )
    Case.objects.filter(pk=case.pk).update(
        queue=queue,
        created_at=created_at,
        all_day=all_day,
        assignee=assignee,
        status=fields.pop("status", Case.Status.OPEN),
        **fields,
    )
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def desk():
    """Six answered cases with known business times, one resolved (with a pause), breaches
    in and outside April, and a backlog of every age on 20 April."""
    sales = Queue.objects.get(slug="sales")
    refunds = Queue.objects.get(slug="refunds")
    agent = staff_member("Agent", email="agent@example.com", first_name="Ива", last_name="Ан")
    opened = datetime(2026, 4, 10, 10, 0, tzinfo=UTC)
    cases = []
    # Around the clock: first responses after 1, 2, 3, 4 h (sales, the agent's) and 5 h
    # (refunds, unassigned).
    for n in (1, 2, 3, 4):
        cases.append(
            make_case(
                sales, created_at=opened, assignee=agent, first_responded_at=opened + hours(n)
            )
        )
    cases.append(make_case(refunds, created_at=opened, first_responded_at=opened + hours(5)))
    # On the desk's calendar (Mon–Fri 9–18 Moscow): Friday 3 April 17:00 → Monday 10:00 is
    # 2 h of business time; resolved Tuesday 12:00 after a pause Monday 12:00–15:00:
    # 1 h (Fri) + 9 h (Mon) − 3 h (pause) + 3 h (Tue) = 10 h.
    friday = datetime(2026, 4, 3, 17, 0, tzinfo=MOSCOW)
    resolved = make_case(
        refunds,
        created_at=friday,
        all_day=False,
        first_responded_at=datetime(2026, 4, 6, 10, 0, tzinfo=MOSCOW),
        resolved_at=datetime(2026, 4, 7, 12, 0, tzinfo=MOSCOW),
        status=Case.Status.RESOLVED,
    )
    CasePause.objects.create(
        case=resolved,
        began_at=datetime(2026, 4, 6, 12, 0, tzinfo=MOSCOW),
        ended_at=datetime(2026, 4, 6, 15, 0, tzinfo=MOSCOW),
    )
    # Breaches: two in April, one in May (not counted).
    Case.objects.filter(pk=cases[0].pk).update(first_response_breached_at=opened + hours(1))
    Case.objects.filter(pk=cases[4].pk).update(resolution_breached_at=opened + hours(30))
    Case.objects.filter(pk=cases[1].pk).update(
        first_response_breached_at=datetime(2026, 5, 2, tzinfo=UTC)
    )
    # The backlog on 20 April 12:00 UTC: < 1 day, 1–3 days (sales), 3–7 days (refunds).
    make_case(sales, created_at=NOW - hours(23))
    make_case(sales, created_at=NOW - hours(60))
    make_case(refunds, created_at=NOW - hours(5 * 24))
    return {"sales": sales.name, "refunds": refunds.name, "agent": "Ива Ан"}


def rows(tables, key):
    return {(row[0], row[1]): row[2:] for row in next(t for t in tables if t.key == key).rows}


def test_percentiles_interpolate_between_ranks():
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([1, 2, 2, 3, 4, 5], 0.5) == 2.5
    assert percentile([5, 4, 3, 2, 2, 1], 0.75) == pytest.approx(3.75)
    assert percentile([1, 2, 2, 3, 4, 5], 0.9) == pytest.approx(4.5)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_the_figures(desk, english):
    tables = support_report(**APRIL, now=NOW)
    first = rows(tables, "first_response")
    # All six: 1, 2, 2, 3, 4, 5 h.
    assert first[("Overall", "")] == [6, hours(2.5), hours(3.75), hours(4.5)]
    assert first[("Queue", desk["sales"])] == [4, hours(2.5), hours(3.25), hours(3.7)]
    assert first[("Queue", desk["refunds"])] == [2, hours(3.5), hours(4.25), hours(4.7)]
    assert first[("Agent", desk["agent"])] == [4, hours(2.5), hours(3.25), hours(3.7)]
    assert first[("Agent", "Unassigned")] == [2, hours(3.5), hours(4.25), hours(4.7)]

    resolution = rows(tables, "resolution")
    assert resolution[("Overall", "")] == [1, hours(10), hours(10), hours(10)]
    assert resolution[("Queue", desk["refunds"])] == [1, hours(10), hours(10), hours(10)]

    breaches = rows(tables, "breaches")
    assert breaches[("Overall", "")] == [1, 1]
    assert breaches[("Queue", desk["sales"])] == [1, 0]
    assert breaches[("Queue", desk["refunds"])] == [0, 1]
    assert breaches[("Agent", desk["agent"])] == [1, 0]
    assert breaches[("Agent", "Unassigned")] == [0, 1]

    backlog = {row[0]: row[1:] for row in next(t for t in tables if t.key == "backlog").rows}
    assert backlog[desk["sales"]] == [1, 1, 0, 4, 6]
    assert backlog[desk["refunds"]] == [0, 0, 1, 1, 2]
    assert backlog["Overall"] == [1, 1, 1, 5, 8]


def test_an_empty_period_has_no_figures(desk, english):
    tables = support_report(date_from=date(2025, 1, 1), date_to=date(2025, 1, 31), now=NOW)
    assert rows(tables, "first_response") == {("Overall", ""): [0, None, None, None]}
    assert rows(tables, "breaches") == {("Overall", ""): [0, 0]}


@pytest.fixture
def manager_client():
    return signed_in_client(staff_member("Manager", email="boss@example.com"))


def query(**extra):
    return {"date_from": "2026-04-01", "date_to": "2026-04-30", **extra}


def test_the_screen_shows_the_tables(desk, manager_client):
    response = manager_client.get(reverse("crm_support_report"), query())
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="support-report-first_response"' in page
    assert 'id="support-report-backlog"' in page
    # The staff's language by default: Russian.
    assert "<td>Всего</td><td></td><td>6</td><td>2 ч 30 мин</td>" in page
    assert desk["refunds"] in page


def test_the_default_period_is_the_last_30_days(manager_client):
    response = manager_client.get(reverse("crm_support_report"))
    assert response.status_code == 200
    assert 'id="support-report-breaches"' in response.content.decode()


def test_bad_input_is_a_message_not_an_error(manager_client):
    response = manager_client.get(
        reverse("crm_support_report"),
        {"date_from": "2026-05-01", "date_to": "2026-04-01", "export": "csv"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert 'id="support-report-first_response"' not in response.content.decode()
    response = manager_client.get(reverse("crm_support_report"), {"date_from": "tomorrow"})
    assert response.status_code == 200
    assert not ModelLogEntry.objects.filter(action="prichal.support_report.export").exists()


def test_csv_download(desk, manager_client):
    response = manager_client.get(reverse("crm_support_report"), query(export="csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="support-report-20260401-20260430.csv"'
    )
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Всего", "", "6", "2.5", "3.75", "4.5"] in lines
    assert ["Очередь", desk["refunds"], "1", "10.0", "10.0", "10.0"] in lines
    # The backlog is counted now: months after April, every case is older than 7 days.
    assert [desk["sales"], "0", "0", "0", "6", "6"] in lines
    entry = ModelLogEntry.objects.get(action="prichal.support_report.export")
    assert entry.data | {"client_address": None} == {
        "format": "csv",
        "date_from": "2026-04-01",
        "date_to": "2026-04-30",
        "client_address": None,
    }


def test_xlsx_download(desk, manager_client):
    response = manager_client.get(reverse("crm_support_report"), query(export="xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["first_response", "resolution", "breaches", "backlog"]
    first = [list(row) for row in book["first_response"].iter_rows(min_row=4, values_only=True)]
    assert ["Всего", None, 6, 2.5, 3.75, 4.5] in first
    assert ["Агент", desk["agent"], 4, 2.5, 3.25, 3.7] in first
    breaches = [list(row) for row in book["breaches"].iter_rows(min_row=4, values_only=True)]
    assert ["Очередь", desk["refunds"], 0, 1] in breaches
    assert ModelLogEntry.objects.filter(
        action="prichal.support_report.export", data__format="xlsx"
    ).exists()


def test_agents_are_refused(desk):
    client = signed_in_client(staff_member("Agent", email="other-agent@example.com"))
    for params in (query(), query(export="csv"), query(export="xlsx")):
        assert client.get(reverse("crm_support_report"), params).status_code == 403
    assert not ModelLogEntry.objects.filter(action="prichal.support_report.export").exists()


def test_the_reports_menu_shows_the_item_to_managers_only(manager_client):
    request = RequestFactory().get("/")
    request.user = staff_member("Agent", email="third@example.com")
    assert "support-cases" not in [
        item.name for item in reports_menu.menu_items_for_request(request)
    ]
    request.user = staff_member("Manager", email="boss2@example.com")
    assert "support-cases" in [item.name for item in reports_menu.menu_items_for_request(request)]
