"""Orders paid through the YooKassa emulator over real HTTP with the official SDK:
payment creation and its idempotence key, notifications (genuine, duplicated, reordered,
forged, malformed), late payments, reconciliation, refunds and settlement receipts."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from booking.gateways.yookassa import get_gateway
from booking.models import (
    FiscalReceipt,
    Hold,
    Order,
    Payment,
    PaymentNotification,
    Refund,
    SeatClaim,
    Ticket,
)
from booking.services.errors import BookingError
from booking.services.holds import hold_create, holds_delete_expired
from booking.services.orders import order_confirm_paid, orders_expire
from booking.services.payments import (
    _payment_description,
    payment_start,
    payments_reconcile,
)
from booking.services.receipts import payment_receipt
from booking.tasks import send_settlement_receipts
from tests.concurrency import race
from tests.factories import (
    assigned_departure,
    expire,
    general_departure,
    placed_order,
    seats_of,
)

pytestmark = pytest.mark.django_db
NOTIFY = "/api/v1/payments/yookassa/notifications"
RETURN_URL = "http://testserver/ru/booking/order/X/y/"


def started(order=None, **kwargs):
    order = order or placed_order(**kwargs)
    payment = payment_start(order=order, return_url=RETURN_URL)
    return order, payment


def notify(client, yookassa, event, payment_id, **overrides):
    """A notification as YooKassa sends it: the object as the API has it now. What the
    request queues after its commit (e-mails, refunds) runs before this returns."""
    obj = yookassa.payment(payment_id) if event.startswith("payment.") else overrides.pop("obj")
    obj.update(overrides)
    body = {"type": "notification", "event": event, "object": obj}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(NOTIFY, data=json.dumps(body), content_type="application/json")


def emulator_payments(yookassa):
    return yookassa.server.emulator.store.payments


class TestStartingAPayment:
    def test_one_payment_with_our_key_receipt_and_the_hold_kept_alive(self, yookassa, settings):
        order, payment = started()
        assert payment.status == Payment.Status.PENDING
        assert payment.confirmation_url.startswith(f"{yookassa.url}/checkout/")
        remote = yookassa.payment(payment.provider_id)
        assert remote["amount"] == {"value": f"{order.total:.2f}", "currency": "RUB"}
        assert remote["metadata"]["order_code"] == order.code
        assert remote["metadata"]["payment_id"] == str(payment.pk)
        assert len(remote["description"]) <= 128
        # The hold stays alive while the customer pays, up to the configured wait.
        order.refresh_from_db()
        hold = Hold.objects.get(pk=order.hold_id)
        wait = datetime.timedelta(minutes=settings.BOOKING_PAYMENT_WAIT_MINUTES)
        assert hold.expires_at == order.expires_at == order.created_at + wait

        # Pressing "Pay" again gives the same payment.
        again = payment_start(order=order, return_url=RETURN_URL)
        assert again.pk == payment.pk
        assert len(emulator_payments(yookassa)) == 1

    def test_a_retry_after_a_lost_answer_does_not_create_a_second_payment(self, yookassa):
        order = placed_order()
        record = Payment.objects.create(
            order=order, idempotence_key="k-lost-answer", amount=order.total
        )
        # The first attempt reached YooKassa but its answer never came back.
        get_gateway().create_payment(
            amount=order.total,
            description=_payment_description(order),
            return_url=RETURN_URL,
            metadata={"order_id": order.pk, "order_code": order.code, "payment_id": record.pk},
            receipt=payment_receipt(order),
            idempotence_key=record.idempotence_key,
        )
        payment = payment_start(order=order, return_url=RETURN_URL)
        assert payment.pk == record.pk
        assert len(emulator_payments(yookassa)) == 1
        assert Payment.objects.count() == 1

    def test_yookassa_unreachable_keeps_the_record_for_the_retry(self, yookassa, settings):
        order = placed_order()
        api_url = settings.YOOKASSA_API_URL
        settings.YOOKASSA_API_URL = "http://127.0.0.1:9/v3"  # nothing listens there
        with pytest.raises(BookingError) as error:
            payment_start(order=order, return_url=RETURN_URL)
        assert error.value.code == "payment_unavailable"
        record = Payment.objects.get()
        assert record.status == Payment.Status.CREATED
        settings.YOOKASSA_API_URL = api_url
        payment = payment_start(order=order, return_url=RETURN_URL)
        assert payment.pk == record.pk and payment.idempotence_key == record.idempotence_key
        assert len(emulator_payments(yookassa)) == 1

    def test_an_expired_order_cannot_be_paid(self, yookassa):
        order = placed_order()
        expire(order.hold)
        with pytest.raises(BookingError) as error:
            payment_start(order=order, return_url=RETURN_URL)
        assert error.value.code == "order_not_payable"
        assert emulator_payments(yookassa) == {}


class TestNotifications:
    def test_success_confirms_the_order_once_however_often_it_arrives(self, client, yookassa):
        order, payment = started()
        yookassa.settle(payment.provider_id, "succeed")

        first = notify(client, yookassa, "payment.succeeded", payment.provider_id)
        again = notify(client, yookassa, "payment.succeeded", payment.provider_id)
        stale = notify(
            client,
            yookassa,
            "payment.waiting_for_capture",
            payment.provider_id,
            status="waiting_for_capture",
        )

        assert (first.status_code, again.status_code, stale.status_code) == (200, 200, 200)
        order.refresh_from_db()
        assert order.status == Order.Status.PAID and order.paid_at is not None
        assert set(order.tickets.values_list("status", flat=True)) == {Ticket.Status.VALID}
        assert not Hold.objects.exists()
        outcomes = list(
            PaymentNotification.objects.order_by("pk").values_list("outcome", flat=True)
        )
        assert outcomes == ["applied", "unchanged", "unchanged"]
        assert len([m for m in mail.outbox if order.code in m.subject]) == 1

    def test_a_cancel_arriving_after_the_success_changes_nothing(self, client, yookassa):
        order, payment = started()
        yookassa.settle(payment.provider_id, "succeed")
        notify(client, yookassa, "payment.succeeded", payment.provider_id)
        forged = notify(
            client, yookassa, "payment.canceled", payment.provider_id, status="canceled"
        )
        assert forged.status_code == 400
        order.refresh_from_db()
        payment.refresh_from_db()
        assert (order.status, payment.status) == (Order.Status.PAID, Payment.Status.SUCCEEDED)

    def test_forged_success_of_an_unpaid_payment_is_refused(self, client, yookassa):
        order, payment = started()
        response = notify(
            client,
            yookassa,
            "payment.succeeded",
            payment.provider_id,
            status="succeeded",
            paid=True,
        )
        assert response.status_code == 400
        order.refresh_from_db()
        assert order.status == Order.Status.AWAITING_PAYMENT
        assert PaymentNotification.objects.get().outcome == "forged"
        assert Payment.objects.get().status == Payment.Status.PENDING

    def test_forged_object_unknown_to_the_api_is_refused(self, client, yookassa):
        order, payment = started()
        obj = yookassa.payment(payment.provider_id)
        obj.update(id="2f0b5b5e-0000-4000-8000-000000000000", status="succeeded", paid=True)
        body = {"type": "notification", "event": "payment.succeeded", "object": obj}
        response = client.post(NOTIFY, data=json.dumps(body), content_type="application/json")
        assert response.status_code == 400
        order.refresh_from_db()
        assert order.status == Order.Status.AWAITING_PAYMENT

    @pytest.mark.parametrize(
        "body",
        [
            b"",
            b"not json",
            b"[]",
            b'{"type": "notification"}',
            b'{"type": "notification", "event": "payment.succeeded", "object": []}',
            b'{"type": "notification", "event": "payment.exploded", "object": {"id": "x"}}',
            b'{"type": "notification", "event": "payment.succeeded", "object": {"id": 5}}',
            b'{"type": "notification", "event": "payment.succeeded", '
            b'"object": {"id": "a\\u0000b", "status": "succeeded"}}',
            b'{"type": "notification", "event": "payment.succeeded", '
            b'"object": {"id": "abc", "status": "pending"}}',
            '{"type": "notification", "event": "payment.succeeded", "object": {"id": "ё"'.encode(),
        ],
    )
    def test_malformed_bodies_get_400_and_change_nothing(self, client, yookassa, body):
        order, _payment = started()
        response = client.post(NOTIFY, data=body, content_type="application/json")
        assert response.status_code == 400
        order.refresh_from_db()
        assert order.status == Order.Status.AWAITING_PAYMENT

    def test_a_huge_body_is_refused(self, client, yookassa):
        response = client.post(
            NOTIFY, data=b"{" + b" " * 70_000 + b"}", content_type="application/json"
        )
        assert response.status_code == 413

    def test_sender_outside_yookassa_ranges_is_refused_when_checked(
        self, client, yookassa, settings
    ):
        settings.YOOKASSA_CHECK_NOTIFICATION_IP = True
        order, payment = started()
        yookassa.settle(payment.provider_id, "succeed")
        refused = notify(client, yookassa, "payment.succeeded", payment.provider_id)
        assert refused.status_code == 403
        order.refresh_from_db()
        assert order.status == Order.Status.AWAITING_PAYMENT

        body = {
            "type": "notification",
            "event": "payment.succeeded",
            "object": yookassa.payment(payment.provider_id),
        }
        accepted = client.post(
            NOTIFY,
            data=json.dumps(body),
            content_type="application/json",
            REMOTE_ADDR="185.71.76.17",
        )
        assert accepted.status_code == 200
        order.refresh_from_db()
        assert order.status == Order.Status.PAID

    def test_decline_leaves_the_order_unpaid_and_expiry_frees_the_places(self, client, yookassa):
        departure = assigned_departure()
        seats = seats_of(departure)[:2]
        order, payment = started(placed_order(departure, seats=seats))
        yookassa.settle(payment.provider_id, "decline")
        assert notify(client, yookassa, "payment.canceled", payment.provider_id).status_code == 200
        payment.refresh_from_db()
        order.refresh_from_db()
        assert payment.status == Payment.Status.CANCELED
        assert payment.cancellation_reason == "expired_on_confirmation"
        assert order.status == Order.Status.AWAITING_PAYMENT
        assert SeatClaim.objects.filter(departure=departure).count() == 2  # still held

        expire(order.hold)
        Order.objects.filter(pk=order.pk).update(expires_at=timezone.now())
        assert orders_expire() == 1
        order.refresh_from_db()
        assert order.status == Order.Status.EXPIRED
        assert not SeatClaim.objects.filter(departure=departure).exists()
        # Someone else can take the seats now.
        from booking.services.holds import SeatRequest

        hold_create(
            departure_id=departure.pk, owner_key="next", seats=[SeatRequest(s.pk) for s in seats]
        )


class TestLatePayment:
    def expire_everything(self, order):
        expire(order.hold)
        Order.objects.filter(pk=order.pk).update(expires_at=timezone.now())
        holds_delete_expired()
        orders_expire()
        order.refresh_from_db()
        assert order.status == Order.Status.EXPIRED

    def test_paid_late_with_the_places_still_free_confirms(self, client, yookassa):
        departure = assigned_departure()
        order, payment = started(placed_order(departure, seats=seats_of(departure)[:2]))
        self.expire_everything(order)

        yookassa.settle(payment.provider_id, "succeed")
        assert notify(client, yookassa, "payment.succeeded", payment.provider_id).status_code == 200

        order.refresh_from_db()
        assert order.status == Order.Status.PAID
        assert (
            SeatClaim.objects.filter(
                departure=departure, expires_at__isnull=True, ticket__order=order
            ).count()
            == 2
        )
        assert not Refund.objects.exists()

    def test_paid_late_with_the_seats_gone_is_refunded_and_the_customer_told(
        self, client, yookassa
    ):
        departure = assigned_departure()
        seats = seats_of(departure)[:2]
        order, payment = started(placed_order(departure, seats=seats))
        self.expire_everything(order)
        rival = placed_order(departure, seats=seats[1:2], email="rival@example.com", paid=True)

        yookassa.settle(payment.provider_id, "succeed")
        assert notify(client, yookassa, "payment.succeeded", payment.provider_id).status_code == 200

        order.refresh_from_db()
        assert order.status == Order.Status.CANCELLED
        refund = Refund.objects.get()
        assert (refund.reason, refund.amount) == ("late_payment", order.total)
        assert refund.status == Refund.Status.SUCCEEDED  # sent by the task, over HTTP
        assert yookassa.server.emulator.store.refunds[refund.provider_id]["amount"]["value"] == (
            f"{order.total:.2f}"
        )
        # The rival keeps the seat; our order's other seat is free again.
        assert SeatClaim.objects.get(departure=departure, seat=seats[1]).ticket.order == rival
        assert not SeatClaim.objects.filter(departure=departure, seat=seats[0]).exists()
        assert any(order.code in m.subject for m in mail.outbox if "anna@" in m.to[0])

    def test_paid_late_with_general_admission_sold_out_is_refunded(self, client, yookassa):
        departure = general_departure(capacity=2)
        order, payment = started(placed_order(departure))
        self.expire_everything(order)
        placed_order(departure, email="rival@example.com", paid=True)

        yookassa.settle(payment.provider_id, "succeed")
        notify(client, yookassa, "payment.succeeded", payment.provider_id)

        order.refresh_from_db()
        assert order.status == Order.Status.CANCELLED
        assert Ticket.objects.filter(departure=departure, status=Ticket.Status.VALID).count() == 2
        assert Refund.objects.get().reason == "late_payment"


def test_reconciliation_settles_payments_whose_notification_never_came(yookassa):
    order, payment = started()
    yookassa.settle(payment.provider_id, "succeed")
    assert payments_reconcile()["payments"] == 0  # too fresh to ask about
    Payment.objects.filter(pk=payment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert payments_reconcile()["payments"] == 1
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_a_second_successful_payment_of_a_paid_order_is_refunded(yookassa):
    order = placed_order(paid=True)
    extra = Payment.objects.create(
        order=order,
        idempotence_key="extra",
        amount=order.total,
        status="succeeded",
        succeeded_at=timezone.now(),
    )
    locked = Order.objects.get(pk=order.pk)
    assert order_confirm_paid(order=locked, payment=locked.paid_by) == "already_paid"
    assert order_confirm_paid(order=locked, payment=extra) == "duplicate"
    assert Refund.objects.get(payment=extra).reason == "duplicate"
    assert order_confirm_paid(order=locked, payment=extra) == "already_paid"
    assert Refund.objects.count() == 1


def test_settlement_receipt_is_sent_once_when_the_departure_has_taken_place(yookassa):
    order, payment = started()
    yookassa.settle(payment.provider_id, "succeed")
    Payment.objects.filter(pk=payment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    payments_reconcile()
    assert send_settlement_receipts() == 0  # not yet departed
    order.departure.__class__.objects.filter(pk=order.departure_id).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )
    assert send_settlement_receipts() == 1
    assert send_settlement_receipts() == 0
    record = FiscalReceipt.objects.get(order=order)
    receipts = list(yookassa.server.emulator.store.receipts.values())
    assert len(receipts) == 1 and receipts[0]["id"] == record.provider_id
    assert receipts[0]["type"] == "payment"
    assert receipts[0]["settlements"] == [
        {"type": "prepayment", "amount": {"value": f"{order.total:.2f}", "currency": "RUB"}}
    ]
    assert {i["payment_mode"] for i in receipts[0]["items"]} == {"full_payment"}
    assert sum(Decimal(i["amount"]["value"]) for i in receipts[0]["items"]) == order.total


@pytest.mark.django_db(transaction=True)
def test_simultaneous_deliveries_of_one_success_confirm_the_order_once(yookassa):
    """YooKassa may deliver the same notification twice at the same moment (two workers):
    the payment's row lock lets one apply it; the other finds nothing to change."""
    from booking.services.notifications import notification_receive

    order, payment = started()
    yookassa.settle(payment.provider_id, "succeed")
    raw = json.dumps(
        {
            "type": "notification",
            "event": "payment.succeeded",
            "object": yookassa.payment(payment.provider_id),
        }
    ).encode()
    race(lambda i: notification_receive(raw=raw, remote_addr="127.0.0.1"), 6)

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    outcomes = sorted(PaymentNotification.objects.values_list("outcome", flat=True))
    assert outcomes == ["applied"] + ["unchanged"] * 5
    assert len([m for m in mail.outbox if order.code in m.subject]) == 1
    assert Ticket.objects.filter(order=order, status=Ticket.Status.VALID).count() == 2


def test_an_ordered_hold_cannot_be_changed_extended_or_released():
    from booking.services.holds import hold_extend, hold_release, hold_update

    order = placed_order()
    hold = Hold.objects.get(pk=order.hold_id)
    first_type = order.departure.product.ticket_types.first()
    for attempt in (
        lambda: hold_update(hold=hold, quantities={first_type.pk: 5}),
        lambda: hold_extend(hold=hold),
        lambda: hold_release(hold=hold),
    ):
        with pytest.raises(BookingError) as error:
            attempt()
        assert error.value.code == "hold_ordered"
    assert hold.lines.get().quantity == 2
    assert Hold.objects.filter(pk=hold.pk, extended=False).exists()


def test_an_order_whose_hold_was_kept_alive_does_not_expire(yookassa):
    order, _payment = started()
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now())  # stale copy
    assert orders_expire() == 0
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_PAYMENT
    assert order.expires_at == Hold.objects.get(pk=order.hold_id).expires_at
