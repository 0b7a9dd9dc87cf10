"""Sentry: the scrubber on a realistic event, and the real protocol: an SDK client whose
DSN points at a local HTTP server; the envelope it receives has no personal data."""

import gzip
import http.server
import threading

import brotli
import sentry_sdk

from config.observe.sentry import scrub_event

EMAIL = "anna.smirnova@example.com"
PHONE = "+79123456789"
PHONE_TYPED = "8 912 345-67-89"
SECRET = "Jx8v3kQ0pL9mZt2wR7yB5nC1dF6gH4sA0eU8iO3qW2x"
TOKEN = "tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def realistic_event() -> dict:
    return {
        "event_id": "0" * 32,
        "level": "error",
        "logger": "booking.services.payments",
        "message": f"Payment for {EMAIL} ({PHONE_TYPED}) failed",
        "logentry": {"message": "Payment for %s failed", "params": [EMAIL]},
        "exception": {
            "values": [
                {
                    "type": "PaymentError",
                    "value": f"order /ru/booking/order/AB12CD/{SECRET}/ phone {PHONE}",
                    "stacktrace": {
                        "frames": [{"function": "payment_start", "vars": {"email": EMAIL}}]
                    },
                }
            ]
        },
        "request": {
            "url": f"https://prichal.example/ru/booking/order/AB12CD/{SECRET}/",
            "method": "POST",
            "query_string": f"email={EMAIL}&token={TOKEN}",
            "data": {"name": "Анна Смирнова", "email": EMAIL, "phone": PHONE, "count": 2},
            "headers": {
                "Authorization": f"Bearer {TOKEN}",
                "Cookie": "sessionid=abc",
                "User-Agent": "Firefox/140",
                "Referer": f"https://prichal.example/ru/booking/checkout/{SECRET}/",
            },
            "cookies": {"sessionid": "abc", "csrftoken": "def"},
            "env": {"REMOTE_ADDR": "198.51.100.4"},
        },
        "user": {"id": 42, "email": EMAIL, "ip_address": "198.51.100.4", "username": EMAIL},
        "breadcrumbs": {
            "values": [
                {"category": "query", "message": f"SELECT … WHERE email = '{EMAIL}'"},
                {"category": "httplib", "data": {"url": f"https://api/x?phone={PHONE}"}},
            ]
        },
        "extra": {"order_secret": SECRET, "customer": f"{EMAIL}, {PHONE}"},
        "contexts": {"order": {"code": "AB12CD", "secret": SECRET}},
    }


def test_the_scrubber_leaves_no_personal_data_or_secret():
    event = scrub_event(realistic_event(), {})
    text = repr(event)
    for personal in (EMAIL, PHONE, PHONE_TYPED, SECRET, TOKEN, "Анна", "198.51.100.4", "abc"):
        assert personal not in text, personal
    # What an engineer needs is still there.
    assert event["exception"]["values"][0]["type"] == "PaymentError"
    assert event["contexts"]["order"]["code"] == "AB12CD"
    assert event["request"]["headers"]["User-Agent"] == "Firefox/140"
    assert event["request"]["data"]["count"] == 2
    assert event["user"] == {"id": 42}
    assert "/ru/booking/order/AB12CD/***/" in event["request"]["url"]


class Receiver(http.server.BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        Receiver.bodies.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_an_error_reaches_a_sentry_compatible_server_scrubbed():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Receiver.bodies.clear()
    dsn = f"http://publickey@127.0.0.1:{server.server_address[1]}/7"
    client = sentry_sdk.Client(
        dsn=dsn,
        send_default_pii=False,
        before_send=scrub_event,
        default_integrations=False,
        include_local_variables=False,
        environment="test",
        release="prichal@test",
    )
    try:
        with sentry_sdk.isolation_scope() as scope:
            scope.set_client(client)
            scope.set_user({"id": 42, "email": EMAIL})
            scope.set_context("order", {"code": "AB12CD", "secret": SECRET})
            sentry_sdk.add_breadcrumb(message=f"sent to {EMAIL}")
            try:
                raise RuntimeError(f"YooKassa refused {EMAIL} {PHONE} order {SECRET}")
            except RuntimeError:
                sentry_sdk.capture_exception()
        client.flush(timeout=5)
    finally:
        server.shutdown()
    body = b"".join(Receiver.bodies)
    assert b"RuntimeError" in body and b'"environment":"test"' in body
    assert b"prichal@test" in body
    for personal in (EMAIL, PHONE, SECRET):
        assert personal.encode() not in body, personal
