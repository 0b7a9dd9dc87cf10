"""The check-in API (/api/v1/checkin/): session auth with CSRF, the permission, every
business outcome as a 200 with `ok`/`code`, and malformed requests as JSON errors."""

import json

import pytest
from django.test import Client

from booking.models import Departure, Ticket
from tests.factories import far_east_departure, token_of

pytestmark = pytest.mark.django_db

SCAN = "/api/v1/checkin/scan"


def post(client, url, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json", **headers)


def order_url(departure_id, code):
    return f"/api/v1/checkin/departures/{departure_id}/orders/{code}"


def board_url(ticket_id):
    return f"/api/v1/checkin/tickets/{ticket_id}"


def test_anonymous_requests_are_401(client, departure, order, tickets):
    for response in (
        post(client, SCAN, {"token": token_of(tickets[0]), "departure_id": departure.pk}),
        client.get(order_url(departure.pk, order.code)),
        post(client, board_url(tickets[0].pk), {"departure_id": departure.pk}),
    ):
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"
    assert not Ticket.objects.filter(checked_in_at__isnull=False).exists()


def test_staff_without_the_permission_get_403(
    client, departure, order, tickets, staff_without_permission
):
    client.force_login(staff_without_permission)
    for response in (
        post(client, SCAN, {"token": token_of(tickets[0]), "departure_id": departure.pk}),
        client.get(order_url(departure.pk, order.code)),
        post(client, board_url(tickets[0].pk), {"departure_id": departure.pk}),
    ):
        assert response.status_code == 403
        body = response.json()
        assert body["code"] == "forbidden"
        assert body["message"] == "У вас нет права проверять билеты."  # the site's language
    assert not Ticket.objects.filter(checked_in_at__isnull=False).exists()


def test_a_scan_admits_once_and_then_says_when(crew_client, departure, tickets):
    body = {"token": token_of(tickets[0]), "departure_id": departure.pk}

    first = post(crew_client, SCAN, body, HTTP_ACCEPT_LANGUAGE="en")
    second = post(crew_client, SCAN, body, HTTP_ACCEPT_LANGUAGE="en")

    assert first.status_code == 200
    data = first.json()
    assert (data["ok"], data["code"]) == (True, "ok")
    assert data["ticket"]["order_code"] == tickets[0].order.code
    assert data["ticket"]["name"] == "Анна Смирнова"
    assert data["ticket"]["ticket_type"] == "Adult"
    assert data["ticket"]["checked_in_at"]
    assert data["counts"] == {"valid": 2, "boarded": 1}
    assert second.status_code == 200
    again = second.json()
    assert (again["ok"], again["code"]) == (False, "already_used")
    assert again["message"] == f"Already used at {data['ticket']['checked_in_time']}."


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("refund", "refunded"),
        ("reserve", "not_paid"),
        ("other_departure", "wrong_departure"),
        ("garbage", "invalid"),
    ],
)
def test_refusals_are_200_with_ok_false(crew_client, departure, tickets, change, code):
    token, departure_id = token_of(tickets[0]), departure.pk
    if change == "refund":
        Ticket.objects.filter(pk=tickets[0].pk).update(status=Ticket.Status.REFUNDED)
    elif change == "reserve":
        Ticket.objects.filter(pk=tickets[0].pk).update(status=Ticket.Status.RESERVED)
    elif change == "other_departure":
        # Another departure from the same pier: the crew may board it, the ticket may not.
        departure_id = far_east_departure().pk
        Departure.objects.filter(pk=departure_id).update(venue=departure.venue)
    else:
        token = "garbage"

    response = post(crew_client, SCAN, {"token": token, "departure_id": departure_id})

    assert response.status_code == 200
    body = response.json()
    assert (body["ok"], body["code"]) == (False, code)
    assert body["message"]
    assert Ticket.objects.get(pk=tickets[0].pk).checked_in_at is None


@pytest.mark.parametrize(
    "body",
    [
        "",
        "[]",
        {"token": "x"},
        {"departure_id": 1},
        {"token": "x", "departure_id": "abc"},
        {"token": 5, "departure_id": 1},
        {"token": ["x"], "departure_id": 1},
        {"token": "x", "departure_id": None},
    ],
)
def test_a_malformed_body_is_422(crew_client, body):
    response = post(crew_client, SCAN, body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_request"
    assert response.json()["message"]


def test_a_body_that_is_not_json_is_a_json_error(crew_client):
    response = post(crew_client, SCAN, "{not json")
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message"}


@pytest.mark.parametrize(
    ("token", "departure_id", "code"),
    [
        ("\x00" * 60, None, "invalid"),
        ("A" * 200_000, None, "invalid"),
        ("valid", 10**30, "departure_not_found"),
        ("valid", -3, "departure_not_found"),
        ("valid", 0, "departure_not_found"),
    ],
)
def test_bad_values_get_a_clear_answer(crew_client, departure, tickets, token, departure_id, code):
    body = {
        "token": token_of(tickets[0]) if token == "valid" else token,
        "departure_id": departure.pk if departure_id is None else departure_id,
    }
    response = post(crew_client, SCAN, body)
    assert response.status_code == 200
    assert (response.json()["ok"], response.json()["code"]) == (False, code)


def test_a_session_post_needs_the_csrf_token(crew, departure, tickets):
    client = Client(enforce_csrf_checks=True)
    client.force_login(crew)
    body = {"token": token_of(tickets[0]), "departure_id": departure.pk}

    refused = post(client, SCAN, body)
    assert refused.status_code == 403
    assert Ticket.objects.get(pk=tickets[0].pk).checked_in_at is None

    page = client.get(f"/en/staff/check-in/{departure.pk}/")
    csrf = page.cookies["csrftoken"].value
    accepted = post(client, SCAN, body, HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 200
    assert accepted.json()["code"] == "ok"


def test_manual_lookup_and_boarding_by_id(crew_client, departure, order, tickets):
    lookup = crew_client.get(order_url(departure.pk, order.code.lower()))
    assert lookup.status_code == 200
    data = lookup.json()
    assert (data["ok"], data["order_code"]) == (True, order.code)
    assert [(t["id"], t["can_board"], t["state"]) for t in data["tickets"]] == [
        (tickets[0].pk, True, "ok"),
        (tickets[1].pk, True, "ok"),
    ]

    boarded = post(crew_client, board_url(tickets[1].pk), {"departure_id": departure.pk})
    assert boarded.status_code == 200
    assert (boarded.json()["ok"], boarded.json()["code"]) == (True, "ok")
    again = post(crew_client, board_url(tickets[1].pk), {"departure_id": departure.pk})
    assert again.json()["code"] == "already_used"

    after = crew_client.get(order_url(departure.pk, order.code)).json()
    assert [t["state"] for t in after["tickets"]] == ["ok", "already_used"]


@pytest.mark.parametrize(
    ("departure_id", "code", "status", "answer"),
    [
        ("abc", "ABCDEFGH", 422, "invalid_request"),
        ("99999999999999999999999", "ABCDEFGH", 200, "departure_not_found"),
        (None, "%00%00", 200, "order_code_invalid"),
        (None, "A" * 3000, 200, "order_code_invalid"),
        (None, "ZZZZZZZZ", 200, "order_not_found"),
    ],
)
def test_manual_lookup_bad_input(crew_client, departure, departure_id, code, status, answer):
    response = crew_client.get(
        order_url(departure.pk if departure_id is None else departure_id, code)
    )
    assert response.status_code == status
    assert response.json()["code"] == answer


@pytest.mark.parametrize(
    ("ticket_id", "status", "answer"),
    [("abc", 422, "invalid_request"), ("99999999999999999999999", 200, "not_found")],
)
def test_boarding_a_bad_id(crew_client, departure, ticket_id, status, answer):
    response = post(crew_client, board_url(ticket_id), {"departure_id": departure.pk})
    assert response.status_code == status
    assert response.json()["code"] == answer


def test_the_operations_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/checkin/scan" in paths
    assert "/api/v1/checkin/departures/{departure_id}/orders/{code}" in paths
    assert "/api/v1/checkin/tickets/{ticket_id}" in paths
