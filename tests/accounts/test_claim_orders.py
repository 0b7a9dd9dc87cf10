"""A verified e-mail address owns every order placed with it, guest orders placed before
the account existed included; an unverified address owns nothing
(accounts.services.customers, accounts/signals.py)."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from wagtail.models import ModelLogEntry

from accounts.models import Customer
from accounts.services.customers import CLAIM_ACTION, customer_claim
from booking.account_selectors import account_orders
from tests.accounts.helpers import (
    account_url,
    enter_code,
    last_code,
    new_client,
    request_code,
    sign_in_by_code,
)
from tests.factories import general_departure, placed_order
from tests.helpers import parse

pytestmark = pytest.mark.django_db

User = get_user_model()


def order_codes(client) -> list[str]:
    page = client.get(account_url("orders/"))
    assert page.status_code == 200
    return [
        link["href"].rstrip("/").rsplit("/", 1)[-1]
        for link in parse(page).select(".account-order-card__link")
    ]


def test_guest_orders_are_claimed_when_the_code_verifies_the_address(home):
    departure = general_departure(capacity=20)
    first = placed_order(departure, paid=True, email="guest@example.com")
    second = placed_order(departure, email="Guest@Example.com")
    placed_order(departure, paid=True, email="someone.else@example.com")
    client = new_client()

    request_code(client, "guest@example.com")
    user = User.objects.get(email="guest@example.com")
    # Not before the code: the address is not verified yet.
    assert Customer.objects.get(email="guest@example.com").user is None
    assert account_orders(user=user) == []

    enter_code(client, last_code("guest@example.com"))

    customer = Customer.objects.get(email="guest@example.com")
    assert customer.user == user
    assert order_codes(client) == [second.code, first.code]  # newest first
    assert ModelLogEntry.objects.filter(action=CLAIM_ACTION, object_id=str(customer.pk)).exists()


def test_an_unverified_address_sees_none_of_the_orders(home):
    departure = general_departure(capacity=20)
    placed_order(departure, paid=True, email="victim@example.com")
    # An account that gave the address but never proved it (e.g. a signup left unfinished).
    user = User.objects.create_user(email="victim@example.com")
    EmailAddress.objects.create(user=user, email="victim@example.com", verified=False, primary=True)
    client = new_client()
    client.force_login(user)

    assert order_codes(client) == []
    assert Customer.objects.get(email="victim@example.com").user is None
    api = client.get("/api/v1/me/orders")
    assert api.status_code == 200 and api.json() == []


def test_orders_placed_after_the_account_exists_are_the_accounts(home):
    client = new_client()
    sign_in_by_code(client, "later@example.com")
    departure = general_departure(capacity=20)

    order = placed_order(departure, paid=True, email="later@example.com")

    assert order_codes(client) == [order.code]


def test_a_first_verification_without_orders_creates_the_customer_record(home):
    client = new_client("en")

    sign_in_by_code(client, "fresh@example.com", "en")

    customer = Customer.objects.get(email="fresh@example.com")
    assert customer.user.email == "fresh@example.com"
    assert customer.language == "en"


def test_claiming_twice_changes_nothing(home):
    user = User.objects.create_user(email="twice@example.com")
    first = customer_claim(user=user, email="twice@example.com")
    entries = ModelLogEntry.objects.count()

    again = customer_claim(user=user, email="TWICE@example.com")

    assert again == first
    assert ModelLogEntry.objects.count() == entries


def test_a_changed_address_takes_the_customer_record_along(home):
    """One address per account: when the new one is verified and nobody bought with it,
    the customer record (and its orders) follows."""
    departure = general_departure(capacity=20)
    order = placed_order(departure, paid=True, email="old@example.com")
    client = new_client()
    sign_in_by_code(client, "old@example.com")

    response = client.post(account_url("email/"), {"action_add": "", "email": "new@example.com"})
    assert response.status_code == 302
    client.post(account_url("confirm-email/"), {"code": last_code("new@example.com")})

    user = User.objects.get(pk=client.session["_auth_user_id"])
    assert EmailAddress.objects.get(user=user).email == "new@example.com"
    customer = Customer.objects.get(user=user)
    assert customer.email == "new@example.com"
    assert order_codes(client) == [order.code]


def test_a_changed_address_with_its_own_orders_links_those(home):
    departure = general_departure(capacity=20)
    placed_order(departure, paid=True, email="mine@example.com")
    theirs = placed_order(departure, paid=True, email="work@example.com")
    client = new_client()
    sign_in_by_code(client, "mine@example.com")

    client.post(account_url("email/"), {"action_add": "", "email": "work@example.com"})
    client.post(account_url("confirm-email/"), {"code": last_code("work@example.com")})

    assert Customer.objects.get(email="work@example.com").user is not None
    assert Customer.objects.get(email="mine@example.com").user is None
    assert order_codes(client) == [theirs.code]


def test_the_signup_page_verifies_by_code_and_then_claims(home):
    """allauth's own signup (the e-mail its only field) works the same way."""
    order = placed_order(general_departure(), paid=True, email="signup@example.com")
    client = new_client()

    response = client.post(account_url("signup/"), {"email": "signup@example.com"})

    assert response.status_code == 302
    assert response["Location"] == "/ru/account/confirm-email/"
    assert Customer.objects.get(email="signup@example.com").user is None
    response = client.post(account_url("confirm-email/"), {"code": last_code("signup@example.com")})
    assert response.status_code == 302
    assert order_codes(client) == [order.code]


def test_an_address_a_provider_vouches_for_claims_at_social_sign_up(home, rf):
    """Yandex ID marks its addresses verified: allauth saves the address verified at
    sign-up (setup_user_email), with no code and no email_confirmed signal."""
    from allauth.account.utils import setup_user_email
    from django.contrib.sessions.middleware import SessionMiddleware

    order = placed_order(general_departure(), paid=True, email="ya@example.com")
    request = rf.get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    user = User.objects.create_user(email="ya@example.com")

    setup_user_email(
        request, user, [EmailAddress(email="ya@example.com", verified=True, primary=True)]
    )

    assert Customer.objects.get(email="ya@example.com").user == user
    assert [row.code for row in account_orders(user=user)] == [order.code]


def test_an_address_a_provider_does_not_vouch_for_claims_nothing(home, rf):
    """VK ID's addresses are not verified: nothing until the code confirms it."""
    from allauth.account.utils import setup_user_email
    from django.contrib.sessions.middleware import SessionMiddleware

    placed_order(general_departure(), paid=True, email="vk@example.com")
    request = rf.get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    user = User.objects.create_user(email="vk@example.com")

    setup_user_email(request, user, [EmailAddress(email="vk@example.com", verified=False)])

    assert Customer.objects.get(email="vk@example.com").user is None
    assert account_orders(user=user) == []
