"""The catalogue of sellable things. Issue-by-issue this grows seat maps, holds, orders,
tickets, payments and refunds; here are the records the public site already shows."""

import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.functional import cached_property
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
            ),
        ]

    def __str__(self):
        return f"{self.ticket_type}: {self.price}"


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
    seating_mode = models.CharField(
        _("seating"),
        max_length=10,
        choices=SeatingMode.choices,
        blank=True,
        help_text=_("Leave empty to use the product's or the vessel's seating"),
    )
    seat_map = models.ForeignKey(
        SeatMap,
        verbose_name=_("seat map"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="departures",
        help_text=_("Leave empty to use the vessel's default seat map"),
    )
    capacity = models.PositiveIntegerField(
        _("places (general admission)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the vessel's capacity"),
    )
    on_sale_from = models.DateTimeField(_("on sale from"), null=True, blank=True)
    on_sale_until = models.DateTimeField(
        _("on sale until"),
        null=True,
        blank=True,
        help_text=_("Leave empty to sell until departure"),
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
        # The pier's wall clock, as on the timetable: in UTC a late-evening departure
        # would be named by the previous day.
        return f"{self.product} — {self.local_starts_at:%Y-%m-%d %H:%M}"

    @property
    def local_starts_at(self):
        return self.starts_at.astimezone(zoneinfo.ZoneInfo(self.venue.timezone))

    @property
    def effective_seating_mode(self) -> str:
        """The departure's own setting, else the product's, else the vessel's."""
        return self.seating_mode or self.product.seating_mode or self.vessel.seating_mode

    @property
    def is_assigned_seating(self) -> bool:
        return self.effective_seating_mode == SeatingMode.ASSIGNED

    @cached_property
    def effective_seat_map_id(self) -> int | None:
        if self.seat_map_id:
            return self.seat_map_id
        return (
            SeatMap.objects.filter(vessel_id=self.vessel_id, is_default=True)
            .values_list("pk", flat=True)
            .first()
        )

    @property
    def effective_capacity(self) -> int:
        return self.capacity if self.capacity is not None else self.vessel.capacity

    @property
    def sale_closes_at(self):
        return self.on_sale_until or self.starts_at


class Hold(models.Model):
    """A customer's timed reservation of seats or a quantity on one departure. It is a row
    with an expiry: availability ignores it once `expires_at` has passed, whether or not
    the sweeper has deleted it yet."""

    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    departure = models.ForeignKey(
        Departure, on_delete=models.CASCADE, related_name="holds", verbose_name=_("departure")
    )
    owner_key = models.CharField(_("owner"), max_length=64, db_index=True)
    # The address the hold was made from: live holds per address are capped.
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    extended = models.BooleanField(_("extended"), default=False)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        indexes = [
            models.Index(fields=["departure", "expires_at"]),
            models.Index(fields=["client_ip", "expires_at"]),
        ]

    def __str__(self):
        return f"{self.departure} until {self.expires_at:%H:%M:%S}"


class HoldLine(models.Model):
    hold = models.ForeignKey(Hold, on_delete=models.CASCADE, related_name="lines")
    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="+")
    seat = models.ForeignKey(
        Seat, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    quantity = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="booking_holdline_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(seat__isnull=True) | models.Q(quantity=1),
                name="booking_holdline_one_per_seat",
            ),
        ]

    def __str__(self):
        return f"{self.ticket_type_id} × {self.quantity}"


class SeatClaim(models.Model):
    """The inventory record of one seat on one departure: taken by a hold until
    `expires_at`, or (later) by a sold ticket for good. The unique constraint is what makes
    selling a seat twice impossible, whatever the application does."""

    departure = models.ForeignKey(Departure, on_delete=models.CASCADE, related_name="seat_claims")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="claims")
    hold = models.ForeignKey(
        Hold, on_delete=models.CASCADE, null=True, blank=True, related_name="seat_claims"
    )
    # NULL once sold: the claim then belongs to `ticket` for good.
    expires_at = models.DateTimeField(null=True, blank=True)
    ticket = models.OneToOneField(
        "Ticket", on_delete=models.CASCADE, null=True, blank=True, related_name="seat_claim"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["departure", "seat"], name="booking_seatclaim_one_per_seat"
            )
        ]

    def __str__(self):
        return f"{self.departure_id}/{self.seat_id}"


# --- Taxes: YooKassa's 54-FZ vocabulary is data, not code (RESEARCH.md §3.7). ----------


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


class Order(models.Model):
    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        REFUNDED = "refunded", _("Refunded")
        PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")

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
        "crm.Customer",
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
        indexes = [models.Index(fields=["status", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total__gte=0), name="booking_order_total_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    total=models.F("subtotal") - models.F("discount_total") + models.F("fees_total")
                ),
                name="booking_order_total_adds_up",
            ),
        ]

    def __str__(self):
        return self.code


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
                condition=models.Q(
                    paid_amount=models.F("price") - models.F("discount") + models.F("fee")
                ),
                name="booking_ticket_paid_adds_up",
            ),
        ]

    def __str__(self):
        return f"{self.order.code}/{self.pk}"


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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    raw = models.JSONField(default=dict, blank=True)

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


from booking.messaging import MessageTemplate  # noqa: E402,F401
