"""The catalogue: piers, vessels and their seat maps, products, ticket types and their
prices."""

import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
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
        # Held per pier through django-guardian (crm.permissions): the boarding crew of
        # this pier; office staff limited to it.
        permissions = [("assigned_to_venue", "Is assigned to this pier")]

    def __str__(self):
        return self.name

    @property
    def map_url(self) -> str:
        return f"https://yandex.ru/maps/?pt={self.longitude},{self.latitude}&z=16&l=map"


class SeatingMode(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned seating")
    GENERAL = "general", _("General admission")


class Vessel(LocalizedTextMixin):
    name = models.CharField(_("name (Russian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    capacity = models.PositiveIntegerField(_("passenger capacity"))
    seating_mode = models.CharField(
        _("seating"), max_length=10, choices=SeatingMode.choices, default=SeatingMode.GENERAL
    )

    class Meta:
        verbose_name = _("vessel")
        verbose_name_plural = _("vessels")
        ordering = ["name"]
        # Held per vessel through django-guardian (crm.permissions): its boarding crew.
        permissions = [("assigned_to_vessel", "Is assigned to this vessel")]

    def __str__(self):
        return self.name


class SeatMap(models.Model):
    """A seating layout of a vessel. `layout` is what the editor produces (sections of
    rows of seats with aisles, gaps, kinds and zones); `seat_map_apply` materialises it
    into `Seat` rows, refusing to drop seats that are held or sold."""

    vessel = models.ForeignKey(
        Vessel, on_delete=models.CASCADE, related_name="seat_maps", verbose_name=_("vessel")
    )
    name = models.CharField(_("name"), max_length=120)
    layout = models.JSONField(_("layout"), default=dict, blank=True)
    is_default = models.BooleanField(_("default for the vessel"), default=True)

    class Meta:
        verbose_name = _("seat map")
        verbose_name_plural = _("seat maps")
        ordering = ["vessel", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["vessel"],
                condition=models.Q(is_default=True),
                name="booking_seatmap_one_default_per_vessel",
            )
        ]

    def __str__(self):
        return f"{self.vessel}: {self.name}"


class PriceZone(LocalizedTextMixin):
    seat_map = models.ForeignKey(
        SeatMap, on_delete=models.CASCADE, related_name="zones", verbose_name=_("seat map")
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name (Russian)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=80, blank=True)
    color = models.CharField(_("colour"), max_length=7, default="#2f7ab8")

    class Meta:
        verbose_name = _("price zone")
        verbose_name_plural = _("price zones")
        ordering = ["seat_map", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["seat_map", "code"], name="booking_pricezone_unique_code"
            )
        ]

    def __str__(self):
        return self.name


class Seat(models.Model):
    class Kind(models.TextChoices):
        STANDARD = "standard", _("Standard")
        WHEELCHAIR = "wheelchair", _("Wheelchair space")
        COMPANION = "companion", _("Companion seat")
        BLOCKED = "blocked", _("Blocked")

    seat_map = models.ForeignKey(
        SeatMap, on_delete=models.CASCADE, related_name="seats", verbose_name=_("seat map")
    )
    section = models.CharField(_("section"), max_length=60)
    row = models.CharField(_("row"), max_length=10)
    number = models.CharField(_("seat"), max_length=10)
    x = models.FloatField(_("x"))
    y = models.FloatField(_("y"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.STANDARD)
    zone = models.ForeignKey(
        PriceZone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="seats",
        verbose_name=_("price zone"),
    )

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["seat_map", "section", "y", "x"]
        constraints = [
            models.UniqueConstraint(
                fields=["seat_map", "section", "row", "number"], name="booking_seat_unique_place"
            )
        ]

    def __str__(self):
        return f"{self.section} {self.row}-{self.number}"

    @property
    def short_label(self) -> str:
        return gettext("%(section)s, row %(row)s, seat %(number)s") % {
            "section": self.section,
            "row": self.row,
            "number": self.number,
        }


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
    seating_mode = models.CharField(
        _("seating"),
        max_length=10,
        choices=SeatingMode.choices,
        blank=True,
        help_text=_("Leave empty to use the vessel's seating"),
    )
    is_active = models.BooleanField(_("on sale"), default=True)
    refund_policy = models.ForeignKey(
        "booking.RefundPolicy",
        verbose_name=_("refund policy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        help_text=_("Leave empty for the standard policy."),
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]

    def __str__(self):
        return self.name


class TicketTypeQuerySet(models.QuerySet):
    def offered_on(self, departure_id: int):
        """The types on sale for one departure: a type marked "only on departures with
        their own price" belongs to the departures that have a price row for it."""
        return (
            self.filter(is_active=True)
            .filter(models.Q(departures_only=False) | models.Q(prices__departure_id=departure_id))
            .distinct()
        )


class TicketType(LocalizedTextMixin):
    """A price category of a product (adult, child, concession, whole boat …).

    A type with `departures_only` is sold only on the departures that carry their own
    price for it (a `TicketPrice` with that departure): a rental slot on a Saturday
    offers the weekend price and nothing else, and the hold service refuses the others.
    """

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
    sort_order = models.PositiveSmallIntegerField(pgettext_lazy("sort order", "order"), default=0)
    is_active = models.BooleanField(_("on sale"), default=True)
    departures_only = models.BooleanField(
        _("only on departures with their own price"),
        default=False,
        help_text=_(
            "Sold only on the departures that have a price override for this ticket type "
            "(e.g. a weekend price of a rental)"
        ),
    )

    is_child = models.BooleanField(
        _("child ticket"),
        default=False,
        help_text=_("Counted as a child on the departure's manifest"),
    )

    objects = TicketTypeQuerySet.as_manager()

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


class TicketPrice(models.Model):
    """A price of a ticket type that differs for a price zone, a departure, or both. The
    most specific one wins (zone and departure, then departure, then zone), else the
    ticket type's own price."""

    ticket_type = models.ForeignKey(
        TicketType, on_delete=models.CASCADE, related_name="prices", verbose_name=_("ticket type")
    )
    zone = models.ForeignKey(
        "PriceZone",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("price zone"),
    )
    departure = models.ForeignKey(
        "Departure",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ticket_prices",
        verbose_name=_("departure"),
    )
    price = models.DecimalField(
        _("price, RUB"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("price override")
        verbose_name_plural = _("price overrides")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="booking_ticketprice_price_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(zone__isnull=False) | models.Q(departure__isnull=False),
                name="booking_ticketprice_has_scope",
                violation_error_message=_(
                    "Choose a price zone, a departure or both: the price applies to them."
                ),
            ),
            # One price per ticket type × zone × departure, an empty zone or departure
            # included (NULLS NOT DISTINCT): otherwise two prices for one scope would
            # both apply and which one wins would be the database's whim.
            models.UniqueConstraint(
                fields=["ticket_type", "zone", "departure"],
                nulls_distinct=False,
                name="booking_ticketprice_unique_scope",
                violation_error_message=_(
                    "This ticket type already has a price for this zone and departure."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.ticket_type}: {self.price}"
