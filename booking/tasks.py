"""django-q2 entry points: every task of the booking app, and only here. They take ids (or
nothing) and call services; the periodic ones are scheduled by migrations, the others are
queued with `common.tasks.enqueue` (retried) by their dotted path `booking.tasks.<name>`.
A task that moves keeps resolving for what is already queued: add its old path to
`common.tasks.MOVED_TASKS` and rewrite stored schedules in a data migration (as booking 0014 does)."""

import logging

from booking.models import Order, Payment, Refund
from booking.services.cancellations import departure_cancellation_refunds
from booking.services.confirmations import (
    late_payment_refund_notice,
    order_confirmation_email,
    order_confirmation_sms,
    ticket_refund_notice,
)
from booking.services.funnel import funnel_aggregate
from booking.services.holds import holds_delete_expired
from booking.services.notifications import payment_notifications_delete_old
from booking.services.payments import payment_capture, payments_reconcile, refund_send
from booking.services.receipts import settlement_receipt_send, settlement_receipts_due
from booking.services.rentals import rentals_release_lapsed
from booking.services.webhooks import webhook_deliveries_send_due, webhook_delivery_send

logger = logging.getLogger(__name__)


def sweep_expired_holds() -> int:
    # A rental nobody paid for goes with its hold: the vessel's time is free again.
    rentals_release_lapsed()
    return holds_delete_expired()


def reconcile_payments() -> dict:
    return payments_reconcile()


def delete_old_payment_notifications() -> int:
    return payment_notifications_delete_old()


def send_refund(refund_id: int) -> str:
    return refund_send(refund=Refund.objects.get(pk=refund_id)).status


def capture_payment(payment_id: int) -> str:
    return payment_capture(payment=Payment.objects.get(pk=payment_id)).status


def send_settlement_receipts() -> int:
    """Every due settlement receipt; one failing order does not hold up the others (its
    receipt is tried again at the next run)."""
    sent = 0
    for order_id in settlement_receipts_due():
        try:
            if settlement_receipt_send(order=Order.objects.get(pk=order_id)):
                sent += 1
        except Exception:
            logger.exception("Settlement receipt of order %s failed", order_id)
    return sent


def send_order_confirmation_email(order_id: int) -> bool:
    """The confirmation e-mail of a paid order with its PDF tickets, at most once."""
    return order_confirmation_email(order_id)


def send_order_confirmation_sms(order_id: int) -> bool:
    """The confirmation SMS of a paid order, at most once."""
    return order_confirmation_sms(order_id)


def send_late_payment_refund_notice(order_id: int) -> dict[str, bool]:
    """The notice (e-mail and SMS) that a late payment is being refunded."""
    return late_payment_refund_notice(order_id)


def send_ticket_refund_notice(refund_id: int) -> dict[str, bool]:
    """The notice (e-mail and SMS) that tickets were refunded, each at most once."""
    return ticket_refund_notice(refund_id)


def refund_cancelled_departure(departure_id: int) -> dict:
    """Refunds every paid order of a cancelled departure in full and tells each customer
    once; resumable (booking.services.cancellations)."""
    progress = departure_cancellation_refunds(departure_id=departure_id)
    return {"total": progress.total, "refunded": progress.refunded, "failed": progress.failed}


def send_webhook_delivery(delivery_id: int) -> str | None:
    """The first attempt at a webhook delivery, queued after the event's commit; its
    retries are the sweeper's (booking.services.webhooks)."""
    delivery = webhook_delivery_send(delivery_id)
    return delivery.status if delivery is not None else None


def send_due_webhooks() -> int:
    """Every minute: webhook deliveries whose next attempt is due."""
    return webhook_deliveries_send_due()


def aggregate_funnel() -> dict:
    """Every hour: the sales funnel's events folded into daily counts, old events deleted
    (booking.services.funnel)."""
    return funnel_aggregate()
