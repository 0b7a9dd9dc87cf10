"""When a departure boards: only inside its boarding window, never when cancelled; every
boarding is in Wagtail's audit log, and only an administrator can undo one, with a
reason."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from guardian.shortcuts import assign_perm
from wagtail.models import ModelLogEntry

from booking.models import Departure, Ticket
from booking.services.checkin import (
    CHECK_IN_ACTION,
    CHECK_IN_UNDO_ACTION,
    boarding_departures,
    ticket_check_in,
    ticket_check_in_by_id,
    ticket_check_in_undo,
)
from tests.factories import far_east_departure, placed_order, token_of

pytestmark = pytest.mark.django_db

START = datetime.datetime(2030, 6, 1, 9, 0, tzinfo=datetime.UTC)  # 19:00 in Vladivostok
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def departure(db):
    return far_east_departure(starts_at=START, ends_at=START + datetime.timedelta(minutes=90))


@pytest.fixture
def tickets(departure):
    return list(placed_order(departure, paid=True).tickets.order_by("pk"))


def scan(ticket, departure, now, user=None):
    return ticket_check_in(token=token_of(ticket), departure_id=departure.pk, user=user, now=now)


# The window ------------------------------------------------------------------------


def test_boarding_opens_120_minutes_before_the_start(departure, tickets):
    early = scan(tickets[0], departure, START - 120 * MINUTE - MINUTE)
    assert (early.ok, early.code) == (False, "boarding_not_open")
    # The refusal says when, at the pier's time (17:00 in Vladivostok).
    assert "17:00" in early.message
    assert early.counts is not None
    assert Ticket.objects.get(pk=tickets[0].pk).checked_in_at is None

    assert scan(tickets[0], departure, START - 120 * MINUTE).ok


def test_boarding_closes_at_the_departures_end(departure, tickets):
    assert scan(tickets[0], departure, START + 90 * MINUTE - MINUTE).ok
    late = scan(tickets[1], departure, START + 90 * MINUTE)
    assert (late.ok, late.code) == (False, "boarding_closed")
    assert late.message == "Boarding for this departure has closed."


@override_settings(
    BOOKING_CHECKIN_OPENS_MINUTES_BEFORE=30, BOOKING_CHECKIN_CLOSES_MINUTES_AFTER_END=15
)
def test_the_window_is_a_setting(departure, tickets):
    assert scan(tickets[0], departure, START - 31 * MINUTE).code == "boarding_not_open"
    assert scan(tickets[0], departure, START - 30 * MINUTE).ok
    assert scan(tickets[1], departure, START + 105 * MINUTE).code == "boarding_closed"


def test_a_ticket_weeks_ahead_is_refused_today(crew):
    departure = far_east_departure(starts_at=START + datetime.timedelta(days=24))
    ticket = placed_order(departure, paid=True).tickets.first()
    result = scan(ticket, departure, START, crew)
    assert (result.ok, result.code) == (False, "boarding_not_open")
    by_id = ticket_check_in_by_id(
        ticket_id=ticket.pk, departure_id=departure.pk, user=crew, now=START
    )
    assert by_id.code == "boarding_not_open"


def test_the_boarding_list_shows_only_open_windows(departure):
    listed = {d.departure.pk for d in boarding_departures(now=START - 2 * 60 * MINUTE)}
    assert departure.pk in listed
    listed = {d.departure.pk for d in boarding_departures(now=START - 121 * MINUTE)}
    assert departure.pk not in listed


def test_the_api_refuses_outside_the_window(crew_client, crew):
    departure = far_east_departure(starts_at=START + datetime.timedelta(days=24))
    assign_perm("booking.assigned_to_venue", crew, departure.venue)
    ticket = placed_order(departure, paid=True).tickets.first()
    response = crew_client.post(
        reverse("api-v1:checkin-scan"),
        {"token": token_of(ticket), "departure_id": departure.pk},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["ok"], response.json()["code"]) == (False, "boarding_not_open")


# A cancelled departure never boards (A2) ---------------------------------------------


def test_a_cancelled_departures_tickets_do_not_board(departure, tickets, crew):
    Departure.objects.filter(pk=departure.pk).update(status=Departure.Status.CANCELLED)

    result = scan(tickets[0], departure, START, crew)

    assert (result.ok, result.code) == (False, "departure_cancelled")
    assert result.message == "This departure has been cancelled: nobody boards it."
    by_id = ticket_check_in_by_id(
        ticket_id=tickets[1].pk, departure_id=departure.pk, user=crew, now=START
    )
    assert by_id.code == "departure_cancelled"
    assert not Ticket.objects.filter(departure=departure, checked_in_at__isnull=False).exists()
    with translation.override("ru"):
        assert "отмен" in scan(tickets[0], departure, START, crew).message


def test_the_scanner_page_says_a_cancelled_departure_does_not_board(crew_client, crew):
    departure = far_east_departure()
    assign_perm("booking.assigned_to_venue", crew, departure.venue)
    ticket = placed_order(departure, paid=True).tickets.first()
    Departure.objects.filter(pk=departure.pk).update(status=Departure.Status.CANCELLED)
    url = reverse("checkin:scanner", kwargs={"departure_id": departure.pk})

    page = crew_client.get(url)
    posted = crew_client.post(url, {"action": "token", "token": token_of(ticket)})

    assert "data-boarding-closed" in page.content.decode()
    assert 'data-code="departure_cancelled"' in posted.content.decode()
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


# Audit log and undo ----------------------------------------------------------------


def _entries(ticket, action):
    return ModelLogEntry.objects.filter(
        content_type__app_label="booking",
        content_type__model="ticket",
        object_id=str(ticket.pk),
        action=action,
    )


def test_every_boarding_is_in_the_audit_log(departure, tickets, crew):
    scan(tickets[0], departure, START, crew)
    scan(tickets[0], departure, START + MINUTE, crew)  # refused: not logged again

    (entry,) = _entries(tickets[0], CHECK_IN_ACTION)
    assert entry.user_id == crew.pk
    assert entry.data["departure_id"] == departure.pk
    assert not _entries(tickets[1], CHECK_IN_ACTION).exists()


@pytest.fixture
def administrator():
    return get_user_model().objects.create_superuser(
        email="admin@example.com", password="x-pass-123456"
    )


def test_crew_cannot_undo_a_boarding(departure, tickets, crew, crew_client):
    scan(tickets[0], departure, START, crew)

    refused = ticket_check_in_undo(ticket_id=tickets[0].pk, user=crew, reason="Wrong person")
    assert (refused.ok, refused.code) == (False, "forbidden")

    url = reverse("booking_check_in_undo", args=[tickets[0].pk])
    response = crew_client.post(url, {"reason": "Wrong person"})
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response.url != reverse("checkin:scanner", args=[departure.pk])
    assert Ticket.objects.get(pk=tickets[0].pk).checked_in_at is not None
    assert not _entries(tickets[0], CHECK_IN_UNDO_ACTION).exists()


def test_an_administrator_undoes_a_boarding_with_a_reason(departure, tickets, crew, administrator):
    scan(tickets[0], departure, START, crew)
    client = Client()
    client.force_login(administrator)
    url = reverse("booking_check_in_undo", args=[tickets[0].pk])

    assert client.get(url).status_code == 200
    no_reason = client.post(url, {"reason": "  "})
    assert no_reason.status_code == 200
    assert Ticket.objects.get(pk=tickets[0].pk).checked_in_at is not None

    done = client.post(url, {"reason": "Scanned the wrong passenger's phone"})

    assert done.status_code == 302
    ticket = Ticket.objects.get(pk=tickets[0].pk)
    assert ticket.checked_in_at is None and ticket.checked_in_by is None
    (entry,) = _entries(ticket, CHECK_IN_UNDO_ACTION)
    assert entry.user_id == administrator.pk
    assert entry.data["reason"] == "Scanned the wrong passenger's phone"
    assert entry.data["checked_in_by"] == crew.pk
    # The ticket can board again.
    assert scan(ticket, departure, START + MINUTE, crew).ok


def test_the_undo_permission_alone_is_enough(departure, tickets, crew):
    from django.contrib.auth.models import Permission

    scan(tickets[0], departure, START, crew)
    supervisor = get_user_model().objects.create_user(email="boss@example.com", password="x")
    supervisor.user_permissions.add(
        Permission.objects.get(codename="undo_check_in", content_type__app_label="booking")
    )
    result = ticket_check_in_undo(ticket_id=tickets[0].pk, user=supervisor, reason="Mistake")
    assert result.ok


def test_the_order_screen_offers_the_undo_only_to_administrators(crew, crew_client, administrator):
    departure = far_east_departure()
    order = placed_order(departure, paid=True)
    ticket = order.tickets.order_by("pk").first()
    ticket_check_in_by_id(ticket_id=ticket.pk, departure_id=departure.pk, user=crew)
    url = reverse("checkin:scanner", kwargs={"departure_id": departure.pk})
    undo = reverse("booking_check_in_undo", args=[ticket.pk])

    crew_page = crew_client.post(url, {"action": "order", "order_code": order.code})
    assert undo not in crew_page.content.decode()

    admin = Client()
    admin.force_login(administrator)
    admin_page = admin.post(url, {"action": "order", "order_code": order.code})
    assert undo in admin_page.content.decode()
