"""The notification endpoint against a hostile sender and an unreachable YooKassa (issue 8,
B21), through the real SDK and the shipped emulator: a deeply nested body is a 400; the
sender and the body's shape are checked before anything is stored or any call is made;
what is stored is bounded and kept for a set time; a notification that could not be
verified is answered 503 so that YooKassa delivers it again."""

import datetime
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import TestCase
from django.utils import timezone
from django_q.models import Schedule

from booking.gateways.yookassa import get_gateway
from booking.models import Order, Payment, PaymentNotification
from booking.services.payments import _payment_description, payment_start
from booking.services.receipts import payment_receipt
from tests.factories import placed_order

pytestmark = pytest.mark.django_db
NOTIFY = "/api/v1/payments/yookassa/notifications"
RETURN_URL = "http://testserver/ru/booking/order/X/y/"
YOOKASSA_ADDRESS = "185.71.76.17"


def closed_port_url() -> str:
    """An API address where nothing listens (YooKassa unreachable)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v3"


@pytest.fixture
def failing_yookassa(settings):
    """An API that answers every request with 500 ("the outcome is unknown")."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

        def do_GET(self):
            data = b'{"type": "error", "code": "internal_server_error"}'
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v3"
    httpd.shutdown()
    thread.join(timeout=5)
    httpd.server_close()


def body_of(event: str, obj: dict) -> bytes:
    return json.dumps({"type": "notification", "event": event, "object": obj}).encode()


def post(client, raw: bytes, address: str = "127.0.0.1"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(NOTIFY, data=raw, content_type="application/json", REMOTE_ADDR=address)


def started():
    order = placed_order()
    return order, payment_start(order=order, return_url=RETURN_URL)


# --- (a) a deeply nested body ---------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 60_000,
        b'{"type": "notification", "event": "payment.succeeded", "object": '
        + b'{"a": ' * 9_000
        + b"1"
        + b"}" * 9_000
        + b"}",
    ],
    ids=["unbalanced-arrays", "nested-objects"],
)
def test_a_deeply_nested_body_is_a_400_and_stores_nothing(client, yookassa, raw):
    assert len(raw) < 64 * 1024
    response = post(client, raw)
    assert response.status_code == 400
    assert not PaymentNotification.objects.exists()


# --- (b) the sender and the shape are checked first; what is kept is bounded ---------


def test_a_sender_outside_yookassa_ranges_stores_nothing_and_asks_nothing(
    client, yookassa, settings
):
    settings.YOOKASSA_CHECK_NOTIFICATION_IP = True
    order, payment = started()
    yookassa.settle(payment.provider_id, "succeed")
    raw = body_of("payment.succeeded", yookassa.payment(payment.provider_id))
    # Were the API asked, an unreachable one would make the answer a 503.
    settings.YOOKASSA_API_URL = closed_port_url()
    response = post(client, raw, address="203.0.113.5")
    assert response.status_code == 403
    assert not PaymentNotification.objects.exists()
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_PAYMENT


@pytest.mark.parametrize(
    "object_id",
    [
        "x",
        "../../payments/secret",
        "2f0b5b5e-0000-4000-8000-00000000000",  # one digit short
        "2f0b5b5e-0000-4000-8000-00000000000g",
        "2f0b5b5e00004000800000000000000000000",
        "2f0b5b5e-0000-4000-8000-000000000000 ",
        "x" * 64,
    ],
)
def test_an_id_yookassa_never_issues_is_refused_without_asking_the_api(
    client, yookassa, settings, object_id
):
    settings.YOOKASSA_API_URL = closed_port_url()
    raw = body_of("payment.succeeded", {"id": object_id, "status": "succeeded", "paid": True})
    response = post(client, raw)
    assert response.status_code == 400
    assert not PaymentNotification.objects.exists()


def test_the_stored_record_is_bounded(client, yookassa, settings):
    order, payment = started()
    yookassa.settle(payment.provider_id, "succeed")
    obj = yookassa.payment(payment.provider_id)
    obj["description"] = "x" * 55_000  # padding a sender may add
    raw = body_of("payment.succeeded", obj)
    assert 50_000 < len(raw) < 64 * 1024
    response = post(client, raw, address="185.71.76.17")
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID

    record = PaymentNotification.objects.get()
    assert (record.event, record.object_id, record.status, record.outcome) == (
        "payment.succeeded",
        payment.provider_id,
        "succeeded",
        "applied",
    )
    assert record.remote_addr == "185.71.76.17"
    assert 0 < len(record.excerpt) <= PaymentNotification._meta.get_field("excerpt").max_length
    assert raw.decode().startswith(record.excerpt)
    assert not hasattr(record, "body")


def test_a_repeated_delivery_of_a_settled_payment_needs_no_call(client, yookassa, settings):
    order, payment = started()
    yookassa.settle(payment.provider_id, "succeed")
    raw = body_of("payment.succeeded", yookassa.payment(payment.provider_id))
    assert post(client, raw).status_code == 200

    # YooKassa is down now; the payment is final here, so its notifications can be
    # answered from our own (verified) record.
    settings.YOOKASSA_API_URL = closed_port_url()
    again = post(client, raw)
    cancel = post(
        client,
        body_of(
            "payment.canceled",
            {"id": payment.provider_id, "status": "canceled", "paid": False},
        ),
    )
    assert (again.status_code, cancel.status_code) == (200, 400)
    outcomes = list(PaymentNotification.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == ["applied", "unchanged", "forged"]
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


# --- (c) retention ---------------------------------------------------------------------


def test_old_notifications_are_deleted_by_a_scheduled_task(settings):
    from booking.tasks import delete_old_payment_notifications

    settings.PAYMENT_NOTIFICATION_RETENTION_DAYS = 30
    now = timezone.now()
    ages = {"old": 31, "older": 400, "recent": 29, "new": 0}
    for name, days in ages.items():
        record = PaymentNotification.objects.create(
            event="payment.succeeded", object_id=name, status="succeeded"
        )
        PaymentNotification.objects.filter(pk=record.pk).update(
            received_at=now - datetime.timedelta(days=days)
        )
    assert delete_old_payment_notifications() == 2
    assert set(PaymentNotification.objects.values_list("object_id", flat=True)) == {
        "recent",
        "new",
    }
    # The data migration schedules it on django-q2.
    schedule = Schedule.objects.get(func="booking.tasks.delete_old_payment_notifications")
    assert schedule.repeats == -1 and schedule.schedule_type in (Schedule.DAILY, "I")


# --- (d) YooKassa unreachable: answer so that it delivers again -----------------------


def lost_answer_payment(yookassa):
    """A payment YooKassa made whose answer never reached us: our record has no provider
    id, so only a verified notification (or its metadata) can tie them."""
    order = placed_order()
    record = Payment.objects.create(order=order, idempotence_key="k-lost", amount=order.total)
    remote = get_gateway().create_payment(
        amount=order.total,
        description=_payment_description(order),
        return_url=RETURN_URL,
        metadata={"order_id": order.pk, "order_code": order.code, "payment_id": record.pk},
        receipt=payment_receipt(order),
        idempotence_key=record.idempotence_key,
    )
    yookassa.settle(remote.id, "succeed")
    return order, remote.id


def test_an_unverifiable_notification_is_retried_by_yookassa(client, yookassa, settings):
    order, provider_id = lost_answer_payment(yookassa)
    raw = body_of("payment.succeeded", yookassa.payment(provider_id))
    api_url = settings.YOOKASSA_API_URL

    yookassa.server.stop()  # YooKassa's API is down
    during_outage = post(client, raw, address=YOOKASSA_ADDRESS)
    assert during_outage.status_code == 503
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_PAYMENT
    assert PaymentNotification.objects.get().outcome == "unverified"

    # YooKassa delivers it again once the API is back.
    from devservers.yookassa import EmulatorServer

    port = int(api_url.rsplit(":", 1)[1].split("/")[0])
    revived = EmulatorServer(port=port)
    revived.emulator.store = yookassa.server.emulator.store
    revived.start()
    try:
        retried = post(client, raw, address=YOOKASSA_ADDRESS)
    finally:
        revived.stop()
    assert retried.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    outcomes = list(PaymentNotification.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == ["unverified", "applied"]


def test_a_5xx_from_yookassa_is_answered_503(client, yookassa, settings, failing_yookassa):
    _order, payment = started()
    yookassa.settle(payment.provider_id, "succeed")
    raw = body_of("payment.succeeded", yookassa.payment(payment.provider_id))
    settings.YOOKASSA_API_URL = failing_yookassa
    response = post(client, raw)
    assert response.status_code == 503
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert PaymentNotification.objects.get().outcome == "unverified"


def test_a_refund_notification_during_an_outage_is_answered_503(client, yookassa, settings):
    settings.YOOKASSA_API_URL = closed_port_url()
    raw = body_of(
        "refund.succeeded",
        {"id": "2f0b5b5e-0015-5000-9000-1a2b3c4d5e6f", "status": "succeeded"},
    )
    assert post(client, raw).status_code == 503


# --- the schema ------------------------------------------------------------------------


def test_the_openapi_schema_documents_every_answer(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"][NOTIFY]["post"]
    assert {"200", "400", "403", "413", "429", "503"} <= set(operation["responses"])
    assert "application/json" in operation["requestBody"]["content"]
