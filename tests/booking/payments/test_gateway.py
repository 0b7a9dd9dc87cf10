"""The gateway (booking.gateways.yookassa) against the YooKassa emulator, over real HTTP
through the official SDK: payments and their idempotence keys, receipts, refunds, and an
API that is down or never answers as retryable errors.

No database: each test starts an emulator on a free port and a small HTTP server that
records the notifications the emulator sends (tests/devservers/yookassa.py)."""

import socket
import time
from decimal import Decimal

import pytest
import requests

from booking.gateways.yookassa import GatewayError, GatewayNotFound, YooKassaGateway
from tests.devservers.yookassa import (
    RETURN_URL,
    SECRET_KEY,
    SHOP_ID,
    api,
    create,
    item,
    pay,
    receipt,
    stored_payments,
)

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


def test_a_pending_refund_succeeds_or_is_canceled_later(gateway, emulator, recorder):
    """YooKassa may answer a refund "pending"; it succeeds (and is notified) or is
    canceled (not notified: the shop finds it by asking), its amount refundable again."""
    emulator.emulator.refund_status = "pending"
    payment = create(gateway)
    pay(emulator, payment.id)
    kept = refund(gateway, payment.id, "400.00", "refund-1")
    dropped = refund(gateway, payment.id, "600.00", "refund-2")
    assert (kept.status, dropped.status) == ("pending", "pending")

    requests.post(f"{emulator.url}/emulator/refunds/{kept.id}/succeed", timeout=5)
    requests.post(f"{emulator.url}/emulator/refunds/{dropped.id}/cancel", timeout=5)

    assert gateway.get_refund(kept.id).status == "succeeded"
    canceled = gateway.get_refund(dropped.id)
    assert canceled.status == "canceled"
    assert canceled.raw["cancellation_details"]["reason"] == "general_decline"
    assert gateway.get_payment(payment.id).refunded_amount == Decimal("400.00")
    assert recorder.wait_for_event("refund.succeeded", kept.id) is not None
    assert all(n["object"]["id"] != dropped.id for n in emulator.emulator.store.notifications)
    # Every call is on record as sent, retries included.
    assert refund(gateway, payment.id, "400.00", "refund-1").id == kept.id
    sent = [r for r in emulator.emulator.store.requests if r["path"] == "/v3/refunds"]
    assert [r["key"] for r in sent] == ["refund-1", "refund-2", "refund-1"]
