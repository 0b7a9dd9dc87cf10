"""A YooKassa API v3 emulator for development and tests.

It speaks the subset of the API that Prichal uses, over real HTTP, so the official
`yookassa` SDK talks to it exactly as it would to api.yookassa.ru:

- `POST /v3/payments`, `GET /v3/payments/{id}`, `POST /v3/payments/{id}/capture|cancel`
- `POST /v3/refunds`, `GET /v3/refunds/{id}`, `POST /v3/receipts`, `GET /v3/receipts/{id}`
- the lists `GET /v3/payments`, `GET /v3/refunds`, `GET /v3/receipts` (see `list_objects`):
  `created_at.gte|gt|lte|lt`, `status`, `limit` (1–100, 10 by default), cursor paging
  (`next_cursor` in the answer, `cursor` in the next request), newest first; receipts
  also by `payment_id` or `refund_id`;
- HTTP Basic auth with the shop id and secret key; `Idempotence-Key` required on every
  POST, with YooKassa's replay semantics (same key + same body → the stored response;
  same key + another body → error), kept for 24 hours;
- a confirmation page `/checkout/{id}` with "Pay" and "Decline", after which the
  customer is redirected to the payment's `return_url` and a notification
  (`payment.succeeded`, `payment.waiting_for_capture`, `payment.canceled`,
  `refund.succeeded`) is POSTed to the configured notification URL, retried a few times;
- refunds succeed at once, as YooKassa's usually do; with `refund_status = "pending"` they
  wait for `POST /emulator/refunds/{id}/succeed|cancel` (a canceled refund gets no
  notification: YooKassa sends `refund.succeeded` only, the shop finds a cancellation by
  asking);
- `/emulator/…` helpers for tests: `POST /emulator/payments/{id}/succeed|decline` settles
  a payment without a browser; `POST /emulator/import` takes past payments, refunds and
  receipts as they would have been made (the demo's history, `demo/history.py`, so that
  its reconciliation matches); `GET /emulator/notifications` lists the notifications sent
  (`items`) and every delivery attempt (`deliveries`). Nothing is re-sent or forged — the
  forged notifications of the tests are built by the tests themselves. `store.requests`
  keeps every authenticated POST as received (path, key, body; replays included), so a
  test can count the calls and read what was sent.

It keeps everything in memory (and, with `state_file`, in a JSON file it reloads on start,
so that `make run`'s demo orders stay refundable across restarts) and is never used in production (the management command
refuses to run unless DEBUG is on and the settings are not the production ones).
Run it with `python manage.py yookassa_emulator` or `python -m devservers.yookassa`.
"""

import base64
import hashlib
import html
import json
import logging
import os
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger("yookassa_emulator")

IDEMPOTENCE_TTL = timedelta(hours=24)
DESCRIPTION_MAX = 128
METADATA_MAX_KEYS = 16
METADATA_KEY_MAX = 32
METADATA_VALUE_MAX = 512
# Pauses between notification delivery attempts (YooKassa itself retries for 24 hours).
NOTIFICATION_RETRY_DELAYS = (1, 2, 4, 8)
VAT_CODES = set(range(1, 13))
PAYMENT_MODES = {
    "full_prepayment",
    "partial_prepayment",
    "advance",
    "full_payment",
    "partial_payment",
    "credit",
    "credit_payment",
}


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _now() -> str:
    return _iso(datetime.now(UTC))


LIST_LIMIT_DEFAULT = 10
LIST_LIMIT_MAX = 100
LIST_STATUSES = {
    "payments": {"pending", "waiting_for_capture", "succeeded", "canceled"},
    "refunds": {"pending", "succeeded", "canceled"},
    "receipts": {"pending", "succeeded", "canceled"},
}
CREATED_FILTERS = {
    "created_at.gte": lambda moment, bound: moment >= bound,
    "created_at.gt": lambda moment, bound: moment > bound,
    "created_at.lte": lambda moment, bound: moment <= bound,
    "created_at.lt": lambda moment, bound: moment < bound,
}


def _parse_moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ApiError(Exception):
    def __init__(self, status: int, code: str, description: str, parameter: str | None = None):
        self.status, self.code, self.description, self.parameter = (
            status,
            code,
            description,
            parameter,
        )

    def body(self) -> dict:
        data = {
            "type": "error",
            "id": str(uuid.uuid4()),
            "code": self.code,
            "description": self.description,
        }
        if self.parameter:
            data["parameter"] = self.parameter
        return data


def _amount(value, parameter: str) -> Decimal:
    if not isinstance(value, dict) or value.get("currency") != "RUB":
        raise ApiError(400, "invalid_request", "Only RUB amounts are accepted", parameter)
    try:
        amount = Decimal(str(value.get("value")))
    except InvalidOperation:
        raise ApiError(400, "invalid_request", "Invalid amount value", parameter) from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ApiError(400, "invalid_request", "Invalid amount value", parameter)
    return amount


def _money(amount: Decimal) -> dict:
    return {"value": f"{amount:.2f}", "currency": "RUB"}


def _validate_receipt(receipt, total: Decimal | None, parameter: str = "receipt") -> None:
    """`parameter` is where the receipt fields live in the request ("" for a receipt
    that is the request itself, as in `POST /v3/receipts`)."""

    def at(name: str) -> str:
        return f"{parameter}.{name}" if parameter else name

    if not isinstance(receipt, dict):
        raise ApiError(400, "invalid_request", "Receipt must be an object", parameter or None)
    customer = receipt.get("customer") or {}
    if not isinstance(customer, dict) or not (customer.get("email") or customer.get("phone")):
        raise ApiError(
            400,
            "invalid_request",
            "Receipt customer email or phone is required",
            at("customer"),
        )
    items = receipt.get("items")
    if not isinstance(items, list) or not items:
        raise ApiError(400, "invalid_request", "Receipt items are required", at("items"))
    items_total = Decimal("0")
    for n, item in enumerate(items):
        where = at(f"items[{n}]")
        if not isinstance(item, dict):
            raise ApiError(400, "invalid_request", "Receipt item must be an object", where)
        description = item.get("description", "")
        if (
            not isinstance(description, str)
            or not description
            or len(description) > DESCRIPTION_MAX
        ):
            raise ApiError(400, "invalid_request", "Item description is empty or too long", where)
        try:
            quantity = Decimal(str(item.get("quantity")))
        except InvalidOperation:
            raise ApiError(400, "invalid_request", "Invalid item quantity", where) from None
        if not quantity.is_finite() or quantity <= 0:
            raise ApiError(400, "invalid_request", "Invalid item quantity", where)
        amount = _amount(item.get("amount"), f"{where}.amount")
        vat_code = item.get("vat_code")
        if isinstance(vat_code, bool) or vat_code not in VAT_CODES:
            raise ApiError(400, "invalid_request", "Invalid vat_code", f"{where}.vat_code")
        if item.get("payment_mode") not in PAYMENT_MODES:
            raise ApiError(400, "invalid_request", "Invalid payment_mode", f"{where}.payment_mode")
        if not item.get("payment_subject"):
            raise ApiError(
                400, "invalid_request", "payment_subject is required", f"{where}.payment_subject"
            )
        items_total += amount * quantity
    tax_system = receipt.get("tax_system_code")
    if tax_system is not None and (isinstance(tax_system, bool) or tax_system not in range(1, 7)):
        raise ApiError(400, "invalid_request", "Invalid tax_system_code", at("tax_system_code"))
    if total is not None and items_total.quantize(Decimal("0.01")) != total:
        raise ApiError(
            400,
            "invalid_request",
            "The sum of receipt items does not match the payment amount",
            at("items"),
        )


class Store:
    """Everything the emulator knows, behind one lock."""

    def __init__(self):
        self.lock = threading.RLock()
        self.payments: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.receipts: dict[str, dict] = {}
        # A key belongs to the shop, not to one endpoint: reusing it for another endpoint
        # is "another request" too, so the request hash covers the path and the body.
        self.idempotence: dict[str, tuple[str, datetime, int, dict]] = {}
        self.notifications: list[dict] = []
        self.deliveries: list[dict] = []
        # Every authenticated POST as received: {"path", "key", "body"}.
        self.requests: list[dict] = []
        # Every authenticated GET's path and query, as received.
        self.reads: list[str] = []

    def replay(self, key: str, body_hash: str):
        entry = self.idempotence.get(key)
        if entry is None or datetime.now(UTC) - entry[1] > IDEMPOTENCE_TTL:
            return None
        if entry[0] != body_hash:
            raise ApiError(
                400,
                "invalid_request",
                "Duplicate idempotence key: the key was already used for another request in the last 24 hours",
                "Idempotence-Key",
            )
        return entry[2], entry[3]

    def remember(self, key: str, body_hash: str, status: int, body: dict):
        self.idempotence[key] = (body_hash, datetime.now(UTC), status, body)

    # What outlives a restart: the objects and the idempotence keys (not the logs).
    def dump(self) -> dict:
        with self.lock:
            return {
                "payments": self.payments,
                "refunds": self.refunds,
                "receipts": self.receipts,
                "idempotence": {
                    key: [body_hash, moment.isoformat(), status, body]
                    for key, (body_hash, moment, status, body) in self.idempotence.items()
                },
            }

    def load(self, state: dict) -> None:
        with self.lock:
            self.payments = dict(state.get("payments", {}))
            self.refunds = dict(state.get("refunds", {}))
            self.receipts = dict(state.get("receipts", {}))
            self.idempotence = {
                key: (body_hash, datetime.fromisoformat(moment), status, body)
                for key, (body_hash, moment, status, body) in state.get("idempotence", {}).items()
            }


class Emulator:
    def __init__(
        self,
        *,
        shop_id: str,
        secret_key: str,
        notification_url: str | None,
        public_url: str,
        retry_delays=NOTIFICATION_RETRY_DELAYS,
        state_file: str | None = None,
    ):
        self.shop_id = shop_id
        self.secret_key = secret_key
        self.notification_url = notification_url
        self.public_url = public_url.rstrip("/")
        self.retry_delays = tuple(retry_delays)
        self.store = Store()
        self.state_file = state_file
        if state_file and os.path.exists(state_file):
            with open(state_file, encoding="utf-8") as file:
                self.store.load(json.load(file))
        # A new refund's status: "succeeded" (YooKassa's usual answer) or "pending" (it
        # waits for `settle_refund`).
        self.refund_status = "succeeded"

    def save(self) -> None:
        """Writes the state file (if any) atomically: a crash never leaves half a file."""
        if not self.state_file:
            return
        folder = os.path.dirname(os.path.abspath(self.state_file))
        os.makedirs(folder, exist_ok=True)
        with self.store.lock:
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=folder, delete=False, suffix=".tmp"
            ) as file:
                json.dump(self.store.dump(), file, ensure_ascii=False)
            os.replace(file.name, self.state_file)

    # --- API operations -------------------------------------------------------------
    def create_payment(self, body: dict) -> dict:
        amount = _amount(body.get("amount"), "amount")
        description = body.get("description", "")
        if not isinstance(description, str) or len(description) > DESCRIPTION_MAX:
            raise ApiError(400, "invalid_request", "Description is too long", "description")
        metadata = body.get("metadata") or {}
        if not isinstance(metadata, dict) or len(metadata) > METADATA_MAX_KEYS:
            raise ApiError(
                400,
                "invalid_request",
                f"Metadata object is limited to {METADATA_MAX_KEYS} keys",
                "metadata",
            )
        for key, value in metadata.items():
            if (
                len(key) > METADATA_KEY_MAX
                or not isinstance(value, str)
                or len(value) > METADATA_VALUE_MAX
            ):
                raise ApiError(
                    400,
                    "invalid_request",
                    f"The key names/values length in metadata is limited to {METADATA_KEY_MAX}/{METADATA_VALUE_MAX} characters; values are strings",
                    f"metadata.{key}",
                )
        confirmation = body.get("confirmation") or {}
        if confirmation.get("type") != "redirect" or not confirmation.get("return_url"):
            raise ApiError(
                400,
                "invalid_request",
                "A redirect confirmation with return_url is required",
                "confirmation",
            )
        if "receipt" in body:
            _validate_receipt(body["receipt"], amount)
        payment_id = f"{uuid.uuid4()}"
        payment = {
            "id": payment_id,
            "status": "pending",
            "paid": False,
            "amount": _money(amount),
            "confirmation": {
                "type": "redirect",
                "return_url": confirmation["return_url"],
                "confirmation_url": f"{self.public_url}/checkout/{payment_id}",
            },
            "created_at": _now(),
            "description": description,
            "metadata": metadata,
            "recipient": {"account_id": self.shop_id, "gateway_id": "emulator"},
            "refundable": False,
            "test": True,
            "receipt_registration": "pending" if "receipt" in body else None,
            "_capture": bool(body.get("capture", False)),
            "_refunded": "0.00",
        }
        if payment["receipt_registration"] is None:
            del payment["receipt_registration"]
        self.store.payments[payment_id] = payment
        return self.public_payment(payment)

    @staticmethod
    def public_payment(payment: dict) -> dict:
        return {k: v for k, v in payment.items() if not k.startswith("_")}

    def get_payment(self, payment_id: str) -> dict:
        payment = self.store.payments.get(payment_id)
        if payment is None:
            raise ApiError(404, "not_found", "Payment not found")
        return self.public_payment(payment)

    def settle(self, payment_id: str, outcome: str) -> dict:
        """The customer paid or declined on the confirmation page."""
        with self.store.lock:
            payment = self.store.payments.get(payment_id)
            if payment is None:
                raise ApiError(404, "not_found", "Payment not found")
            if payment["status"] != "pending":
                return payment
            if outcome == "pay":
                payment["paid"] = True
                payment["payment_method"] = {
                    "type": "bank_card",
                    "id": str(uuid.uuid4()),
                    "saved": False,
                    "title": "Bank card *4444",
                    "card": {
                        "first6": "555555",
                        "last4": "4444",
                        "expiry_month": "12",
                        "expiry_year": "2030",
                        "card_type": "MasterCard",
                    },
                }
                if payment["_capture"]:
                    payment.update(status="succeeded", captured_at=_now(), refundable=True)
                    payment["income_amount"] = payment["amount"]
                    if "receipt_registration" in payment:
                        payment["receipt_registration"] = "succeeded"
                else:
                    payment.update(
                        status="waiting_for_capture",
                        expires_at=_iso(datetime.now(UTC) + timedelta(days=7)),
                    )
            else:
                payment.update(
                    status="canceled",
                    cancellation_details={
                        "party": "yoo_money",
                        "reason": "expired_on_confirmation",
                    },
                )
                if "receipt_registration" in payment:
                    payment["receipt_registration"] = "canceled"
            event = {
                "succeeded": "payment.succeeded",
                "waiting_for_capture": "payment.waiting_for_capture",
                "canceled": "payment.canceled",
            }[payment["status"]]
            snapshot = self.public_payment(payment)
        self.notify(event, snapshot)
        return payment

    def capture(self, payment_id: str, body: dict) -> dict:
        with self.store.lock:
            payment = self.store.payments.get(payment_id)
            if payment is None:
                raise ApiError(404, "not_found", "Payment not found")
            if payment["status"] != "waiting_for_capture":
                raise ApiError(
                    400, "invalid_request", "Payment can not be captured in current status"
                )
            if body.get("amount"):
                amount = _amount(body["amount"], "amount")
                if amount > Decimal(payment["amount"]["value"]):
                    raise ApiError(
                        400,
                        "invalid_request",
                        "Capture amount exceeds the authorized amount",
                        "amount",
                    )
                payment["amount"] = _money(amount)
            payment.update(status="succeeded", captured_at=_now(), refundable=True)
            payment["income_amount"] = payment["amount"]
            if "receipt_registration" in payment:
                payment["receipt_registration"] = "succeeded"
            snapshot = self.public_payment(payment)
        self.notify("payment.succeeded", snapshot)
        return snapshot

    def cancel(self, payment_id: str) -> dict:
        with self.store.lock:
            payment = self.store.payments.get(payment_id)
            if payment is None:
                raise ApiError(404, "not_found", "Payment not found")
            if payment["status"] != "waiting_for_capture":
                raise ApiError(
                    400, "invalid_request", "Payment can not be canceled in current status"
                )
            payment.update(
                status="canceled",
                cancellation_details={"party": "merchant", "reason": "canceled_by_merchant"},
            )
            snapshot = self.public_payment(payment)
        self.notify("payment.canceled", snapshot)
        return snapshot

    def create_refund(self, body: dict) -> dict:
        amount = _amount(body.get("amount"), "amount")
        with self.store.lock:
            payment = self.store.payments.get(str(body.get("payment_id")))
            if payment is None:
                raise ApiError(404, "not_found", "Payment not found", "payment_id")
            if payment["status"] != "succeeded":
                raise ApiError(400, "invalid_request", "Payment is not succeeded", "payment_id")
            refunded = Decimal(payment["_refunded"])
            remaining = Decimal(payment["amount"]["value"]) - refunded
            if remaining <= 0:
                raise ApiError(
                    400, "invalid_request", "Payment is already completely refunded", "payment_id"
                )
            if amount > remaining:
                raise ApiError(
                    400,
                    "invalid_request",
                    "Refund amount exceeds the remaining payment amount",
                    "amount",
                )
            if "receipt" in body:
                _validate_receipt(body["receipt"], amount)
            refunded += amount
            payment["_refunded"] = f"{refunded:.2f}"
            payment["refunded_amount"] = _money(refunded)
            payment["refundable"] = refunded < Decimal(payment["amount"]["value"])
            refund = {
                "id": str(uuid.uuid4()),
                "payment_id": payment["id"],
                "status": self.refund_status,
                "created_at": _now(),
                "amount": _money(amount),
                "description": body.get("description", ""),
            }
            if "receipt" in body:
                refund["receipt_registration"] = "succeeded"
            self.store.refunds[refund["id"]] = refund
            snapshot = dict(refund)
        if snapshot["status"] == "succeeded":
            self.notify("refund.succeeded", snapshot)
        return snapshot

    def settle_refund(self, refund_id: str, outcome: str) -> dict:
        """A pending refund succeeds (and is notified) or is canceled (its amount can be
        refunded again; no notification, as with YooKassa)."""
        with self.store.lock:
            refund = self.store.refunds.get(refund_id)
            if refund is None:
                raise ApiError(404, "not_found", "Refund not found")
            if refund["status"] != "pending":
                raise ApiError(400, "invalid_request", "Refund is not pending")
            if outcome == "succeed":
                refund["status"] = "succeeded"
            else:
                payment = self.store.payments[refund["payment_id"]]
                refunded = Decimal(payment["_refunded"]) - Decimal(refund["amount"]["value"])
                payment["_refunded"] = f"{refunded:.2f}"
                payment["refunded_amount"] = _money(refunded)
                payment["refundable"] = True
                refund.update(
                    status="canceled",
                    cancellation_details={"party": "yoo_money", "reason": "general_decline"},
                )
            snapshot = dict(refund)
        if snapshot["status"] == "succeeded":
            self.notify("refund.succeeded", snapshot)
        return snapshot

    def get_refund(self, refund_id: str) -> dict:
        refund = self.store.refunds.get(refund_id)
        if refund is None:
            raise ApiError(404, "not_found", "Refund not found")
        return refund

    def create_receipt(self, body: dict) -> dict:
        if body.get("type") not in ("payment", "refund"):
            raise ApiError(400, "invalid_request", "Receipt type must be payment or refund", "type")
        if not body.get("send"):
            raise ApiError(400, "invalid_request", "send must be true", "send")
        settlements = body.get("settlements")
        if not isinstance(settlements, list) or not settlements:
            raise ApiError(400, "invalid_request", "settlements are required", "settlements")
        if not all(isinstance(s, dict) for s in settlements):
            raise ApiError(400, "invalid_request", "Settlement must be an object", "settlements")
        total = sum((_amount(s.get("amount"), "settlements") for s in settlements), Decimal("0"))
        _validate_receipt(body, total, parameter="")
        if body.get("payment_id") and body["payment_id"] not in self.store.payments:
            raise ApiError(404, "not_found", "Payment not found", "payment_id")
        if body.get("refund_id") and body["refund_id"] not in self.store.refunds:
            raise ApiError(404, "not_found", "Refund not found", "refund_id")
        receipt = {
            "id": str(uuid.uuid4()),
            "type": body["type"],
            "status": "succeeded",
            "items": body["items"],
            "settlements": settlements,
            "registered_at": _now(),
        }
        # Absent fields are left out, as the API does: the SDK cannot parse a null
        # tax_system_code.
        for optional in ("payment_id", "refund_id", "tax_system_code", "internet", "timezone"):
            if body.get(optional) is not None:
                receipt[optional] = body[optional]
        self.store.receipts[receipt["id"]] = receipt
        return receipt

    def get_receipt(self, receipt_id: str) -> dict:
        receipt = self.store.receipts.get(receipt_id)
        if receipt is None:
            raise ApiError(404, "not_found", "Receipt not found")
        return receipt

    # --- lists ----------------------------------------------------------------------
    def import_objects(self, body: dict) -> dict:
        """Stores past payments, refunds and receipts as given (their ids, amounts,
        statuses and times): `{"payments": [...], "refunds": [...], "receipts": [...]}`, each
        object as the API shows it. No notification is sent; an id already known is kept."""
        counts = {}
        with self.store.lock:
            for collection in ("payments", "refunds", "receipts"):
                objects = body.get(collection) or []
                if not isinstance(objects, list) or not all(
                    isinstance(item, dict) and isinstance(item.get("id"), str) for item in objects
                ):
                    raise ApiError(400, "invalid_request", "A list of objects with ids", collection)
                stored = getattr(self.store, collection)
                new = [item for item in objects if item["id"] not in stored]
                for item in new:
                    stored[item["id"]] = dict(item)
                counts[collection] = len(new)
        self.save()
        return counts

    def list_objects(self, collection: str, query: dict[str, list[str]]) -> dict:
        """`GET /v3/payments|refunds|receipts` as YooKassa's lists answer: `type` "list",
        `items` newest first, and `next_cursor` while more remain. The cursor is opaque to
        the client; here it is the sort key of the page's last item, so objects created
        while a client pages do not shift the pages. A receipt is dated by its
        registration (the emulator registers it at once)."""
        params = {name: values[-1] for name, values in query.items()}
        limit_text = params.get("limit", str(LIST_LIMIT_DEFAULT))
        try:
            limit = int(limit_text)
        except ValueError:
            limit = 0
        if not 1 <= limit <= LIST_LIMIT_MAX:
            raise ApiError(400, "invalid_request", "limit must be from 1 to 100", "limit")
        bounds = []
        for name, compare in CREATED_FILTERS.items():
            if name in params:
                try:
                    bounds.append((compare, _parse_moment(params[name])))
                except ValueError:
                    raise ApiError(
                        400, "invalid_request", "Invalid date-time value", name
                    ) from None
        status = params.get("status")
        if status is not None and status not in LIST_STATUSES[collection]:
            raise ApiError(400, "invalid_request", "Invalid status value", "status")
        after = None
        if "cursor" in params:
            try:
                moment, object_id = json.loads(base64.urlsafe_b64decode(params["cursor"]))
                after = (_parse_moment(moment), str(object_id))
            except (ValueError, TypeError):
                raise ApiError(400, "invalid_request", "Invalid cursor", "cursor") from None
        date_field = "registered_at" if collection == "receipts" else "created_at"
        with self.store.lock:
            objects = list(getattr(self.store, collection).values())
        chosen = []
        for obj in objects:
            moment = _parse_moment(obj[date_field])
            if not all(compare(moment, bound) for compare, bound in bounds):
                continue
            if status is not None and obj.get("status") != status:
                continue
            if collection == "receipts" and any(
                name in params and obj.get(name) != params[name]
                for name in ("payment_id", "refund_id")
            ):
                continue
            key = (moment, obj["id"])
            if after is not None and not key < after:
                continue
            chosen.append((key, obj))
        chosen.sort(key=lambda pair: pair[0], reverse=True)
        page = chosen[:limit]
        public = self.public_payment if collection == "payments" else dict
        answer = {"type": "list", "items": [public(obj) for _key, obj in page]}
        if len(chosen) > limit:
            (moment, object_id), _obj = page[-1]
            answer["next_cursor"] = base64.urlsafe_b64encode(
                json.dumps([moment.isoformat(), object_id]).encode()
            ).decode()
        return answer

    # --- notifications --------------------------------------------------------------
    def notify(self, event: str, obj: dict) -> None:
        # Serialised now: the object may change before the delivery thread runs.
        data = json.dumps({"type": "notification", "event": event, "object": obj}).encode()
        self.store.notifications.append(json.loads(data))
        if self.notification_url:
            threading.Thread(
                target=self._deliver, args=(event, obj["id"], data), daemon=True
            ).start()

    def _deliver(self, event: str, object_id: str, data: bytes) -> None:
        """POST the notification until it is answered with HTTP 200, as YooKassa does."""
        delays = (*self.retry_delays, None)
        for attempt, delay in enumerate(delays, start=1):
            record = {"event": event, "object_id": object_id, "attempt": attempt}
            try:
                request = urllib.request.Request(
                    self.notification_url,
                    data=data,
                    method="POST",
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(request, timeout=10) as response:
                    record["status"] = response.status
            except OSError as error:  # URLError, HTTPError (non-2xx), timeouts
                record["status"] = getattr(error, "code", None)
                record["error"] = str(error)
                logger.info("notification %s failed (attempt %s): %s", event, attempt, error)
            self.store.deliveries.append(record)
            if record["status"] == 200 or delay is None:
                return
            time.sleep(delay)

    # --- confirmation page ----------------------------------------------------------
    def checkout_page(self, payment_id: str) -> str:
        payment = self.store.payments.get(payment_id)
        if payment is None:
            raise ApiError(404, "not_found", "Payment not found")
        amount = html.escape(payment["amount"]["value"])
        description = html.escape(payment.get("description", ""))
        status = payment["status"]
        if status == "pending":
            actions = (
                f'<form method="post" action="/checkout/{payment_id}/pay"><button class="pay" type="submit">Оплатить · Pay</button></form>'
                f'<form method="post" action="/checkout/{payment_id}/decline"><button class="decline" type="submit">Отказаться · Decline</button></form>'
            )
        else:
            return_url = html.escape(payment["confirmation"]["return_url"])
            actions = f'<p>Статус · Status: <b>{html.escape(status)}</b></p><p><a href="{return_url}">Вернуться в магазин · Back to the shop</a></p>'
        return f"""<!doctype html><html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>ЮKassa (эмулятор)</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}}
.card{{border:1px solid #ddd;border-radius:12px;padding:1.5rem}}h1{{font-size:1.3rem}}.amount{{font-size:2rem;font-weight:700}}
button{{width:100%;min-height:48px;border-radius:8px;border:0;font-size:1.05rem;margin-top:.75rem;cursor:pointer}}
.pay{{background:#1f6feb;color:#fff}}.decline{{background:#eee}}.note{{color:#666;font-size:.85rem}}</style></head>
<body><div class="card"><h1>ЮKassa — тестовый платёж · test payment</h1>
<p class="note">Эмулятор для разработки: деньги не списываются. Development emulator: no money moves.</p>
<p>{description}</p><p class="amount">{amount} ₽</p>{actions}</div></body></html>"""


def make_handler(emulator: Emulator):
    class Handler(BaseHTTPRequestHandler):
        server_version = "YooKassaEmulator/1"
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):
            logger.debug("%s %s", self.address_string(), format % args)

        def _send(
            self, status: int, body: dict | str, content_type="application/json", headers=None
        ):
            data = (
                json.dumps(body, ensure_ascii=False) if isinstance(body, dict) else body
            ).encode()
            if self.command == "POST":
                # Written before the answer goes out: a client that restarts the emulator
                # as soon as it has its answer must find the change in the state file.
                emulator.save()
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > 1_000_000:
                # The body is not read, so the connection cannot be reused.
                self.close_connection = True
                raise ApiError(400, "invalid_request", "Invalid or too large Content-Length")
            return self.rfile.read(length) if length else b""

        def _internal_error(self, error: Exception):
            logger.exception("emulator error: %s", error)
            self.close_connection = True
            self._send(500, ApiError(500, "internal_server_error", "Internal error").body())

        def _check_auth(self):
            expected = (
                "Basic "
                + base64.b64encode(f"{emulator.shop_id}:{emulator.secret_key}".encode()).decode()
            )
            if self.headers.get("Authorization") != expected:
                raise ApiError(
                    401, "invalid_credentials", "Authentication by given credentials failed"
                )

        def do_GET(self):
            path = urlsplit(self.path).path
            try:
                if path.startswith("/checkout/"):
                    return self._send(200, emulator.checkout_page(path.split("/")[2]), "text/html")
                if path == "/emulator/notifications":
                    return self._send(
                        200,
                        {
                            "items": list(emulator.store.notifications),
                            "deliveries": list(emulator.store.deliveries),
                        },
                    )
                self._check_auth()
                parts = path.strip("/").split("/")
                emulator.store.reads.append(self.path)
                if len(parts) == 2 and parts[0] == "v3" and parts[1] in LIST_STATUSES:
                    query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
                    return self._send(200, emulator.list_objects(parts[1], query))
                if len(parts) == 3 and parts[:2] == ["v3", "payments"]:
                    return self._send(200, emulator.get_payment(parts[2]))
                if len(parts) == 3 and parts[:2] == ["v3", "refunds"]:
                    return self._send(200, emulator.get_refund(parts[2]))
                if len(parts) == 3 and parts[:2] == ["v3", "receipts"]:
                    return self._send(200, emulator.get_receipt(parts[2]))
                raise ApiError(404, "not_found", "Not found")
            except ApiError as error:
                self._send(error.status, error.body())
            except Exception as error:
                self._internal_error(error)

        def do_POST(self):
            path = urlsplit(self.path).path
            try:
                raw = self._body()
                parts = path.strip("/").split("/")
                if parts[0] == "checkout" and len(parts) == 3 and parts[2] in ("pay", "decline"):
                    payment = emulator.settle(parts[1], "pay" if parts[2] == "pay" else "decline")
                    return self._send(
                        303, "", "text/plain", {"Location": payment["confirmation"]["return_url"]}
                    )
                if (
                    parts[0] == "emulator"
                    and len(parts) == 4
                    and parts[1] == "payments"
                    and parts[3] in ("succeed", "decline")
                ):
                    payment = emulator.settle(
                        parts[2], "pay" if parts[3] == "succeed" else "decline"
                    )
                    return self._send(200, emulator.public_payment(payment))
                if (
                    parts[0] == "emulator"
                    and len(parts) == 4
                    and parts[1] == "refunds"
                    and parts[3] in ("succeed", "cancel")
                ):
                    return self._send(200, emulator.settle_refund(parts[2], parts[3]))
                if parts == ["emulator", "import"]:
                    try:
                        body = json.loads(raw or b"{}")
                    except ValueError:
                        raise ApiError(400, "invalid_request", "Not JSON") from None
                    if not isinstance(body, dict):
                        raise ApiError(400, "invalid_request", "Request body must be an object")
                    return self._send(200, emulator.import_objects(body))
                self._check_auth()
                key = self.headers.get("Idempotence-Key")
                if not key:
                    raise ApiError(
                        400, "invalid_request", "Idempotence key is empty", "Idempotence-Key"
                    )
                if len(key) > 64:
                    raise ApiError(
                        400,
                        "invalid_request",
                        "Idempotence key is too long. Max. length is 64",
                        "Idempotence-Key",
                    )
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    raise ApiError(
                        400, "invalid_request", "Request body is not valid JSON"
                    ) from None
                if not isinstance(body, dict):
                    raise ApiError(400, "invalid_request", "Request body must be an object")
                emulator.store.requests.append({"path": path, "key": key, "body": body})
                request = json.dumps([path, body], sort_keys=True)
                body_hash = hashlib.sha256(request.encode()).hexdigest()
                with emulator.store.lock:
                    replayed = emulator.store.replay(key, body_hash)
                    if replayed is not None:
                        return self._send(*replayed)
                    try:
                        result = self._route_post(parts, body)
                        emulator.store.remember(key, body_hash, 200, result)
                    except ApiError as error:
                        emulator.store.remember(key, body_hash, error.status, error.body())
                        raise
                self._send(200, result)
            except ApiError as error:
                self._send(error.status, error.body())
            except Exception as error:
                self._internal_error(error)

        def _route_post(self, parts, body):
            if parts == ["v3", "payments"]:
                return emulator.create_payment(body)
            if len(parts) == 4 and parts[:2] == ["v3", "payments"] and parts[3] == "capture":
                return emulator.capture(parts[2], body)
            if len(parts) == 4 and parts[:2] == ["v3", "payments"] and parts[3] == "cancel":
                return emulator.cancel(parts[2])
            if parts == ["v3", "refunds"]:
                return emulator.create_refund(body)
            if parts == ["v3", "receipts"]:
                return emulator.create_receipt(body)
            raise ApiError(404, "not_found", "Not found")

    return Handler


class EmulatorServer:
    """Runs the emulator in a background thread (tests) or in the foreground (command)."""

    def __init__(
        self,
        *,
        host="127.0.0.1",
        port=0,
        shop_id="emulator",
        secret_key="test_emulator_key",
        notification_url=None,
        public_url=None,
        retry_delays=NOTIFICATION_RETRY_DELAYS,
        state_file=None,
    ):
        self.emulator = Emulator(
            shop_id=shop_id,
            secret_key=secret_key,
            notification_url=notification_url,
            public_url=public_url or "",
            retry_delays=retry_delays,
            state_file=state_file,
        )
        self.httpd = ThreadingHTTPServer((host, port), make_handler(self.emulator))
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        if not public_url:
            self.emulator.public_url = self.url
        self.api_url = f"{self.url}/v3"
        self._thread = None

    def start(self):
        # A short poll interval makes `stop()` (which waits for the loop to notice) quick.
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        # `shutdown()` waits for a running `serve_forever()`; without one it would block.
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.httpd.server_close()

    def serve_forever(self):
        self.httpd.serve_forever()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument(
        "--notification-url", default="http://127.0.0.1:8000/api/v1/payments/yookassa/notifications"
    )
    parser.add_argument("--public-url", default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    server = EmulatorServer(
        host=args.host,
        port=args.port,
        notification_url=args.notification_url,
        public_url=args.public_url,
    )
    print(f"YooKassa emulator on {server.url} (shop id 'emulator', key 'test_emulator_key')")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
