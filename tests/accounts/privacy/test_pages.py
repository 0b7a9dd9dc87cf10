"""The signed-in customer's personal-data pages: sign-in required, an empty state without
a customer record, RU/EN/ZH, the JSON download and the printable page (both logged),
withdraw buttons per consent, and erasure confirmed twice — a POST without the typed
e-mail and the ticked box erases nothing; with them the person is erased and signed out."""

import json

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from wagtail.models import ModelLogEntry

from accounts.models import Consent, Customer, User
from accounts.privacy import ERASE_ACTION, EXPORT_ACTION
from booking.models import Order
from booking.services.orders import order_confirm_paid
from tests.accounts.privacy.helpers import ZINAIDA, checkout
from tests.booking.checkout.helpers import fake_payments
from tests.helpers import HTML_LANG, PREFIX, parse, text

pytestmark = pytest.mark.django_db

PAGES = {
    "overview": "",
    "report": "data/",
    "json": "data.json",
    "erase": "erase/",
    "confirm": "erase/confirm/",
    "erased": "erased/",
}
TITLES = {
    "ru": ("Ваши персональные данные", "Удаление ваших данных", "Ваши данные удалены"),
    "en": ("Your personal data", "Erase your data", "Your data has been erased"),
    "zh-hans": ("您的个人数据", "删除您的数据", "您的数据已删除"),
}


def url(page: str, language: str = "ru") -> str:
    return f"/{PREFIX[language]}/account/privacy/{PAGES.get(page, page)}"


@pytest.fixture
def buyer(shop, monkeypatch):
    """A customer whose order is paid, signed in with the account linked to them."""
    fake_payments(monkeypatch)
    order, _browser = checkout(shop, ZINAIDA)
    order_confirm_paid(order=order, payment=None)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    user = User.objects.create_user(email=ZINAIDA.email, first_name="Зинаида")
    Customer.objects.filter(pk=order.customer_id).update(user=user)
    client = Client(HTTP_USER_AGENT=ZINAIDA.browser, REMOTE_ADDR=ZINAIDA.address)
    client.force_login(user)
    return client, order


@pytest.mark.parametrize("page", ["overview", "report", "json", "erase", "confirm"])
def test_anonymous_visitors_are_sent_to_sign_in(db, page):
    response = Client().get(url(page))

    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    assert response["Location"].endswith(f"?next={url(page)}")


def test_a_post_from_an_anonymous_visitor_changes_nothing(buyer):
    _client, order = buyer
    for page in ("consents/withdraw/", "confirm"):
        response = Client().post(url(page), {"kind": "marketing", "understood": "on"})
        assert response.status_code == 302
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    customer = Customer.objects.get(pk=order.customer_id)
    assert customer.marketing_consent and not customer.is_erased


def test_an_account_without_purchases_sees_an_empty_state(db):
    client = Client()
    client.force_login(User.objects.create_user(email="new@example.org"))

    doc = parse(client.get(url("overview")))

    assert doc.select_one("[data-privacy-empty]")
    assert not doc.select(".account-main form")
    for page in ("report", "json", "erase", "confirm"):
        response = client.get(url(page))
        assert response.status_code == 302 and response["Location"] == url("overview")


@pytest.mark.parametrize("language", list(PREFIX))
def test_the_pages_are_translated(buyer, language):
    client, _order = buyer
    overview, erase, erased = TITLES[language]

    doc = parse(client.get(url("overview", language)))
    assert doc.html["lang"] == HTML_LANG[language]
    assert text(doc.h1) == overview
    report = client.get(url("report", language))
    assert report.status_code == 200
    assert parse(report).html["lang"] == HTML_LANG[language]
    assert text(parse(client.get(url("erase", language))).h1) == erase
    assert parse(client.get(url("confirm", language))).select_one("[data-erase-form]")
    assert text(parse(client.get(url("erased", language))).h1) == erased


def test_the_overview_shows_each_consent_with_a_withdraw_button(buyer):
    client, _order = buyer

    doc = parse(client.get(url("overview")))

    consents = {item["data-consent"]: item for item in doc.select("[data-consent]")}
    assert set(consents) == {"personal_data", "marketing", "offer"}
    for kind in ("personal_data", "marketing"):
        assert consents[kind]["data-granted"] == "yes"
        form = consents[kind].select_one("form")
        assert form["method"] == "post" and form["action"] == url("consents/withdraw/")
        assert form.select_one("input[name=csrfmiddlewaretoken]")
        assert form.select_one("input[name=kind]")["value"] == kind
    assert consents["offer"].select_one("form") is None
    assert doc.select_one("[data-privacy-json]")["href"] == url("json")


def test_withdrawing_marketing_from_the_page(buyer):
    client, order = buyer

    response = client.post(url("consents/withdraw/"), {"kind": "marketing"})

    assert response.status_code == 302 and response["Location"] == url("overview")
    doc = parse(client.get(url("overview")))
    assert doc.select_one('[data-consent="marketing"]')["data-granted"] == "no"
    assert doc.select_one('[data-consent="marketing"] form') is None
    assert "больше не будем присылать" in text(doc.select_one("[role=status]"))
    row = Consent.objects.filter(customer_id=order.customer_id, kind="marketing").latest("pk")
    assert row.granted is False and row.user_agent == ZINAIDA.browser
    assert Customer.objects.get(pk=order.customer_id).marketing_consent is False


def test_withdrawing_the_offer_from_the_page_is_refused(buyer):
    client, _order = buyer
    before = Consent.objects.count()

    response = client.post(url("consents/withdraw/"), {"kind": "offer"}, follow=True)

    assert "нельзя отозвать" in text(parse(response).select_one("[role=alert]"))
    assert Consent.objects.count() == before


def test_the_json_download(buyer):
    client, order = buyer

    response = client.get(url("json"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="prichal-personal-data-'
    )
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    data = json.loads(response.content)
    assert [o["code"] for o in data["orders"]] == [order.code]
    assert data["customer"]["name"] == ZINAIDA.name
    assert ModelLogEntry.objects.get(action=EXPORT_ACTION).data["purpose"] == "json"


def test_the_printable_page_shows_the_same_data(buyer):
    client, order = buyer

    doc = parse(client.get(url("report", "en")))

    assert ZINAIDA.name in text(doc.select_one("[data-report-customer]"))
    assert ZINAIDA.email in text(doc.select_one("[data-report-customer]"))
    order_block = doc.select_one(f'[data-report-order="{order.code}"]')
    assert "Paid" in text(order_block.h3)
    assert len(order_block.select("table")[0].select("tbody tr")) == 3
    assert len(doc.select("[data-consent-row]")) == 3
    assert ModelLogEntry.objects.get(action=EXPORT_ACTION).data["purpose"] == "html"


def test_erasure_step_one_explains_and_leads_to_step_two(buyer):
    client, _order = buyer

    doc = parse(client.get(url("erase")))

    assert doc.select("[data-erased-list] li") and doc.select("[data-kept-list] li")
    assert doc.select_one("[data-erase-continue]")["href"] == url("confirm")
    assert not doc.select(".account-main form")  # the first step only explains


@pytest.mark.parametrize(
    "posted",
    [
        {},
        {"understood": "on"},
        {"email": ZINAIDA.email},
        {"email": "someone.else@example.org", "understood": "on"},
    ],
    ids=["nothing", "box-only", "email-only", "wrong-email"],
)
def test_a_post_without_both_confirmations_erases_nothing(buyer, posted):
    client, order = buyer

    response = client.post(url("confirm"), posted)

    assert response.status_code == 400
    assert parse(response).select(".checkout-field__error")
    customer = Customer.objects.get(pk=order.customer_id)
    assert not customer.is_erased and customer.email == ZINAIDA.email
    assert not ModelLogEntry.objects.filter(action=ERASE_ACTION).exists()
    assert client.get(url("overview")).status_code == 200  # still signed in


def test_the_confirmed_erasure_signs_out_and_confirms(buyer):
    client, order = buyer

    response = client.post(
        url("confirm", "en"), {"email": f"  {ZINAIDA.email.upper()} ", "understood": "on"}
    )

    assert response.status_code == 302 and response["Location"] == url("erased", "en")
    doc = parse(client.get(response["Location"]))
    assert text(doc.h1) == "Your data has been erased"
    customer = Customer.objects.get(pk=order.customer_id)
    assert customer.is_erased and customer.email.endswith("@erased.invalid")
    erased = ModelLogEntry.objects.get(action=ERASE_ACTION).data
    assert erased.pop("client_address")  # common.audit
    assert erased == {"customer_id": customer.pk}
    # Signed out: the account pages ask to sign in again, and the account cannot.
    assert client.get(url("overview")).status_code == 302
    assert not User.objects.get(pk=customer.user_id).is_active


def test_the_confirmation_needs_the_csrf_token(buyer):
    _client, order = buyer
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(User.objects.get(email=ZINAIDA.email))

    response = strict.post(url("confirm"), {"email": ZINAIDA.email, "understood": "on"})

    assert response.status_code == 403
    assert not Customer.objects.get(pk=order.customer_id).is_erased


def test_an_order_awaiting_payment_keeps_the_erasure_waiting(shop, monkeypatch):
    fake_payments(monkeypatch)
    order, _browser = checkout(shop, ZINAIDA)
    user = User.objects.create_user(email=ZINAIDA.email)
    Customer.objects.filter(pk=order.customer_id).update(user=user)
    client = Client()
    client.force_login(user)

    doc = parse(client.get(url("erase")))
    assert order.code in text(doc.select_one("[data-erase-blocked]"))
    assert doc.select_one("[data-erase-continue]") is None

    response = client.post(url("confirm"), {"email": ZINAIDA.email, "understood": "on"})
    assert response.status_code == 302 and response["Location"] == url("erase")
    assert not Customer.objects.get(pk=order.customer_id).is_erased
