"""Payment and refund records and their transitions through the gateway (YooKassa):
start, apply, refresh, capture, refunds and the reconciliation. Notifications are
`booking.services.notifications`, receipts `booking.services.receipts`.

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
import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from wagtail.log_actions import log

from booking.gateways.yookassa import (
    GatewayError,
    GatewayPayment,
    GatewayRefund,
    get_gateway,
)
from booking.models import FunnelStep, Order, Payment, Refund, WebhookEvent
from booking.services.errors import BookingError
from booking.services.funnel import funnel_record
from booking.services.orders import hold_keep_for_payment, order_confirm_paid
from booking.services.receipts import payment_receipt, receipt_total, refund_receipt
from booking.services.webhooks import order_payload, refund_payload, webhooks_emit
from common.tasks import enqueue

logger = logging.getLogger(__name__)

# The audit action of a refund YooKassa cancelled (the request is
# `booking.services.refunds.REFUND_ACTION`).
REFUND_CANCELED_ACTION = "booking.order.refund_canceled"

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
            _payment_started(order)
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
    if live.status == Payment.Status.CREATED:
        # Once per payment: the customer is on the way to YooKassa's page.
        _payment_started(order)
    return payment_apply(payment=live, remote=remote)


def _payment_started(order: Order) -> None:
    funnel_record(
        FunnelStep.PAYMENT_STARTED, product_id=order.departure.product_id, language=order.language
    )


# --- applying what YooKassa says -------------------------------------------------------


def _after_order_outcome(order: Order, outcome: str) -> None:
    """Side effects of `order_confirm_paid`, queued to run after the commit."""
    from booking.services.confirmations import (
        late_payment_notice_enqueue,
        order_confirmations_enqueue,
    )

    if outcome == "paid":
        # Once per order: "paid" is the outcome of the payment that sold its tickets only.
        funnel_record(
            FunnelStep.PAID, product_id=order.departure.product_id, language=order.language
        )
        order_confirmations_enqueue(order)
        webhooks_emit(event=WebhookEvent.ORDER_PAID, payload=lambda: order_payload(order))
    elif outcome in ("refunded", "duplicate"):
        for refund in Refund.objects.filter(payment__order=order, status=Refund.Status.CREATED):
            enqueue("booking.tasks.send_refund", refund.pk)
        if outcome == "refunded":
            late_payment_notice_enqueue(order)


def payment_apply(*, payment: Payment, remote: GatewayPayment) -> Payment:
    """Moves our payment to the state YooKassa reported, if that is a legal move, and lets
    the order follow. `remote` must come from the API (never from a notification body)."""
    return payment_apply_moved(payment=payment, remote=remote)[0]


def payment_apply_moved(*, payment: Payment, remote: GatewayPayment) -> tuple[Payment, bool]:
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
    refund) and records the answer; one already sent is re-fetched. A refund of the whole
    payment carries no receipt (YooKassa reuses the payment's); a partial one carries the
    receipt of its tickets, with their fees only when it returns them, its items summing
    to the refunded amount."""
    refund = Refund.objects.select_related("payment__order__departure").get(pk=refund.pk)
    if refund.status in (Refund.Status.SUCCEEDED, Refund.Status.CANCELED):
        return refund
    if refund.provider_id:
        remote = get_gateway().get_refund(refund.provider_id)
    else:
        payment = refund.payment
        receipt = None
        if refund.amount != payment.amount:
            receipt = refund_receipt(
                payment.order, refund.tickets.all(), with_fees=refund.fees_refunded
            )
            if receipt is not None and receipt_total(receipt) != refund.amount:
                # Never send a fiscal document that disagrees with the money.
                raise ValueError(
                    f"Refund {refund.pk}: receipt items sum to {receipt_total(receipt)}, "
                    f"not {refund.amount}"
                )
        remote = get_gateway().create_refund(
            payment_id=payment.provider_id,
            amount=refund.amount,
            description=f"Возврат по заказу {payment.order.code}",
            receipt=receipt,
            idempotence_key=refund.idempotence_key,
        )
    return refund_apply(refund=refund, remote=remote)


def refund_apply(*, refund: Refund, remote: GatewayRefund) -> Refund:
    """Moves our refund to the status YooKassa reported (`remote` from the API, never
    from a notification's body); a final status never changes. Only the refund moves:
    its tickets were refunded when it was requested (`booking.services.refunds`).

    A refund YooKassa cancels (it sends no notification for that; the reconciliation
    finds it) stays cancelled: the tickets stay refunded, since their seats may be sold
    again already, and the money is still owed. It is logged as an error and written to
    the order's history (`booking.order.refund_canceled`, with YooKassa's reason), where
    an agent sees it and pays the customer back another way."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.provider_id and refund.provider_id != remote.id:
            raise ValueError(f"Refund {refund.pk} is {refund.provider_id}, not {remote.id}")
        final = (Refund.Status.SUCCEEDED, Refund.Status.CANCELED)
        refund.provider_id = remote.id
        moved = refund.status not in final and remote.status in (
            "pending",
            "succeeded",
            "canceled",
        )
        moved = moved and remote.status != refund.status
        if moved:
            refund.status = remote.status
            refund.raw = remote.raw
        refund.save(update_fields=["provider_id", "status", "raw", "updated_at"])
        if moved and refund.status == Refund.Status.CANCELED:
            _refund_canceled(refund)
        if moved and refund.status == Refund.Status.SUCCEEDED:
            webhooks_emit(
                event=WebhookEvent.REFUND_SUCCEEDED, payload=lambda: refund_payload(refund)
            )
    return refund


def _refund_canceled(refund: Refund) -> None:
    reason = (refund.raw.get("cancellation_details") or {}).get("reason", "")
    order = Order.objects.get(pk=refund.payment.order_id)
    logger.error(
        "Refund %s (%s, order %s, %s RUB) was cancelled by YooKassa: %s",
        refund.pk,
        refund.provider_id,
        order.code,
        refund.amount,
        reason or "no reason given",
    )
    log(
        instance=order,
        action=REFUND_CANCELED_ACTION,
        data={
            "refund_id": refund.pk,
            "amount": f"{refund.amount:.2f}",
            "reason": reason,
            "tickets": list(refund.tickets.values_list("pk", flat=True)),
        },
    )


# --- reconciliation -------------------------------------------------------------------


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
        except Exception:
            # One refund that cannot be sent (a receipt that disagrees with its amount)
            # must not hold up the others.
            counts["errors"] += 1
            logger.exception("Reconciling refund %s failed", refund.pk)
    # An order whose payment is still pending is not expired: a late success will
    # confirm or refund it.
    counts["expired"] = orders_expire(now=now)
    return counts
