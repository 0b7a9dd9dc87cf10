"""The little shop of the hold-page tests (the no-JavaScript hold form and the hold page),
built once per test module, and the helpers to talk to its pages."""

import datetime

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation

from booking.models import Hold
from booking.services.errors import BookingError
from tests import factories
from tests.conftest import make_home, make_locales, republish
from tests.factories import (
    assigned_departure,
    general_departure,
    product_with_ticket_types,
)
from tests.helpers import parse, text

CREATE_URL = "/ru/booking/hold/"
NOTHING = {"holds": 0, "lines": 0, "claims": 0}


def hold_url(token: str, action: str = "") -> str:
    return f"/ru/booking/hold/{token}/" + (f"{action}/" if action else "")


def russian(code: str, **params) -> str:
    """A booking error's message as a Russian visitor reads it; it must be translated."""
    with translation.override("ru"):
        message = BookingError(code, **params).message
    with translation.override("en"):
        english = BookingError(code, **params).message
    assert message != english, f"{code} is not translated into Russian"
    return message


def product_page(home, product, slug):
    body = factories.stream(("booking", {"product": product.pk, "title": ""}))
    return republish(
        factories.ExcursionPageFactory(parent=home, slug=slug, product=product, body=body)
    )


class Shop:
    """A general-admission excursion (adult and child tickets, 8 places a departure)
    and an assigned-seating one, each on its own page with a booking block."""

    def __init__(self, home):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        self.product, (self.adult, self.child) = product_with_ticket_types(
            prices=("2200.00", "1500.00")
        )
        self.adult.name, self.adult.name_en = "Взрослый", "Adult"
        self.adult.save()
        self.child.name, self.child.name_en = "Детский", "Child"
        self.child.save()
        self.general = general_departure(
            capacity=8,
            product=self.product,
            starts_at=factories.moscow_datetime(tomorrow, 12),
        )
        self.page = product_page(home, self.product, "river-walk")
        self.seated_product, _types = product_with_ticket_types()
        self.assigned = assigned_departure(
            product=self.seated_product, starts_at=factories.moscow_datetime(tomorrow, 15)
        )
        self.seated_page = product_page(home, self.seated_product, "seated-walk")

    @property
    def page_path(self) -> str:
        return "/ru/river-walk/"


@pytest.fixture(scope="module")
def _module_shop(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back at the end; each
    test runs in a savepoint inside it (like `tree` in tests/conftest.py)."""
    with django_db_blocker.unblock(), transaction.atomic():
        cache.clear()
        make_locales()
        yield Shop(make_home())
        transaction.set_rollback(True)
    cache.clear()


@pytest.fixture
def shop(_module_shop, db):
    return _module_shop


def session_key(client: Client) -> str:
    return client.session.session_key


def held_quantities(hold: Hold) -> dict[int, int]:
    return {line.ticket_type_id: line.quantity for line in hold.lines.all()}


def post_form(client, shop, quantities, departure=None, **extra):
    data = {"next": shop.page_path, "departure": str(departure or shop.general.pk), **extra}
    data.update({f"qty-{pk}": str(q) for pk, q in quantities.items()})
    response = client.post(CREATE_URL, data, headers={"referer": "http://testserver/ru/"})
    assert response.status_code < 500
    return response


def notices(response) -> list[str]:
    return [text(p) for p in parse(response).select(".booking-notice")]


def own_hold(client, shop) -> Hold:
    response = post_form(client, shop, {shop.adult.pk: 2, shop.child.pk: 1})
    assert response.status_code == 302, response.content[:300]
    return Hold.objects.get(owner_key=session_key(client))
