"""Money moving: payments, refunds, settlement receipts and the payment notifications
received from YooKassa."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from booking.models.orders import Order, Ticket


class Payment(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("Not sent yet")
        PENDING = "pending", _("Pending")
        WAITING_FOR_CAPTURE = "waiting_for_capture", _("Waiting for capture")
        SUCCEEDED = "succeeded", _("Succeeded")
        CANCELED = "canceled", _("Cancelled")

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="payments", verbose_name=_("order")
    )
    # Sent as the Idempotence-Key of the creation request: a retry of the same record
    # reuses it, so YooKassa returns the payment it already made.
    idempotence_key = models.CharField(max_length=64, unique=True, editable=False)
    provider_id = models.CharField(
        _("YooKassa id"), max_length=64, unique=True, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    confirmation_url = models.URLField(max_length=500, blank=True)
    cancellation_reason = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return self.provider_id or f"#{self.pk}"


class Refund(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("Not sent yet")
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        CANCELED = "canceled", _("Cancelled")

    class Reason(models.TextChoices):
        LATE_PAYMENT = "late_payment", _("Paid after the places were gone")
        DUPLICATE = "duplicate", _("The order was already paid")
        CUSTOMER = "customer", _("Customer's request")
        OPERATOR = "operator", _("By the operator")
        DEPARTURE_CANCELLED = "departure_cancelled", _("The departure was cancelled")

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment")
    )
    tickets = models.ManyToManyField(Ticket, blank=True, related_name="refunds")
    idempotence_key = models.CharField(max_length=64, unique=True, editable=False)
    provider_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.CREATED
    )
    # Whether the tickets' shares of the service fees are in `amount` (and so in the
    # refund's receipt): the product's refund policy decided when it was requested.
    fees_refunded = models.BooleanField(_("fees refunded"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    raw = models.JSONField(default=dict, blank=True)
    # When the customer's notice of a ticket refund went out (each at most once).
    email_sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)
    sms_sent_at = models.DateTimeField(_("SMS sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]

    def __str__(self):
        return self.provider_id or f"#{self.pk}"


class FiscalReceipt(models.Model):
    """A receipt we sent ourselves (the sale receipt travels inside the payment): the
    settlement of a prepayment when the departure takes place."""

    class Kind(models.TextChoices):
        SETTLEMENT = "settlement", _("Prepayment settlement")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="receipts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    idempotence_key = models.CharField(max_length=64, unique=True, editable=False)
    provider_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("fiscal receipt")
        verbose_name_plural = _("fiscal receipts")
        constraints = [
            models.UniqueConstraint(fields=["order", "kind"], name="booking_receipt_one_per_kind")
        ]

    def __str__(self):
        return f"{self.order_id}: {self.kind}"


class PaymentNotification(models.Model):
    """A notification that passed the sender and shape checks, as a bounded record: what it
    claimed, where it came from, the start of its body and what became of it. Nothing here
    is trusted until re-fetched. Malformed ones and senders outside YooKassa's ranges are
    never stored; rows older than `PAYMENT_NOTIFICATION_RETENTION_DAYS` are deleted."""

    class Outcome(models.TextChoices):
        RECEIVED = "received", _("Received")
        APPLIED = "applied", _("Applied")
        UNCHANGED = "unchanged", _("Nothing to change")
        FORGED = "forged", _("Refused: the API contradicts it")
        REJECTED_IP = "rejected_ip", _("Refused: sender not in YooKassa's ranges")
        FAILED = "failed", _("Failed; left to reconciliation")
        UNKNOWN = "unknown", _("Not ours")
        UNVERIFIED = "unverified", _("YooKassa unreachable; to be delivered again")

    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    event = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, db_index=True)
    # The object's status as the notification claimed it.
    status = models.CharField(max_length=20, blank=True)
    # The body's first characters, as received (PAYMENT_NOTIFICATION_EXCERPT_CHARS).
    excerpt = models.CharField(max_length=1000, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.RECEIVED)
    detail = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("payment notification")
        verbose_name_plural = _("payment notifications")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.event} {self.object_id}"
