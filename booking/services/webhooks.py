"""Outbound webhooks (README, "Outbound webhooks"): the services where something happens
call `webhooks_emit(event=..., payload=...)` inside their transaction; it records one
`WebhookDelivery` per active subscription to that event and queues its sending after the
commit. Nothing at all happens when nobody subscribes.

- Each delivery is a POST of `{"id", "type", "created_at", "data"}` signed Stripe-like:
  `X-Prichal-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the
  subscription's secret (`webhook_signature`, `webhook_signature_verify`).
- An attempt is one HTTP request with a short timeout (`WEBHOOK_TIMEOUT_SECONDS`); a 2xx
  answer delivers, anything else (redirects included) fails and is tried again after
  `RETRY_DELAYS` (1 min … 12 h, about 21 h in all), then the delivery has failed.
- Deliveries are claimed with `select_for_update(skip_locked=True)` and leased (their next
  attempt moved past the timeout) before the request, so two workers (two clusters, the
  queued task and the sweeper) never send the same attempt twice, and one that dies
  leaves it to the sweeper (`webhook_deliveries_send_due`, every minute).
- A subscription whose every attempt has failed for `WEBHOOK_PAUSE_AFTER_HOURS` is paused
  and its owner told by e-mail in their language; its deliveries wait (they are sent when
  it is made active again).
"""

import datetime
import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django_q.tasks import async_task
from wagtail.log_actions import log

from booking.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from booking.models.webhooks import TEST_EVENT
from common.request_id import bound

logger = logging.getLogger(__name__)

SEND_TASK = "booking.tasks.send_webhook_delivery"
RESEND_ACTION = "booking.webhook.resend"
TEST_ACTION = "booking.webhook.test"
PAUSE_ACTION = "booking.webhook.pause"

# Pauses before the 2nd … 7th attempt: 1 min, 5 min, 30 min, 2 h, 6 h, 12 h (20 h 36 min
# after the first attempt comes the last).
RETRY_DELAYS = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=6),
    datetime.timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
RESPONSE_EXCERPT = 500
# A claimed delivery is not claimed again for this long (more than an attempt can take).
LEASE = datetime.timedelta(minutes=2)
SWEEP_BATCH = 100
# Hosts to which plain http is allowed (a receiver on the same machine).
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
USER_AGENT = "Prichal-Webhooks/1"


# --- subscriptions ------------------------------------------------------------------------


def webhook_url_check(url: str) -> None:
    """Raises ValidationError (translated) unless `url` may receive webhooks: https, or
    http to this computer (127.0.0.1, localhost) or anywhere when DEBUG is on."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(gettext_lazy("Enter a full web address (https://…)."), "url")
    if parts.scheme == "http" and not (settings.DEBUG or parts.hostname in LOCAL_HOSTS):
        raise ValidationError(
            gettext_lazy("Webhooks are sent over HTTPS only (http only to this computer)."),
            "url_not_https",
        )


def webhook_events_check(events) -> list[str]:
    """The events as a sorted list; ValidationError (translated) for an unknown one or none."""
    events = sorted(set(events or ()))
    unknown = [event for event in events if event not in WebhookEvent.values]
    if unknown:
        raise ValidationError(
            gettext_lazy("Unknown event: %(event)s."), "event_unknown", {"event": unknown[0]}
        )
    if not events:
        raise ValidationError(gettext_lazy("Choose at least one event."), "events_required")
    return events


def subscription_activate(subscription: WebhookSubscription) -> None:
    """Made active again (by staff, on its screen): its failures start afresh and what
    waited is sent at the sweeper's next run."""
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        status=WebhookSubscription.Status.ACTIVE, failing_since=None, paused_at=None
    )


# --- the signature ------------------------------------------------------------------------


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<timestamp>,v1=<hex HMAC-SHA256 of b"<timestamp>." + body>`."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def webhook_signature_verify(
    secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None
) -> bool:
    """What a receiver does (the README shows the same in a few lines): the header's
    timestamp is recent and one of its v1 signatures matches the body."""
    try:
        fields = [item.split("=", 1) for item in header.split(",")]
        timestamp = int(next(value for key, value in fields if key == "t"))
        signatures = [value for key, value in fields if key == "v1"]
    except (ValueError, StopIteration):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = webhook_signature(secret, timestamp, body).split(",v1=", 1)[1]
    return any(hmac.compare_digest(expected, signature) for signature in signatures)


# --- emitting -----------------------------------------------------------------------------


def _body(event_id: uuid.UUID, event: str, created_at, data: dict) -> str:
    return json.dumps(
        {"id": str(event_id), "type": event, "created_at": created_at.isoformat(), "data": data},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _enqueue_after_commit(delivery_ids: list[int]) -> None:
    def send():
        for delivery_id in delivery_ids:
            async_task(SEND_TASK, delivery_id)

    # `bound`: the send task carries the id of the request that made the event.
    transaction.on_commit(bound(send), robust=True)


def webhooks_emit(
    *, event: str, payload: dict | Callable[[], dict], now=None
) -> list[WebhookDelivery]:
    """Records the event for every active subscription to it (one event id shared by all)
    and queues the sending once the caller's transaction commits. Call it inside the
    transaction that makes the event happen: rolled back, nothing is sent. `payload` may be
    a function, called only when someone subscribes (with nobody subscribed an event costs
    one query and nothing else)."""
    if event not in WebhookEvent.values:
        raise ValueError(f"Unknown webhook event {event!r}")
    # The active subscriptions are few; which of them want the event is decided here, the
    # same on PostgreSQL and SQLite (a JSON list has no portable "contains").
    subscriptions = [
        pk
        for pk, events in WebhookSubscription.objects.filter(
            status=WebhookSubscription.Status.ACTIVE
        ).values_list("pk", "events")
        if event in events
    ]
    if not subscriptions:
        return []
    now = now or timezone.now()
    event_id = uuid.uuid4()
    body = _body(event_id, event, now, payload() if callable(payload) else payload)
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                subscription_id=pk,
                event_id=event_id,
                event=event,
                body=body,
                created_at=now,
                next_attempt_at=now,
            )
            for pk in subscriptions
        ]
    )
    _enqueue_after_commit([delivery.pk for delivery in deliveries])
    return deliveries


def delivery_resend(*, delivery: WebhookDelivery, user) -> WebhookDelivery:
    """Sends the delivery's event again as a new delivery: same event id and body (the
    receiver recognises a duplicate), a fresh retry schedule. Audited on the subscription."""
    now = timezone.now()
    with transaction.atomic():
        copy = WebhookDelivery.objects.create(
            subscription_id=delivery.subscription_id,
            event_id=delivery.event_id,
            event=delivery.event,
            body=delivery.body,
            created_at=now,
            next_attempt_at=now,
        )
        log(
            instance=delivery.subscription,
            action=RESEND_ACTION,
            user=user,
            data={"delivery_id": delivery.pk, "resent_as": copy.pk, "event_id": str(copy.event_id)},
        )
        _enqueue_after_commit([copy.pk])
    return copy


def subscription_test_event(*, subscription: WebhookSubscription, user) -> WebhookDelivery:
    """A `webhook.test` event to this subscription only (whatever its events), so staff see
    at once whether the receiver answers and checks the signature. Audited."""
    now = timezone.now()
    event_id = uuid.uuid4()
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            subscription=subscription,
            event_id=event_id,
            event=TEST_EVENT,
            body=_body(event_id, TEST_EVENT, now, {"subscription_id": subscription.pk}),
            created_at=now,
            next_attempt_at=now,
        )
        log(instance=subscription, action=TEST_ACTION, user=user, data={"delivery_id": delivery.pk})
        _enqueue_after_commit([delivery.pk])
    return delivery


# --- sending ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None
    error: str
    duration_ms: int
    response_excerpt: str

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _post(delivery: WebhookDelivery, subscription: WebhookSubscription) -> AttemptResult:
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Prichal-Event": delivery.event,
        "X-Prichal-Delivery": str(delivery.event_id),
        "X-Prichal-Timestamp": str(timestamp),
        "X-Prichal-Signature": webhook_signature(subscription.secret, timestamp, body),
    }
    started = time.monotonic()
    try:
        response = requests.post(
            subscription.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        return AttemptResult(None, f"{type(error).__name__}: {error}"[:300], _ms(started), "")
    return AttemptResult(
        response.status_code,
        "",
        _ms(started),
        response.text[:RESPONSE_EXCERPT],
    )


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _claim(deliveries, now) -> list[int]:
    """Leases the due, pending deliveries of active subscriptions among `deliveries` that
    no other worker holds; returns their ids."""
    with transaction.atomic():
        ids = list(
            deliveries.filter(
                status=WebhookDelivery.Status.PENDING,
                next_attempt_at__lte=now,
                subscription__status=WebhookSubscription.Status.ACTIVE,
            )
            .select_for_update(of=("self",), skip_locked=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(next_attempt_at=now + LEASE)
    return ids


def _attempt(delivery_id: int, now) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    result = _post(delivery, delivery.subscription)
    paused = None
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        subscription = WebhookSubscription.objects.select_for_update().get(
            pk=delivery.subscription_id
        )
        WebhookAttempt.objects.create(
            delivery=delivery,
            at=now,
            status_code=result.status_code,
            error=result.error,
            duration_ms=result.duration_ms,
            response_excerpt=result.response_excerpt,
        )
        delivery.attempts += 1
        if result.succeeded:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            if subscription.failing_since is not None:
                subscription.failing_since = None
                subscription.save(update_fields=["failing_since"])
        else:
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = WebhookDelivery.Status.FAILED
                delivery.next_attempt_at = None
            else:
                delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
            paused = _failed(subscription, now)
        delivery.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at"])
    if paused:
        _tell_owner(paused)
    return delivery


def _failed(subscription: WebhookSubscription, now) -> WebhookSubscription | None:
    """Counts a failed attempt against the (locked) subscription; pauses it when it has
    failed without a success for WEBHOOK_PAUSE_AFTER_HOURS and returns it then."""
    if subscription.failing_since is None:
        subscription.failing_since = now
        subscription.save(update_fields=["failing_since"])
        return None
    limit = datetime.timedelta(hours=settings.WEBHOOK_PAUSE_AFTER_HOURS)
    if subscription.status != WebhookSubscription.Status.ACTIVE:
        return None
    if now - subscription.failing_since < limit:
        return None
    subscription.status = WebhookSubscription.Status.PAUSED
    subscription.paused_at = now
    subscription.save(update_fields=["status", "paused_at"])
    log(
        instance=subscription,
        action=PAUSE_ACTION,
        data={"failing_since": subscription.failing_since.isoformat()},
    )
    return subscription


def _owner_language(user) -> str:
    profile = getattr(user, "wagtail_userprofile", None)
    language = getattr(profile, "preferred_language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _tell_owner(subscription: WebhookSubscription) -> bool:
    owner = subscription.owner
    if owner is None or not owner.email:
        logger.warning("Webhook subscription %s paused; it has no owner to tell", subscription.pk)
        return False
    with translation.override(_owner_language(owner)):
        subject = gettext("Webhook subscription paused: %(name)s") % {"name": subscription.name}
        body = gettext(
            "Every delivery to %(url)s has failed since %(since)s, so the subscription "
            "“%(name)s” is paused. Its events are kept and sent once it is made active again "
            "(CRM → Webhook subscriptions); the delivery log shows each attempt's answer."
        ) % {
            "url": subscription.url,
            "since": f"{timezone.localtime(subscription.failing_since):%Y-%m-%d %H:%M}",
            "name": subscription.name,
        }
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email])
    except Exception:
        logger.exception("The owner of webhook subscription %s was not told", subscription.pk)
        return False
    return True


def webhook_delivery_send(delivery_id: int, *, now=None) -> WebhookDelivery | None:
    """One attempt at this delivery if it is due (the task queued after the event); None
    when it is not (sent already, not due, paused, or another worker has it)."""
    now = now or timezone.now()
    if not _claim(WebhookDelivery.objects.filter(pk=delivery_id), now):
        return None
    return _attempt(delivery_id, now)


def webhook_deliveries_send_due(*, now=None) -> int:
    """The sweeper: one attempt at each due delivery (retries, what a dead worker left,
    what waited while its subscription was paused), a batch per run. Returns how many
    were attempted."""
    now = now or timezone.now()
    ids = _claim(WebhookDelivery.objects.all(), now)
    for delivery_id in ids:
        try:
            _attempt(delivery_id, now)
        except Exception:
            # Its lease runs out and the next run tries it again.
            logger.exception("Webhook delivery %s could not be attempted", delivery_id)
    return len(ids)


# --- payloads -----------------------------------------------------------------------------
# No names, e-mail addresses or phone numbers: a receiver that needs them asks the CRM API
# by order code (and is then subject to its permissions and audit).


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def departure_data(departure) -> dict:
    return {
        "id": departure.pk,
        "starts_at": departure.starts_at.isoformat(),
        "status": departure.status,
        "product": departure.product.code,
        "venue_id": departure.venue_id,
    }


def ticket_data(ticket) -> dict:
    return {
        "id": ticket.pk,
        "code": f"{ticket.order.code}/{ticket.pk}",
        "status": ticket.status,
        "ticket_type_id": ticket.ticket_type_id,
        "seat_id": ticket.seat_id,
        "paid_amount": _money(ticket.paid_amount),
        "checked_in_at": ticket.checked_in_at.isoformat() if ticket.checked_in_at else None,
    }


def order_data(order) -> dict:
    return {
        "code": order.code,
        "status": order.status,
        "currency": "RUB",
        "subtotal": _money(order.subtotal),
        "discount_total": _money(order.discount_total),
        "fees_total": _money(order.fees_total),
        "total": _money(order.total),
        "language": order.language,
        "created_at": order.created_at.isoformat(),
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
    }


def order_payload(order, tickets=None) -> dict:
    tickets = list(tickets if tickets is not None else order.tickets.order_by("pk"))
    return {
        "order": order_data(order),
        "departure": departure_data(order.departure),
        "tickets": [ticket_data(ticket) for ticket in tickets],
    }


def refund_payload(refund) -> dict:
    order = refund.payment.order
    return {
        "refund": {
            "id": refund.pk,
            "status": refund.status,
            "reason": refund.reason,
            "currency": "RUB",
            "amount": _money(refund.amount),
            "fees_refunded": refund.fees_refunded,
        },
        **order_payload(order, refund.tickets.order_by("pk")),
    }
