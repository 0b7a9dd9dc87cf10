"""Check-in fixtures: a paid order on a departure from a pier in Vladivostok (UTC+10, so
that a time shown in Moscow's zone would be visibly wrong), its tickets' QR tokens, and
the three kinds of user a check-in page meets."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone

from booking.tickets.tokens import ticket_token
from tests import factories
from tests.booking.factories import general_departure, placed_order

PIER_TIMEZONE = "Asia/Vladivostok"


def token_of(ticket) -> str:
    return ticket_token(ticket.secret, ticket.departure_id)


def boarding_now(**kwargs) -> dict:
    """Start and end of a departure whose boarding window is open now (it leaves in half
    an hour), unless the test says otherwise."""
    starts_at = kwargs.pop("starts_at", None) or timezone.now() + datetime.timedelta(minutes=30)
    kwargs.setdefault("ends_at", starts_at + datetime.timedelta(minutes=90))
    return {"starts_at": starts_at, **kwargs}


def three_days_away() -> datetime.datetime:
    """19:00 in Moscow three days from now: far outside any boarding window."""
    return factories.moscow_datetime(timezone.localdate() + datetime.timedelta(days=3))


def far_east_departure(**kwargs):
    venue = factories.VenueFactory(timezone=PIER_TIMEZONE)
    return general_departure(venue=venue, **boarding_now(**kwargs))


@pytest.fixture
def departure(db):
    return far_east_departure()


@pytest.fixture
def order(departure):
    return placed_order(departure, paid=True)


@pytest.fixture
def tickets(order):
    return list(order.tickets.order_by("pk"))


def make_user(email: str, **extra):
    return get_user_model().objects.create_user(email=email, password="x-pass-123456", **extra)


def check_in_group() -> Group:
    group, _created = Group.objects.get_or_create(name="Boarding crew")
    group.permissions.add(
        Permission.objects.get(codename="check_in_ticket", content_type__app_label="booking")
    )
    return group


@pytest.fixture
def crew(db):
    """A deckhand: no admin rights at all, only the check-in permission through a group."""
    user = make_user("crew@example.com")
    user.groups.add(check_in_group())
    return user


@pytest.fixture
def staff_without_permission(db):
    return make_user("agent@example.com", is_staff=True)


@pytest.fixture
def crew_client(crew):
    client = Client()
    client.force_login(crew)
    return client
