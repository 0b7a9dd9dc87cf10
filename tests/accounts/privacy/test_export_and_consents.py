"""The copy of a customer's data (JSON-ready, audit-logged, nobody else's) and the
withdrawal of consents (a new row each time, never an edit; marketing turns off)."""

import datetime
import json

import pytest
from wagtail.models import ModelLogEntry

from accounts.models import Consent, Customer, User
from accounts.privacy import (
    CONSENT_WITHDRAW_ACTION,
    EXPORT_ACTION,
    PrivacyError,
    consent_withdraw,
    personal_data_erase,
    personal_data_export,
)
from booking.models import Order
from booking.services.orders import orders_expire
from tests.accounts.privacy.helpers import PETR, ZINAIDA, checkout, purchase
from tests.booking.checkout.helpers import fake_payments

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_orders_consents_and_account(shop, yookassa, monkeypatch):
    bought = purchase(shop, yookassa, monkeypatch)
    other_order, _client = checkout(shop, PETR)
    order = bought.order

    data = personal_data_export(customer=bought.customer, requested_by=bought.user)

    assert json.loads(json.dumps(data)) == data
    assert data["customer"]["email"] == ZINAIDA.email
    assert data["customer"]["name"] == ZINAIDA.name
    assert data["customer"]["phone"] == ZINAIDA.e164
    assert data["account"]["email"] == ZINAIDA.email
    assert data["account"]["last_name"] == ZINAIDA.last_name
    consents = {c["kind"]: c for c in data["consents"]}
    assert set(consents) == {"personal_data", "offer", "marketing"}
    pd_page = shop.documents["personal_data_consent_page"]["ru"]
    assert consents["personal_data"]["document_version"] == (
        f"{pd_page.pk}.{pd_page.live_revision_id}"
    )
    assert consents["personal_data"]["ip_address"] == ZINAIDA.address
    assert consents["personal_data"]["user_agent"] == ZINAIDA.browser
    [exported] = data["orders"]
    assert exported["code"] == order.code and exported["status"] == "paid"
    assert (exported["name"], exported["email"], exported["phone"]) == (
        ZINAIDA.name,
        ZINAIDA.email,
        ZINAIDA.e164,
    )
    assert exported["total"] == f"{order.total:.2f}"
    assert len(exported["tickets"]) == 3
    assert sum(float(t["paid_amount"]) for t in exported["tickets"]) == float(order.total)
    [payment] = exported["payments"]
    assert payment["status"] == "succeeded" and payment["method"] == "SberPay"
    assert len(payment["refunds"]) == 1
    assert {m["channel"]: m["to"] for m in exported["messages"]} == {
        "email": ZINAIDA.email,
        "sms": ZINAIDA.e164,
    }
    failed, signed_in = data["sign_in_attempts"]
    assert failed["succeeded"] is False and failed["ip_address"] == ZINAIDA.address
    assert signed_in["succeeded"] is True
    # Nothing of the other customer.
    assert other_order.code not in json.dumps(data)
    assert PETR.email not in json.dumps(data)


def test_the_export_is_logged_with_the_customer_id_only(shop, monkeypatch):
    fake_payments(monkeypatch)
    order, _client = checkout(shop, ZINAIDA)

    personal_data_export(customer=order.customer, purpose="html")

    entry = ModelLogEntry.objects.get(action=EXPORT_ACTION)
    assert entry.object_id == str(order.customer_id)
    assert entry.label == f"Customer #{order.customer_id}"
    assert entry.data == {"customer_id": order.customer_id, "purpose": "html"}
    assert ZINAIDA.email not in json.dumps([entry.label, entry.data])


def test_after_erasure_the_export_holds_no_person(shop, monkeypatch):
    fake_payments(monkeypatch)
    order, _client = checkout(shop, ZINAIDA)
    expire_unpaid(order)
    personal_data_erase(customer=order.customer)

    data = json.dumps(personal_data_export(customer=order.customer), ensure_ascii=False)

    for needle in ZINAIDA.needles:
        assert needle not in data
    assert order.code in data


def expire_unpaid(order: Order) -> None:
    orders_expire(now=order.expires_at + datetime.timedelta(minutes=1))
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED and order.hold_id is None


# --- consents ------------------------------------------------------------------------


@pytest.fixture
def customer(shop, monkeypatch) -> Customer:
    fake_payments(monkeypatch)
    order, _client = checkout(shop, ZINAIDA)
    customer = order.customer
    assert customer.marketing_consent is True
    return customer


def withdraw(customer, kind, **extra):
    return consent_withdraw(
        customer=customer, kind=kind, ip="192.0.2.10", user_agent="Phone/1", **extra
    )


def test_withdrawing_marketing_adds_a_row_and_turns_marketing_off(customer):
    given = Consent.objects.get(customer=customer, kind="marketing")
    user = User.objects.create_user(email="someone@example.org")

    row = withdraw(customer, "marketing", requested_by=user)

    assert (row.kind, row.granted) == ("marketing", False)
    assert (row.ip_address, row.user_agent) == ("192.0.2.10", "Phone/1")
    assert row.document_version == given.document_version
    assert Consent.objects.filter(customer=customer, kind="marketing").count() == 2
    # The consent that was given is never edited.
    same = Consent.objects.get(pk=given.pk)
    assert (same.granted, same.ip_address, same.created_at) == (
        True,
        given.ip_address,
        given.created_at,
    )
    customer.refresh_from_db()
    assert customer.marketing_consent is False
    entry = ModelLogEntry.objects.get(action=CONSENT_WITHDRAW_ACTION)
    assert entry.data == {"customer_id": customer.pk, "kind": "marketing"}
    assert entry.user_id == user.pk and entry.label == f"Customer #{customer.pk}"


def test_withdrawing_twice_records_one_withdrawal(customer):
    assert withdraw(customer, "marketing") is not None

    assert withdraw(customer, "marketing") is None

    assert Consent.objects.filter(customer=customer, kind="marketing", granted=False).count() == 1
    assert ModelLogEntry.objects.filter(action=CONSENT_WITHDRAW_ACTION).count() == 1


def test_withdrawing_personal_data_withdraws_marketing_too(customer):
    row = withdraw(customer, "personal_data")

    assert (row.kind, row.granted) == ("personal_data", False)
    latest = {
        kind: Consent.objects.filter(customer=customer, kind=kind).latest("created_at", "pk")
        for kind in ("personal_data", "marketing", "offer")
    }
    assert latest["personal_data"].granted is False
    assert latest["marketing"].granted is False
    assert latest["offer"].granted is True  # the contract stands
    customer.refresh_from_db()
    assert customer.marketing_consent is False
    assert not customer.is_erased  # erasure is a separate, confirmed request
    assert ModelLogEntry.objects.filter(action=CONSENT_WITHDRAW_ACTION).count() == 2


def test_the_offer_cannot_be_withdrawn(customer):
    before = Consent.objects.count()

    with pytest.raises(PrivacyError) as refused:
        withdraw(customer, "offer")

    assert refused.value.code == "consent_not_withdrawable"
    assert Consent.objects.count() == before
    with pytest.raises(PrivacyError):
        withdraw(customer, "anything")


def test_an_erased_customer_has_nothing_to_withdraw(customer):
    expire_unpaid(Order.objects.get(customer=customer))
    personal_data_erase(customer=customer)
    before = Consent.objects.count()

    with pytest.raises(PrivacyError) as refused:
        withdraw(customer, "marketing")

    assert refused.value.code == "customer_erased"
    assert Consent.objects.count() == before
