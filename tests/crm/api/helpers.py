"""What the CRM API tests share: staff in the real role groups (crm.roles) with personal
API tokens, requests through Django's test client with `Authorization: Bearer`, and paid
orders on a departure three days away from a pier in Vladivostok (refundable until 11:00
the day before, pier time)."""

import datetime
import json
import zoneinfo

from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from wagtail.models import APIToken

from tests.booking.refunds.helpers import PIER_TIMEZONE, adult, pier_departure
from tests.factories import make_user, placed_order

API = "/api/v1/crm"
PIER = zoneinfo.ZoneInfo(PIER_TIMEZONE)


def staff(role: str | None, email: str | None = None, **extra):
    """A user in the group `role` (None: no group at all)."""
    name = (role or "nobody").lower().replace(" ", "-")
    user = make_user(email or f"{name}@prichal.example", **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def token_for(user, name: str = "phone desk") -> tuple[APIToken, str]:
    return APIToken.create_token(user=user, name=name)


class TokenClient:
    """Requests with a bearer token, in a language (Accept-Language)."""

    def __init__(self, token: str | None, language: str = "ru", client: Client | None = None):
        self.token = token
        self.language = language
        self.client = client or Client()

    def headers(self, language=None) -> dict:
        headers = {"Accept-Language": language or self.language}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def get(self, path: str, params=None, language=None):
        return self.client.get(f"{API}{path}", params or {}, headers=self.headers(language))

    def post(self, path: str, body=None, language=None, raw: str | None = None):
        return self.client.post(
            f"{API}{path}",
            data=raw if raw is not None else json.dumps(body or {}),
            content_type="application/json",
            headers=self.headers(language),
        )


def api_for(role: str | None, language: str = "ru", **user_fields) -> TokenClient:
    _token, plain = token_for(staff(role, **user_fields))
    return TokenClient(plain, language)


def in_three_days() -> datetime.datetime:
    day = (timezone.now().astimezone(PIER) + datetime.timedelta(days=3)).date()
    return datetime.datetime.combine(day, datetime.time(11, 0), tzinfo=PIER)


def paid_order(*, count: int = 2, starts_at=None, **details):
    departure = pier_departure(starts_at=starts_at or in_three_days())
    return placed_order(departure, quantities={adult(departure).pk: count}, paid=True, **details)
