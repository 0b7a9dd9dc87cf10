"""Holds over the public API: their life over HTTP, someone else's token, and the rate
limit on creating them."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from booking.models import Hold, SeatClaim
from tests.booking.api import helpers
from tests.booking.api.helpers import NOTHING, adult_id, assert_error, call
from tests.factories import row_counts, seats_of

pytestmark = pytest.mark.django_db

# Fixtures shared with the other API test modules.
hold_rate = helpers.hold_rate
_generous_rate = helpers._generous_rate
general = helpers.general
seated = helpers.seated


# --- the life of a hold over HTTP ----------------------------------------------------


def test_general_admission_hold_over_http(client, general):
    adult = adult_id(general)
    response = call(
        client,
        "post",
        "/holds",
        {"departure_id": general.pk, "quantities": [{"ticket_type_id": adult, "quantity": 3}]},
    )
    assert response.status_code == 201, response.content
    hold = response.json()
    assert hold["departure_id"] == general.pk
    assert 14 * 60 < hold["seconds_left"] <= 15 * 60
    assert [(line["ticket_type_id"], line["quantity"]) for line in hold["lines"]] == [(adult, 3)]
    assert hold["total"] == "4500.00"

    token = hold["token"]
    assert call(client, "get", f"/holds/{token}").json()["token"] == token
    changed = call(
        client, "put", f"/holds/{token}", {"quantities": [{"ticket_type_id": adult, "quantity": 1}]}
    )
    assert changed.status_code == 200
    assert changed.json()["total"] == "1500.00"
    extended = call(client, "post", f"/holds/{token}/extend")
    assert extended.status_code == 200 and extended.json()["extended"] is True
    assert_error(call(client, "post", f"/holds/{token}/extend"), 409, "hold_already_extended")
    assert call(client, "delete", f"/holds/{token}").status_code == 204
    assert_error(call(client, "get", f"/holds/{token}"), 404, "hold_not_found")
    assert row_counts() == NOTHING


@pytest.mark.parametrize("departure", ["general", "seated"])
def test_a_new_hold_is_answered_from_what_was_written_without_reading_it_back(
    client, departure, request
):
    """The hold's answer is the lines just written, priced by the table they were checked
    against: after the lines' INSERT nothing is read again, and the answer is the same as
    a later read of the hold from the database."""
    departure = request.getfixturevalue(departure)
    if departure.is_assigned_seating:
        selection = {"seats": [{"seat_id": seat.pk} for seat in seats_of(departure)[:2]]}
    else:
        selection = {"quantities": [{"ticket_type_id": adult_id(departure), "quantity": 2}]}
    with CaptureQueriesContext(connection) as queries:
        response = call(client, "post", "/holds", {"departure_id": departure.pk, **selection})
    assert response.status_code == 201, response.content
    statements = [q["sql"] for q in queries.captured_queries]
    written = max(i for i, sql in enumerate(statements) if 'INSERT INTO "booking_holdline"' in sql)
    assert not [sql for sql in statements[written + 1 :] if sql.startswith("SELECT")]
    created = response.json()
    read = call(client, "get", f"/holds/{created['token']}").json()
    assert {k: v for k, v in created.items() if k != "seconds_left"} == {
        k: v for k, v in read.items() if k != "seconds_left"
    }
    assert len(created["lines"]) == 2 if departure.is_assigned_seating else 1


def test_seat_hold_over_http_and_the_seat_map_shows_it(client, seated):
    first, second = seats_of(seated)[:2]
    response = call(
        client,
        "post",
        "/holds",
        {"departure_id": seated.pk, "seats": [{"seat_id": first.pk}, {"seat_id": second.pk}]},
        **{"X-Bind-Session": "1"},
    )
    assert response.status_code == 201, response.content
    token = response.json()["token"]

    mine = call(client, "get", f"/departures/{seated.pk}/seats?hold={token}").json()
    theirs = call(Client(), "get", f"/departures/{seated.pk}/seats?hold={token}").json()
    status = {s["id"]: s["status"] for s in mine["seats"]}
    assert (status[first.pk], status[second.pk]) == ("mine", "mine")
    assert {s["id"]: s["status"] for s in theirs["seats"]}[first.pk] == "held"
    assert len(mine["seats"]) == 20

    taken = call(
        Client(), "post", "/holds", {"departure_id": seated.pk, "seats": [{"seat_id": first.pk}]}
    )
    assert_error(taken, 409, "seat_taken")


# --- someone else's hold ---------------------------------------------------------------


def test_someone_elses_hold_token_is_not_found_and_nothing_changes(seated):
    owner, stranger = Client(), Client()
    first, second, third = seats_of(seated)[:3]
    created = call(
        owner,
        "post",
        "/holds",
        {"departure_id": seated.pk, "seats": [{"seat_id": first.pk}, {"seat_id": second.pk}]},
        **{"X-Bind-Session": "1"},
    )
    assert created.status_code == 201
    token = created.json()["token"]
    hold = Hold.objects.get(token=token)
    before = (hold.expires_at, hold.extended, sorted(SeatClaim.objects.values_list("seat_id")))

    assert_error(call(stranger, "get", f"/holds/{token}"), 404, "hold_not_found")
    assert_error(
        call(stranger, "put", f"/holds/{token}", {"seats": [{"seat_id": third.pk}]}),
        404,
        "hold_not_found",
    )
    assert_error(call(stranger, "post", f"/holds/{token}/extend"), 404, "hold_not_found")
    assert_error(call(stranger, "delete", f"/holds/{token}"), 404, "hold_not_found")

    hold.refresh_from_db()
    assert (hold.expires_at, hold.extended, sorted(SeatClaim.objects.values_list("seat_id"))) == (
        before
    )
    assert call(owner, "get", f"/holds/{token}").status_code == 200


@pytest.mark.parametrize(
    "token",
    ["x", "a" * 43, "a" * 64, "a" * 5000, "%27%20OR%201%3D1--", "%00"],
    ids=["short", "43 chars", "64 chars", "5000 chars", "sql", "NUL byte"],
)
def test_unknown_and_malformed_tokens_are_not_found(token):
    client = Client(raise_request_exception=False)
    for method, path, body in (
        ("get", f"/holds/{token}", None),
        ("put", f"/holds/{token}", {"quantities": []}),
        ("post", f"/holds/{token}/extend", None),
        ("delete", f"/holds/{token}", None),
    ):
        response = call(client, method, path, body)
        assert response.status_code != 500, (method, response.status_code)
        assert_error(response, 404)
    assert row_counts() == NOTHING


# --- rate limiting -------------------------------------------------------------------


def test_hold_creation_is_rate_limited_per_client(hold_rate, general):
    hold_rate("3/m")
    body = {
        "departure_id": general.pk,
        "quantities": [{"ticket_type_id": adult_id(general), "quantity": 1}],
    }
    client = Client()
    for _ in range(3):
        assert call(client, "post", "/holds", body).status_code == 201

    limited = call(client, "post", "/holds", body, **{"Accept-Language": "en"})
    assert_error(limited, 429, "rate_limited")
    # A forged X-Forwarded-For does not make a new client (no trusted proxies).
    forged = call(client, "post", "/holds", body, **{"X-Forwarded-For": "203.0.113.9"})
    assert_error(forged, 429, "rate_limited")
    assert Hold.objects.count() == 3
    # Another client is not affected, and reading holds is not limited.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert call(other, "post", "/holds", body).status_code == 201
    token = Hold.objects.order_by("pk").first().token
    assert call(client, "get", f"/holds/{token}").status_code == 200
