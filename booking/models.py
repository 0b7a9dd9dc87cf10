"""The catalogue of sellable things. Issue-by-issue this grows seat maps, holds, orders,
tickets, payments and refunds; here are the records the public site already shows."""

import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from booking.i18n import LocalizedTextMixin


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(value)s"), params={"value": value})


class Venue(LocalizedTextMixin):
    """A pier or marina where passengers board."""

    name = models.CharField(_("name (Russian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), unique=True)
    address = models.CharField(_("address (Russian)"), max_length=255)
    address_en = models.CharField(_("address (English)"), max_length=255, blank=True)
    address_zh = models.CharField(_("address (Chinese)"), max_length=255, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Moscow", validators=[validate_timezone]
    )
    boarding_instructions = models.TextField(_("boarding instructions (Russian)"), blank=True)
    boarding_instructions_en = models.TextField(_("boarding instructions (English)"), blank=True)
    boarding_instructions_zh = models.TextField(_("boarding instructions (Chinese)"), blank=True)

    class Meta:
        verbose_name = _("pier")
        verbose_name_plural = _("piers")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def map_url(self) -> str:
        return f"https://yandex.ru/maps/?pt={self.longitude},{self.latitude}&z=16&l=map"


class Vessel(LocalizedTextMixin):
    name = models.CharField(_("name (Russian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    capacity = models.PositiveIntegerField(_("passenger capacity"))

    class Meta:
        verbose_name = _("vessel")
        verbose_name_plural = _("vessels")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Product(LocalizedTextMixin, ClusterableModel):
    """Something sold: an excursion, an event or a rental. Booking blocks point here."""

    class Kind(models.TextChoices):
        EXCURSION = "excursion", _("Excursion")
        EVENT = "event", _("Event")
        RENTAL = "rental", _("Rental")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("home pier"),
        on_delete=models.PROTECT,
        related_name="products",
        null=True,
        blank=True,
    )
    duration_minutes = models.PositiveIntegerField(_("duration, minutes"), default=60)
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]

    def __str__(self):
        return self.name


class TicketType(LocalizedTextMixin):
    """A price category of a product (adult, child, concession, whole boat …)."""

    product = ParentalKey(
        Product, on_delete=models.CASCADE, related_name="ticket_types", verbose_name=_("product")
    )
    name = models.CharField(_("name (Russian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    price = models.DecimalField(
        _("price, RUB"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")
        ordering = ["product", "sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="booking_tickettype_price_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.product}: {self.name}"


class Departure(models.Model):
    """A dated occurrence of a product on a vessel from a pier."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        DEPARTED = "departed", _("Departed")

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="departures", verbose_name=_("product")
    )
    vessel = models.ForeignKey(
        Vessel, on_delete=models.PROTECT, related_name="departures", verbose_name=_("vessel")
    )
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, related_name="departures", verbose_name=_("pier")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )

    class Meta:
        verbose_name = _("departure")
        verbose_name_plural = _("departures")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["product", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="booking_departure_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["product", "vessel", "starts_at"], name="booking_departure_unique_slot"
            ),
        ]

    def __str__(self):
        return f"{self.product} — {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def local_starts_at(self):
        return self.starts_at.astimezone(zoneinfo.ZoneInfo(self.venue.timezone))
