"""The crew's pages: who may open them, and the whole flow without JavaScript."""

import datetime
import re
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from guardian.shortcuts import assign_perm

from booking.models import Ticket
from tests.factories import (
    PIER_TIMEZONE,
    far_east_departure,
    make_user,
    three_days_away,
    token_of,
)

pytestmark = pytest.mark.django_db

INDEX = "/en/staff/check-in/"


def scanner_url(departure) -> str:
    return f"/en/staff/check-in/{departure.pk}/"


def state_of(response) -> str | None:
    match = re.search(r'class="checkin-result checkin-result--(\w+)"', response.content.decode())
    return match and match.group(1)


def code_of(response) -> str | None:
    match = re.search(r'data-code="(\w+)"', response.content.decode())
    return match and match.group(1)


@pytest.mark.parametrize("path", [INDEX, "/ru/staff/check-in/", "/zh/staff/check-in/"])
def test_anonymous_visitors_are_sent_to_the_admin_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={path}"


def test_anonymous_visitors_of_a_scanner_are_sent_to_sign_in(client, departure):
    response = client.post(scanner_url(departure), {"action": "token", "token": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


def test_staff_without_the_permission_get_403(client, departure, staff_without_permission):
    client.force_login(staff_without_permission)
    for response in (
        client.get(INDEX),
        client.get(scanner_url(departure)),
        client.post(scanner_url(departure), {"action": "token", "token": "x"}),
    ):
        assert response.status_code == 403
        assert b"No access" in response.content


def test_a_user_given_the_permission_directly_may_check_in(client, departure):
    user = make_user("direct@example.com")
    user.user_permissions.add(Permission.objects.get(codename="check_in_ticket"))
    assign_perm("booking.assigned_to_venue", user, departure.venue)
    client.force_login(user)
    assert client.get(scanner_url(departure)).status_code == 200


def test_a_superuser_may_check_in(client, departure):
    client.force_login(make_user("boss@example.com", is_superuser=True, is_staff=True))
    assert client.get(INDEX).status_code == 200


def test_the_index_lists_todays_and_tomorrows_departures_with_counts(crew_client, tickets):
    departure = tickets[0].departure
    # Inside the boarding window (it opens two hours before the start).
    starts = timezone.now() + datetime.timedelta(hours=1)
    type(departure).objects.filter(pk=departure.pk).update(
        starts_at=starts, ends_at=starts + datetime.timedelta(hours=1)
    )
    Ticket.objects.filter(pk=tickets[0].pk).update(checked_in_at=timezone.now())
    later = far_east_departure(starts_at=three_days_away())  # not listed

    response = crew_client.get(INDEX)

    assert response.status_code == 200
    html = response.content.decode()
    assert scanner_url(departure) in html
    assert scanner_url(later) not in html
    assert "1 of 2" in html
    local = starts.astimezone(zoneinfo.ZoneInfo(PIER_TIMEZONE))
    assert f'<span class="checkin-departure__time">{local:%H:%M}</span>' in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_scanner_page_works_without_javascript(crew_client, departure, tickets):
    page = crew_client.get(scanner_url(departure))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Boarded: 0 of 2" in html
    # The page shows the pier's time.
    local = departure.starts_at.astimezone(zoneinfo.ZoneInfo(PIER_TIMEZONE))
    assert f'<span class="checkin-heading__time">{local:%H:%M}</span>' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="token"' in html and 'name="order_code"' in html

    first = crew_client.post(
        scanner_url(departure), {"action": "token", "token": token_of(tickets[0])}
    )
    assert first.status_code == 200
    assert (state_of(first), code_of(first)) == ("go", "ok")
    assert "Valid ticket. Welcome aboard!" in first.content.decode()
    assert "Boarded: 1 of 2" in first.content.decode()

    second = crew_client.post(
        scanner_url(departure), {"action": "token", "token": token_of(tickets[0])}
    )
    assert (state_of(second), code_of(second)) == ("warn", "already_used")
    assert "Already used at" in second.content.decode()
    assert "Already used" in second.content.decode()  # the headline, not only a colour


def test_the_form_refuses_a_ticket_of_another_departure(crew_client, tickets):
    other = far_east_departure()
    # From the crew's pier, so the page opens and the service refuses the ticket.
    type(other).objects.filter(pk=other.pk).update(venue=tickets[0].departure.venue)
    response = crew_client.post(
        scanner_url(other), {"action": "token", "token": token_of(tickets[0])}
    )
    assert (state_of(response), code_of(response)) == ("stop", "wrong_departure")
    assert "Do not board" in response.content.decode()


def test_the_forms_need_a_csrf_token(crew, departure, tickets):
    client = Client(enforce_csrf_checks=True)
    client.force_login(crew)
    response = client.post(
        scanner_url(departure), {"action": "token", "token": token_of(tickets[0])}
    )
    assert response.status_code == 403
    assert Ticket.objects.get(pk=tickets[0].pk).checked_in_at is None


def test_the_order_code_flow_without_javascript(crew_client, departure, order, tickets):
    found = crew_client.post(
        scanner_url(departure), {"action": "order", "order_code": order.code.lower()}
    )
    assert found.status_code == 200
    html = found.content.decode()
    assert f"Order {order.code}" in html
    assert html.count('name="action" value="board"') == 2

    boarded = crew_client.post(
        scanner_url(departure),
        {"action": "board", "order_code": order.code, "ticket_id": str(tickets[1].pk)},
    )
    assert (state_of(boarded), code_of(boarded)) == ("go", "ok")
    html = boarded.content.decode()
    # The list is shown again: the boarded ticket has its time, the other its button.
    assert html.count('name="action" value="board"') == 1
    assert "Boarded at " in html
    assert Ticket.objects.get(pk=tickets[1].pk).checked_in_by is not None


def test_an_unknown_order_code_is_answered(crew_client, departure):
    response = crew_client.post(
        scanner_url(departure), {"action": "order", "order_code": "ZZZZZZZZ"}
    )
    assert response.status_code == 200
    assert code_of(response) == "order_not_found"
    assert "There is no order with this code." in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "token", "token": "\x00" * 10},
        {"action": "token", "token": "A" * 100_000},
        {"action": "token"},
        {"action": "order", "order_code": "AB\x00CDEFG"},
        {"action": "order", "order_code": "Q" * 100_000},
        {"action": "board", "order_code": "ZZZZZZZZ", "ticket_id": "abc"},
        {"action": "board", "ticket_id": "99999999999999999999999"},
        {"action": "board", "ticket_id": "1\x00"},
        {"action": "nonsense"},
        {},
    ],
)
def test_bad_form_input_gets_an_answer_not_an_error(crew_client, departure, data):
    response = crew_client.post(scanner_url(departure), data)
    assert response.status_code == 200
    assert not Ticket.objects.filter(checked_in_at__isnull=False).exists()


def test_a_bad_token_in_the_form_is_refused_clearly(crew_client, departure):
    response = crew_client.post(scanner_url(departure), {"action": "token", "token": "A" * 5000})
    assert (state_of(response), code_of(response)) == ("stop", "invalid")
    assert "This is not a ticket of ours" in response.content.decode()


@pytest.mark.parametrize("path", ["abc/", "99999999999999999999999999/", "0/"])
def test_a_bad_departure_in_the_address_is_not_found(crew_client, path, locales):
    response = crew_client.get(INDEX + path)
    assert response.status_code == 404


def test_the_page_speaks_russian_under_ru(crew_client, departure):
    response = crew_client.get(f"/ru/staff/check-in/{departure.pk}/")
    assert response.status_code == 200
    assert '<html lang="ru">' in response.content.decode()


def test_a_deckhand_without_admin_access_signs_in_through_the_admin_form(client, crew, locales):
    """The crew need no access to the Wagtail admin: its sign-in form sends them back."""
    response = client.post(
        f"/admin/login/?next={INDEX}",
        {"username": crew.email, "password": "x-pass-123456", "next": INDEX},
    )
    assert response.status_code == 302
    assert response["Location"] == INDEX
    assert client.get(INDEX).status_code == 200
