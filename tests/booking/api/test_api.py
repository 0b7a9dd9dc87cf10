"""The public booking API (/api/v1/): its OpenAPI schema, the hold life cycle over HTTP,
and hostile or malformed input, which must be refused with a 4xx JSON {code, message}
in the request's language, change nothing, and never produce a 500."""

import json
import re

import pytest
from django.core.cache import cache
from django.test import Client

from booking.api.public import HoldRateThrottle, router
from booking.models import Departure, Hold, SeatClaim
from tests.factories import assigned_departure, general_departure, row_counts, seats_of

pytestmark = pytest.mark.django_db

API = "/api/v1"
NOTHING = {"holds": 0, "lines": 0, "claims": 0}


def hold_throttle() -> HoldRateThrottle:
    (operation,) = router.path_operations["/holds"].operations
    (throttle,) = operation.throttle_objects
    return throttle


@pytest.fixture
def hold_rate(settings, monkeypatch):
    """Sets BOOKING_HOLD_RATE for a test. The throttle reads the setting once, when the
    router is built, so the running instance is given the new rate too."""

    def apply(rate: str):
        settings.BOOKING_HOLD_RATE = rate
        fresh = HoldRateThrottle()
        throttle = hold_throttle()
        for name in ("rate", "num_requests", "duration"):
            monkeypatch.setattr(throttle, name, getattr(fresh, name))
        cache.clear()

    return apply


@pytest.fixture(autouse=True)
def _generous_rate(hold_rate):
    hold_rate("100000/m")


def call(client, method, path, data=None, raw=None, **headers):
    body = raw if raw is not None else (json.dumps(data) if data is not None else "")
    kwargs = {"content_type": "application/json"} if method in ("post", "put") else {}
    return getattr(client, method)(f"{API}{path}", data=body, headers=headers, **kwargs)


def assert_error(response, status=None, code=None):
    assert response.status_code < 500, response.content[:500]
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:500])
    if status is not None:
        assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message"}, body
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"].strip()
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.fixture
def general():
    return general_departure(capacity=10)


@pytest.fixture
def seated():
    return assigned_departure(rows=2, seats_per_row=10)


def adult_id(departure):
    return departure.product.ticket_types.order_by("sort_order", "pk").first().pk


# --- OpenAPI -------------------------------------------------------------------------


EXPECTED_OPERATIONS = {
    ("/api/v1/products", "get"),
    ("/api/v1/products/{product_id}/departures", "get"),
    ("/api/v1/departures/{departure_id}", "get"),
    ("/api/v1/departures/{departure_id}/seats", "get"),
    ("/api/v1/holds", "post"),
    ("/api/v1/holds/{token}", "get"),
    ("/api/v1/holds/{token}", "put"),
    ("/api/v1/holds/{token}", "delete"),
    ("/api/v1/holds/{token}/extend", "post"),
    # Boarding crew (session and the check-in permission).
    ("/api/v1/checkin/scan", "post"),
    ("/api/v1/checkin/departures/{departure_id}/orders/{code}", "get"),
    ("/api/v1/checkin/tickets/{ticket_id}", "post"),
    # YooKassa's notifications (documented with every answer it can get).
    ("/api/v1/payments/yookassa/notifications", "post"),
}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(document, ref):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, ref
        node = node[part]
    return node


def test_openapi_schema_is_structurally_valid(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)

    assert re.fullmatch(r"3\.\d+\.\d+", document["openapi"])
    assert document["info"]["title"] and document["info"]["version"]
    operations = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    assert operations == EXPECTED_OPERATIONS

    operation_ids = []
    for path, item in document["paths"].items():
        templated = set(re.findall(r"{(\w+)}", path))
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            operation_ids.append(operation["operationId"])
            responses = operation["responses"]
            assert responses, (path, method)
            for status, answer in responses.items():
                assert re.fullmatch(r"[1-5]\d\d|default", status), (path, method, status)
                assert "description" in answer
            in_path = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert in_path == templated, (path, method)
            for parameter in operation.get("parameters", []):
                assert parameter["in"] in {"path", "query", "header", "cookie"}
                assert "schema" in parameter
                if parameter["in"] == "path":
                    assert parameter["required"] is True
            if method in ("post", "put") and path != "/api/v1/holds/{token}/extend":
                body = operation["requestBody"]["content"]["application/json"]["schema"]
                assert "$ref" in body or "properties" in body
    assert len(operation_ids) == len(set(operation_ids))

    for ref in _refs(document):
        _resolve(document, ref)

    schemas = document["components"]["schemas"]
    error = schemas["ErrorOut"]
    assert set(error["required"]) == {"code", "message"}
    assert {error["properties"][k]["type"] for k in ("code", "message")} == {"string"}
    hold_in = schemas["HoldIn"]
    assert "departure_id" in hold_in["required"]
    quantity = schemas["QuantityIn"]["properties"]["quantity"]
    assert (quantity["minimum"], quantity["maximum"]) == (0, 100)
    assert hold_in["properties"]["seats"]["maxItems"] == 100
    post_holds = document["paths"]["/api/v1/holds"]["post"]["responses"]
    assert {"201", "409", "422"} <= set(post_holds)
    assert _resolve(document, post_holds["409"]["content"]["application/json"]["schema"]["$ref"])


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
