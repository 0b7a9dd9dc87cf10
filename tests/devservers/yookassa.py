"""The YooKassa emulator on a free port, a small HTTP server that records the
notifications it sends, the site's gateway pointed at it, and the requests the tests make
(real HTTP, the official SDK, no database)."""

import json
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from booking.gateways.yookassa import YooKassaGateway
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
