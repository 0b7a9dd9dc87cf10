"""Object rules of the CRM's permission policies (crm.permissions): boarding by pier or
vessel assignment, office work limited to a manager's piers, personal data for managers,
and the crew's check-in pages and API refusing another pier's departure."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import translation
from guardian.shortcuts import assign_perm, remove_perm
from wagtail.permissions import policy_registry

from accounts.models import Customer
from booking.models import Departure, Order
from crm import roles
from crm.permissions import (
    BOARD,
    assignments_forget,
    customer_policy,
    departure_policy,
    order_policy,
    user_assignments,
)
from tests.factories import far_east_departure, make_user, placed_order, token_of

pytestmark = pytest.mark.django_db

VENUE = "booking.assigned_to_venue"
VESSEL = "booking.assigned_to_vessel"


def in_role(email: str, role: str, **extra):
    user = make_user(email, is_staff=True, **extra)
    user.groups.add(Group.objects.get(name=role))
    return user


def fresh(user):
    """The user as the next request sees it (permission caches empty)."""
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def pier_a():
    departure = far_east_departure()
    return departure, placed_order(departure, paid=True, email="a@example.com")


@pytest.fixture
def pier_b():
    departure = far_east_departure()
    return departure, placed_order(departure, paid=True, email="b@example.com")


def boards(user) -> set[int]:
    return set(
        departure_policy.instances_user_has_permission_for(user, BOARD).values_list("pk", flat=True)
    )


def test_the_policies_are_registered_with_wagtail():
    assert policy_registry.get_by_type(Order) is order_policy
    assert policy_registry.get_by_type(Customer) is customer_policy
    assert policy_registry.get_by_type(Departure) is departure_policy


def test_crew_boards_only_the_departures_of_their_pier(pier_a, pier_b):
    (a, _), (b, _) = pier_a, pier_b
    crew = in_role("crew@example.com", roles.BOARDING_CREW)
    assign_perm(VENUE, crew, a.venue)
    crew = fresh(crew)

    assert departure_policy.user_has_permission_for_instance(crew, BOARD, a)
    assert not departure_policy.user_has_permission_for_instance(crew, BOARD, b)
    assert boards(crew) == {a.pk}


def test_crew_assigned_to_a_vessel_boards_its_departures_from_any_pier(pier_a, pier_b):
    (a, _), (b, _) = pier_a, pier_b
    crew = in_role("crew@example.com", roles.BOARDING_CREW)
    assign_perm(VESSEL, crew, b.vessel)
    crew = fresh(crew)

    assert boards(crew) == {b.pk}
    assert departure_policy.user_has_permission_for_instance(crew, BOARD, b)
    assert not departure_policy.user_has_permission_for_instance(crew, BOARD, a)


def test_an_assignment_through_a_group_counts(pier_a, pier_b):
    (a, _), _b = pier_a, pier_b
    team = Group.objects.create(name="Pier A crew")
    assign_perm(VENUE, team, a.venue)
    crew = in_role("crew@example.com", roles.BOARDING_CREW)
    crew.groups.add(team)

    assert boards(fresh(crew)) == {a.pk}


def test_crew_without_an_assignment_boards_nothing(pier_a):
    crew = fresh(in_role("crew@example.com", roles.BOARDING_CREW))
    assert boards(crew) == set()
    assert not departure_policy.user_has_permission_for_instance(crew, BOARD, pier_a[0])


def test_without_the_check_in_permission_an_assignment_boards_nothing(pier_a):
    marketer = in_role("m@example.com", roles.MARKETER)
    assign_perm(VENUE, marketer, pier_a[0].venue)
    assert boards(fresh(marketer)) == set()


def test_superusers_and_managers_board_everywhere_unless_assigned(pier_a, pier_b):
    (a, _), (b, _) = pier_a, pier_b
    boss = make_user("boss@example.com", is_superuser=True, is_staff=True)
    manager = in_role("manager@example.com", roles.MANAGER)
    administrator = in_role("admin@example.com", roles.ADMINISTRATOR)

    for user in (boss, manager, administrator):
        assert {a.pk, b.pk} <= boards(fresh(user))

    assign_perm(VENUE, manager, b.venue)
    manager = fresh(manager)
    assert boards(manager) == {b.pk}
    assert not departure_policy.user_has_permission_for_instance(manager, BOARD, a)


def test_an_agent_limited_to_a_pier_sees_only_its_orders_customers_and_departures(pier_a, pier_b):
    (a, order_a), (b, order_b) = pier_a, pier_b
    agent = in_role("agent@example.com", roles.AGENT)
    assert set(order_policy.instances_user_has_permission_for(fresh(agent), "view")) == {
        order_a,
        order_b,
    }

    assign_perm(VENUE, agent, a.venue)
    agent = fresh(agent)

    assert list(order_policy.instances_user_has_permission_for(agent, "view")) == [order_a]
    assert list(order_policy.instances_user_has_permission_for(agent, "change")) == [order_a]
    assert order_policy.user_has_permission_for_instance(agent, "change", order_a)
    assert not order_policy.user_has_permission_for_instance(agent, "change", order_b)
    assert list(customer_policy.instances_user_has_permission_for(agent, "view")) == [
        order_a.customer
    ]
    assert not customer_policy.user_has_permission_for_instance(agent, "view", order_b.customer)
    assert set(departure_policy.instances_user_has_permission_for(agent, "view")) == {a}
    assert not departure_policy.user_has_permission_for_instance(agent, "view", b)
    # Still no permission the role does not have.
    assert not departure_policy.instances_user_has_permission_for(agent, "change").exists()
    assert not order_policy.user_has_permission_for_instance(agent, "delete", order_a)


def test_a_vessel_assignment_does_not_limit_office_work(pier_a, pier_b):
    (a, order_a), (_b, order_b) = pier_a, pier_b
    agent = in_role("agent@example.com", roles.AGENT)
    assign_perm(VESSEL, agent, a.vessel)
    assert set(order_policy.instances_user_has_permission_for(fresh(agent), "view")) == {
        order_a,
        order_b,
    }


def test_a_customer_with_an_order_at_each_pier_is_listed_once(pier_a):
    a, order_a = pier_a
    placed_order(a, paid=True, email="a@example.com")
    agent = in_role("agent@example.com", roles.AGENT)
    assign_perm(VENUE, agent, a.venue)
    assert list(customer_policy.instances_user_has_permission_for(fresh(agent), "view")) == [
        order_a.customer
    ]


def test_managing_personal_data_is_for_administrators_and_managers_in_scope(pier_a, pier_b):
    (_a, order_a), (b, order_b) = pier_a, pier_b
    agent = fresh(in_role("agent@example.com", roles.AGENT))
    manager = in_role("manager@example.com", roles.MANAGER)
    administrator = fresh(in_role("admin@example.com", roles.ADMINISTRATOR))
    action = "manage_personal_data"

    assert not customer_policy.user_has_permission(agent, action)
    assert not customer_policy.user_has_permission_for_instance(agent, action, order_a.customer)
    assert customer_policy.user_has_permission_for_instance(administrator, action, order_a.customer)
    assert customer_policy.user_has_permission_for_instance(
        fresh(manager), action, order_b.customer
    )

    assign_perm(VENUE, manager, b.venue)
    manager = fresh(manager)
    assert customer_policy.user_has_permission_for_instance(manager, action, order_b.customer)
    assert not customer_policy.user_has_permission_for_instance(manager, action, order_a.customer)


def test_inactive_and_anonymous_users_get_nothing(pier_a):
    from django.contrib.auth.models import AnonymousUser

    boss = make_user("boss@example.com", is_superuser=True, is_staff=True, is_active=False)
    for user in (boss, AnonymousUser()):
        assert not order_policy.instances_user_has_permission_for(user, "view").exists()
        assert not departure_policy.user_has_permission_for_instance(user, BOARD, pier_a[0])


def test_the_assignments_are_read_once_per_user_object(pier_a, django_assert_num_queries):
    a, _order = pier_a
    agent = in_role("agent@example.com", roles.AGENT)
    assign_perm(VENUE, agent, a.venue)
    agent = fresh(agent)
    agent.get_all_permissions()  # the model permissions, cached by Django

    with django_assert_num_queries(1):
        assert user_assignments(agent).venue_ids == {a.venue.pk}
        user_assignments(agent)
        departure_policy.user_has_permission_for_instance(agent, "view", a)

    remove_perm(VENUE, agent, a.venue)
    assert user_assignments(agent).venue_ids == {a.venue.pk}  # cached
    assignments_forget(agent)
    assert user_assignments(agent).venue_ids == frozenset()


# The crew's pages and API ------------------------------------------------------------


@pytest.fixture
def crew_of_a(pier_a):
    crew = in_role("crew@example.com", roles.BOARDING_CREW)
    assign_perm(VENUE, crew, pier_a[0].venue)
    client = Client()
    client.force_login(crew)
    return client


def scanner(departure, language="en"):
    with translation.override(language):
        return reverse("checkin:scanner", kwargs={"departure_id": departure.pk})


def test_crew_of_pier_a_cannot_open_pier_bs_departure(crew_of_a, pier_a, pier_b):
    (a, _), (b, _) = pier_a, pier_b

    refused = crew_of_a.get(scanner(b), HTTP_ACCEPT_LANGUAGE="en")
    opened = crew_of_a.get(scanner(a))
    with translation.override("en"):
        index = crew_of_a.get(reverse("checkin:index"))

    assert refused.status_code == 403
    assert "not assigned to this departure" in refused.content.decode()
    assert opened.status_code == 200
    assert scanner(a) in index.content.decode()
    assert scanner(b) not in index.content.decode()


def test_the_refusal_is_in_russian_for_the_russian_crew(crew_of_a, pier_b):
    refused = crew_of_a.get(scanner(pier_b[0], "ru"))
    assert refused.status_code == 403
    assert "Вы не назначены" in refused.content.decode()


def test_crew_of_pier_a_cannot_check_in_at_pier_b(crew_of_a, pier_a, pier_b):
    (a, order_a), (b, order_b) = pier_a, pier_b
    ticket_b = order_b.tickets.first()
    ticket_a = order_a.tickets.first()

    form = crew_of_a.post(scanner(b), {"action": "token", "token": token_of(ticket_b)})
    api = crew_of_a.post(
        reverse("api-v1:checkin-scan"),
        {"token": token_of(ticket_b), "departure_id": b.pk},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    by_id = crew_of_a.post(
        reverse("api-v1:checkin-ticket", kwargs={"ticket_id": ticket_b.pk}),
        {"departure_id": b.pk},
        content_type="application/json",
    )
    lookup = crew_of_a.get(
        reverse("api-v1:checkin-order", kwargs={"departure_id": b.pk, "code": order_b.code})
    )

    assert form.status_code == 403
    assert api.status_code == 403
    assert api.json() == {
        "code": "forbidden",
        "message": "You are not assigned to this departure's pier or vessel.",
    }
    assert by_id.status_code == 403
    assert lookup.status_code == 403
    ticket_b.refresh_from_db()
    assert ticket_b.checked_in_at is None

    admitted = crew_of_a.post(
        reverse("api-v1:checkin-scan"),
        {"token": token_of(ticket_a), "departure_id": a.pk},
        content_type="application/json",
    )
    assert admitted.status_code == 200
    assert admitted.json()["ok"] is True
