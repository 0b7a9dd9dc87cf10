"""Yandex Metrica is off unless a counter id is configured: then, and only then, public
pages carry the consent banner and the static loader, their Content-Security-Policy admits
Metrica's hosts, and the order page of a paid order carries its purchase for Metrica's
e-commerce report, without anything about the buyer. (What the browser does with them is
tests/e2e/test_analytics.py.)"""

import json

import pytest
from django.test import Client

from tests.booking.checkout import helpers as checkout
from tests.booking.checkout.helpers import order_url
from tests.config.test_security_headers import assert_public_policy, policy
from tests.factories import placed_order
from tests.helpers import parse, text

pytestmark = pytest.mark.django_db

# The checkout tests' shop: an excursion on sale with its page and the legal documents.
_module_shop = checkout._module_shop
shop = checkout.shop

COUNTER = "98765432"
METRICA = ("https://mc.yandex.ru", "https://mc.yandex.com")


@pytest.fixture
def metrica_on(settings):
    settings.YANDEX_METRICA_COUNTER_ID = COUNTER


def test_without_a_counter_nothing_of_metrica_is_on_the_page_or_in_the_policy(shop):
    response = Client().get(shop.page.url)
    assert response.status_code == 200
    assert_public_policy(response)
    csp = policy(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["frame-src"] == ["'none'"]
    assert "yandex" not in response["Content-Security-Policy"]
    assert "yastatic" not in response["Content-Security-Policy"]
    doc = parse(response)
    assert doc.select_one("#analytics-consent") is None
    assert doc.select_one("[data-consent-open]") is None
    assert doc.select_one('script[src*="analytics"]') is None
    assert "metrica" not in response.content.decode().lower()


def test_with_a_counter_the_policy_admits_metrica_and_nothing_inline(shop, metrica_on):
    response = Client().get(shop.page.url)
    csp = policy(response)
    assert csp["script-src"] == ["'self'", *METRICA, "https://yastatic.net"]
    assert csp["img-src"] == ["'self'", "data:", *METRICA]
    assert csp["connect-src"] == ["'self'", *METRICA]
    assert csp["frame-src"] == list(METRICA)
    # The rest stays as strict as without Metrica: no inline script or style, no eval.
    assert csp["default-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in csp.values() for value in values)


def test_the_admin_policy_does_not_admit_metrica(shop, metrica_on, admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert "yandex" not in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("language", "accept", "refuse", "settings_link"),
    [
        ("ru", "Принять", "Отказаться", "Настройки cookie"),
        ("en", "Accept", "Refuse", "Cookie settings"),
        ("zh-hans", "接受", "拒绝", "Cookie 设置"),
    ],
)
def test_with_a_counter_every_page_carries_the_same_hidden_banner(
    shop, metrica_on, language, accept, refuse, settings_link
):
    from tests.helpers import PREFIX

    url = shop.page.url if language == "ru" else f"/{PREFIX[language]}/"
    response = Client().get(url)
    assert response.status_code == 200
    doc = parse(response)
    banner = doc.select_one("#analytics-consent")
    # Hidden until the loader sees that no choice was made: without JavaScript nothing
    # loads, so there is nothing to ask.
    assert banner.has_attr("hidden")
    assert banner["data-metrica-counter"] == COUNTER
    buttons = banner.select("button[data-consent]")
    assert [(b["data-consent"], text(b)) for b in buttons] == [
        ("granted", accept),
        ("denied", refuse),
    ]
    # Equal buttons: the same classes, so the same size and prominence.
    assert buttons[0]["class"] == buttons[1]["class"]
    assert "Yandex" in text(banner) or "Яндекс" in text(banner)
    privacy = shop.document_url("privacy_policy_page", language)
    assert [a["href"] for a in banner.select("a")] == [privacy]
    opener = doc.select_one("footer [data-consent-open]")
    assert text(opener) == settings_link and opener.has_attr("hidden")
    scripts = [s["src"] for s in doc.select("script[src]")]
    assert any(src.endswith("js/analytics.js") for src in scripts)
    assert doc.select("script:not([src]):not([type='application/ld+json'])") == []
    # Nothing on the page comes from Yandex by itself: the loader adds the tag on consent.
    assert "mc.yandex" not in response.content.decode()


def test_a_paid_order_page_carries_the_purchase_without_the_buyer(shop, metrica_on):
    order = placed_order(shop.departure, quantities={shop.adult.pk: 2, shop.child.pk: 1}, paid=True)
    response = Client().get(order_url(order, "en"))
    assert response.status_code == 200
    raw = parse(response).select_one("[data-order]")["data-metrica-purchase"]
    purchase = json.loads(raw)
    assert purchase["actionField"] == {"id": order.code, "revenue": float(order.total)}
    assert sorted(purchase["products"], key=lambda p: p["price"]) == [
        {
            "id": str(shop.product.pk),
            "name": shop.product.name,
            "variant": "Детский",
            "price": 1500.0,
            "quantity": 1,
        },
        {
            "id": str(shop.product.pk),
            "name": shop.product.name,
            "variant": "Взрослый",
            "price": 2200.0,
            "quantity": 2,
        },
    ]
    for personal in ("anna@example.com", "Анна", "Смирнова", "912", "345-67-89", order.secret):
        assert personal not in raw


def test_no_purchase_on_an_unpaid_order_or_without_a_counter(shop, settings):
    unpaid = placed_order(shop.departure)
    paid = placed_order(shop.departure, paid=True)
    settings.YANDEX_METRICA_COUNTER_ID = COUNTER
    assert parse(Client().get(order_url(unpaid))).select_one("[data-metrica-purchase]") is None
    settings.YANDEX_METRICA_COUNTER_ID = ""
    assert parse(Client().get(order_url(paid))).select_one("[data-metrica-purchase]") is None
