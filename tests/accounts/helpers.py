"""Signing in as a customer does it: the e-mail on the sign-in page, the code read from
the test outbox, the code on the code page (django-allauth, accounts/views.py)."""

import re

from django.core import mail
from django.test import Client

from tests.helpers import PREFIX

CODE = re.compile(r"^\s*(\d{6})\s*$", re.MULTILINE)


def account_url(tail: str = "", language: str = "ru") -> str:
    return f"/{PREFIX[language]}/account/{tail}"


def new_client(language: str = "ru", address: str = "203.0.113.50") -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=language, REMOTE_ADDR=address)


def request_code(client: Client, email: str, language: str = "ru"):
    return client.post(account_url("login/code/", language), {"email": email})


def last_code(email: str) -> str:
    """The code of the last e-mail sent to `email`."""
    sent = [m for m in mail.outbox if email.lower() in [to.lower() for to in m.to]]
    assert sent, f"no e-mail to {email}"
    match = CODE.search(sent[-1].body)
    assert match, sent[-1].body
    return match.group(1)


def enter_code(client: Client, code: str, language: str = "ru"):
    return client.post(account_url("login/code/confirm/", language), {"code": code})


def sign_in_by_code(client: Client, email: str, language: str = "ru"):
    """The whole sign-in; returns the last response (the redirect after the code)."""
    response = request_code(client, email, language)
    assert response.status_code == 302, response.content[:2000]
    return enter_code(client, last_code(email), language)


def signed_in_user(client: Client):
    from django.contrib.auth import get_user_model

    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None
