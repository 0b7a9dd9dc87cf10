"""What an order costs beyond ticket prices: receipt settings (VAT codes, 54-FZ
subject and mode), service fees, promo codes, and what a refund gives back (refund
policies)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from booking.i18n import LocalizedTextMixin
from booking.models.catalogue import Product, TicketType


class VatCode(models.IntegerChoices):
    """`vat_code` of a receipt item. Codes 11 and 12 (22 %) exist since 1 January 2026."""

    NO_VAT = 1, _("No VAT")
    VAT_0 = 2, _("VAT 0%")
    VAT_10 = 3, _("VAT 10%")
    VAT_20 = 4, _("VAT 20%")
    VAT_10_110 = 5, _("VAT 10/110")
    VAT_20_120 = 6, _("VAT 20/120")
    VAT_5 = 7, _("VAT 5%")
    VAT_7 = 8, _("VAT 7%")
    VAT_5_105 = 9, _("VAT 5/105")
    VAT_7_107 = 10, _("VAT 7/107")
    VAT_22 = 11, _("VAT 22%")
    VAT_22_122 = 12, _("VAT 22/122")


# The rate inside a price that includes VAT, per code; None means no VAT line amount.
VAT_RATES = {1: None, 2: 0, 3: 10, 4: 20, 5: 10, 6: 20, 7: 5, 8: 7, 9: 5, 10: 7, 11: 22, 12: 22}


class PaymentSubject(models.TextChoices):
    SERVICE = "service", _("Service")
    COMMODITY = "commodity", _("Goods")
    JOB = "job", _("Work")
    ANOTHER = "another", _("Other")


class PaymentMode(models.TextChoices):
    FULL_PREPAYMENT = "full_prepayment", _("Full prepayment")
    PARTIAL_PREPAYMENT = "partial_prepayment", _("Partial prepayment")
    ADVANCE = "advance", _("Advance")
    FULL_PAYMENT = "full_payment", _("Full payment")


PREPAYMENT_MODES = {
    PaymentMode.FULL_PREPAYMENT,
    PaymentMode.PARTIAL_PREPAYMENT,
    PaymentMode.ADVANCE,
}


class ProductTaxes(models.Model):
    """How a product's tickets appear in the fiscal receipt. One row per product, made on
    demand with the defaults from settings; an accountant changes it in the admin."""

    product = models.OneToOneField(
        Product, on_delete=models.CASCADE, related_name="taxes", verbose_name=_("product")
    )
    vat_code = models.PositiveSmallIntegerField(
        _("VAT code"), choices=VatCode.choices, default=VatCode.NO_VAT
    )
    payment_subject = models.CharField(
        _("payment subject"),
        max_length=20,
        choices=PaymentSubject.choices,
        default=PaymentSubject.SERVICE,
    )
    payment_mode = models.CharField(
        _("payment mode at sale"),
        max_length=20,
        choices=PaymentMode.choices,
        default=PaymentMode.FULL_PREPAYMENT,
        help_text=_(
            "A prepayment mode means a settlement receipt is issued when the departure takes place."
        ),
    )

    class Meta:
        verbose_name = _("receipt settings")
        verbose_name_plural = _("receipt settings")

    def __str__(self):
        return str(self.product)


class RefundPolicy(models.Model):
    """What a customer gets back for a ticket, by how long before the start they ask.
    A product names one (`Product.refund_policy`); a product without one follows
    `RefundPolicy.default()`, built from the settings `BOOKING_REFUND_WINDOW_HOURS` (24,
    the specification's rule) and `BOOKING_REFUNDS_FEES`.

    Today a policy is one window: the whole paid amount (less the service fee when
    `refunds_fees` is off) while the departure is more than `window_hours` away, nothing
    after. Callers never read the window themselves: they ask `deadline(starts_at)` (the
    last moment anything is refunded) and `share_at(time_before_start)` (the part of the
    refundable amount given back, a Decimal from 0 to 1) and multiply. A tier list (e.g.
    100 % at 72 h or more, 50 % at 24 h or more) is then rows under the policy that these
    two methods read; no caller changes."""

    name = models.CharField(_("name"), max_length=100)
    window_hours = models.PositiveIntegerField(
        _("refund window, hours"),
        default=24,
        help_text=_(
            "A ticket can be refunded while its departure is more than this many hours away."
        ),
    )
    refunds_fees = models.BooleanField(
        _("service fees are refunded"),
        default=True,
        help_text=_("Off: a refund returns the ticket's price and keeps its share of the fees."),
    )

    class Meta:
        verbose_name = _("refund policy")
        verbose_name_plural = _("refund policies")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @classmethod
    def default(cls) -> "RefundPolicy":
        """The policy of a product that names none (not saved)."""
        return cls(
            name=str(_("Standard policy")),
            window_hours=settings.BOOKING_REFUND_WINDOW_HOURS,
            refunds_fees=settings.BOOKING_REFUNDS_FEES,
        )

    @property
    def window(self) -> datetime.timedelta:
        return datetime.timedelta(hours=self.window_hours)

    def deadline(self, starts_at: datetime.datetime) -> datetime.datetime:
        """The moment refunds end: refundable strictly before it, not at it."""
        return starts_at - self.window

    def share_at(self, time_before_start: datetime.timedelta) -> Decimal:
        """The share of the refundable amount returned when asked this long before the
        start: 1 while strictly more than the window remains, else 0."""
        return Decimal(1) if time_before_start > self.window else Decimal(0)


# --- Fees and promotions -------------------------------------------------------------


class ServiceFee(LocalizedTextMixin):
    """A fee added on top of ticket prices and shown as its own line of the breakdown."""

    class Per(models.TextChoices):
        TICKET = "ticket", _("per ticket")
        ORDER = "order", _("per order")

    class Kind(models.TextChoices):
        FIXED = "fixed", _("fixed amount, RUB")
        PERCENT = "percent", _("percent of the ticket price")

    name = models.CharField(_("name (Russian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    per = models.CharField(_("charged"), max_length=10, choices=Per.choices, default=Per.ORDER)
    kind = models.CharField(_("amount is"), max_length=10, choices=Kind.choices)
    value = models.DecimalField(
        _("value"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    products = models.ManyToManyField(
        Product,
        blank=True,
        related_name="+",
        verbose_name=_("products"),
        help_text=_("Leave empty to charge it on every product."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service fee")
        verbose_name_plural = _("service fees")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="booking_servicefee_value_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="percent") | models.Q(value__lte=100),
                name="booking_servicefee_percent_at_most_100",
            ),
        ]

    def __str__(self):
        return self.name


class Promotion(models.Model):
    """A promo code. `booking.services.pricing.promotion_check` is the one place that
    decides whether it applies."""

    class Kind(models.TextChoices):
        PERCENT = "percent", _("percent off")
        FIXED = "fixed", _("fixed amount off, RUB")

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Letters and digits; customers may type it in any case."),
    )
    name = models.CharField(_("internal name"), max_length=120, blank=True)
    kind = models.CharField(_("discount"), max_length=10, choices=Kind.choices)
    value = models.DecimalField(
        _("value"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(
        _("uses in total"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    max_uses_per_customer = models.PositiveIntegerField(
        _("uses per customer"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    min_order_amount = models.DecimalField(
        _("minimum order, RUB"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    products = models.ManyToManyField(
        Product,
        blank=True,
        related_name="+",
        verbose_name=_("products"),
        help_text=_("Leave empty for every product."),
    )
    ticket_types = models.ManyToManyField(
        TicketType,
        blank=True,
        related_name="+",
        verbose_name=_("ticket types"),
        help_text=_("Leave empty for every ticket type of the chosen products."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("promo code")
        verbose_name_plural = _("promo codes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="booking_promotion_value_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="percent") | models.Q(value__lte=100),
                name="booking_promotion_percent_at_most_100",
            ),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)


# --- Orders, tickets, payments ---------------------------------------------------------
