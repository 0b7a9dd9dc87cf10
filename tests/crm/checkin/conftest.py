"""Check-in fixtures: a paid order on a departure from a pier in Vladivostok (the builders
are in tests/factories/checkin.py), its tickets, and the three kinds of user a check-in
page meets."""

import pytest
from django.test import Client
from guardian.shortcuts import assign_perm

from tests.factories import check_in_group, far_east_departure, make_user, placed_order


@pytest.fixture
def departure(db):
    return far_east_departure()


@pytest.fixture
def order(departure):
    return placed_order(departure, paid=True)


@pytest.fixture
def tickets(order):
    return list(order.tickets.order_by("pk"))


@pytest.fixture
def crew(departure):
    """A deckhand: no admin rights at all, only the check-in permission through a group,
    assigned to the departure's pier (crm.permissions: no assignment, nothing to board)."""
    user = make_user("crew@example.com")
    user.groups.add(check_in_group())
    assign_perm("booking.assigned_to_venue", user, departure.venue)
    return user


@pytest.fixture
def staff_without_permission(db):
    return make_user("agent@example.com", is_staff=True)


@pytest.fixture
def crew_client(crew):
    client = Client()
    client.force_login(crew)
    return client
