"""Sign-in by a one-time code sent by e-mail (django-allauth): a new address gets an
account, a known one is signed in; the address is verified by the code; the code expires
after a few wrong attempts; code requests are rate-limited with a translated message."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import translation

from tests.accounts.helpers import (
    account_url,
    enter_code,
    last_code,
    new_client,
    request_code,
    sign_in_by_code,
    signed_in_user,
)
from tests.helpers import parse, text

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_a_new_address_gets_an_account_with_the_code(home):
    client = new_client()

    response = request_code(client, "New.Person@Example.com")

    assert response.status_code == 302
    assert response["Location"].startswith("/ru/account/login/code/confirm/")
    user = User.objects.get(email="new.person@example.com")
    assert not user.has_usable_password()
    address = EmailAddress.objects.get(user=user)
    assert not address.verified  # not before the code is entered
    assert signed_in_user(client) is None
    (message,) = mail.outbox
    assert message.to == ["new.person@example.com"]
    assert "Причал" in message.subject

    response = enter_code(client, last_code("new.person@example.com"))

    assert response.status_code == 302
    assert response["Location"] == "/ru/account/orders/"
    assert signed_in_user(client) == user
    address.refresh_from_db()
    assert address.verified and address.primary


def test_a_known_address_is_signed_in_and_no_second_account_is_made(home):
    user = User.objects.create_user(email="anna@example.com")
    EmailAddress.objects.create(user=user, email="anna@example.com", verified=True, primary=True)
    client = new_client()

    response = sign_in_by_code(client, "ANNA@example.com")

    assert response.status_code == 302
    assert signed_in_user(client) == user
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("language", "subject_word", "body_word"),
    [("ru", "код", "Введите"), ("en", "code", "Enter it"), ("zh-hans", "验证码", "输入")],
)
def test_the_code_email_is_in_the_page_language(home, language, subject_word, body_word):
    client = new_client(language)

    request_code(client, "lang@example.com", language)

    (message,) = mail.outbox
    assert subject_word in message.subject
    assert body_word in message.body
    assert last_code("lang@example.com")


def test_a_wrong_code_is_refused_then_the_code_dies_after_the_attempts(home, settings):
    settings.ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
    client = new_client()
    request_code(client, "guess@example.com")
    right = last_code("guess@example.com")
    wrong = "000000" if right != "000000" else "111111"

    first = enter_code(client, wrong)
    assert first.status_code == 200
    with translation.override("ru"):
        assert "Неверный код" in text(parse(first).select_one(".account-field__error"))
    enter_code(client, wrong)
    third = enter_code(client, wrong)

    # The third wrong code ends the sign-in: back to the e-mail form, with the reason.
    assert third.status_code == 302
    assert third["Location"] == "/ru/account/login/code/"
    page = client.get(third["Location"])
    assert "Слишком много попыток" in page.content.decode()
    # The right code is no use any more.
    late = enter_code(client, right)
    assert late.status_code == 302
    assert signed_in_user(client) is None


def test_a_second_request_in_the_same_browser_goes_back_to_the_code_page(home):
    """A sign-in waiting for its code is not started again (no second e-mail)."""
    client = new_client()
    request_code(client, "once@example.com")

    again = request_code(client, "once@example.com")

    assert again.status_code == 302
    assert again["Location"].startswith("/ru/account/login/code/confirm/")
    assert len(mail.outbox) == 1


def test_code_requests_are_rate_limited_with_a_translated_message(home, settings):
    """Per address typed, whatever the browser: the Nth request is refused."""
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "request_login_code": "3/10m/key",
    }
    for _ in range(3):
        assert request_code(new_client(), "flood@example.com").status_code == 302

    refused = request_code(new_client(), "FLOOD@example.com")

    assert refused.status_code == 200
    error = text(parse(refused).select_one(".account-field__error"))
    assert error == "Слишком много попыток. Подождите несколько минут и запросите новый код."
    assert len(mail.outbox) == 3


def test_the_rate_limit_message_in_english_and_chinese(home, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "request_login_code": "1/10m/key",
    }
    for language, words in (("en", "Too many attempts"), ("zh-hans", "尝试次数过多")):
        request_code(new_client(language), f"flood-{language}@example.com", language)
        refused = request_code(new_client(language), f"flood-{language}@example.com", language)
        assert words in text(parse(refused).select_one(".account-field__error"))


def test_a_signed_in_customer_can_set_a_password_and_sign_in_with_it(home):
    client = new_client()
    sign_in_by_code(client, "pw@example.com")

    page = client.get(account_url("password/change/"))
    assert page.status_code == 302 and page["Location"].startswith("/ru/account/password/set/")
    response = client.post(
        account_url("password/set/"),
        {"password1": "a-long-river-walk-2026", "password2": "a-long-river-walk-2026"},
    )
    assert response.status_code == 302
    client.post(account_url("logout/"))
    assert signed_in_user(client) is None

    other = new_client()
    response = other.post(
        account_url("login/"), {"login": "pw@example.com", "password": "a-long-river-walk-2026"}
    )
    assert response.status_code == 302
    assert signed_in_user(other).email == "pw@example.com"


def test_staff_are_refused_on_the_customer_sign_in(home):
    staff = User.objects.create_user(email="agent@prichal.example", is_staff=True)
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    client = new_client()

    response = sign_in_by_code(client, staff.email)

    assert response.status_code == 302
    assert signed_in_user(client) is None
    page = client.get(response["Location"])
    assert "сотрудника" in page.content.decode()
