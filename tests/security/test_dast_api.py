"""DAST: schemathesis against the running API over real HTTP. pytest-django's live server
is a real WSGI server on a port; every case goes through the network stack, the whole
middleware chain and the server as a client would (tests/booking/api/test_fuzz.py fuzzes
the same operations in-process, without a socket).

Bounded for CI: a few examples per operation, no deadline (the live server is shared with
nothing but its thread). Checked on each answer: no 5xx, a documented status code, a body
that matches the documented schema and the documented content type."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import assigned_departure, general_departure

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def catalogue():
    """Something for the fuzzer to find at small ids: both kinds of departure, committed
    (the server's thread has its own connection)."""
    general_departure()
    assigned_departure(rows=1, seats_per_row=4)


def test_the_running_public_api_answers_as_documented(live_server, catalogue):
    """Each operation of the public API (tag "booking"), as the running server publishes
    it, fuzzed over HTTP. (schemathesis's pytest fixture loader does not work with pytest
    9, hence the operations are walked here, each with its own Hypothesis run.)"""
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.include(tag="booking").get_all_operations()]
    assert len(operations) >= 3
    failures, calls = [], []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            response = case.call(timeout=10)
            calls.append(response.status_code)
            case.validate_response(response, checks=CHECKS)

        try:
            fuzz()
        except Exception as error:  # every operation is tried; all failures are reported
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")

    assert failures == []
    assert len(calls) >= 2 * len(operations), "the cases went over HTTP"
    assert not any(status >= 500 for status in calls)
