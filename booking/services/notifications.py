"""YooKassa's HTTP notifications: who may send them, what shape they must have, and what
is done with them; and how long their records are kept.

Nothing a notification says is believed: it is recorded (a bounded row), its object is
fetched from the API and only that answer moves a payment or a refund, through
`booking.services.payments` (under the row lock, along the legal transitions). A
notification about an object already final here is answered from our record.
"""

import datetime
import ipaddress
import json
import logging
import re

from django.conf import settings
from django.utils import timezone

from booking.gateways.yookassa import GatewayNotFound, GatewayPayment, GatewayRefund, get_gateway
from booking.models import Payment, PaymentNotification, Refund
from booking.services.payments import payment_apply_moved, refund_apply

logger = logging.getLogger(__name__)

NOTIFICATION_EVENTS = {
    "payment.succeeded": "succeeded",
    "payment.canceled": "canceled",
    "payment.waiting_for_capture": "waiting_for_capture",
    "refund.succeeded": "succeeded",
    # YooKassa documents no such event today (a cancelled refund is found by the
    # reconciliation asking); accepted in case it comes, verified like the others.
    "refund.canceled": "canceled",
}


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
    _payment, moved = payment_apply_moved(payment=payment, remote=remote)
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
