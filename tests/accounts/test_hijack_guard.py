"""Pre-account hijacking: someone starts an account with another person's address (a
signup, or VK ID whose addresses are unverified) and waits for the owner to verify it.
A signup never takes a password, and when a sign-in code verifies an account's first
address, what was attached before by an unproven hand (connected services, a password)
is removed (accounts.signin.revoke_unproven_credentials)."""

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from wagtail.models import ModelLogEntry

from accounts.signin import CREDENTIALS_REVOKED_ACTION
from tests.accounts.helpers import account_url, new_client, sign_in_by_code, signed_in_user

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_a_signup_never_takes_a_password(home):
    client = new_client()

    client.post(
        account_url("signup/"),
        {"email": "victim@example.com", "password1": "attacker-knows-this-1"},
    )

    assert not User.objects.get(email="victim@example.com").has_usable_password()


def test_the_owners_first_code_removes_what_someone_else_attached(home):
    planted = User.objects.create_user(email="victim@example.com", password="attacker-pw-123")
    EmailAddress.objects.create(user=planted, email="victim@example.com", verified=False)
    SocialAccount.objects.create(user=planted, provider="vk", uid="666")
    owner = new_client()

    sign_in_by_code(owner, "victim@example.com")

    assert signed_in_user(owner) == planted
    planted.refresh_from_db()
    assert EmailAddress.objects.get(user=planted).verified
    assert not SocialAccount.objects.filter(user=planted).exists()
    assert not planted.has_usable_password()
    entry = ModelLogEntry.objects.get(action=CREDENTIALS_REVOKED_ACTION)
    assert entry.data.pop("client_address")  # common.audit
    assert entry.data == {"providers": ["vk"], "password": True}
    # The planted password no longer opens the account.
    attacker = new_client()
    attacker.post(
        account_url("login/"), {"login": "victim@example.com", "password": "attacker-pw-123"}
    )
    assert signed_in_user(attacker) is None


def test_an_account_already_verified_keeps_its_services_and_password(home):
    user = User.objects.create_user(email="owner@example.com", password="my-own-pw-123")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    SocialAccount.objects.create(user=user, provider="yandex", uid="42")
    client = new_client()

    sign_in_by_code(client, user.email)

    user.refresh_from_db()
    assert SocialAccount.objects.filter(user=user).exists()
    assert user.has_usable_password()
    assert not ModelLogEntry.objects.filter(action=CREDENTIALS_REVOKED_ACTION).exists()
