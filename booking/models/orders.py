"""Orders and their tickets."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models.customers import StaffNote
from booking.models.catalogue import Seat, TicketType
from booking.models.inventory import Departure, Hold
from booking.models.pricing import Promotion, VatCode

# Money is kept to the kopeck, so two sums that differ at all differ by 0.01 or more:
# "within a tenth of a kopeck" is equality on PostgreSQL's exact numerics, and it still
# holds on SQLite (the demo's database), which keeps decimals as binary floats, where
# 1800 − 133.33 − 0.00 is not exactly the stored 1666.67 and a plain equality check
# refused a customer's order with a fixed-amount promo code.
KOPECK_TENTH = Decimal("0.001")


def adds_up(field: str, expression) -> models.Q:
    """`field` equals `expression` to the kopeck (see KOPECK_TENTH)."""
    return models.Q(
        **{
            f"{field}__gte": expression - models.Value(KOPECK_TENTH),
            f"{field}__lte": expression + models.Value(KOPECK_TENTH),
        }
    )


class Order(models.Model):
    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        REFUNDED = "refunded", _("Refunded")
        PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")

    # Paid and not (wholly) refunded: the tickets stand. The one definition of a confirmed
    # order: confirmations, the PDF, settlement receipts and promo-code use count with it.
    CONFIRMED_STATUSES = (Status.PAID, Status.PARTLY_REFUNDED)

    code = models.CharField(_("order code"), max_length=12, unique=True, editable=False)
    # The secret of the order's status page link: whoever has the link sees the tickets.
    secret = models.CharField(max_length=64, unique=True, editable=False)
    departure = models.ForeignKey(
        Departure, on_delete=models.PROTECT, related_name="orders", verbose_name=_("departure")
    )
    hold = models.OneToOneField(
        Hold,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="order",
        verbose_name=_("hold"),
    )
    customer = models.ForeignKey(
        "accounts.Customer",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("customer"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.AWAITING_PAYMENT,
        db_index=True,
    )
    language = models.CharField(_("language"), max_length=10, default="ru")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=150)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=20, help_text=_("E.164"))
    promotion = models.ForeignKey(
        Promotion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("promo code"),
    )
    subtotal = models.DecimalField(_("tickets"), max_digits=12, decimal_places=2)
    discount_total = models.DecimalField(_("discount"), max_digits=12, decimal_places=2)
    fees_total = models.DecimalField(_("fees"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    # The breakdown as the customer saw and accepted it: lines, fees, discount, VAT.
    breakdown = models.JSONField(_("price breakdown"), default=dict)
    vat_code = models.PositiveSmallIntegerField(_("VAT code"), choices=VatCode.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("pay by"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # The payment that paid it; any other payment that succeeds for it is refunded.
    paid_by = models.ForeignKey(
        "Payment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paid by"),
    )
    confirmation_sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)
    sms_sent_at = models.DateTimeField(_("SMS sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        # The reports of sales, refunds, promotions and occupancy (booking.reports).
        permissions = [("view_reports", "Can see the sales reports")]
        # The back-office search (booking/search.py) finds orders by exact e-mail and
        # phone here; its GIN trigram indexes on name and e-mail are PostgreSQL-only and
        # live in migration 0017 alone, so that SQLite can still migrate.
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["email"], name="booking_order_email_idx"),
            models.Index(fields=["phone"], name="booking_order_phone_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total__gte=0), name="booking_order_total_not_negative"
            ),
            models.CheckConstraint(
                condition=adds_up(
                    "total",
                    models.F("subtotal") - models.F("discount_total") + models.F("fees_total"),
                ),
                name="booking_order_total_adds_up",
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def is_confirmed(self) -> bool:
        return self.status in self.CONFIRMED_STATUSES


class Ticket(models.Model):
    class Status(models.TextChoices):
        RESERVED = "reserved", _("Awaiting payment")
        VALID = "valid", _("Valid")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="tickets", verbose_name=_("order")
    )
    departure = models.ForeignKey(
        Departure, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("departure")
    )
    ticket_type = models.ForeignKey(
        TicketType, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("ticket type")
    )
    seat = models.ForeignKey(
        Seat,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("seat"),
    )
    secret = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RESERVED
    )
    # What this ticket costs and what was paid for it, to the kopeck: price − discount
    # share + fee share = paid; the paid amounts of an order's tickets sum to its total.
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    discount = models.DecimalField(_("discount"), max_digits=10, decimal_places=2)
    fee = models.DecimalField(_("fees"), max_digits=10, decimal_places=2)
    paid_amount = models.DecimalField(_("paid"), max_digits=10, decimal_places=2)
    checked_in_at = models.DateTimeField(_("boarded at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["departure", "status"])]
        permissions = [
            ("check_in_ticket", "Can check tickets in at boarding"),
            ("undo_check_in", "Can undo a boarding"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=adds_up(
                    "paid_amount", models.F("price") - models.F("discount") + models.F("fee")
                ),
                name="booking_ticket_paid_adds_up",
            ),
        ]

    def __str__(self):
        return f"{self.order.code}/{self.pk}"


class OrderNote(StaffNote):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="notes", verbose_name=_("order")
    )

    class Meta(StaffNote.Meta):
        verbose_name = _("order note")
        verbose_name_plural = _("order notes")

    def __str__(self):
        return f"{self.order_id}/{self.pk}"
