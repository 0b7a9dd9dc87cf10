"""Payments through the gateway (YooKassa): start, refresh, notifications, refunds,
reconciliation and settlement receipts.

What makes it safe:
- every creation call carries an idempotence key stored on our own record before the
  call (`Payment.idempotence_key`, `Refund.idempotence_key`, `FiscalReceipt…`), so a
  retry after a timeout or a crash returns what YooKassa already made instead of
  charging twice;
- nothing a notification says is believed: the object is fetched from the API and only
  that answer moves a payment forward, under the payment's row lock, along the legal
  transitions (pending → waiting_for_capture → succeeded | canceled; a final status never
  changes). Applying the same state twice, or an older state after a newer one, is a no-op;
- what the order does with a succeeded payment is `orders.order_confirm_paid`, in the same
  transaction; e-mails and refunds are sent by tasks after the commit.
"""

import datetime
import ipaddress
import json
import logging
import re
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from booking.models import (
    PREPAYMENT_MODES,
    FiscalReceipt,
    Order,
    Payment,
    PaymentMode,
    PaymentNotification,
    Refund,
    Ticket,
)
from booking.payments.gateway import (
    GatewayError,
    GatewayNotFound,
    GatewayPayment,
    GatewayRefund,
    get_gateway,
)
from booking.services.errors import BookingError
from booking.services.orders import hold_keep_for_payment, order_confirm_paid
from booking.services.pricing import Breakdown, product_taxes
from common.tasks import enqueue

logger = logging.getLogger(__name__)

RECEIPT_DESCRIPTION_MAX = 128
FEE_DESCRIPTION = "Сервисный сбор"
PAYMENT_DESCRIPTION_MAX = 128
# The order page asks YooKassa about a pending payment at most this often.
REFRESH_INTERVAL = datetime.timedelta(seconds=3)
# Legal moves of a payment's status; anything else is stale or forged and ignored.
PAYMENT_TRANSITIONS = {
    Payment.Status.CREATED: {"pending", "waiting_for_capture", "succeeded", "canceled"},
    Payment.Status.PENDING: {"waiting_for_capture", "succeeded", "canceled"},
    Payment.Status.WAITING_FOR_CAPTURE: {"succeeded", "canceled"},
    Payment.Status.SUCCEEDED: set(),
    Payment.Status.CANCELED: set(),
}
NOTIFICATION_EVENTS = {
    "payment.succeeded": "succeeded",
    "payment.canceled": "canceled",
    "payment.waiting_for_capture": "waiting_for_capture",
    "refund.succeeded": "succeeded",
}


# --- receipts (54-FZ) ------------------------------------------------------------------


def _receipt_customer(order: Order) -> dict:
    customer = {"email": order.email}
    if order.phone:
        customer["phone"] = order.phone.lstrip("+")
    return customer


def _ticket_item_description(order: Order, ticket_type_name: str, seat_label: str) -> str:
    departure = order.departure
    local = departure.local_starts_at
    parts = [f"Билет: {departure.product.name}", f"{local:%d.%m.%Y %H:%M}", ticket_type_name]
    if seat_label:
        parts.append(seat_label)
    return ", ".join(parts)[:RECEIPT_DESCRIPTION_MAX]


def receipt_items(order: Order, *, payment_mode: str, tickets=None) -> list[dict]:
    """The receipt's items: one per ticket (its price after the discount) and one per fee
    (for these tickets), each with the product's VAT code and payment subject. They sum
    to exactly what the tickets' paid amounts sum to. Fiscal documents are in Russian."""
    taxes = product_taxes(order.departure.product_id)
    tickets = list(
        tickets
        if tickets is not None
        else order.tickets.select_related("ticket_type", "seat").order_by("pk")
    )
    common = {
        "vat_code": taxes.vat_code,
        "payment_subject": taxes.payment_subject,
        "payment_mode": payment_mode,
    }
    items = []
    with translation.override("ru"):
        for ticket in tickets:
            amount = ticket.price - ticket.discount
            if amount > 0:
                seat = ticket.seat.short_label if ticket.seat else ""
                description = _ticket_item_description(order, ticket.ticket_type.name, seat)
                items.append(_item(description, amount, common))
    fees = Breakdown.from_json(order.breakdown).fees
    fee_total = sum((t.fee for t in tickets), Decimal("0"))
    if fee_total == sum((f.amount for f in fees), Decimal("0")):
        # All of the order's fees: each as its own item, as the breakdown shows them.
        items += [_item(f.names.get("ru") or FEE_DESCRIPTION, f.amount, common) for f in fees]
    elif fee_total > 0:
        # Some tickets of the order (a partial refund): their share of the fees.
        items.append(_item(FEE_DESCRIPTION, fee_total, common))
    return items


def _item(description: str, amount: Decimal, common: dict) -> dict:
    return {
        "description": description[:RECEIPT_DESCRIPTION_MAX],
        "quantity": "1.00",
        "amount": {"value": f"{amount:.2f}", "currency": "RUB"},
        **common,
    }


def payment_receipt(order: Order) -> dict | None:
    """The 54-FZ receipt sent with the payment (the sale is a prepayment unless the
    product is configured otherwise)."""
    if not settings.YOOKASSA_RECEIPTS:
        return None
    taxes = product_taxes(order.departure.product_id)
    receipt = {
        "customer": _receipt_customer(order),
        "items": receipt_items(order, payment_mode=taxes.payment_mode),
    }
    if settings.YOOKASSA_TAX_SYSTEM_CODE:
        receipt["tax_system_code"] = settings.YOOKASSA_TAX_SYSTEM_CODE
    return receipt


# --- starting a payment ----------------------------------------------------------------


def _payment_description(order: Order) -> str:
    with translation.override("ru"):
        return f"Заказ {order.code}: {order.departure.product.name}"[:PAYMENT_DESCRIPTION_MAX]


def payment_start(*, order: Order, return_url: str) -> Payment:
    """Creates (or re-uses) the order's payment at YooKassa; the caller redirects the
    customer to `payment.confirmation_url`. A free order is confirmed at once (and its
    returned payment has no confirmation URL). Raises BookingError("order_not_payable")
    when the order cannot be paid any more, BookingError("payment_unavailable") when
    YooKassa cannot be reached (the record stays, with its key, for the retry)."""
    now = timezone.now()
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",)).select_related("hold").get(pk=order.pk)
        )
        if order.status != Order.Status.AWAITING_PAYMENT or order.expires_at <= now:
            raise BookingError("order_not_payable")
        if order.hold is None or order.hold.expires_at <= now:
            raise BookingError("order_not_payable")
        live = order.payments.filter(
            status__in=[Payment.Status.CREATED, Payment.Status.PENDING]
        ).first()
        if live is not None and live.status == Payment.Status.PENDING and live.confirmation_url:
            return live
        if live is None:
            live = Payment.objects.create(
                order=order, idempotence_key=str(uuid.uuid4()), amount=order.total
            )
        hold_keep_for_payment(order, now)
        if order.total == 0:
            live.status = Payment.Status.SUCCEEDED
            live.succeeded_at = now
            live.save(update_fields=["status", "succeeded_at", "updated_at"])
            _after_order_outcome(order, order_confirm_paid(order=order, payment=live, now=now))
            return live
    try:
        remote = get_gateway().create_payment(
            amount=live.amount,
            description=_payment_description(order),
            return_url=return_url,
            metadata={"order_id": order.pk, "order_code": order.code, "payment_id": live.pk},
            receipt=payment_receipt(order),
            idempotence_key=live.idempotence_key,
        )
    except GatewayError as error:
        logger.warning("Payment creation for order %s failed: %s", order.code, error)
        raise BookingError("payment_unavailable") from error
    return payment_apply(payment=live, remote=remote)


# --- applying what YooKassa says -------------------------------------------------------


def _after_order_outcome(order: Order, outcome: str) -> None:
    """Side effects of `order_confirm_paid`, queued to run after the commit."""
    from booking.services.confirmations import (
        late_payment_notice_enqueue,
        order_confirmations_enqueue,
    )

    if outcome == "paid":
        order_confirmations_enqueue(order)
    elif outcome in ("refunded", "duplicate"):
        for refund in Refund.objects.filter(payment__order=order, status=Refund.Status.CREATED):
            enqueue("booking.tasks.send_refund", refund.pk)
        if outcome == "refunded":
            late_payment_notice_enqueue(order)


def payment_apply(*, payment: Payment, remote: GatewayPayment) -> Payment:
    """Moves our payment to the state YooKassa reported, if that is a legal move, and lets
    the order follow. `remote` must come from the API (never from a notification body)."""
    return _payment_apply(payment, remote)[0]


def _payment_apply(payment: Payment, remote: GatewayPayment) -> tuple[Payment, bool]:
    """`payment_apply`, also saying whether this call moved the payment."""
    now = timezone.now()
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.provider_id and payment.provider_id != remote.id:
            raise ValueError(f"Payment {payment.pk} is {payment.provider_id}, not {remote.id}")
        if remote.amount != payment.amount:
            # Not what we asked for: never confirm an order on it.
            logger.error("Payment %s amount %s != %s", remote.id, remote.amount, payment.amount)
            return payment, False
        changed = []
        if not payment.provider_id:
            payment.provider_id = remote.id
            changed.append("provider_id")
        if remote.confirmation_url and not payment.confirmation_url:
            payment.confirmation_url = remote.confirmation_url
            changed.append("confirmation_url")
        payment.checked_at = now
        changed.append("checked_at")
        moved = remote.status in PAYMENT_TRANSITIONS[payment.status]
        if moved:
            payment.status = remote.status
            payment.raw = remote.raw
            changed += ["status", "raw"]
            if remote.status == Payment.Status.CANCELED:
                payment.cancellation_reason = remote.cancellation_reason[:60]
                changed.append("cancellation_reason")
            if remote.status == Payment.Status.SUCCEEDED:
                payment.succeeded_at = now
                changed.append("succeeded_at")
        payment.save(update_fields=[*changed, "updated_at"])
        if moved and remote.status == Payment.Status.SUCCEEDED:
            order = Order.objects.select_for_update().get(pk=payment.order_id)
            _after_order_outcome(order, order_confirm_paid(order=order, payment=payment, now=now))
        elif moved and remote.status == Payment.Status.WAITING_FOR_CAPTURE:
            # We always ask for capture: true; a payment waiting for capture means the
            # shop is set up for two stages. Capture it (a task, with its own key).
            transaction.on_commit(lambda: enqueue("booking.tasks.capture_payment", payment.pk))
    return payment, moved


def payment_refresh(*, payment: Payment) -> Payment:
    """Asks YooKassa for the payment's state and applies it."""
    if not payment.provider_id:
        return payment
    return payment_apply(payment=payment, remote=get_gateway().get_payment(payment.provider_id))


def payment_capture(*, payment: Payment) -> Payment:
    payment = Payment.objects.get(pk=payment.pk)
    if payment.status != Payment.Status.WAITING_FOR_CAPTURE:
        return payment
    remote = get_gateway().capture_payment(
        payment_id=payment.provider_id,
        amount=payment.amount,
        idempotence_key=f"{payment.idempotence_key}-capture",
    )
    return payment_apply(payment=payment, remote=remote)


def order_payment_refresh(*, order: Order) -> Order:
    """Re-fetches the order's pending payment from YooKassa (at most every few seconds)
    and applies what it says; the order page calls it while it waits, so an order settles
    even where notifications cannot reach the site."""
    if order.status != Order.Status.AWAITING_PAYMENT:
        return order
    now = timezone.now()
    pending = order.payments.filter(
        status__in=[Payment.Status.PENDING, Payment.Status.WAITING_FOR_CAPTURE],
        provider_id__isnull=False,
    ).filter(Q(checked_at__isnull=True) | Q(checked_at__lte=now - REFRESH_INTERVAL))
    for payment in pending:
        try:
            payment_refresh(payment=payment)
        except GatewayError as error:
            logger.warning("Refreshing payment %s failed: %s", payment.provider_id, error)
    return Order.objects.select_related("departure__product", "departure__venue").get(pk=order.pk)


# --- refunds ---------------------------------------------------------------------------


def refund_send(*, refund: Refund) -> Refund:
    """Sends a refund we recorded to YooKassa (with its own key: a retry returns the same
    refund) and records the answer. A refund of the whole payment carries no receipt
    (YooKassa reuses the payment's); a partial one carries the receipt of its tickets."""
    refund = Refund.objects.select_related("payment__order__departure").get(pk=refund.pk)
    if refund.status in (Refund.Status.SUCCEEDED, Refund.Status.CANCELED):
        return refund
    if refund.provider_id:
        remote = get_gateway().get_refund(refund.provider_id)
    else:
        payment = refund.payment
        receipt = None
        if settings.YOOKASSA_RECEIPTS and refund.amount != payment.amount:
            order = payment.order
            taxes = product_taxes(order.departure.product_id)
            receipt = {
                "customer": _receipt_customer(order),
                "items": receipt_items(
                    order,
                    payment_mode=taxes.payment_mode,
                    tickets=refund.tickets.select_related("ticket_type", "seat"),
                ),
            }
        remote = get_gateway().create_refund(
            payment_id=payment.provider_id,
            amount=refund.amount,
            description=f"Возврат по заказу {payment.order.code}",
            receipt=receipt,
            idempotence_key=refund.idempotence_key,
        )
    return refund_apply(refund=refund, remote=remote)


def refund_apply(*, refund: Refund, remote: GatewayRefund) -> Refund:
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.provider_id and refund.provider_id != remote.id:
            raise ValueError(f"Refund {refund.pk} is {refund.provider_id}, not {remote.id}")
        final = (Refund.Status.SUCCEEDED, Refund.Status.CANCELED)
        refund.provider_id = remote.id
        if refund.status not in final and remote.status in ("pending", "succeeded", "canceled"):
            refund.status = remote.status
            refund.raw = remote.raw
        refund.save(update_fields=["provider_id", "status", "raw", "updated_at"])
        if refund.status == Refund.Status.SUCCEEDED:
            Ticket.objects.filter(refunds=refund, status=Ticket.Status.VALID).update(
                status=Ticket.Status.REFUNDED
            )
    return refund


# --- notifications ---------------------------------------------------------------------


class NotificationRefused(Exception):
    """The notification is malformed (400), from an address YooKassa does not use (403),
    contradicted by the API (400), or could not be verified because YooKassa could not be
    reached (503: YooKassa delivers it again); nothing was changed."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


# YooKassa's payment and refund ids: 36 characters in the UUID layout (e.g.
# "2d7a8c6e-000f-5000-9000-1c8f5f1c3a37"). Anything else is refused without an API call.
OBJECT_ID_FORMAT = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
# How much of a body is kept with its record (the column's size).
NOTIFICATION_EXCERPT_CHARS = PaymentNotification._meta.get_field("excerpt").max_length


def _parse_notification(raw: bytes) -> tuple[str, str, str]:
    """The notification's event, object id and claimed status, or `NotificationRefused`
    (400) for anything not shaped like YooKassa's notifications."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: nesting deeper than the parser's stack (`[[[[…`).
        raise NotificationRefused(400, "not JSON") from None
    if not isinstance(body, dict) or body.get("type") != "notification":
        raise NotificationRefused(400, "not a notification")
    event, obj = body.get("event"), body.get("object")
    if event not in NOTIFICATION_EVENTS:
        raise NotificationRefused(400, "unknown event")
    if not isinstance(obj, dict):
        raise NotificationRefused(400, "no object")
    object_id = obj.get("id")
    if not isinstance(object_id, str) or not OBJECT_ID_FORMAT.fullmatch(object_id):
        raise NotificationRefused(400, "no object id")
    if obj.get("status") != NOTIFICATION_EVENTS[event]:
        raise NotificationRefused(400, "event and status disagree")
    return event, object_id, obj["status"]


def notification_sender_allowed(remote_addr: str | None) -> bool:
    if not settings.YOOKASSA_CHECK_NOTIFICATION_IP:
        return True
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.YOOKASSA_NOTIFICATION_NETWORKS
    )


def notification_receive(*, raw: bytes, remote_addr: str | None) -> PaymentNotification:
    """Checks the sender and the body's shape, records the notification (a bounded row)
    and acts on it after re-fetching its object from the API. Raises `NotificationRefused`
    for disallowed (403) and malformed (400) ones, which are not recorded, for forged ones
    (400, recorded), and with 503 when the API could not be asked, so that YooKassa
    delivers it again. A notification about an object that is final here is answered
    from our record without a call. A verified one is answered 200 even when applying it
    fails (the reconciliation will catch up), so YooKassa does not retry for a day."""
    if not notification_sender_allowed(remote_addr):
        logger.warning("Notification from %s refused: not YooKassa's address", remote_addr)
        raise NotificationRefused(403, "sender not allowed")
    event, object_id, claimed = _parse_notification(raw)
    record = PaymentNotification.objects.create(
        remote_addr=remote_addr,
        event=event,
        object_id=object_id,
        status=claimed,
        excerpt=raw.decode("utf-8", errors="replace").replace("\x00", "")[
            :NOTIFICATION_EXCERPT_CHARS
        ],
    )
    is_refund = event.startswith("refund.")
    if _answered_from_our_record(record, is_refund, object_id, claimed):
        return record
    gateway = get_gateway()
    try:
        remote = (gateway.get_refund if is_refund else gateway.get_payment)(object_id)
    except GatewayNotFound:
        _note(record, PaymentNotification.Outcome.FORGED, "unknown to the API")
        raise NotificationRefused(
            400, "unknown refund" if is_refund else "unknown payment"
        ) from None
    except Exception as error:  # unreachable, 5xx, misconfigured: not verified
        logger.warning("Notification %s not verified: %s", record.pk, error)
        _note(record, PaymentNotification.Outcome.UNVERIFIED, str(error))
        raise NotificationRefused(503, "could not verify with YooKassa") from None
    try:
        if is_refund:
            _notification_refund(record, remote, claimed)
        else:
            _notification_payment(record, remote, claimed)
    except NotificationRefused:
        raise
    except Exception as error:  # verified, recorded and left to the reconciliation
        logger.exception("Processing notification %s failed", record.pk)
        _note(record, PaymentNotification.Outcome.FAILED, repr(error))
    return record


def _note(record: PaymentNotification, outcome: str, detail: str = "") -> None:
    record.outcome = outcome
    record.detail = detail[:255]
    record.save(update_fields=["outcome", "detail"])


def _answered_from_our_record(
    record: PaymentNotification, is_refund: bool, object_id: str, claimed: str
) -> bool:
    """A payment or refund already final here (set from the API's answer) never changes:
    a notification agreeing with it (or stale) is a repeated delivery, one contradicting it
    is forged; neither needs the API. Raises `NotificationRefused` for the latter."""
    model = Refund if is_refund else Payment
    final = (model.Status.SUCCEEDED, model.Status.CANCELED)
    ours = model.objects.filter(provider_id=object_id, status__in=final).first()
    if ours is None:
        return False
    if ours.status == claimed or _later_than(ours.status, claimed):
        _note(record, PaymentNotification.Outcome.UNCHANGED, "final here; not re-fetched")
        return True
    _note(record, PaymentNotification.Outcome.FORGED, f"{ours.status} here (final)")
    raise NotificationRefused(400, "contradicts a final status")


def _notification_payment(record: PaymentNotification, remote: GatewayPayment, claimed: str):
    if remote.status != claimed and not _later_than(remote.status, claimed):
        _note(record, PaymentNotification.Outcome.FORGED, f"API says {remote.status}")
        raise NotificationRefused(400, "the API contradicts the notification")
    payment = Payment.objects.filter(provider_id=remote.id).first()
    if payment is None:
        # Created, but the answer to our request was lost: the metadata (from the API,
        # so trustworthy) names our record.
        payment_pk = str(remote.metadata.get("payment_id", ""))
        payment = (
            Payment.objects.filter(pk=int(payment_pk), provider_id__isnull=True).first()
            if payment_pk.isdecimal()
            else None
        )
    if payment is None:
        _note(record, PaymentNotification.Outcome.UNKNOWN, "not a payment of ours")
        return
    _payment, moved = _payment_apply(payment, remote)
    _note(
        record,
        PaymentNotification.Outcome.APPLIED if moved else PaymentNotification.Outcome.UNCHANGED,
    )


def _later_than(actual: str, claimed: str) -> bool:
    """A stale notification: the payment has moved on past what it says (e.g. it says
    waiting_for_capture and the API says succeeded)."""
    return claimed == "waiting_for_capture" and actual in ("succeeded", "canceled")


def _notification_refund(record: PaymentNotification, remote: GatewayRefund, claimed: str):
    if remote.status != claimed:
        _note(record, PaymentNotification.Outcome.FORGED, f"API says {remote.status}")
        raise NotificationRefused(400, "the API contradicts the notification")
    refund = Refund.objects.filter(provider_id=remote.id).first()
    if refund is None:
        _note(record, PaymentNotification.Outcome.UNKNOWN, "not a refund of ours")
        return
    before = refund.status
    refund = refund_apply(refund=refund, remote=remote)
    _note(
        record,
        PaymentNotification.Outcome.APPLIED
        if refund.status != before
        else PaymentNotification.Outcome.UNCHANGED,
    )


def payment_notifications_delete_old(*, now=None) -> int:
    """Deletes notification records older than `PAYMENT_NOTIFICATION_RETENTION_DAYS`;
    returns how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PAYMENT_NOTIFICATION_RETENTION_DAYS)
    deleted, _by_model = PaymentNotification.objects.filter(received_at__lt=cutoff).delete()
    return deleted


# --- reconciliation and settlement -----------------------------------------------------


def payments_reconcile(*, now=None) -> dict:
    """What the notifications may have missed: payments pending longer than
    `BOOKING_RECONCILE_AFTER_MINUTES` are re-fetched and applied, refunds not yet final are
    sent or re-fetched, and orders nobody paid for are expired."""
    from booking.services.orders import orders_expire

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.BOOKING_RECONCILE_AFTER_MINUTES)
    counts = {"payments": 0, "refunds": 0, "expired": 0, "errors": 0}
    stale = Payment.objects.filter(
        status__in=[Payment.Status.PENDING, Payment.Status.WAITING_FOR_CAPTURE],
        provider_id__isnull=False,
        created_at__lte=cutoff,
    ).order_by("created_at")[:200]
    for payment in stale:
        try:
            payment_refresh(payment=payment)
            counts["payments"] += 1
        except GatewayError as error:
            counts["errors"] += 1
            logger.warning("Reconciling payment %s failed: %s", payment.provider_id, error)
    open_refunds = Refund.objects.filter(
        status__in=[Refund.Status.CREATED, Refund.Status.PENDING], created_at__lte=cutoff
    ).order_by("created_at")[:200]
    for refund in open_refunds:
        try:
            refund_send(refund=refund)
            counts["refunds"] += 1
        except GatewayError as error:
            counts["errors"] += 1
            logger.warning("Reconciling refund %s failed: %s", refund.pk, error)
    # An order whose payment is still pending is not expired: a late success will
    # confirm or refund it.
    counts["expired"] = orders_expire(now=now)
    return counts


def settlement_receipt_send(*, order: Order, now=None) -> FiscalReceipt | None:
    """The prepayment-settlement receipt of a paid order whose departure has taken place
    (54-FZ: an advance sale is a prepayment, settled when the service is delivered).
    `POST /v3/receipts` with type "payment" and a prepayment settlement; items of the
    tickets still valid, in full-payment mode. Idempotent: one receipt per order."""
    if not settings.YOOKASSA_RECEIPTS:
        return None
    taxes = product_taxes(order.departure.product_id)
    if taxes.payment_mode not in PREPAYMENT_MODES:
        return None
    payment = order.payments.filter(status=Payment.Status.SUCCEEDED).order_by("pk").first()
    if payment is None:
        return None
    record, _created = FiscalReceipt.objects.get_or_create(
        order=order,
        kind=FiscalReceipt.Kind.SETTLEMENT,
        defaults={"idempotence_key": str(uuid.uuid4())},
    )
    if record.sent_at:
        return record
    tickets = list(
        order.tickets.filter(status=Ticket.Status.VALID).select_related("ticket_type", "seat")
    )
    amount = sum((t.paid_amount for t in tickets), Decimal("0"))
    if amount <= 0:
        return record
    receipt = {
        "type": "payment",
        "payment_id": payment.provider_id,
        "send": True,
        "customer": _receipt_customer(order),
        "items": receipt_items(order, payment_mode=PaymentMode.FULL_PAYMENT, tickets=tickets),
        "settlements": [
            {"type": "prepayment", "amount": {"value": f"{amount:.2f}", "currency": "RUB"}}
        ],
    }
    if settings.YOOKASSA_TAX_SYSTEM_CODE:
        receipt["tax_system_code"] = settings.YOOKASSA_TAX_SYSTEM_CODE
    try:
        answer = get_gateway().create_receipt(
            receipt=receipt, idempotence_key=record.idempotence_key
        )
    except GatewayError as error:
        record.error = str(error)[:255]
        record.save(update_fields=["error"])
        raise
    record.provider_id = str(answer.get("id", ""))
    record.status = str(answer.get("status", ""))
    record.sent_at = now or timezone.now()
    record.error = ""
    record.save(update_fields=["provider_id", "status", "sent_at", "error"])
    return record


def settlement_receipts_due(*, now=None) -> list[int]:
    """Ids of paid orders whose departure has started and whose settlement receipt has not
    been sent."""
    now = now or timezone.now()
    return list(
        Order.objects.filter(
            status__in=[Order.Status.PAID, Order.Status.PARTLY_REFUNDED],
            departure__starts_at__lte=now,
        )
        .exclude(receipts__kind=FiscalReceipt.Kind.SETTLEMENT, receipts__sent_at__isnull=False)
        .values_list("pk", flat=True)[:500]
    )
