"""The vessel timeline in the CRM: a week of one vessel's departures and rentals on the
Moscow clock, the rental's turnaround buffer, week navigation, bad query parameters
(a message, never an error page) and who may see which vessel."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from guardian.shortcuts import assign_perm
from wagtail.users.models import UserProfile

from booking.models import Departure, Product, VesselOccupancy
from crm import roles
from crm.permissions import VENUE_ASSIGNMENT, VESSEL_ASSIGNMENT
from tests.factories import (
    DepartureFactory,
    VenueFactory,
    VesselFactory,
    general_departure,
    moscow_datetime,
    placed_order,
    product_with_ticket_types,
    signed_in_client,
    staff_member,
)

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2027, 6, 7)
URL = reverse("crm_vessel_timeline:index")


def english(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def rental_on(vessel, starts_at, hours: int, buffer_minutes: int = 30, **order):
    """A rental as rentals by the hour materialise it: a departure of a rental product
    whose occupancy row (kind "rental") runs on by the turnaround buffer."""
    product, (boat,) = product_with_ticket_types(
        prices=("9000.00",), kind=Product.Kind.RENTAL, name="Аренда яхты"
    )
    departure = general_departure(
        capacity=1,
        product=product,
        vessel=vessel,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=hours),
    )
    VesselOccupancy.objects.filter(departure=departure).update(
        kind=VesselOccupancy.Kind.RENTAL,
        ends_at=departure.ends_at + datetime.timedelta(minutes=buffer_minutes),
    )
    placed = placed_order(departure, paid=True, quantities={boat.pk: 1}, **order) if order else None
    return departure, placed


@pytest.fixture
def week():
    """On one vessel: a cruise on Tuesday 10:00–11:30 with 2 of 30 sold, a yacht rental on
    Wednesday 18:00–21:00 with a 30 minutes' buffer, one on Saturday 23:00–02:00 across
    midnight, and a cancelled departure on Thursday."""
    vessel = VesselFactory(name="Нева")
    product, _types = product_with_ticket_types(name="Вечерняя прогулка")
    cruise = general_departure(
        capacity=30,
        product=product,
        vessel=vessel,
        starts_at=moscow_datetime(MONDAY + datetime.timedelta(days=1), 10),
        ends_at=moscow_datetime(MONDAY + datetime.timedelta(days=1), 11)
        + datetime.timedelta(minutes=30),
    )
    placed_order(cruise, paid=True)
    rental, order = rental_on(
        vessel,
        moscow_datetime(MONDAY + datetime.timedelta(days=2), 18),
        3,
        name="Ирина Морская",
        email="irina@example.com",
    )
    night, _none = rental_on(vessel, moscow_datetime(MONDAY + datetime.timedelta(days=5), 23), 3)
    cancelled = DepartureFactory(
        vessel=vessel,
        venue=cruise.venue,
        starts_at=moscow_datetime(MONDAY + datetime.timedelta(days=3), 12),
    )
    cancelled.status = Departure.Status.CANCELLED
    cancelled.save()
    return {
        "vessel": vessel,
        "cruise": cruise,
        "rental": rental,
        "order": order,
        "night": night,
        "cancelled": cancelled,
    }


def get(user, **params):
    return signed_in_client(user).get(URL, params)


def day_html(html: str, day: datetime.date) -> str:
    match = re.search(rf'data-day="{day.isoformat()}".*?</section>', html, re.S)
    assert match, day
    return match.group(0)


# What it shows -----------------------------------------------------------------------------


def test_a_week_shows_departures_and_rentals_on_the_moscow_clock(week):
    manager = english(staff_member(roles.MANAGER))
    response = get(manager, vessel=week["vessel"].pk, week=MONDAY.isoformat())
    assert response.status_code == 200
    html = response.content.decode()
    assert "June 7, 2027 – June 13, 2027" in html

    tuesday = day_html(html, MONDAY + datetime.timedelta(days=1))
    assert 'data-kind="departure"' in tuesday
    assert "10:00–11:30" in tuesday
    assert "Вечерняя прогулка" in tuesday
    assert "2 / 30 sold" in tuesday
    assert reverse("crm_inventory:departure", args=[week["cruise"].pk]) in tuesday
    # 10:00 is 10/24 of the day along the track.
    assert "left: 41.667%; width: 6.250%" in tuesday

    wednesday = day_html(html, MONDAY + datetime.timedelta(days=2))
    assert 'data-kind="rental"' in wednesday
    assert "18:00–21:00" in wednesday
    assert "turnaround until 21:30" in wednesday
    assert f"Ирина Морская · {week['order'].code}" in wednesday
    assert reverse("crm_orders:inspect", args=[week["order"].pk]) in wednesday
    # The block runs to the end of the buffer; the hatched tail is 30 of its 210 minutes.
    assert "left: 75.000%; width: 14.583%" in wednesday
    assert 'class="bk-timeline__buffer" style="width: 14.286%"' in wednesday

    # The cancelled departure freed the vessel.
    thursday = day_html(html, MONDAY + datetime.timedelta(days=3))
    assert "data-kind" not in thursday
    assert "Free all day" in thursday
    assert f'data-departure="{week["cancelled"].pk}"' not in html

    # Across midnight: on Saturday until the end of the day, on Sunday from its start.
    saturday = day_html(html, MONDAY + datetime.timedelta(days=5))
    sunday = day_html(html, MONDAY + datetime.timedelta(days=6))
    assert "23:00–02:00 (+1) …" in saturday
    assert "turnaround until 02:30 (+1)" in saturday
    assert 'bk-timeline__buffer"' not in saturday  # the tail falls on Sunday
    assert f'data-departure="{week["night"].pk}"' in saturday
    assert "… 23:00 (\u22121)–02:00" in sunday
    assert "turnaround until 02:30" in sunday
    assert "left: 0.000%; width: 10.417%" in sunday
    assert 'class="bk-timeline__buffer" style="width: 20.000%"' in sunday


def test_any_day_of_the_week_shows_its_week_with_links_to_the_next_and_previous(week):
    manager = english(staff_member(roles.MANAGER))
    response = get(manager, vessel=week["vessel"].pk, week="2027-06-10")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="2027-06-07"' in html
    vessel = week["vessel"].pk
    assert f"?vessel={vessel}&amp;week=2027-05-31" in html
    assert f"?vessel={vessel}&amp;week=2027-06-14" in html
    following = get(manager, vessel=vessel, week="2027-06-14").content.decode()
    assert "June 14, 2027 – June 20, 2027" in following
    assert "Вечерняя прогулка" not in following


def test_without_parameters_it_shows_this_week_of_the_first_vessel(week):
    manager = english(staff_member(roles.MANAGER))
    response = get(manager)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{week["vessel"].pk}" selected>' in html
    assert "(today)" in html


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"vessel": "abc"}, 400, "“abc” is not a vessel: choose one from the list."),
        ({"vessel": "1" * 40}, 400, "is not a vessel"),
        ({"vessel": "987654"}, 404, "There is no vessel number 987654."),
        ({"week": "last tuesday"}, 400, "“last tuesday” is not a date"),
        ({"week": "2027-02-30"}, 400, "“2027-02-30” is not a date"),
        ({"week": "9999-12-31"}, 400, "“9999-12-31” is not a date"),
        ({"week": "0001-01-01"}, 400, "“0001-01-01” is not a date"),
    ],
)
def test_bad_parameters_are_a_message_not_an_error_page(week, params, status, message):
    manager = english(staff_member(roles.MANAGER))
    response = get(manager, **params)
    assert response.status_code == status
    html = response.content.decode()
    assert "data-timeline-error" in html
    assert message in html
    assert "data-timeline>" not in html


# Who sees what -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [roles.ADMINISTRATOR, roles.MANAGER, roles.AGENT])
def test_the_office_roles_see_the_timeline(week, role):
    assert get(staff_member(role), vessel=week["vessel"].pk, week=MONDAY).status_code == 200


@pytest.mark.parametrize("role", [roles.BOARDING_CREW, roles.MARKETER, roles.ACCOUNTANT])
def test_the_others_are_refused(week, role):
    assert get(staff_member(role), vessel=week["vessel"].pk).status_code == 403


def test_strangers_are_sent_to_sign_in():
    response = Client().get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_agent_of_one_pier_sees_only_its_vessels(week):
    agent = english(staff_member(roles.AGENT))
    assign_perm(VENUE_ASSIGNMENT, agent, week["cruise"].venue)
    elsewhere = general_departure(
        vessel=VesselFactory(name="Чужой"), starts_at=moscow_datetime(MONDAY, 12)
    )
    response = get(agent, week=MONDAY.isoformat())
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{week["vessel"].pk}"' in html
    assert "Чужой" not in html
    assert get(agent, vessel=elsewhere.vessel.pk).status_code == 403


def test_on_a_shared_vessel_others_departures_are_busy_without_details(week):
    agent = english(staff_member(roles.AGENT))
    other_pier = VenueFactory()
    assign_perm(VENUE_ASSIGNMENT, agent, other_pier)
    mine = general_departure(
        vessel=week["vessel"],
        venue=other_pier,
        starts_at=moscow_datetime(MONDAY, 15),
    )
    html = get(agent, vessel=week["vessel"].pk, week=MONDAY).content.decode()
    monday = day_html(html, MONDAY)
    assert reverse("crm_inventory:departure", args=[mine.pk]) in monday
    tuesday = day_html(html, MONDAY + datetime.timedelta(days=1))
    assert 'data-kind="busy"' in tuesday and "Busy" in tuesday and "10:00–11:30" in tuesday
    assert "Вечерняя прогулка" not in html
    assert "Ирина Морская" not in html
    assert week["order"].code not in html
    assert reverse("crm_inventory:departure", args=[week["cruise"].pk]) not in html


def test_a_vessel_assignment_limits_the_vessels(week):
    agent = english(staff_member(roles.AGENT))
    assign_perm(VESSEL_ASSIGNMENT, agent, week["vessel"])
    other = VesselFactory(name="Другой")
    html = get(agent).content.decode()
    assert f'<option value="{week["vessel"].pk}" selected>' in html
    assert "Другой" not in html
    assert get(agent, vessel=other.pk).status_code == 403


def test_the_vessel_screens_link_to_the_timeline(week):
    manager = english(staff_member(roles.MANAGER))
    client = signed_in_client(manager)
    link = f"{URL}?vessel={week['vessel'].pk}"
    edit = client.get(reverse("wagtailsnippets_booking_vessel:edit", args=[week["vessel"].pk]))
    assert link in edit.content.decode()
    listing = client.get(reverse("wagtailsnippets_booking_vessel:list"))
    assert link in listing.content.decode()
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert URL in dashboard


def test_a_busier_week_takes_as_many_queries(week):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    manager = english(staff_member(roles.MANAGER))
    client = signed_in_client(manager)
    params = {"vessel": week["vessel"].pk, "week": MONDAY.isoformat()}
    client.get(URL, params)  # warm the caches (profile, site …)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, params).status_code == 200
    for hour in (8, 13, 16):
        departure = general_departure(
            vessel=week["vessel"], starts_at=moscow_datetime(MONDAY, hour), capacity=20
        )
        placed_order(departure, paid=True)
    rental_on(
        week["vessel"],
        moscow_datetime(MONDAY + datetime.timedelta(days=4), 12),
        2,
        name="Олег Парусов",
        email="oleg@example.com",
    )
    with CaptureQueriesContext(connection) as many:
        html = client.get(URL, params).content.decode()
    assert html.count("data-kind=") == 8  # the night rental is drawn on two days
    assert len(many) == len(few)


def test_a_rental_booked_through_the_service_is_drawn_with_its_buffer():
    """A real rental (booking.services.rentals), paid, across midnight, and one still in
    checkout: both are the vessel's busy time with their turnaround buffer."""
    from tests import factories
    from tests.booking.test_rentals import FRIDAY, at, book, coming, pay

    plan = factories.rental_plan()
    friday = coming(FRIDAY)
    order = pay(book(plan, at(friday, 22), minutes=180))
    book(plan, at(friday, 12), minutes=120, owner="boris")
    manager = english(factories.staff_member(roles.MANAGER))
    monday = friday - datetime.timedelta(days=friday.weekday())
    html = get(manager, vessel=plan.vessel_id, week=monday.isoformat()).content.decode()
    day = re.search(rf'data-day="{friday.isoformat()}".*?</section>', html, re.S).group(0)
    assert "22:00–01:00 (+1)" in day
    assert "turnaround until 01:30 (+1)" in day
    assert order.code in day
    assert reverse("crm_orders:inspect", args=[order.pk]) in day
    assert "12:00–14:00" in day and "turnaround until 14:30" in day
