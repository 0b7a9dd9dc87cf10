"""`POST /api/v1/crm/orders/{code}/resend` → booking.services.backoffice's
`order_confirmation_resend(*, order, channels, email="", phone="", user)`: what the endpoint
passes it, who may call it, and the bad input it refuses before the service runs. Skipped
while that module is not there (it comes with the same issue)."""

import pytest

from crm import roles
from tests.booking.api.helpers import assert_error
from tests.crm.api.helpers import TokenClient, api_for, paid_order, staff, token_for

backoffice = pytest.importorskip("booking.services.backoffice")

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch):
    """The service's calls, recorded instead of sending."""
    made = []
    monkeypatch.setattr(
        backoffice, "order_confirmation_resend", lambda **kwargs: made.append(kwargs)
    )
    return made


def test_the_agent_resends_to_a_corrected_address(home, calls):
    order = paid_order()
    agent = staff(roles.AGENT)
    api = TokenClient(token_for(agent)[1])

    response = api.post(
        f"/orders/{order.code}/resend",
        {"channels": ["email", "sms"], "email": " new@example.com ", "phone": ""},
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"code": order.code, "channels": ["email", "sms"]}
    (call,) = calls
    assert call["order"].pk == order.pk and call["user"].pk == agent.pk
    assert (call["channels"], call["email"], call["phone"]) == (
        ["email", "sms"],
        "new@example.com",
        "",
    )
    again = api.post(f"/orders/{order.code}/resend", {"channels": ["sms", "sms"]})
    assert again.json()["channels"] == ["sms"] and calls[1]["channels"] == ["sms"]


@pytest.mark.parametrize(
    "role", [roles.ACCOUNTANT, roles.MARKETER, roles.BOARDING_CREW], ids=lambda r: r
)
def test_roles_that_may_not_change_orders_cannot_resend(home, calls, role):
    order = paid_order()
    response = api_for(role).post(f"/orders/{order.code}/resend", {"channels": ["email"]})
    assert_error(response, 403, "forbidden")
    assert calls == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"channels": []},
        {"channels": ["fax"]},
        {"channels": "email"},
        {"channels": ["email", "sms", "email"]},  # more than two
        {"channels": ["email"], "email": "a" * 255},
        {"channels": ["sms"], "phone": "1" * 61},
        {"channels": ["email"], "email": None},
    ],
)
def test_bad_resend_requests_are_422_and_send_nothing(home, calls, body):
    order = paid_order()
    response = api_for(roles.AGENT, "en").post(f"/orders/{order.code}/resend", body)
    assert_error(response, 422, "invalid_request")
    assert calls == []


def test_an_unknown_order_and_no_token(home, calls):
    order = paid_order()
    assert_error(api_for(roles.AGENT).post("/orders/ZZZZZZZZ/resend", {"channels": ["email"]}), 404)
    assert_error(TokenClient(None).post(f"/orders/{order.code}/resend", {"channels": ["sms"]}), 401)
    assert calls == []


def test_the_real_service_answers_without_a_500(home):
    """Through the service itself: sent, or refused with a coded error, never a 500."""
    order = paid_order()
    response = api_for(roles.AGENT).post(f"/orders/{order.code}/resend", {"channels": ["email"]})
    assert response.status_code in (200, 409, 422), response.content
    if response.status_code != 200:
        assert_error(response)
