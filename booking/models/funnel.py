"""The sales funnel (issue 15): a visitor's steps towards a paid order, counted on our own
server without personal data. `FunnelEvent` is one step as it happens (kept a few days);
`FunnelDay` the steps counted per day, product and language, which the conversion report
reads. The rules are `booking.services.funnel`; README, "Sales funnel"."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FunnelStep(models.TextChoices):
    # In the order a buyer goes through them (the report's order).
    PRODUCT_VIEWED = "product_viewed", pgettext_lazy("funnel step", "Product page viewed")
    DATE_CHOSEN = "date_chosen", pgettext_lazy("funnel step", "Date chosen")
    HOLD_CREATED = "hold_created", pgettext_lazy("funnel step", "Places held")
    CHECKOUT_OPENED = "checkout_opened", pgettext_lazy("funnel step", "Checkout opened")
    PAYMENT_STARTED = "payment_started", pgettext_lazy("funnel step", "Payment started")
    PAID = "paid", pgettext_lazy("funnel step", "Paid")


class FunnelEvent(models.Model):
    """One step taken, as it happened. Deliberately nothing about who took it: no session,
    user, address or order, only the product, the page's language and the moment."""

    step = models.CharField(_("step"), max_length=20, choices=FunnelStep.choices)
    product = models.ForeignKey(
        "booking.Product",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("product"),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)

    class Meta:
        verbose_name = _("funnel event")
        verbose_name_plural = _("funnel events")

    def __str__(self):
        return f"{self.step} {self.occurred_at:%Y-%m-%d %H:%M}"


class FunnelDay(models.Model):
    """How many times a step was taken on a day (the site's local date, settings.TIME_ZONE:
    a product page is not on any one pier's clock), for a product and a language."""

    day = models.DateField(_("day"))
    product = models.ForeignKey(
        "booking.Product",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    step = models.CharField(_("step"), max_length=20, choices=FunnelStep.choices)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("funnel day")
        verbose_name_plural = _("funnel days")
        # The conversion report (booking.reports.funnel_report).
        permissions = [("view_funnel", "Can see the sales funnel")]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "product", "language", "step"], name="booking_funnelday_unique"
            )
        ]

    def __str__(self):
        return f"{self.day} {self.step}: {self.count}"
