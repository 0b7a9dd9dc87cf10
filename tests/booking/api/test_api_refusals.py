"""Hostile or malformed input to the public API: refused with a 4xx JSON {code, message}
in the request's language, nothing changed, never a 500."""

import json
import re

import pytest
from django.test import Client

from booking.models import Departure
from tests.booking.api import helpers
from tests.booking.api.helpers import NOTHING, adult_id, assert_error, call
from tests.factories import assigned_departure, row_counts, seats_of

pytestmark = pytest.mark.django_db

# Fixtures shared with the other API test modules.
hold_rate = helpers.hold_rate
_generous_rate = helpers._generous_rate
general = helpers.general
seated = helpers.seated


# --- hostile and malformed input -----------------------------------------------------


def hostile_holds(general, seated):
    """(name, JSON body or raw text, expected status or None for any 4xx, expected code)."""
    adult, child = general.product.ticket_types.order_by("sort_order", "pk")
    adult, child = adult.pk, child.pk
    seat = seats_of(seated)[0]
    foreign_seat = seats_of(assigned_departure())[0]
    g, s = general.pk, seated.pk

    def q(quantity, ticket_type=adult):
        return {
            "departure_id": g,
            "quantities": [{"ticket_type_id": ticket_type, "quantity": quantity}],
        }

    return [
        ("negative quantity", q(-1), 422, "invalid_request"),
        ("quantity 10**9", q(10**9), 422, "invalid_request"),
        ("quantity above the hold limit", q(11), 422, "quantity_invalid"),
        ("quantity as a word", q("two"), 422, "invalid_request"),
        ("quantity as a fraction", q(1.5), 422, "invalid_request"),
        ("quantity as a list", q([1]), 422, "invalid_request"),
        ("quantity null", q(None), 422, "invalid_request"),
        ("zero quantity", q(0), 422, "no_tickets"),
        (
            "one type above the limit over two entries",
            {"departure_id": g, "quantities": [{"ticket_type_id": adult, "quantity": 6}] * 2},
            422,
            "quantity_invalid",
        ),
        (
            "too many over two types",
            {
                "departure_id": g,
                "quantities": [
                    {"ticket_type_id": adult, "quantity": 6},
                    {"ticket_type_id": child, "quantity": 5},
                ],
            },
            422,
            "too_many_tickets",
        ),
        ("ticket type of nobody", q(1, ticket_type=10**9), 422, "ticket_type_invalid"),
        ("ticket type overflow", q(1, ticket_type=10**20), 422, "ticket_type_invalid"),
        ("ticket type as a word", q(1, ticket_type="adult"), 422, "invalid_request"),
        ("departure as a word", {"departure_id": "abc", "quantities": []}, 422, "invalid_request"),
        (
            "departure as SQL",
            {"departure_id": "1; DROP TABLE booking_hold", "quantities": []},
            422,
            "invalid_request",
        ),
        ("unknown departure", {**q(1), "departure_id": 10**9}, 404, "departure_not_found"),
        ("departure overflow", {**q(1), "departure_id": 10**20}, 404, "departure_not_found"),
        ("negative departure", {**q(1), "departure_id": -5}, 404, "departure_not_found"),
        ("missing departure", {"quantities": q(1)["quantities"]}, 422, "invalid_request"),
        ("missing everything", {}, 422, "invalid_request"),
        ("nothing chosen", {"departure_id": g}, 422, "no_tickets"),
        ("quantities as an object", {"departure_id": g, "quantities": {str(adult): 2}}, 422, None),
        (
            "seats on general admission",
            {"departure_id": g, "seats": [{"seat_id": seat.pk}]},
            422,
            "seats_not_allowed",
        ),
        ("quantities on assigned seating", {**q(1), "departure_id": s}, 422, "seats_required"),
        ("unknown seat", {"departure_id": s, "seats": [{"seat_id": 10**9}]}, 422, "seat_unknown"),
        ("seat overflow", {"departure_id": s, "seats": [{"seat_id": 10**20}]}, 422, "seat_unknown"),
        ("negative seat", {"departure_id": s, "seats": [{"seat_id": -1}]}, 422, "seat_unknown"),
        (
            "seat as a word",
            {"departure_id": s, "seats": [{"seat_id": "A1"}]},
            422,
            "invalid_request",
        ),
        (
            "another departure's seat",
            {"departure_id": s, "seats": [{"seat_id": foreign_seat.pk}]},
            422,
            "seat_unknown",
        ),
        (
            "the same seat twice",
            {"departure_id": s, "seats": [{"seat_id": seat.pk}, {"seat_id": seat.pk}]},
            422,
            "seat_unknown",
        ),
        (
            "5000 seats",
            {"departure_id": s, "seats": [{"seat_id": seat.pk + n} for n in range(5000)]},
            422,
            "invalid_request",
        ),
        (
            "11 seats",
            {"departure_id": s, "seats": [{"seat_id": p.pk} for p in seats_of(seated)[:11]]},
            422,
            "too_many_tickets",
        ),
        ("a JSON list", [1, 2, 3], 422, None),
        ("a JSON string", "departure", None, None),
        ("JSON null", None, None, None),
        ("invalid JSON", "{not json", None, None),
        ("truncated JSON", '{"departure_id": 1, "quantities": [', None, None),
        ("empty body", "", None, None),
        ("deeply nested JSON", "[" * 100_000 + "]" * 100_000, None, None),
    ]


def test_hostile_hold_requests_are_refused_with_json_and_leave_no_rows(general, seated):
    client = Client(raise_request_exception=False)
    problems = []
    for name, body, status, code in hostile_holds(general, seated):
        raw = body if isinstance(body, str) else json.dumps(body)
        if body is None:
            raw = "null"
        response = call(client, "post", "/holds", raw=raw, **{"Accept-Language": "en"})
        try:
            assert_error(response, status, code)
        except AssertionError as error:
            problems.append(f"{name}: {error}")
    assert problems == [], "\n".join(problems)
    assert row_counts() == NOTHING


def test_a_3_mb_body_is_refused_and_leaves_no_rows(general):
    client = Client(raise_request_exception=False)
    body = {
        "departure_id": general.pk,
        "quantities": [{"ticket_type_id": adult_id(general), "quantity": 1}],
        "padding": "x" * 3_000_000,
    }
    response = call(client, "post", "/holds", body)
    assert 400 <= response.status_code < 500
    assert row_counts() == NOTHING


def test_a_3_mb_body_gets_the_json_error_of_the_api(general):
    """config/api.py: every refusal is JSON {code, message}, not Django's HTML 400."""
    client = Client(raise_request_exception=False)
    body = {"departure_id": general.pk, "padding": "x" * 3_000_000}
    assert_error(call(client, "post", "/holds", body, **{"Accept-Language": "en"}))


def test_hostile_updates_of_a_hold_change_nothing(client, general, seated):
    adult = adult_id(general)
    created = call(
        client,
        "post",
        "/holds",
        {"departure_id": general.pk, "quantities": [{"ticket_type_id": adult, "quantity": 2}]},
    )
    token = created.json()["token"]
    before = row_counts()
    seat = seats_of(seated)[0]
    bodies = [
        {"quantities": [{"ticket_type_id": adult, "quantity": -3}]},
        {"quantities": [{"ticket_type_id": adult, "quantity": 10**9}]},
        {"quantities": [{"ticket_type_id": adult, "quantity": "many"}]},
        {"quantities": [{"ticket_type_id": adult, "quantity": 11}]},
        {"quantities": [{"ticket_type_id": adult, "quantity": 0}]},
        {"quantities": []},
        {"seats": [{"seat_id": seat.pk}]},
        {"seats": [{"seat_id": 1}] * 5000},
        "{broken",
        [1],
    ]
    for body in bodies:
        raw = body if isinstance(body, str) else json.dumps(body)
        assert_error(call(client, "put", f"/holds/{token}", raw=raw))
    assert row_counts() == before
    lines = call(client, "get", f"/holds/{token}").json()["lines"]
    assert [(line["ticket_type_id"], line["quantity"]) for line in lines] == [(adult, 2)]


def test_refusals_of_departures_that_are_not_on_sale(client, general):
    Departure.objects.filter(pk=general.pk).update(status=Departure.Status.CANCELLED)
    body = {
        "departure_id": general.pk,
        "quantities": [{"ticket_type_id": adult_id(general), "quantity": 1}],
    }
    assert_error(call(client, "post", "/holds", body), 409, "departure_cancelled")
    assert row_counts() == NOTHING


def test_no_get_endpoint_answers_bad_input_with_a_500(general, seated):
    client = Client(raise_request_exception=False)
    product = general.product.pk
    paths = [
        "/products?kind=%00",
        f"/departures/{seated.pk}/seats?hold=%00",
        "/products?kind=" + "x" * 5000,
        f"/products/{product}/departures?date_from=not-a-date",
        f"/products/{product}/departures?date_from=2027-02-30",
        f"/products/{product}/departures?date_from=2027-06-10&date_to=2027-06-01",
        f"/products/{product}/departures?date_from=2027-01-01&date_to=2027-12-31",
        f"/products/{product}/departures?date_from=0001-01-01&date_to=9999-12-31",
        "/products/999999999/departures",
        "/products/99999999999999999999/departures",
        "/products/abc/departures",
        "/departures/abc",
        "/departures/999999999",
        "/departures/99999999999999999999",
        "/departures/abc/seats",
        "/departures/99999999999999999999/seats",
        f"/departures/{seated.pk}/seats?hold=" + "z" * 5000,
        "/holds/" + "z" * 5000,
    ]
    problems = []
    for path in paths:
        response = call(client, "get", path)
        if response.status_code >= 500:
            problems.append((path, response.status_code))
        elif response.status_code >= 400:
            try:
                assert_error(response)
            except AssertionError as error:
                problems.append((path, str(error)))
    assert problems == [], problems


# --- language --------------------------------------------------------------------------


def _cancelled_refusal(client, departure, language):
    Departure.objects.filter(pk=departure.pk).update(status=Departure.Status.CANCELLED)
    body = {
        "departure_id": departure.pk,
        "quantities": [{"ticket_type_id": adult_id(departure), "quantity": 1}],
    }
    return call(client, "post", "/holds", body, **{"Accept-Language": language})


@pytest.mark.parametrize("language", ["ru", "en", "zh-Hans"])
def test_errors_carry_the_code_and_a_message_in_any_language(client, general, language):
    response = _cancelled_refusal(client, general, language)
    assert_error(response, 409, "departure_cancelled")
    expected = {"ru": "ru", "en": "en", "zh-Hans": "zh-hans"}[language]
    assert response["Content-Language"] == expected


@pytest.mark.parametrize(
    "request_hold",
    [
        "cancelled",
        "invalid_request",
    ],
)
def test_error_messages_are_translated(general, request_hold):
    def message(language):
        client = Client()
        if request_hold == "cancelled":
            response = _cancelled_refusal(client, general, language)
        else:
            response = call(client, "post", "/holds", {}, **{"Accept-Language": language})
        return assert_error(response)["message"]

    english, russian = message("en"), message("ru")
    assert russian != english
    assert re.search("[а-яА-Я]", russian)
