"""The emulator's lists (`GET /v3/payments|refunds|receipts`) as YooKassa documents them —
`type` "list", `items` newest first, `created_at.gte|gt|lte|lt`, `status`, `limit` 1–100
(10 by default), cursor paging with `next_cursor` — and the gateway's `list_payments`,
`list_refunds` and `list_receipts`, which follow every cursor and answer plain dataclasses.
Real HTTP, the official SDK, no database."""

import datetime
from decimal import Decimal

import pytest

from booking.gateways import yookassa as gateway_module
from booking.gateways.yookassa import GatewayError, GatewayReceipt, YooKassaGateway
from tests.devservers.yookassa import api, create, item, pay

UTC = datetime.UTC
START = datetime.datetime(2026, 5, 12, tzinfo=UTC)


def dated(emulator, collection: str, object_id: str, minutes: int, field="created_at"):
    """The emulator stamps objects with the current time; these tests date them."""
    moment = START + datetime.timedelta(minutes=minutes)
    getattr(emulator.emulator.store, collection)[object_id][field] = moment.strftime(
        "%Y-%m-%dT%H:%M:%S.000Z"
    )


def payments(gateway, emulator, count: int) -> list[str]:
    ids = []
    for n in range(count):
        payment = create(gateway, amount=f"{100 + n}.00", key=f"list-{n}", receipt=None)
        dated(emulator, "payments", payment.id, n)
        ids.append(payment.id)
    return ids


def settlement(payment_id: str, amount="1000.00") -> dict:
    return {
        "type": "payment",
        "payment_id": payment_id,
        "send": True,
        "customer": {"email": "buyer@example.com"},
        "items": [item(amount, payment_mode="full_payment")],
        "settlements": [{"type": "prepayment", "amount": {"value": amount, "currency": "RUB"}}],
    }


def test_a_list_is_newest_first_ten_by_default_with_a_cursor_to_the_rest(gateway, emulator):
    ids = payments(gateway, emulator, 12)
    first = api(emulator, "GET", "/payments").json()
    assert first["type"] == "list"
    assert [p["id"] for p in first["items"]] == ids[::-1][:10]
    second = api(emulator, "GET", "/payments", params={"cursor": first["next_cursor"]}).json()
    assert [p["id"] for p in second["items"]] == ids[1::-1]
    assert "next_cursor" not in second


def test_created_at_status_and_limit_filter_the_list(gateway, emulator):
    ids = payments(gateway, emulator, 5)
    pay(emulator, ids[1])
    pay(emulator, ids[3])
    window = {
        "created_at.gte": "2026-05-12T00:01:00.000Z",
        "created_at.lt": "2026-05-12T00:04:00.000Z",
    }
    answer = api(emulator, "GET", "/payments", params=window).json()
    assert [p["id"] for p in answer["items"]] == [ids[3], ids[2], ids[1]]
    strict = {"created_at.gt": "2026-05-12T00:01:00.000Z", "created_at.lte": "2026-05-12T00:03:00Z"}
    answer = api(emulator, "GET", "/payments", params=strict).json()
    assert [p["id"] for p in answer["items"]] == [ids[3], ids[2]]
    answer = api(emulator, "GET", "/payments", params={"status": "succeeded", "limit": 1}).json()
    assert [p["id"] for p in answer["items"]] == [ids[3]]
    rest = api(emulator, "GET", "/payments", params={"status": "succeeded", "limit": 1,
                                                     "cursor": answer["next_cursor"]}).json()  # fmt: skip
    assert [p["id"] for p in rest["items"]] == [ids[1]] and "next_cursor" not in rest
    assert all("_capture" not in p for p in answer["items"])


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"status": "lost"}, "status"),
        ({"created_at.gte": "yesterday"}, "created_at.gte"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_bad_list_parameters_are_a_400(emulator, params, parameter):
    response = api(emulator, "GET", "/payments", params=params)
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["parameter"]) == (
        "invalid_request",
        parameter,
    )


@pytest.mark.parametrize("path", ["/payments", "/refunds", "/receipts"])
def test_lists_need_the_shops_credentials(emulator, path):
    response = api(emulator, "GET", path, auth=("emulator", "wrong"))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_refunds_and_receipts_are_listed_and_receipts_filtered_by_payment_or_refund(
    gateway, emulator
):
    first, second = payments(gateway, emulator, 2)
    pay(emulator, first)
    pay(emulator, second)
    refund = gateway.create_refund(
        payment_id=first, amount=Decimal("40.00"), description="Возврат", receipt=None,
        idempotence_key="list-refund",
    )  # fmt: skip
    kept = gateway.create_receipt(receipt=settlement(first, "100.00"), idempotence_key="rc-1")
    gateway.create_receipt(receipt=settlement(second, "101.00"), idempotence_key="rc-2")
    answer = api(emulator, "GET", "/refunds", params={"status": "succeeded"}).json()
    assert [r["id"] for r in answer["items"]] == [refund.id]
    answer = api(emulator, "GET", "/receipts", params={"payment_id": first}).json()
    assert [r["id"] for r in answer["items"]] == [kept["id"]]
    answer = api(emulator, "GET", "/receipts", params={"refund_id": refund.id}).json()
    assert answer == {"type": "list", "items": []}


def test_the_gateway_follows_every_cursor(gateway, emulator, monkeypatch):
    monkeypatch.setattr(gateway_module, "LIST_PAGE_SIZE", 2)
    ids = payments(gateway, emulator, 5)
    pay(emulator, ids[0])
    before = len(emulator.emulator.store.reads)
    listed = gateway.list_payments(START, START + datetime.timedelta(days=1))
    assert [p.id for p in listed] == ids[::-1]
    assert [p.amount for p in listed][-1] == Decimal("100.00")
    assert listed[-1].status == "succeeded" and listed[-1].paid
    assert listed[-1].created_at == START
    assert len(emulator.emulator.store.reads) - before == 3  # pages of 2, 2 and 1
    assert gateway.list_payments(START - datetime.timedelta(days=1), START) == []


def test_the_gateway_lists_refunds_and_receipts_as_dataclasses(gateway, emulator):
    (payment_id,) = payments(gateway, emulator, 1)
    pay(emulator, payment_id)
    refund = gateway.create_refund(
        payment_id=payment_id, amount=Decimal("30.00"), description="Возврат", receipt=None,
        idempotence_key="gw-refund",
    )  # fmt: skip
    receipt = gateway.create_receipt(receipt=settlement(payment_id, "70.00"), idempotence_key="r")
    now = datetime.datetime.now(UTC)
    window = (now - datetime.timedelta(hours=1), now + datetime.timedelta(hours=1))
    assert [(r.id, r.payment_id, r.status, r.amount) for r in gateway.list_refunds(*window)] == [
        (refund.id, payment_id, "succeeded", Decimal("30.00"))
    ]
    (listed,) = gateway.list_receipts(*window, payment_id=payment_id)
    assert isinstance(listed, GatewayReceipt)
    assert (listed.id, listed.type, listed.status, listed.amount, listed.settlement_types) == (
        receipt["id"],
        "payment",
        "succeeded",
        Decimal("70.00"),
        ("prepayment",),
    )


def test_list_errors_are_gateway_errors(emulator):
    wrong = YooKassaGateway(shop_id="emulator", secret_key="wrong", api_url=emulator.api_url)
    with pytest.raises(GatewayError) as error:
        wrong.list_payments(START, START + datetime.timedelta(days=1))
    assert error.value.retryable is False and "invalid_credentials" in str(error.value)
    closed = YooKassaGateway(shop_id="e", secret_key="k", api_url="http://127.0.0.1:9/v3")
    with pytest.raises(GatewayError) as error:
        closed.list_refunds(START, START + datetime.timedelta(days=1))
    assert error.value.retryable is True and error.value.code == "network"
    unset = YooKassaGateway(shop_id="", secret_key="", api_url=emulator.api_url)
    with pytest.raises(GatewayError) as error:
        unset.list_receipts(START, START + datetime.timedelta(days=1))
    assert error.value.code == "configuration"
