"""The public API against its own OpenAPI schema, fuzzed in-process by schemathesis (the
WSGI app, no network): no input gives a 500, and every status it answers with is
documented for the operation."""

import datetime
import json

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.openapi import from_wsgi
from schemathesis.specs.openapi.checks import status_code_conformance

from tests.factories import assigned_departure, general_departure

pytestmark = pytest.mark.django_db

schema = from_wsgi("/api/v1/openapi.json", WSGIHandler()).include(tag="booking")


@pytest.fixture
def catalogue():
    """Something for the fuzzer to find at small ids: both kinds of departure. The WSGI
    handler closes the database connection after each request, as in production; like
    Django's test client, keep the test's connection (and its transaction) open."""
    general_departure()
    assigned_departure(rows=1, seats_per_row=4)
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_public_api_conforms_to_its_schema(case, catalogue):
    case.call_and_validate(checks=[not_a_server_error, status_code_conformance])


me_schema = from_wsgi("/api/v1/openapi.json", WSGIHandler()).include(tag="me")


@me_schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_customer_api_refuses_strangers_as_documented(case, catalogue):
    """Without a session every operation of /me/ answers a documented refusal (401, or
    403 for a change without a CSRF token), never a 500."""
    case.call_and_validate(checks=[not_a_server_error, status_code_conformance])


@pytest.mark.parametrize(
    "date_from,code",
    [
        ("9999-12-31", "date_out_of_range"),
        ("0001-01-01", "date_out_of_range"),
        ("2026-02-30", "date_invalid"),
    ],
)
def test_departure_dates_out_of_range_are_refused_with_400(client, date_from, code):
    product = general_departure().product
    response = client.get(
        f"/api/v1/products/{product.pk}/departures",
        {"date_from": date_from},
        headers={"Accept-Language": "ru"},
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code


@pytest.mark.parametrize("date_from", ["0", "1700000000", "20260101", "2026-1-1", " 2026-01-01"])
def test_a_date_is_only_yyyy_mm_dd(client, date_from):
    product = general_departure().product
    response = client.get(f"/api/v1/products/{product.pk}/departures", {"date_from": date_from})
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_request"


def test_a_date_range_within_the_window_still_works(client):
    departure = general_departure()
    local = departure.local_starts_at.date()
    response = client.get(
        f"/api/v1/products/{departure.product_id}/departures",
        {
            "date_from": local.isoformat(),
            "date_to": (local + datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert [slot["id"] for slot in response.json()] == [departure.pk]


def test_the_schema_has_no_duplicate_keys(client):
    """JSON parsers keep the last of two equal keys; Swagger UI's YAML parser refuses the
    whole document (the docs page then shows nothing)."""
    duplicates = []

    def no_duplicates(pairs):
        keys = [key for key, _ in pairs]
        duplicates.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=no_duplicates)
    assert duplicates == []
