"""Rentals by the hour: a vessel hired whole for a time the customer chooses.

A `RentalPlan` is what is sold (a rental product on one vessel, boarding at one pier):
its bookable hours per weekday and season (`RentalHours`), its hourly rates by weekday and
season (`RentalRate`), its extras (`RentalOption`). A customer's booking is materialised as
a `Departure` of the plan's product with one place (the whole boat) and the rental's price
as that departure's own price, so the hold, the order, payment, receipt, ticket and refund
machinery is the one every departure uses; `RentalBooking` keeps what the customer chose
(guests, duration, skipper, extras). The vessel's occupancy of a rental covers its time
and the turnaround buffer after it (`VesselOccupancy.for_departure`)."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from booking.i18n import LocalizedTextMixin
from booking.models.catalogue import Product, Venue, Vessel
from booking.models.inventory import Departure

WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
ALL_WEEKDAYS = "0123456"


def validate_weekdays(value: str) -> None:
    """A set of weekdays written as digits, 0 = Monday ("01234" = Monday to Friday)."""
    if not value or any(c not in ALL_WEEKDAYS for c in value) or len(set(value)) != len(value):
        raise ValidationError(_("Choose at least one weekday."))


class SeasonMixin(models.Model):
    """A row that applies between two dates (both inclusive; empty = open-ended). A row
    with a season beats a row without one on the days it covers."""

    valid_from = models.DateField(_("season from"), null=True, blank=True)
    valid_until = models.DateField(_("season until"), null=True, blank=True)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The season ends before it starts.")})

    @property
    def is_seasonal(self) -> bool:
        return self.valid_from is not None or self.valid_until is not None

    def covers(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class RentalPlan(ClusterableModel):
    """A rental product: one vessel hired whole, by the hour, boarding at one pier."""

    class Skipper(models.TextChoices):
        INCLUDED = "included", _("Skipper included")
        ADDON = "addon", _("Skipper as an add-on")

    product = models.OneToOneField(
        Product,
        on_delete=models.CASCADE,
        related_name="rental_plan",
        limit_choices_to={"kind": Product.Kind.RENTAL},
        verbose_name=_("product"),
    )
    vessel = models.ForeignKey(
        Vessel, on_delete=models.PROTECT, related_name="rental_plans", verbose_name=_("vessel")
    )
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        related_name="rental_plans",
        verbose_name=_("boarding pier"),
    )
    min_minutes = models.PositiveIntegerField(
        _("shortest rental, minutes"), default=60, validators=[MinValueValidator(15)]
    )
    max_minutes = models.PositiveIntegerField(
        _("longest rental, minutes"), default=480, validators=[MinValueValidator(15)]
    )
    step_minutes = models.PositiveIntegerField(
        _("step, minutes"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(240)],
        help_text=_("Start times and durations are multiples of this (e.g. 60 = whole hours)."),
    )
    fixed_price = models.DecimalField(
        _("fixed part, RUB"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Added once to every rental (boarding, cleaning)."),
    )
    max_guests = models.PositiveIntegerField(_("guests at most"), validators=[MinValueValidator(1)])
    skipper = models.CharField(
        _("skipper"), max_length=10, choices=Skipper.choices, default=Skipper.INCLUDED
    )
    skipper_price_per_hour = models.DecimalField(
        _("skipper, RUB per hour"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Charged when the skipper is an add-on and the customer takes one."),
    )
    turnaround_minutes = models.PositiveIntegerField(
        _("turnaround buffer, minutes"),
        default=30,
        help_text=_("The vessel stays busy this long after a rental (cleaning, refuelling)."),
    )
    notice_minutes = models.PositiveIntegerField(
        _("booking notice, minutes"),
        default=120,
        help_text=_("A rental can be booked this long before it starts at the latest."),
    )
    horizon_days = models.PositiveIntegerField(
        _("bookable days ahead"), default=90, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("rental plan")
        verbose_name_plural = _("rental plans")
        ordering = ["product__name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_minutes__gte=models.F("min_minutes")),
                name="booking_rentalplan_max_not_below_min",
                violation_error_message=_("The longest rental is shorter than the shortest."),
            ),
        ]

    def __str__(self):
        return str(self.product)

    def clean(self):
        super().clean()
        errors = {}
        if self.product_id and self.product.kind != Product.Kind.RENTAL:
            errors["product"] = _("Choose a product of the kind “Rental”.")
        if self.step_minutes:
            for field in ("min_minutes", "max_minutes"):
                value = getattr(self, field)
                if value and value % self.step_minutes:
                    errors[field] = _("Make it a multiple of the step (%(step)s minutes).") % {
                        "step": self.step_minutes
                    }
        if self.min_minutes and self.max_minutes and self.max_minutes < self.min_minutes:
            errors["max_minutes"] = _("The longest rental is shorter than the shortest.")
        if self.vessel_id and self.max_guests and self.max_guests > self.vessel.capacity:
            errors["max_guests"] = _("The vessel takes %(capacity)s passengers at most.") % {
                "capacity": self.vessel.capacity
            }
        if errors:
            raise ValidationError(errors)

    @property
    def turnaround(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.turnaround_minutes)


class RentalHours(SeasonMixin):
    """When rentals may take place on a weekday: from `opens` to `closes` on the pier's
    clock. `closes` at or before `opens` means the next day (10:00–02:00 runs past
    midnight). A day with seasonal rows uses only those."""

    plan = ParentalKey(
        RentalPlan, on_delete=models.CASCADE, related_name="hours", verbose_name=_("rental plan")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAY_CHOICES)
    opens = models.TimeField(_("from"))
    closes = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("bookable hours")
        verbose_name_plural = _("bookable hours")
        ordering = ["plan", "weekday", "opens"]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class RentalRate(SeasonMixin):
    """The price of an hour of the rental on some weekdays (and in a season). Each step of
    a rental is priced by the rate of the day it starts on; a seasonal rate beats one
    without a season."""

    plan = ParentalKey(
        RentalPlan, on_delete=models.CASCADE, related_name="rates", verbose_name=_("rental plan")
    )
    weekdays = models.CharField(
        _("weekdays"),
        max_length=7,
        default=ALL_WEEKDAYS,
        validators=[validate_weekdays],
        help_text=_("Digits of the weekdays, 0 = Monday: 01234 = Monday to Friday."),
    )
    price_per_hour = models.DecimalField(
        _("price per hour, RUB"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("hourly rate")
        verbose_name_plural = _("hourly rates")
        ordering = ["plan", "valid_from", "weekdays"]

    def __str__(self):
        return f"{self.weekdays}: {self.price_per_hour}"

    def applies_on(self, day: datetime.date) -> bool:
        return str(day.weekday()) in self.weekdays and self.covers(day)


class RentalOption(LocalizedTextMixin):
    """An extra the customer may add to a rental (a photographer, a welcome drink …),
    priced once or per hour."""

    plan = ParentalKey(
        RentalPlan, on_delete=models.CASCADE, related_name="options", verbose_name=_("rental plan")
    )
    name = models.CharField(_("name (Russian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    price = models.DecimalField(
        _("price, RUB"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    per_hour = models.BooleanField(_("per hour"), default=False)
    is_active = models.BooleanField(_("on sale"), default=True)
    sort_order = models.PositiveSmallIntegerField(pgettext_lazy("sort order", "order"), default=0)

    class Meta:
        verbose_name = _("rental extra")
        verbose_name_plural = _("rental extras")
        ordering = ["plan", "sort_order", "pk"]

    def __str__(self):
        return self.name


class RentalBooking(models.Model):
    """What a customer chose for one rental, next to the departure that carries it."""

    departure = models.OneToOneField(
        Departure,
        on_delete=models.CASCADE,
        related_name="rental_booking",
        verbose_name=_("departure"),
    )
    plan = models.ForeignKey(
        RentalPlan, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("rental plan")
    )
    guests = models.PositiveIntegerField(_("guests"), validators=[MinValueValidator(1)])
    minutes = models.PositiveIntegerField(_("duration, minutes"))
    with_skipper = models.BooleanField(_("with a skipper"), default=True)
    # The extras as sold: [{"id", "name", "name_en", "name_zh", "price"}], so that editing
    # an extra later changes nothing already sold.
    options = models.JSONField(_("extras"), default=list, blank=True)
    # The price as computed when the customer took the hold: {"hours": [...], "fixed",
    # "skipper", "options", "total"} (strings of roubles).
    price_breakdown = models.JSONField(_("price breakdown"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rental booking")
        verbose_name_plural = _("rental bookings")
        ordering = ["-created_at"]

    def __str__(self):
        return str(self.departure)
