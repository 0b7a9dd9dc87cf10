"""Boarding offline: the bundle a phone keeps (GET …/departures/<id>/offline) and the sync
of the check-ins it queued (POST …/departures/<id>/sync): permissions, audit, what the
bundle carries and leaves out, and a batch synced twice admitting each ticket once."""

import base64
import datetime
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.test import Client
from django.utils import timezone
from guardian.shortcuts import assign_perm
from wagtail.models import ModelLogEntry

from booking.models import Ticket
from booking.services.checkin import CHECK_IN_ACTION
from booking.tickets.tokens import legacy_ticket_token, secret_digest
from crm.audit import MANIFEST_ACTION
from tests.factories import (
    VenueFactory,
    check_in_group,
    make_user,
    placed_order,
    token_of,
)

pytestmark = pytest.mark.django_db


def bundle_url(departure_id):
    return f"/api/v1/checkin/departures/{departure_id}/offline"


def sync_url(departure_id):
    return f"/api/v1/checkin/departures/{departure_id}/sync"


def post(client, url, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json", **headers)


def item(ticket, client_id, scanned_at=None, token=None):
    scanned_at = scanned_at or timezone.now() - datetime.timedelta(minutes=2)
    return {
        "token": token or token_of(ticket),
        "scanned_at": scanned_at.isoformat(),
        "client_id": client_id,
    }


def b32(token):
    return base64.b32decode(token + "=" * (-len(token) % 8))


# --- the bundle ----------------------------------------------------------------------------


def test_the_bundle_carries_what_the_phone_needs_and_no_secret(crew_client, departure, tickets):
    Ticket.objects.filter(pk=tickets[1].pk).update(status=Ticket.Status.REFUNDED)
    cancelled = placed_order(departure, paid=True).tickets.first()
    Ticket.objects.filter(pk=cancelled.pk).update(status=Ticket.Status.CANCELLED)
    boarded = placed_order(departure, paid=True).tickets.first()
    Ticket.objects.filter(pk=boarded.pk).update(checked_in_at=timezone.now())

    response = crew_client.get(bundle_url(departure.pk), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = response.json()
    assert body["departure"]["id"] == departure.pk
    assert body["departure"]["time_zone"] == "Asia/Vladivostok"
    assert body["departure"]["cancelled"] is False
    assert body["generated_at"] and body["generated_time"]
    rows = {row["id"]: row for row in body["rows"]}
    assert rows[tickets[0].pk]["state"] == "valid"
    assert rows[tickets[0].pk]["digest"] == secret_digest(tickets[0].secret)
    assert rows[tickets[0].pk]["order_code"] == tickets[0].order.code
    assert rows[tickets[0].pk]["ticket_type"] == "Adult"
    assert rows[tickets[1].pk]["state"] == "refunded"
    assert rows[boarded.pk]["state"] == "boarded" and rows[boarded.pk]["boarded_time"]
    assert cancelled.pk not in rows  # not a passenger, but revoked:
    assert sorted(body["revoked"]) == sorted(
        [secret_digest(tickets[1].secret), secret_digest(cancelled.secret)]
    )
    # The public key verifies the tickets' signatures, as the phone does.
    token = token_of(tickets[0])
    raw = b32(token)
    key = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(body["public_keys"][0] + "="))
    key.verify(raw[25:], raw[:25])
    # Neither a ticket's secret nor a token nor a phone number is in it.
    text = response.content.decode()
    for ticket in (*tickets, cancelled, boarded):
        assert ticket.secret not in text
        assert token_of(ticket) not in text
    assert tickets[0].order.phone[-7:] not in text


def test_the_bundle_is_audited_as_a_read_of_the_manifest(crew, crew_client, departure, tickets):
    crew_client.get(bundle_url(departure.pk))
    entry = ModelLogEntry.objects.get(action=MANIFEST_ACTION, object_id=str(departure.pk))
    assert entry.user_id == crew.pk
    assert entry.data["format"] == "offline"
    assert entry.data["rows"] == 2


def test_the_bundle_is_for_the_crew_of_the_departure_only(
    client, departure, tickets, staff_without_permission
):
    assert client.get(bundle_url(departure.pk)).status_code == 401
    client.force_login(staff_without_permission)
    assert client.get(bundle_url(departure.pk)).status_code == 403
    other = make_user("other-pier@example.com")
    other.groups.add(check_in_group())
    assign_perm("booking.assigned_to_venue", other, VenueFactory())
    elsewhere = Client()
    elsewhere.force_login(other)
    response = elsewhere.get(bundle_url(departure.pk))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not ModelLogEntry.objects.filter(action=MANIFEST_ACTION).exists()
    # nor may they sync check-ins to it
    refused = post(elsewhere, sync_url(departure.pk), {"items": [item(tickets[0], "a")]})
    assert refused.status_code == 403
    assert Ticket.objects.get(pk=tickets[0].pk).checked_in_at is None


def test_an_unknown_departure_is_404(crew_client):
    for departure_id in (2**62, 10**30):
        response = crew_client.get(bundle_url(departure_id))
        assert response.status_code in (404, 422)
        assert set(response.json()) == {"code", "message"}


# --- the sync ------------------------------------------------------------------------------


def test_offline_check_ins_synced_twice_admit_once(crew, crew_client, departure, tickets):
    scanned = [timezone.now() - datetime.timedelta(minutes=5 - n) for n in range(2)]
    batch = {"items": [item(t, f"phone-1-{n}", scanned[n]) for n, t in enumerate(tickets)]}

    first = post(crew_client, sync_url(departure.pk), batch, HTTP_ACCEPT_LANGUAGE="en")
    second = post(crew_client, sync_url(departure.pk), batch, HTTP_ACCEPT_LANGUAGE="en")

    assert first.status_code == second.status_code == 200
    results = first.json()["results"]
    assert [(r["client_id"], r["ok"], r["code"]) for r in results] == [
        ("phone-1-0", True, "ok"),
        ("phone-1-1", True, "ok"),
    ]
    assert first.json()["counts"] == {"valid": 2, "boarded": 2}
    again = second.json()["results"]
    assert [(r["ok"], r["code"], r["repeat"]) for r in again] == [
        (False, "already_used", True),
        (False, "already_used", True),
    ]
    assert again[0]["message"].startswith("Already used at ")
    for ticket, moment in zip(tickets, scanned, strict=True):
        ticket.refresh_from_db()
        # boarded once, at the time it was scanned on the phone, by the crew member
        assert ticket.checked_in_at == moment
        assert ticket.checked_in_by_id == crew.pk
    entries = ModelLogEntry.objects.filter(action=CHECK_IN_ACTION)
    assert entries.count() == 2
    for entry in entries:
        assert (entry.data["departure_id"], entry.data["offline"]) == (departure.pk, True)


def test_a_ticket_boarded_by_another_phone_is_a_conflict_not_a_repeat(
    crew_client, departure, tickets
):
    online = post(
        crew_client,
        "/api/v1/checkin/scan",
        {"token": token_of(tickets[0]), "departure_id": departure.pk},
    )
    assert online.json()["code"] == "ok"
    response = post(crew_client, sync_url(departure.pk), {"items": [item(tickets[0], "x")]})
    result = response.json()["results"][0]
    assert (result["code"], result["repeat"]) == ("already_used", False)
    assert ModelLogEntry.objects.filter(action=CHECK_IN_ACTION).count() == 1


def test_a_refunded_ticket_in_the_batch_is_refused_and_the_rest_admitted(
    crew_client, departure, tickets
):
    Ticket.objects.filter(pk=tickets[1].pk).update(status=Ticket.Status.REFUNDED)
    batch = {"items": [item(tickets[0], "a"), item(tickets[1], "b")]}

    response = post(crew_client, sync_url(departure.pk), batch, HTTP_ACCEPT_LANGUAGE="en")

    results = response.json()["results"]
    assert [(r["client_id"], r["code"]) for r in results] == [("a", "ok"), ("b", "refunded")]
    assert results[1]["message"] == "This ticket has been refunded."
    assert Ticket.objects.get(pk=tickets[1].pk).checked_in_at is None
    assert Ticket.objects.get(pk=tickets[0].pk).checked_in_at is not None


def test_old_tokens_and_a_clock_ahead_are_handled(crew_client, departure, tickets):
    old = legacy_ticket_token(tickets[0].secret, departure.pk)
    ahead = timezone.now() + datetime.timedelta(hours=3)
    response = post(
        crew_client,
        sync_url(departure.pk),
        {"items": [item(tickets[0], "a", ahead, token=old), item(tickets[1], "b", token="x")]},
    )
    results = response.json()["results"]
    assert [r["code"] for r in results] == ["ok", "invalid"]
    # never boarded in the future
    assert Ticket.objects.get(pk=tickets[0].pk).checked_in_at <= timezone.now()


@pytest.mark.parametrize(
    "body",
    [
        "",
        "[]",
        {},
        {"items": []},
        {"items": "x"},
        {"items": [{"token": "x"}]},
        {"items": [{"token": "x", "scanned_at": "yesterday", "client_id": "a"}]},
        {"items": [{"token": 5, "scanned_at": "2026-01-01T10:00:00Z", "client_id": "a"}]},
        {"items": [{"token": "x", "scanned_at": "2026-01-01T10:00:00Z", "client_id": ""}]},
        {"items": [{"token": "x", "scanned_at": "2026-01-01T10:00:00Z", "client_id": "a" * 65}]},
        {"items": [{"token": "x" * 501, "scanned_at": "2026-01-01T10:00:00Z", "client_id": "a"}]},
        {"items": [{"token": "x", "scanned_at": "2026-01-01T10:00:00Z", "client_id": "a"}] * 201},
    ],
)
def test_a_malformed_batch_is_a_clear_422_and_changes_nothing(
    crew_client, departure, tickets, body
):
    if isinstance(body, dict) and body.get("items") and isinstance(body["items"], list):
        # a valid item first: nothing of the batch is applied
        body = {"items": [item(tickets[0], "ok-one"), *body["items"]]}
    response = post(crew_client, sync_url(departure.pk), body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in (400, 422), response.content
    assert set(response.json()) == {"code", "message"}
    assert response.json()["message"]
    assert not Ticket.objects.filter(checked_in_at__isnull=False).exists()
    assert not ModelLogEntry.objects.filter(action=CHECK_IN_ACTION).exists()


def test_a_sync_needs_the_csrf_token(crew, departure, tickets):
    client = Client(enforce_csrf_checks=True)
    client.force_login(crew)
    refused = post(client, sync_url(departure.pk), {"items": [item(tickets[0], "a")]})
    assert refused.status_code == 403
    assert Ticket.objects.get(pk=tickets[0].pk).checked_in_at is None


@pytest.mark.parametrize(
    ("scanned_at", "code"),
    [
        ("0001-01-01T00:00:00Z", "boarding_not_open"),
        ("0001-01-01T00:00:00", "boarding_not_open"),  # no zone: read as UTC
        ("9999-12-31T23:59:59+14:00", "ok"),  # a clock far ahead: boarded now
    ],
)
def test_scan_times_at_the_edges_get_an_answer(crew_client, departure, tickets, scanned_at, code):
    body = {"items": [{"token": token_of(tickets[0]), "scanned_at": scanned_at, "client_id": "a"}]}
    response = post(crew_client, sync_url(departure.pk), body)
    assert response.status_code == 200
    assert response.json()["results"][0]["code"] == code
