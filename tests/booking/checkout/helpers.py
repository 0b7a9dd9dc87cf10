"""The checkout tests' shop (a product on sale with a departure, a fee and the consent
documents, built once per module by the `shop` fixture in conftest.py), a visitor with a
hold, and readers of the checkout and order pages."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation
from wagtail.models import Site

from accounts.models import Consent
from booking.models import Hold, Order, Promotion
from booking.services.errors import BookingError
from booking.services.holds import hold_create
from content.models import CompanySettings
from tests import factories
from tests.conftest import make_home, make_locales, republish, translate
from tests.factories import (
    general_departure,
    product_with_ticket_types,
)
from tests.helpers import PREFIX, text

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Анна Смирнова",
    "email": "anna@example.com",
    "phone": "8 912 345-67-89",
    "personal_data_consent": "on",
    "offer_accepted": "on",
    "action": "pay",
}


def message(code: str, language: str = "ru", **params) -> str:
    """A booking error's message in `language` (the suite's catalogue test makes sure
    every msgid is translated)."""
    with translation.override(language):
        return BookingError(code, **params).message


class Shop:
    """A general-admission excursion (adult 2200, child 1500) on its page, with the three
    legal documents configured (each translated into English and Chinese)."""

    def __init__(self, home):
        locales = make_locales()
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        self.home = home
        self.product, (self.adult, self.child) = product_with_ticket_types(
            prices=("2200.00", "1500.00")
        )
        for ticket_type, names in (
            (self.adult, ("Взрослый", "Adult", "成人票")),
            (self.child, ("Детский", "Child", "儿童票")),
        ):
            ticket_type.name, ticket_type.name_en, ticket_type.name_zh = names
            ticket_type.save()
        self.departure = general_departure(
            capacity=20, product=self.product, starts_at=factories.moscow_datetime(tomorrow, 12)
        )
        body = factories.stream(("booking", {"product": self.product.pk, "title": ""}))
        self.page = republish(
            factories.ExcursionPageFactory(
                parent=home, slug="river-walk", product=self.product, body=body
            )
        )
        self.documents = {}
        for field, slug in (
            ("personal_data_consent_page", "consent"),
            ("offer_page", "offer"),
            ("refund_rules_page", "refund-rules"),
            ("privacy_policy_page", "privacy"),
        ):
            page = republish(factories.StandardPageFactory(parent=home, title=slug, slug=slug))
            self.documents[field] = {"ru": page}
            for code in ("en", "zh-hans"):
                translated_home = home.get_translation_or_none(locales[code])
                if translated_home is None:
                    translate(home, locales[code])
                self.documents[field][code] = translate(page, locales[code], title=f"{slug} {code}")
        company = CompanySettings.for_site(Site.objects.get(is_default_site=True))
        for field, pages in self.documents.items():
            setattr(company, field, pages["ru"])
        company.save()

    def document_url(self, field: str, language: str = "ru") -> str:
        return self.documents[field][language].url


@pytest.fixture(scope="module")
def _module_shop(django_db_setup, django_db_blocker):
    from django.core.cache import cache

    with django_db_blocker.unblock(), transaction.atomic():
        cache.clear()
        make_locales()
        yield Shop(make_home())
        transaction.set_rollback(True)
    cache.clear()


@pytest.fixture
def shop(_module_shop, db):
    return _module_shop


def visitor() -> tuple[Client, str]:
    client = Client()
    session = client.session
    session.save()
    client.cookies["sessionid"] = session.session_key
    return client, session.session_key


def hold_for(shop, owner_key: str, adults: int = 2, children: int = 1) -> Hold:
    quantities = {shop.adult.pk: adults}
    if children:
        quantities[shop.child.pk] = children
    return hold_create(departure_id=shop.departure.pk, owner_key=owner_key, quantities=quantities)


def checkout_url(hold: Hold, language: str = "ru") -> str:
    return f"/{PREFIX[language]}/booking/checkout/{hold.token}/"


def order_url(order: Order, language: str = "ru", tail: str = "") -> str:
    return f"/{PREFIX[language]}/booking/order/{order.code}/{order.secret}/{tail}"


def field_error(doc, name: str) -> str:
    node = doc.select_one(f"#{name}-error")
    return text(node)


def breakdown_rows(doc) -> list[list[str]]:
    table = doc.select_one("table[data-breakdown]")
    return [[text(cell) for cell in row.select("th, td")] for row in table.select("tr")]


def nothing_created():
    assert Order.objects.count() == 0
    assert Consent.objects.count() == 0


def make_promotion(**fields) -> Promotion:
    values = {"code": "SPRING10", "kind": Promotion.Kind.PERCENT, "value": Decimal("10")}
    values.update(fields)
    return Promotion.objects.create(**values)


class FakePayment:
    confirmation_url = "https://yookassa.test/checkout/abc"


def fake_payments(monkeypatch, error: str | None = None) -> list:
    """Stands in for `payment_start` (the real one is tested against the emulator)."""
    calls = []

    def payment_start(*, order, return_url):
        calls.append((order, return_url))
        if error:
            raise BookingError(error)
        return FakePayment()

    monkeypatch.setattr("booking.checkout_views.payment_start", payment_start)
    return calls
