"""The agent's dashboard panel: the search box, today's departures on the pier's date
with sold/capacity, orders awaiting payment, the day's refunds; a fixed number of queries;
not shown to a marketer."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from booking.models import Refund
from crm import roles
from crm.viewsets.dashboard import dashboard_numbers, departures_today
from tests import factories
from tests.crm.test_orders_screen import client_of, far_departure, staff
from tests.factories import general_departure, placed_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return staff(roles.AGENT)


def _today_at(hour: int, zone: str):
    now = timezone.now().astimezone(zoneinfo.ZoneInfo(zone))
    return now.replace(hour=hour, minute=0, second=0, microsecond=0)


def test_todays_departures_on_the_pier_date(agent):
    venue = factories.VenueFactory(timezone="Asia/Vladivostok")
    today = general_departure(venue=venue, capacity=12, starts_at=_today_at(23, "Asia/Vladivostok"))
    tomorrow = general_departure(
        venue=venue, starts_at=_today_at(23, "Asia/Vladivostok") + datetime.timedelta(days=1)
    )
    placed_order(today, paid=True)
    placed_order(today)  # awaiting payment: not sold
    found = departures_today(agent)
    assert [d.pk for d in found] == [today.pk]
    assert found[0].sold == 2 and found[0].effective_capacity == 12
    assert tomorrow.pk not in [d.pk for d in found]


def test_the_panel(agent):
    departure = general_departure(starts_at=_today_at(23, "Europe/Moscow"), capacity=10)
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
        departure = general_departure(starts_at=_today_at(23, "Europe/Moscow"), capacity=10)
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
