"""The YooKassa emulator itself (devservers.yookassa): it checks credentials, idempotence
keys and bodies as YooKassa does, its confirmation page pays or declines and notifies the
shop, and its management command runs in development only.

No database: each test starts an emulator on a free port and a small HTTP server that
records the notifications the emulator sends (tests/devservers/yookassa.py)."""

import socket
from io import StringIO

import pytest
import requests
from django.core.management import CommandError, call_command
from django.test import override_settings

from booking.gateways.yookassa import GatewayError, YooKassaGateway
from devservers.management.commands import yookassa_emulator as command_module
from devservers.yookassa import EmulatorServer
from tests.devservers.yookassa import (
    RETURN_URL,
    SECRET_KEY,
    SHOP_ID,
    api,
    create,
    pay,
    receipt,
    stored_payments,
    wait_for,
)


def test_post_requires_an_idempotence_key(emulator):
    body = {
        "amount": {"value": "10.00", "currency": "RUB"},
        "confirmation": {"type": "redirect", "return_url": RETURN_URL},
    }
    response = api(emulator, "POST", "/payments", body, key=None)

    assert response.status_code == 400
    assert response.json()["parameter"] == "Idempotence-Key"
    assert stored_payments(emulator) == 0


@pytest.mark.parametrize(
    ("shop_id", "secret_key", "code"),
    [
        (SHOP_ID, "wrong-key", "UnauthorizedError"),
        ("another-shop", SECRET_KEY, "UnauthorizedError"),
        ("", "", "configuration"),
        (None, None, "configuration"),
    ],
)
def test_wrong_or_missing_credentials_are_refused(emulator, shop_id, secret_key, code):
    gateway = YooKassaGateway(shop_id=shop_id, secret_key=secret_key, api_url=emulator.api_url)

    with pytest.raises(GatewayError) as caught:
        create(gateway)
    assert caught.value.retryable is False
    assert caught.value.code == code

    with pytest.raises(GatewayError):
        gateway.get_payment("anything")
    assert stored_payments(emulator) == 0


def test_requests_without_authorization_get_401(emulator):
    response = api(emulator, "GET", "/payments/anything", auth=None)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_the_emulator_itself_requires_the_customers_email_or_phone(emulator):
    # The SDK already refuses this before sending; the emulator must refuse it too.
    body = {
        "amount": {"value": "1000.00", "currency": "RUB"},
        "confirmation": {"type": "redirect", "return_url": RETURN_URL},
        "receipt": receipt(customer={}),
    }
    response = api(emulator, "POST", "/payments", body)

    assert response.status_code == 400
    assert response.json()["parameter"] == "receipt.customer"

    body["receipt"]["customer"] = {"phone": "79990000000"}
    assert api(emulator, "POST", "/payments", body, key="another").status_code == 200


@pytest.mark.parametrize(
    "raw_body", [b"{not json", b"[1, 2]", b'"a string"', b"42", b"null"], ids=repr
)
def test_a_body_that_is_not_a_json_object_gets_a_400_json_error(emulator, raw_body):
    response = api(
        emulator,
        "POST",
        "/payments",
        data=raw_body,
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()
    assert error["type"] == "error"
    assert error["code"] == "invalid_request"
    assert stored_payments(emulator) == 0


# --- the confirmation page and notifications ----------------------------------------------


def test_the_confirmation_page_offers_pay_and_decline(gateway):
    payment = create(gateway)

    response = requests.get(payment.confirmation_url, timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert f'action="/checkout/{payment.id}/pay"' in page
    assert f'action="/checkout/{payment.id}/decline"' in page
    assert page.count('<button class="') == 2
    assert "1000.00" in page
    assert "Заказ ABC" in page


def test_paying_redirects_to_the_shop_and_notifies_it(gateway, emulator, recorder):
    payment = create(gateway)

    pay(emulator, payment.id)

    paid = gateway.get_payment(payment.id)
    assert paid.status == "succeeded"
    assert paid.paid is True
    assert paid.raw["receipt_registration"] == "succeeded"
    notification = recorder.wait_for_event("payment.succeeded", payment.id)
    assert notification is not None, recorder.received
    assert notification["type"] == "notification"
    obj = notification["object"]
    assert obj["status"] == "succeeded"
    assert obj["paid"] is True
    assert obj["amount"] == {"value": "1000.00", "currency": "RUB"}
    assert obj["metadata"]["order_id"] == "ABC"
    assert obj["payment_method"]["type"] == "bank_card"
    assert obj["confirmation"]["return_url"] == RETURN_URL
    assert not any(key.startswith("_") for key in obj)

    # The page now shows the outcome instead of the buttons.
    page = requests.get(payment.confirmation_url, timeout=5).text
    assert "<button" not in page
    assert "succeeded" in page

    # Paying twice changes nothing and sends nothing more.
    pay(emulator, payment.id)
    listing = requests.get(f"{emulator.url}/emulator/notifications", timeout=5).json()
    assert [n["event"] for n in listing["items"]] == ["payment.succeeded"]


def test_declining_cancels_the_payment_and_notifies_the_shop(gateway, emulator, recorder):
    payment = create(gateway)

    pay(emulator, payment.id, "decline")

    canceled = gateway.get_payment(payment.id)
    assert canceled.status == "canceled"
    assert canceled.paid is False
    assert canceled.cancellation_reason
    details = canceled.raw["cancellation_details"]
    assert details["party"] in {"merchant", "yoo_money", "payment_network"}
    assert details["reason"] == canceled.cancellation_reason
    notification = recorder.wait_for_event("payment.canceled", payment.id)
    assert notification is not None, recorder.received
    assert notification["object"]["cancellation_details"] == details


def test_the_test_helpers_settle_payments_without_a_browser(gateway, emulator, recorder):
    paid, declined = create(gateway, key="a"), create(gateway, key="b")

    ok = requests.post(f"{emulator.url}/emulator/payments/{paid.id}/succeed", timeout=5)
    no = requests.post(f"{emulator.url}/emulator/payments/{declined.id}/decline", timeout=5)
    bad = requests.post(f"{emulator.url}/emulator/payments/{paid.id}/explode", timeout=5)

    assert (ok.status_code, ok.json()["status"]) == (200, "succeeded")
    assert (no.status_code, no.json()["status"]) == (200, "canceled")
    assert bad.status_code == 401  # not a helper: an API path without credentials
    assert recorder.wait_for_event("payment.succeeded", paid.id)
    assert recorder.wait_for_event("payment.canceled", declined.id)


def test_a_closed_notification_url_does_not_break_the_emulator():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    server = EmulatorServer(
        port=0,
        notification_url=f"http://127.0.0.1:{closed_port}/notifications",
        retry_delays=(0.05, 0.05),
    ).start()
    try:
        gateway = YooKassaGateway(shop_id=SHOP_ID, secret_key=SECRET_KEY, api_url=server.api_url)
        payment = create(gateway)
        pay(server, payment.id)

        def attempts():
            listing = requests.get(f"{server.url}/emulator/notifications", timeout=5).json()
            return listing["deliveries"] if len(listing["deliveries"]) >= 3 else None

        deliveries = wait_for(attempts)
        assert deliveries, "the emulator did not retry the delivery"
        assert [d["attempt"] for d in deliveries] == [1, 2, 3]
        assert all(d["status"] is None and d["error"] for d in deliveries)
        # Still serving.
        assert gateway.get_payment(payment.id).status == "succeeded"
    finally:
        server.stop()


# --- the management command -------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"DEBUG": False},
        {"DEBUG": True, "SETTINGS_MODULE": "config.settings.production"},
    ],
    ids=["debug-off", "production-settings"],
)
def test_the_command_refuses_to_run_outside_development(overrides, monkeypatch):
    started = []
    monkeypatch.setattr(
        command_module.EmulatorServer, "serve_forever", lambda self: started.append(self)
    )

    with override_settings(**overrides), pytest.raises(CommandError) as caught:
        call_command("yookassa_emulator", "--port", "0")

    assert "development only" in str(caught.value)
    assert started == []


def test_the_command_runs_the_emulator_in_development(monkeypatch):
    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(command_module.EmulatorServer, "serve_forever", interrupted)
    out = StringIO()

    with override_settings(DEBUG=True):
        call_command("yookassa_emulator", "--port", "0", stdout=out)

    assert "YooKassa emulator on http://127.0.0.1:" in out.getvalue()


def test_with_a_state_file_a_restarted_emulator_still_knows_its_payments(tmp_path):
    """`make run` keeps the emulator's state in var/, so that the demo's paid orders can
    still be refunded after the site is restarted."""
    state = tmp_path / "yookassa.json"
    first = EmulatorServer(
        notification_url=None, shop_id=SHOP_ID, secret_key=SECRET_KEY, state_file=str(state)
    ).start()
    try:
        gateway = YooKassaGateway(shop_id=SHOP_ID, secret_key=SECRET_KEY, api_url=first.api_url)
        payment = create(gateway, key="kept")
        pay(first, payment.id)
    finally:
        first.stop()
    assert state.exists()

    second = EmulatorServer(
        notification_url=None, shop_id=SHOP_ID, secret_key=SECRET_KEY, state_file=str(state)
    ).start()
    try:
        known = api(second, "GET", f"/payments/{payment.id}")
        refund = api(
            second,
            "POST",
            "/refunds",
            {"payment_id": payment.id, "amount": {"value": "400.00", "currency": "RUB"}},
            key="refund-after-restart",
        )
        # The same key with the same body after a restart answers the stored payment.
        replayed = create(
            YooKassaGateway(shop_id=SHOP_ID, secret_key=SECRET_KEY, api_url=second.api_url),
            key="kept",
        )
    finally:
        second.stop()
    assert (known.status_code, known.json()["status"]) == (200, "succeeded")
    assert (refund.status_code, refund.json()["status"]) == (200, "succeeded")
    assert replayed.id == payment.id


def test_without_a_state_file_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    server = EmulatorServer(notification_url=None, shop_id=SHOP_ID, secret_key=SECRET_KEY).start()
    try:
        gateway = YooKassaGateway(shop_id=SHOP_ID, secret_key=SECRET_KEY, api_url=server.api_url)
        create(gateway, key="memory-only")
    finally:
        server.stop()
    assert list(tmp_path.iterdir()) == []
