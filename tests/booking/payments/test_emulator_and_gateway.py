"""The YooKassa emulator and the gateway, over real HTTP through the official SDK.

No database: each test starts an emulator on a free port and a small HTTP server that
records the notifications the emulator sends."""

import json
import socket
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
import requests
from django.core.management import CommandError, call_command
from django.test import override_settings

from booking.gateways.yookassa import GatewayError, GatewayNotFound, YooKassaGateway
from devservers.management.commands import yookassa_emulator as command_module
from devservers.yookassa import EmulatorServer

SHOP_ID = "emulator"
SECRET_KEY = "test_emulator_key"
RETURN_URL = "http://shop.test/orders/ABC/return"
WAIT = 5.0  # seconds to wait for an asynchronous notification


def wait_for(predicate, timeout=WAIT, interval=0.02):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            return result
        time.sleep(interval)


class Recorder:
    """A local HTTP endpoint that answers every POST with 200 and keeps the JSON body."""

    def __init__(self):
        self.received: list[dict] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                recorder.received.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/notifications"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def wait_for_event(self, event: str, object_id: str) -> dict | None:
        def find():
            for body in list(self.received):
                if body.get("event") == event and body.get("object", {}).get("id") == object_id:
                    return body
            return None

        return wait_for(find)


@pytest.fixture
def recorder():
    server = Recorder()
    yield server
    server.stop()


@pytest.fixture
def emulator(recorder):
    server = EmulatorServer(
        port=0, notification_url=recorder.url, shop_id=SHOP_ID, secret_key=SECRET_KEY
    ).start()
    yield server
    server.stop()


@pytest.fixture
def gateway(emulator):
    return YooKassaGateway(shop_id=SHOP_ID, secret_key=SECRET_KEY, api_url=emulator.api_url)


def item(amount="1000.00", quantity=1, **extra):
    return {
        "description": "Билет: Белые ночи",
        "quantity": str(quantity),
        "amount": {"value": amount, "currency": "RUB"},
        "vat_code": 1,
        "payment_mode": "full_prepayment",
        "payment_subject": "service",
        **extra,
    }


def receipt(items=None, **extra):
    data = {
        "customer": {"email": "buyer@example.com"},
        "items": items if items is not None else [item()],
        "tax_system_code": 2,
    }
    data.update(extra)
    return data


def create(gateway, amount="1000.00", key="payment-1", **kwargs):
    params = {
        "description": "Заказ ABC",
        "return_url": RETURN_URL,
        "metadata": {"order_id": "ABC"},
        "receipt": receipt(),
    }
    params.update(kwargs)
    return gateway.create_payment(amount=Decimal(amount), idempotence_key=key, **params)


def api(emulator, method, path, body=None, key="raw-key", auth=(SHOP_ID, SECRET_KEY), **kw):
    headers = {"Idempotence-Key": key} if method == "POST" and key else {}
    return requests.request(
        method,
        f"{emulator.api_url}{path}",
        auth=auth,
        headers={**headers, **kw.pop("headers", {})},
        timeout=5,
        **({"json": body} if body is not None else {}),
        **kw,
    )


def pay(emulator, payment_id, action="pay"):
    response = requests.post(
        f"{emulator.url}/checkout/{payment_id}/{action}", allow_redirects=False, timeout=5
    )
    assert response.status_code == 303
    assert response.headers["Location"] == RETURN_URL
    return response


def stored_payments(emulator):
    return len(emulator.emulator.store.payments)


# --- payments ---------------------------------------------------------------------------


def test_a_new_payment_is_pending_with_a_confirmation_url(gateway, emulator):
    payment = create(gateway)

    assert payment.status == "pending"
    assert payment.paid is False
    assert payment.amount == Decimal("1000.00")
    assert payment.refunded_amount == Decimal("0")
    assert payment.confirmation_url == f"{emulator.url}/checkout/{payment.id}"
    assert payment.metadata["order_id"] == "ABC"
    assert payment.raw["confirmation"]["return_url"] == RETURN_URL
    assert payment.raw["receipt_registration"] == "pending"

    fetched = gateway.get_payment(payment.id)
    assert (fetched.id, fetched.status, fetched.amount) == (payment.id, "pending", payment.amount)


def test_the_same_key_and_body_return_the_same_payment(gateway, emulator):
    first = create(gateway, key="order-ABC-attempt-1")
    second = create(gateway, key="order-ABC-attempt-1")

    assert second.id == first.id
    assert stored_payments(emulator) == 1

    third = create(gateway, key="order-ABC-attempt-2")
    assert third.id != first.id
    assert stored_payments(emulator) == 2


def test_the_same_key_with_another_body_is_refused(gateway, emulator):
    create(gateway, key="order-ABC-attempt-1")

    with pytest.raises(GatewayError) as caught:
        create(
            gateway,
            amount="900.00",
            key="order-ABC-attempt-1",
            receipt=receipt([item("900.00")]),
        )

    assert caught.value.retryable is False
    assert "idempotence key" in str(caught.value).lower()
    assert stored_payments(emulator) == 1


def test_a_key_used_for_a_payment_cannot_be_reused_for_a_refund(gateway, emulator):
    payment = create(gateway, key="shared-key")
    emulator.emulator.settle(payment.id, "pay")

    with pytest.raises(GatewayError) as caught:
        gateway.create_refund(
            payment_id=payment.id,
            amount=Decimal("100"),
            description="",
            receipt=None,
            idempotence_key="shared-key",
        )
    assert caught.value.retryable is False


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


@pytest.mark.parametrize(
    ("bad_receipt", "message"),
    [
        (receipt([item("600.00"), item("300.00")]), "sum of receipt items"),
        (receipt([item("500.00", quantity=3)]), "sum of receipt items"),
        (receipt([item(vat_code=0)]), "vat_code"),
        (receipt([item(vat_code=13)]), "vat_code"),
        (receipt(tax_system_code=0), "tax_system_code"),
        (receipt(tax_system_code=7), "tax_system_code"),
        (receipt([item(payment_mode="gift")]), "payment_mode"),
        (receipt(customer={"full_name": "Иван Петров"}), "email"),
        (receipt([]), "items"),
    ],
)
def test_invalid_receipts_are_refused(gateway, emulator, bad_receipt, message):
    with pytest.raises(GatewayError) as caught:
        create(gateway, receipt=bad_receipt)

    assert caught.value.retryable is False
    assert message in str(caught.value)
    assert stored_payments(emulator) == 0


def test_receipt_items_may_add_up_with_quantities(gateway):
    payment = create(gateway, receipt=receipt([item("300.00", quantity=3), item("100.00")]))

    assert payment.status == "pending"


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


def test_unknown_objects_are_not_found(gateway, emulator):
    with pytest.raises(GatewayNotFound):
        gateway.get_payment("00000000-0000-0000-0000-000000000000")
    with pytest.raises(GatewayNotFound):
        gateway.get_refund("00000000-0000-0000-0000-000000000000")

    response = api(emulator, "GET", "/receipts/nope")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unreachable_api_is_a_retryable_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway = YooKassaGateway(
        shop_id=SHOP_ID, secret_key=SECRET_KEY, api_url=f"http://127.0.0.1:{port}/v3"
    )

    with pytest.raises(GatewayError) as caught:
        gateway.get_payment("anything")
    assert caught.value.retryable is True
    assert caught.value.code == "network"

    with pytest.raises(GatewayError) as caught:
        create(gateway)
    assert caught.value.retryable is True


def test_an_api_that_never_answers_times_out_as_a_retryable_error():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        gateway = YooKassaGateway(
            shop_id=SHOP_ID,
            secret_key=SECRET_KEY,
            api_url=f"http://127.0.0.1:{silent.getsockname()[1]}/v3",
            timeout=(1, 0.3),
        )
        started = time.monotonic()
        with pytest.raises(GatewayError) as caught:
            gateway.get_payment("anything")
    assert caught.value.retryable is True
    assert time.monotonic() - started < 5


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


# --- refunds --------------------------------------------------------------------------


def refund(gateway, payment_id, amount, key, description="Возврат"):
    return gateway.create_refund(
        payment_id=payment_id,
        amount=Decimal(amount),
        description=description,
        receipt=None,
        idempotence_key=key,
    )


def test_partial_refunds_then_the_rest(gateway, emulator, recorder):
    payment = create(gateway)
    pay(emulator, payment.id)

    first = refund(gateway, payment.id, "400.00", "refund-1")
    assert (first.status, first.amount, first.payment_id) == (
        "succeeded",
        Decimal("400.00"),
        payment.id,
    )
    assert gateway.get_payment(payment.id).refunded_amount == Decimal("400.00")

    with pytest.raises(GatewayError) as caught:
        refund(gateway, payment.id, "600.01", "refund-too-much")
    assert caught.value.retryable is False

    rest = refund(gateway, payment.id, "600.00", "refund-2")
    assert rest.status == "succeeded"
    after = gateway.get_payment(payment.id)
    assert after.refunded_amount == Decimal("1000.00")
    assert after.raw["refundable"] is False
    assert gateway.get_refund(rest.id).amount == Decimal("600.00")

    # Retrying a refund with its key returns it again instead of refunding twice.
    assert refund(gateway, payment.id, "600.00", "refund-2").id == rest.id

    with pytest.raises(GatewayError) as caught:
        refund(gateway, payment.id, "0.01", "refund-3")
    assert "completely refunded" in str(caught.value)

    for made in (first, rest):
        notification = recorder.wait_for_event("refund.succeeded", made.id)
        assert notification is not None, recorder.received
        assert notification["object"]["payment_id"] == payment.id
        assert notification["object"]["amount"] == {
            "value": f"{made.amount:.2f}",
            "currency": "RUB",
        }


def test_a_refund_above_the_payment_is_refused(gateway, emulator):
    payment = create(gateway)
    pay(emulator, payment.id)

    with pytest.raises(GatewayError) as caught:
        refund(gateway, payment.id, "1000.01", "refund-1")

    assert caught.value.retryable is False
    assert gateway.get_payment(payment.id).refunded_amount == Decimal("0")


@pytest.mark.parametrize("outcome", [None, "decline"])
def test_a_payment_that_did_not_succeed_cannot_be_refunded(gateway, emulator, outcome):
    payment = create(gateway)
    if outcome:
        pay(emulator, payment.id, outcome)

    with pytest.raises(GatewayError) as caught:
        refund(gateway, payment.id, "100.00", "refund-1")

    assert caught.value.retryable is False
    assert emulator.emulator.store.refunds == {}


def test_a_refund_of_an_unknown_payment_is_not_found(gateway):
    with pytest.raises(GatewayNotFound):
        refund(gateway, "00000000-0000-0000-0000-000000000000", "1.00", "refund-1")


# --- receipts ---------------------------------------------------------------------------


def settlement_receipt(payment_id, amount="1000.00", **extra):
    return {
        "type": "payment",
        "payment_id": payment_id,
        "send": True,
        "customer": {"email": "buyer@example.com"},
        "tax_system_code": 2,
        "settlements": [{"type": "prepayment", "amount": {"value": amount, "currency": "RUB"}}],
        "items": [item("1000.00", payment_mode="full_payment")],
        **extra,
    }


def test_a_prepayment_settlement_receipt_is_registered(gateway, emulator):
    payment = create(gateway)
    pay(emulator, payment.id)

    created = gateway.create_receipt(
        receipt=settlement_receipt(payment.id), idempotence_key="receipt-1"
    )

    assert created["type"] == "payment"
    assert created["status"] == "succeeded"
    assert created["payment_id"] == payment.id
    fetched = api(emulator, "GET", f"/receipts/{created['id']}")
    assert fetched.status_code == 200
    data = fetched.json()
    assert data["id"] == created["id"]
    assert data["settlements"] == [
        {"type": "prepayment", "amount": {"value": "1000.00", "currency": "RUB"}}
    ]
    assert data["items"][0]["payment_mode"] == "full_payment"

    again = gateway.create_receipt(
        receipt=settlement_receipt(payment.id), idempotence_key="receipt-1"
    )
    assert again["id"] == created["id"]
    assert len(emulator.emulator.store.receipts) == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"settlements": [{"type": "prepayment", "amount": {"value": "999.00", "currency": "RUB"}}]},
        {"customer": {"full_name": "Иван Петров"}},
        {"items": [item("1000.00", payment_mode="full_payment", vat_code=99)]},
        {"send": False},
    ],
    ids=["sum", "customer", "vat_code", "send"],
)
def test_an_invalid_settlement_receipt_is_refused(gateway, emulator, changes):
    payment = create(gateway)
    pay(emulator, payment.id)

    with pytest.raises(GatewayError) as caught:
        gateway.create_receipt(
            receipt=settlement_receipt(payment.id, **changes), idempotence_key="receipt-1"
        )

    assert caught.value.retryable is False
    assert emulator.emulator.store.receipts == {}


def test_a_receipt_for_an_unknown_payment_is_not_found(gateway):
    with pytest.raises(GatewayNotFound):
        gateway.create_receipt(
            receipt=settlement_receipt("00000000-0000-0000-0000-000000000000"),
            idempotence_key="receipt-1",
        )


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
