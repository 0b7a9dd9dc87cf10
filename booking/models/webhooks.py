"""Outbound webhooks: who wants to hear about what (`WebhookSubscription`), each event sent
to one subscription (`WebhookDelivery`) and each try to send it (`WebhookAttempt`). The
rules (which events, the signature, retries, pausing) are `booking.services.webhooks`;
README, "Outbound webhooks"."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.TextChoices):
    ORDER_PAID = "order.paid", _("Order paid")
    ORDER_CANCELLED = "order.cancelled", _("Order cancelled")
    TICKET_REFUNDED = "ticket.refunded", _("Tickets refunded")
    TICKET_CHECKED_IN = "ticket.checked_in", _("Ticket boarded")
    REFUND_SUCCEEDED = "refund.succeeded", _("Refund succeeded")
    DEPARTURE_CANCELLED = "departure.cancelled", _("Departure cancelled")
    CASE_CREATED = "case.created", _("Support case opened")


# Sent by the "Send a test event" button only; nobody subscribes to it.
TEST_EVENT = "webhook.test"


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_hex(32)


class WebhookSubscription(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("URL"),
        max_length=500,
        help_text=_("Where the events are sent (POST, JSON). HTTPS only, except to this computer."),
    )
    secret = models.CharField(
        _("signing secret"), max_length=100, default=new_webhook_secret, editable=False
    )
    # The events' values (`WebhookEvent`), checked by the service. JSON, not a
    # PostgreSQL array: the demo runs on SQLite too.
    events = models.JSONField(_("events"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("The member of staff told by e-mail when the subscription is paused."),
    )
    # The first failed attempt since the last success (None while the receiver answers):
    # a subscription that has failed for WEBHOOK_PAUSE_AFTER is paused.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True, editable=False)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class WebhookDelivery(models.Model):
    """One event for one subscription. A resend is a new delivery with the same event id
    (the receiver's idempotence key) and body."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, db_index=True)
    event = models.CharField(_("event"), max_length=40)
    # The JSON body as sent, byte for byte (the signature covers it).
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When the next attempt is due; while one is under way, a lease (a worker that died
    # leaves the delivery to the sweeper once it runs out).
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="booking_webhook_due",
            )
        ]

    def __str__(self):
        return f"{self.event} {self.event_id}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempt_set",
        verbose_name=_("delivery"),
    )
    at = models.DateTimeField(_("time"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    response_excerpt = models.CharField(_("response"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery", "at", "pk"]

    def __str__(self):
        return f"{self.delivery} @ {self.at:%Y-%m-%d %H:%M:%S}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
