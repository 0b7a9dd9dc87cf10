"""The dashboard panels: the agent's console (search box, today's departures on the pier's date
with sold/capacity and boarded, orders awaiting payment, the day's refunds), the day's sales
beside the same weekday last week, the support desk's numbers; fixed queries; each for its roles."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from booking.models import Refund
from booking.reports import sales_today_and_week_ago
from crm import roles
from crm.viewsets.dashboard import (
    conversion_rows,
    dashboard_numbers,
    departures_today,
    sales_change,
    support_numbers,
)
from tests import factories
from tests.crm.test_orders_screen import client_of, far_departure, staff
from tests.factories import general_departure, placed_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return staff(roles.AGENT)


# Piers from UTC−10 to UTC+14: whatever the hour the suite runs at, one of them is still
# before 21:00, so "23:00 today" there is in the future (a hold needs that) and today.
ZONES = (
    "Pacific/Honolulu",
    "America/New_York",
    "Europe/Moscow",
    "Asia/Vladivostok",
    "Pacific/Kiritimati",
)


def _zone_before_21() -> str:
    now = timezone.now()
    return next(z for z in ZONES if now.astimezone(zoneinfo.ZoneInfo(z)).hour < 21)


def _today_at(hour: int, zone: str):
    now = timezone.now().astimezone(zoneinfo.ZoneInfo(zone))
    return now.replace(hour=hour, minute=0, second=0, microsecond=0)


def later_today(**kwargs):
    """A departure at 23:00 today on the clock of a pier where that is still ahead."""
    zone = _zone_before_21()
    venue = factories.VenueFactory(timezone=zone)
    return general_departure(venue=venue, starts_at=_today_at(23, zone), **kwargs)


def test_todays_departures_on_the_pier_date(agent):
    today = later_today(capacity=12)
    tomorrow = general_departure(
        venue=today.venue, starts_at=today.starts_at + datetime.timedelta(days=1)
    )
    placed_order(today, paid=True)
    placed_order(today)  # awaiting payment: not sold
    found = departures_today(agent)
    assert [d.pk for d in found] == [today.pk]
    assert found[0].sold == 2 and found[0].effective_capacity == 12
    assert tomorrow.pk not in [d.pk for d in found]


def test_the_panel(agent):
    departure = later_today(capacity=10)
    paid = placed_order(departure, paid=True)
    awaiting = placed_order(far_departure())
    Refund.objects.create(
        payment=paid.payments.get(),
        idempotence_key="today",
        amount=Decimal("700.50"),
        reason=Refund.Reason.CUSTOMER,
        status=Refund.Status.SUCCEEDED,
    )
    numbers = dashboard_numbers(agent)
    assert numbers["awaiting_count"] == 1
    assert [o.pk for o in numbers["awaiting_latest"]] == [awaiting.pk]
    assert numbers["refunds_count"] == 1 and numbers["refunds_total"] == Decimal("700.50")

    page = client_of(agent).get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="crm-dashboard"' in page
    assert 'action="/admin/crm/search/"' in page
    assert "2 / 10" in page
    assert awaiting.code in page
    assert "700,50" in page


@pytest.mark.parametrize("count", [1, 8])
def test_the_panel_is_a_fixed_number_of_queries(agent, count, django_assert_max_num_queries):
    for _ in range(count):
        departure = later_today(capacity=10)
        placed_order(departure, paid=True)
        placed_order(departure)
    with django_assert_max_num_queries(8):
        numbers = dashboard_numbers(agent)
        [d.effective_capacity for d in numbers["departures"]]
        [str(o.departure) for o in numbers["awaiting_latest"]]
    assert len(numbers["departures"]) == count


def test_no_panel_for_a_marketer():
    page = client_of(staff(roles.MARKETER)).get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="crm-dashboard"' not in page


def test_the_departures_show_who_boarded(agent):
    departure = later_today(capacity=10)
    order = placed_order(departure, paid=True)
    order.tickets.filter(pk=order.tickets.first().pk).update(checked_in_at=timezone.now())
    [found] = departures_today(agent)
    assert (found.sold, found.boarded) == (2, 1)
    page = client_of(agent).get(reverse("wagtailadmin_home")).content.decode()
    assert '<td class="crm-boarded">1</td>' in page


# --- the day's sales beside the same weekday last week ------------------------------------

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def _sold_at(moment):
    """A paid order (2 tickets), dated as paid at `moment`."""
    order = placed_order(far_departure(), paid=True)
    type(order).objects.filter(pk=order.pk).update(paid_at=moment)
    return order


def test_sales_today_against_the_same_weekday_last_week(django_assert_num_queries):
    now = datetime.datetime.combine(timezone.localdate(), datetime.time(12, 30), MOSCOW)
    week = datetime.timedelta(days=7)
    today_morning = _sold_at(now.replace(hour=9))
    week_ago_morning = _sold_at(now.replace(hour=8) - week)
    week_ago_evening = _sold_at(now.replace(hour=20) - week)
    _sold_at(now.replace(hour=9) - datetime.timedelta(days=8))  # another day: not counted

    with django_assert_num_queries(1):
        today, week_ago = sales_today_and_week_ago(now=now)

    assert (today.day, week_ago.day) == (now.date(), (now - week).date())
    assert (today.tickets, today.paid) == (2, today_morning.total)
    assert today.by_hour[8] == 0 and today.by_hour[9] == today.paid == today.by_hour[23]
    morning = week_ago_morning.total
    assert (week_ago.so_far_tickets, week_ago.so_far_paid) == (2, morning)
    assert (week_ago.tickets, week_ago.paid) == (4, morning + week_ago_evening.total)
    assert week_ago.by_hour[19] == morning and week_ago.by_hour[20] == week_ago.paid


def test_a_refunded_ticket_stays_a_sale_of_its_day_and_a_pier_limit_keeps_others_out():
    now = datetime.datetime.combine(timezone.localdate(), datetime.time(12, 30), MOSCOW)
    order = _sold_at(now.replace(hour=10))
    order.tickets.filter(pk=order.tickets.first().pk).update(status="refunded")
    today, _ = sales_today_and_week_ago(now=now)
    assert today.tickets == 2
    other_pier = factories.VenueFactory()
    today, _ = sales_today_and_week_ago(now=now, piers=frozenset({other_pier.pk}))
    assert today.tickets == 0


def test_the_sales_panel_is_for_those_who_see_the_reports():
    _sold_at(timezone.now())
    page = client_of(staff(roles.ACCOUNTANT)).get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="crm-sales"' in page
    assert '<span class="crm-count" id="crm-sales-today-tickets">2</span>' in page
    assert "<svg" in page and 'stroke-dasharray="5 4"' in page  # last week: dashed
    for role in (roles.AGENT, roles.MARKETER, roles.BOARDING_CREW):
        page = client_of(staff(role)).get(reverse("wagtailadmin_home")).content.decode()
        assert 'id="crm-sales"' not in page, role


@pytest.mark.parametrize(
    ("now_value", "then_value", "shown"),
    [(120, 100, "+20 %"), (95, 100, "−5 %"), (100, 100, "0 %"), (50, 0, "")],
)
def test_the_change_against_last_week(now_value, then_value, shown):
    assert sales_change(Decimal(now_value), Decimal(then_value)) == shown


# --- the support desk ----------------------------------------------------------------------


def test_the_support_panel_counts_open_unassigned_and_breached_cases():
    from support.models import Case, Queue
    from support.services.cases import CaseRequest, case_open

    queue = Queue.objects.first() or Queue.objects.create(name="Sales", slug="sales")

    def open_case(subject):
        request = CaseRequest(
            channel=Case.Channel.WEB,
            subject=subject,
            body="When does the boat leave?",
            email="anna@example.com",
            name="Anna",
            language="ru",
            attachments=(),
        )
        return case_open(request=request, queue=queue)

    open_case("first")
    breached = open_case("second")
    Case.objects.filter(pk=breached.pk).update(first_response_breached_at=timezone.now())
    closed = open_case("third")
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.CLOSED)
    manager = staff(roles.MANAGER)
    assert support_numbers(manager) == {"open": 2, "breached": 1, "unassigned": 2}
    page = client_of(manager).get(reverse("wagtailadmin_home")).content.decode()
    assert '<span class="crm-count" id="crm-support-open">2</span>' in page
    assert '<span class="crm-count" id="crm-support-breached">1</span>' in page
    page = client_of(staff(roles.MARKETER)).get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="crm-support"' not in page


# --- the conversion by funnel step ---------------------------------------------------------


def test_the_conversion_panel_shows_the_last_weeks_steps_to_those_who_see_the_funnel():
    from booking.models import FunnelDay, FunnelStep

    product = factories.ProductFactory()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    long_ago = timezone.localdate() - datetime.timedelta(days=30)
    for day, counts in ((yesterday, (200, 120, 40, 30, 25, 20)), (long_ago, (999,) * 6)):
        for step, count in zip(FunnelStep, counts, strict=True):
            FunnelDay.objects.create(
                day=day, product=product, language="ru", step=step, count=count
            )

    rows = conversion_rows()
    assert [row[1] for row in rows] == [200, 120, 40, 30, 25, 20]
    assert rows[0][2:] == [None, None]
    assert rows[1][2:] == [0.6, 0.6] and rows[-1][2:] == [0.8, 0.1]

    page = client_of(staff(roles.MARKETER)).get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="crm-conversion"' in page
    assert "20 (10.0%)" in page  # the paid bar's count and share, written beside it
    assert "10,0 %" in page
    for role in (roles.AGENT, roles.ACCOUNTANT, roles.BOARDING_CREW):
        page = client_of(staff(role)).get(reverse("wagtailadmin_home")).content.decode()
        assert 'id="crm-conversion"' not in page, role


def test_the_conversion_panel_without_visits_says_so():
    page = client_of(staff(roles.MARKETER)).get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="crm-conversion"' in page and "<svg" not in page.split('id="crm-conversion"')[1]
