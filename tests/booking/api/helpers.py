"""What the public API tests share: calling the API, checking a refusal's JSON, the hold
rate for a test, and the two departures they book."""

import json

import pytest
from django.core.cache import cache

from booking.api.public import HoldRateThrottle, router
from tests.factories import assigned_departure, general_departure

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
