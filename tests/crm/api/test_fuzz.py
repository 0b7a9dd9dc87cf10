"""The CRM API against its own OpenAPI schema, fuzzed in-process by schemathesis (as
tests/booking/api/test_fuzz.py does for the public API): with an agent's token no input
gives a 500 and every status answered is documented; without one, every operation is a
documented 401."""

import importlib.util

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.openapi import from_wsgi
from schemathesis.specs.openapi.checks import status_code_conformance

from crm import roles
from tests.crm.api.helpers import paid_order, staff, token_for

pytestmark = pytest.mark.django_db

schema = from_wsgi("/api/v1/openapi.json", WSGIHandler()).include(tag="crm")
if importlib.util.find_spec("booking.services.backoffice") is None:
    # The resend endpoint's service comes with the same issue (tests/crm/api/test_resend.py).
    schema = schema.exclude(path_regex="/resend$")

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def records(home):
    """Orders and a customer at small ids for the fuzzer to find; the test's connection
    kept open across the WSGI handler's requests (see tests/booking/api/test_fuzz.py)."""
    paid_order()
    paid_order(email="boris@example.com")
    _token, plain = token_for(staff(roles.AGENT))
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield plain
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@FUZZ
def test_the_crm_api_conforms_to_its_schema_for_an_agent(case, records):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {records}"},
        checks=[not_a_server_error, status_code_conformance],
    )


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_crm_api_refuses_strangers_as_documented(case, records):
    response = case.call_and_validate(checks=[not_a_server_error, status_code_conformance])
    assert response.status_code in (401, 405), response.text  # 405: a method not served
