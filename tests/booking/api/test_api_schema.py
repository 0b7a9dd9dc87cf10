"""The public booking API's OpenAPI schema: structurally valid, every operation there."""

import json
import re

import pytest

from tests.booking.api import helpers
from tests.booking.api.helpers import API

pytestmark = pytest.mark.django_db

# Fixtures shared with the other API test modules.
hold_rate = helpers.hold_rate
_generous_rate = helpers._generous_rate
general = helpers.general
seated = helpers.seated


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
    ("/api/v1/checkin/departures/{departure_id}/offline", "get"),
    ("/api/v1/checkin/departures/{departure_id}/sync", "post"),
    # YooKassa's notifications (documented with every answer it can get).
    ("/api/v1/payments/yookassa/notifications", "post"),
    # The signed-in customer (session with CSRF).
    ("/api/v1/me/profile", "get"),
    ("/api/v1/me/profile", "patch"),
    ("/api/v1/me/orders", "get"),
    ("/api/v1/me/orders/{code}", "get"),
    ("/api/v1/me/orders/{code}/tickets", "get"),
    ("/api/v1/me/orders/{code}/refund-quote", "get"),
    ("/api/v1/me/orders/{code}/refunds", "post"),
    # The CRM (staff API tokens; crm/api/, tested in tests/crm/api).
    ("/api/v1/crm/search", "get"),
    ("/api/v1/crm/orders/{code}", "get"),
    ("/api/v1/crm/orders/{code}/refund-quote", "get"),
    ("/api/v1/crm/orders/{code}/refunds", "post"),
    ("/api/v1/crm/orders/{code}/resend", "post"),
    ("/api/v1/crm/customers/{customer_id}", "get"),
    ("/api/v1/crm/cases", "get"),
    ("/api/v1/crm/reports/sales", "get"),
    ("/api/v1/crm/reports/refunds", "get"),
    ("/api/v1/crm/reports/promotions", "get"),
    ("/api/v1/crm/reports/occupancy", "get"),
    ("/api/v1/crm/reports/reconciliation", "get"),
    ("/api/v1/crm/reports/funnel", "get"),
    ("/api/v1/crm/cases", "post"),
    ("/api/v1/crm/cases/{case_id}", "get"),
    ("/api/v1/crm/cases/{case_id}", "patch"),
    ("/api/v1/crm/cases/{case_id}/replies", "post"),
    ("/api/v1/crm/cases/{case_id}/notes", "post"),
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
