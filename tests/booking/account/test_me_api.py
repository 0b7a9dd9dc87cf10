"""/api/v1/me/: the signed-in customer's profile and orders over the session, CSRF
required for changes; refusals `{code, message}` in the request's language."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import Consent, Customer
from tests.booking.account.helpers import customer_client, refund_ticket
from tests.booking.api.helpers import assert_error
from tests.factories import general_departure, placed_order

pytestmark = pytest.mark.django_db

API = "/api/v1/me"


def patch(client, data, **headers):
    return client.patch(
        f"{API}/profile", data=json.dumps(data), content_type="application/json", headers=headers
    )


def csrf_client(email: str) -> tuple[Client, str]:
    """A signed-in browser that checks CSRF as a real one does, with its token."""
    _plain, user = customer_client(email)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/ru/account/profile/")  # the page sets the CSRF cookie
    return client, client.cookies["csrftoken"].value


@pytest.mark.parametrize(
    ("language", "message"),
    [("ru", "Пожалуйста, войдите."), ("en", "Please sign in."), ("zh-hans", "请登录。")],
)
@pytest.mark.parametrize("path", ["/profile", "/orders", "/orders/ABCDEFGH", "/orders/X/tickets"])
def test_anonymous_is_401_in_the_requests_language(path, language, message):
    response = Client().get(f"{API}{path}", headers={"Accept-Language": language})

    assert_error(response, 401, "unauthorized")
    assert response.json()["message"] == message


def test_the_profile(home):
    client, _user = customer_client("anna@example.com")

    response = client.get(f"{API}/profile")

    assert response.status_code == 200
    assert response.json() == {
        "email": "anna@example.com",
        "name": "",
        "phone": "",
        "language": "ru",
        "marketing": False,
    }


def test_patch_changes_the_fields_sent_and_records_the_consent(home):
    client, token = csrf_client("anna@example.com")

    response = patch(
        client, {"phone": "+86 139 1234 5678", "marketing": True}, **{"X-CSRFToken": token}
    )

    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "+8613912345678"
    assert response.json()["marketing"] is True
    customer = Customer.objects.get(email="anna@example.com")
    assert customer.phone == "+8613912345678" and customer.language == "ru"
    (consent,) = Consent.objects.filter(customer=customer)
    assert consent.kind == "marketing" and consent.granted


def test_patch_without_the_csrf_token_is_refused_and_changes_nothing(home):
    client, _token = csrf_client("anna@example.com")

    response = patch(client, {"marketing": True}, **{"Accept-Language": "en"})

    assert_error(response, 403, "csrf_failed")
    assert "Reload the page" in response.json()["message"]
    assert not Customer.objects.get(email="anna@example.com").marketing_consent
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({"phone": "12"}, 422, "phone_invalid"),
        ({"language": "de"}, 422, "language_invalid"),
        ({"name": "a\x07b"}, 422, "name_invalid"),
        ({"marketing": [1]}, 422, "invalid_request"),
    ],
)
def test_bad_input_is_a_translated_refusal_and_changes_nothing(home, data, status, code):
    client, token = csrf_client("anna@example.com")
    before = Customer.objects.values().get(email="anna@example.com")

    response = patch(client, data, **{"X-CSRFToken": token, "Accept-Language": "ru"})

    assert_error(response, status, code)
    assert any("а" <= ch <= "я" for ch in response.json()["message"].lower())
    assert Customer.objects.values().get(email="anna@example.com") == before


def test_an_account_without_a_verified_address_is_403(home):
    user = get_user_model().objects.create_user(email="pending@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    client = Client()
    client.force_login(user)

    assert_error(client.get(f"{API}/profile"), 403, "email_unverified")
    assert client.get(f"{API}/orders").json() == []


def test_orders_list_detail_and_tickets(home):
    departure = general_departure()
    older = placed_order(departure, paid=True, email="anna@example.com")
    newer = placed_order(departure, email="anna@example.com")
    refund_ticket(older.tickets.order_by("pk").last())
    placed_order(departure, paid=True, email="other@example.com")
    client, _user = customer_client("anna@example.com")

    listed = client.get(f"{API}/orders").json()
    detail = client.get(f"{API}/orders/{older.code.lower()}").json()
    tickets = client.get(f"{API}/orders/{older.code}/tickets").json()

    assert [o["code"] for o in listed] == [newer.code, older.code]
    assert listed[1]["status"] == "paid" and listed[1]["url"] == f"/ru/account/orders/{older.code}/"
    assert detail["code"] == older.code
    assert [t["status"] for t in detail["tickets"]] == ["valid", "refunded"]
    assert detail["tickets"] == tickets
    assert (
        tickets[0]["pdf_url"] == f"/ru/account/orders/{older.code}/tickets/{tickets[0]['id']}.pdf"
    )
    assert tickets[1]["pdf_url"] is None
    assert detail["refunds"][0]["ticket_ids"] == [tickets[1]["id"]]
    assert detail["breakdown"]["total"] == str(older.total)
    assert detail["pdf_url"] == f"/ru/account/orders/{older.code}/tickets.pdf"
    assert detail["payments"][0]["status"] == "succeeded"


def test_another_accounts_order_is_404(home):
    order = placed_order(general_departure(), paid=True, email="anna@example.com")
    intruder, _user = customer_client("mallory@example.com")

    for path in (f"/orders/{order.code}", f"/orders/{order.code}/tickets"):
        response = intruder.get(f"{API}{path}", headers={"Accept-Language": "en"})
        assert_error(response, 404, "order_not_found")
        assert response.json()["message"] == "This order was not found."


def test_the_schema_documents_the_sign_in_refusal():
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/me/profile"]["patch"]
    assert {"200", "401", "403", "422"} <= set(operation["responses"])
