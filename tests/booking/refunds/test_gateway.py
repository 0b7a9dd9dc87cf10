"""Refunds through the YooKassa emulator over real HTTP with the official SDK: the
request's own idempotence key, the 54-FZ receipt of a partial refund (its items sum to
the refunded amount; fees only when refunded) and none for the whole payment; a gateway
failure that leaves the request standing until the reconciliation sends it; refund
notifications genuine, repeated and forged; a refund YooKassa cancels."""

import datetime
import json
import logging
import socket
from decimal import Decimal

import pytest
from django.test import TestCase
from django.utils import timezone
from django_q.models import Schedule
from wagtail.models import ModelLogEntry

from booking.gateways.yookassa import GatewayError
from booking.models import Order, PaymentNotification, Refund, RefundPolicy, Ticket
from booking.services.payments import REFUND_CANCELED_ACTION, payments_reconcile
from booking.services.refunds import refund_request
from tests.booking.refunds.helpers import (
    DEADLINE,
    item_total,
    order_fee,
    paid_through_yookassa,
    pier_departure,
    refund_calls,
)

pytestmark = pytest.mark.django_db
NOTIFY = "/api/v1/payments/yookassa/notifications"
IN_TIME = DEADLINE - datetime.timedelta(days=2)
LATER = datetime.timedelta(minutes=10)  # past BOOKING_RECONCILE_AFTER_MINUTES


def request_now(order, tickets=None):
    """`refund_request` with what it does after its commit (the call to YooKassa, the
    queued notice) run before this returns, as outside a test."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        refund = refund_request(order=order, tickets=tickets, now=IN_TIME)
    refund.refresh_from_db()
    return refund


def tickets_of(order):
    return list(order.tickets.order_by("pk"))


def notify(client, event, obj):
    body = json.dumps({"type": "notification", "event": event, "object": obj})
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(NOTIFY, data=body, content_type="application/json")


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v3"


class TestReceipts:
    def test_a_partial_refund_lists_its_tickets_and_fees_summing_to_the_amount(self, yookassa):
        order_fee("150.00")
        order = paid_through_yookassa(count=2)
        first, second = tickets_of(order)

        refund = request_now(order, [first])
        assert refund.status == Refund.Status.SUCCEEDED  # sent at once, answered
        [call] = refund_calls(yookassa)
        assert call["key"] == refund.idempotence_key
        body = call["body"]
        assert body["payment_id"] == order.paid_by.provider_id
        assert body["amount"]["value"] == f"{first.paid_amount:.2f}" == f"{refund.amount:.2f}"
        receipt = body["receipt"]
        assert item_total(receipt) == refund.amount
        descriptions = [item["description"] for item in receipt["items"]]
        assert len(descriptions) == 2 and descriptions[1] == "Сервисный сбор"
        assert descriptions[0].startswith("Билет: Белые ночи, 07.12.2031 11:00")
        assert Decimal(receipt["items"][1]["amount"]["value"]) == first.fee
        assert receipt["customer"]["email"] == order.email

        rest = request_now(order, [second])
        receipt = refund_calls(yookassa)[1]["body"]["receipt"]
        assert item_total(receipt) == rest.amount == second.paid_amount
        remote = yookassa.payment(order.paid_by.provider_id)
        assert Decimal(remote["refunded_amount"]["value"]) == order.total

    def test_kept_fees_are_not_in_the_receipt(self, yookassa):
        order_fee("150.00")
        policy = RefundPolicy.objects.create(name="Fees kept", refunds_fees=False)
        order = paid_through_yookassa(pier_departure(policy=policy), count=2)

        refund = request_now(order)  # the whole order, less the fee: still partial
        assert refund.status == Refund.Status.SUCCEEDED
        assert refund.amount == order.total - Decimal("150.00")
        receipt = refund_calls(yookassa)[0]["body"]["receipt"]
        assert item_total(receipt) == refund.amount
        assert all(i["description"].startswith("Билет:") for i in receipt["items"])
        remote = yookassa.payment(order.paid_by.provider_id)
        assert Decimal(remote["refunded_amount"]["value"]) == refund.amount

    def test_a_refund_of_the_whole_payment_carries_no_receipt(self, yookassa):
        order_fee("150.00")
        order = paid_through_yookassa(count=2)
        refund = request_now(order)
        assert refund.amount == order.total and refund.status == Refund.Status.SUCCEEDED
        [call] = refund_calls(yookassa)
        assert "receipt" not in call["body"]


def test_a_gateway_failure_keeps_the_request_and_the_reconciliation_sends_it(
    yookassa, settings, caplog
):
    order = paid_through_yookassa(count=2)
    first = tickets_of(order)[0]
    api_url = settings.YOOKASSA_API_URL
    settings.YOOKASSA_API_URL = closed_port_url()

    # Tasks run inline in the tests: the queued retry fails as well, and says so.
    with pytest.raises(GatewayError), TestCase.captureOnCommitCallbacks(execute=True):
        refund_request(order=order, tickets=[first], now=IN_TIME)

    # The request stands: the ticket is refunded, the refund waits to be sent, and the
    # task is scheduled to try again.
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.CREATED and refund.provider_id is None
    assert Schedule.objects.filter(name__startswith="retry booking.tasks.send_refund").exists()
    first.refresh_from_db()
    assert first.status == Ticket.Status.REFUNDED
    order.refresh_from_db()
    assert order.status == Order.Status.PARTLY_REFUNDED
    assert "not sent yet" in caplog.text

    settings.YOOKASSA_API_URL = api_url
    assert payments_reconcile(now=timezone.now() + LATER)["refunds"] == 1
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.provider_id
    assert len(refund_calls(yookassa)) == 1
    # Nothing left to do: the reconciliation does not send it again.
    payments_reconcile(now=timezone.now() + LATER)
    assert len(refund_calls(yookassa)) == 1


def test_the_reconciliation_fetches_a_refund_left_pending(yookassa):
    yookassa.server.emulator.refund_status = "pending"
    order = paid_through_yookassa(count=1)
    refund = request_now(order)
    assert refund.status == Refund.Status.PENDING
    yookassa.server.emulator.settle_refund(refund.provider_id, "succeed")
    assert payments_reconcile(now=timezone.now())["refunds"] == 0  # not yet due
    assert payments_reconcile(now=timezone.now() + LATER)["refunds"] == 1
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert len(refund_calls(yookassa)) == 1  # fetched, not created again


class TestNotifications:
    @pytest.fixture
    def pending(self, yookassa):
        yookassa.server.emulator.refund_status = "pending"
        order = paid_through_yookassa(count=2)
        refund = request_now(order, [tickets_of(order)[0]])
        assert refund.status == Refund.Status.PENDING
        return order, refund

    def state(self, order, refund):
        order.refresh_from_db()
        refund.refresh_from_db()
        tickets = sorted(order.tickets.values_list("pk", "status"))
        return order.status, refund.status, tickets

    def test_success_is_applied_once_however_often_it_arrives(self, client, yookassa, pending):
        order, refund = pending
        remote = yookassa.server.emulator.settle_refund(refund.provider_id, "succeed")
        before = self.state(order, refund)

        assert notify(client, "refund.succeeded", remote).status_code == 200
        assert notify(client, "refund.succeeded", remote).status_code == 200

        refund.refresh_from_db()
        assert refund.status == Refund.Status.SUCCEEDED
        # Only the refund moved: the tickets were refunded when it was requested.
        assert self.state(order, refund)[::2] == before[::2]
        outcomes = list(
            PaymentNotification.objects.order_by("pk").values_list("outcome", flat=True)
        )
        assert outcomes == ["applied", "unchanged"]

    def test_forged_notifications_change_nothing(self, client, yookassa, pending):
        order, refund = pending
        before = self.state(order, refund)
        remote = dict(yookassa.server.emulator.get_refund(refund.provider_id))

        # The API says pending: a "succeeded" is forged.
        forged = notify(client, "refund.succeeded", {**remote, "status": "succeeded"})
        assert forged.status_code == 400
        assert self.state(order, refund) == before
        # A refund YooKassa does not know.
        unknown = {**remote, "id": "2f0b5b5e-0015-5000-9000-1a2b3c4d5e6f", "status": "succeeded"}
        assert notify(client, "refund.succeeded", unknown).status_code == 400
        assert self.state(order, refund) == before

        # Once it has succeeded, a "canceled" contradicts a final status.
        remote = yookassa.server.emulator.settle_refund(refund.provider_id, "succeed")
        assert notify(client, "refund.succeeded", remote).status_code == 200
        after = self.state(order, refund)
        contradicting = notify(client, "refund.canceled", {**remote, "status": "canceled"})
        assert contradicting.status_code == 400
        assert self.state(order, refund) == after
        outcomes = list(
            PaymentNotification.objects.order_by("pk").values_list("outcome", flat=True)
        )
        assert outcomes == ["forged", "forged", "applied", "forged"]


def test_a_refund_yookassa_cancels_is_logged_and_the_tickets_stay_refunded(
    client, yookassa, caplog
):
    yookassa.server.emulator.refund_status = "pending"
    order = paid_through_yookassa(count=2)
    refund = request_now(order, [tickets_of(order)[0]])
    remote = yookassa.server.emulator.settle_refund(refund.provider_id, "cancel")

    with caplog.at_level(logging.ERROR, logger="booking.services.payments"):
        payments_reconcile(now=timezone.now() + LATER)

    refund.refresh_from_db()
    assert refund.status == Refund.Status.CANCELED
    assert refund.tickets.get().status == Ticket.Status.REFUNDED
    order.refresh_from_db()
    assert order.status == Order.Status.PARTLY_REFUNDED
    assert "cancelled by YooKassa: general_decline" in caplog.text
    entry = ModelLogEntry.objects.get(action=REFUND_CANCELED_ACTION)
    assert entry.object_id == str(order.pk)
    assert entry.data["reason"] == "general_decline" and entry.data["refund_id"] == refund.pk
    # A late "canceled" notification agrees with our record: nothing to change.
    assert notify(client, "refund.canceled", remote).status_code == 200
    assert PaymentNotification.objects.get().outcome == "unchanged"
    assert ModelLogEntry.objects.filter(action=REFUND_CANCELED_ACTION).count() == 1
