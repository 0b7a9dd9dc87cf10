"""Inventory: departures (a product on a vessel from a pier at a time), holds of places
on them and the seat claims that make a seat impossible to sell twice."""

import zoneinfo

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from booking.models.catalogue import Product, Seat, SeatingMode, SeatMap, TicketType, Venue, Vessel

# The check constraint that refuses more places taken than the departure has.
PLACES_WITHIN_CAPACITY = "booking_departureplaces_taken_within_capacity"


class CancelReason(models.TextChoices):
    """Why the operator cancelled a departure: each has a text for the customers in
    their language (`booking.services.cancellations.reason_text`)."""

    WEATHER = "weather", _("Weather")
    TECHNICAL = "technical", _("Technical fault")
    OTHER = "other", _("Other")


class DepartureQuerySet(models.QuerySet):
    def on_timetable(self):
        """Departures the public timetable offers: scheduled, and not a customer's rental
        (`RentalBooking`: a booked rental is the vessel's busy time, not a sailing)."""
        return self.filter(status=Departure.Status.SCHEDULED, rental_booking__isnull=True)


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
    # General admission: places the staff took off sale (booking.services.blocking); they
    # count as taken wherever availability is counted.
    blocked_places = models.PositiveIntegerField(_("places blocked"), default=0)
    on_sale_from = models.DateTimeField(_("on sale from"), null=True, blank=True)
    on_sale_until = models.DateTimeField(
        _("on sale until"),
        null=True,
        blank=True,
        help_text=_("Leave empty to sell until departure"),
    )
    # Set by `booking.services.cancellations.departure_cancel` (weather, breakdown …).
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(
        _("cancellation reason"), max_length=16, choices=CancelReason.choices, blank=True
    )
    cancel_text = models.CharField(_("cancellation note"), max_length=500, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    crew_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = DepartureQuerySet.as_manager()

    class Meta:
        verbose_name = _("departure")
        verbose_name_plural = _("departures")
        ordering = ["starts_at"]
        permissions = [
            ("board_any_departure", "Can check in at every pier without an assignment"),
            ("cancel_departure", "Can cancel a departure with refunds"),
        ]
        indexes = [models.Index(fields=["product", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="booking_departure_ends_after_start",
            ),
            # A cancelled departure frees its slot: a lapsed rental (or a departure
            # cancelled for weather) must not stop the same time being sold again.
            models.UniqueConstraint(
                fields=["product", "vessel", "starts_at"],
                condition=~models.Q(status="cancelled"),
                name="booking_departure_unique_slot",
            ),
        ]

    def __str__(self):
        # The pier's wall clock, as on the timetable: in UTC a late-evening departure
        # would be named by the previous day.
        return f"{self.product} — {self.local_starts_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        # The departure and its vessel's occupancy change together: a departure scheduled
        # into a time its vessel is busy is refused (`BookingError` "vessel_busy") and
        # nothing is saved.
        with transaction.atomic():
            super().save(*args, **kwargs)
            fields = kwargs.get("update_fields")
            if fields is None or OCCUPANCY_FIELDS & set(fields):
                VesselOccupancy.sync_departure(self)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The pier's time zone: every time shown for the departure is on its clock."""
        return zoneinfo.ZoneInfo(self.venue.timezone)

    def local(self, moment):
        """`moment` (boarding, a window's edge …) on the pier's clock."""
        return moment.astimezone(self.zone)

    @property
    def local_starts_at(self):
        return self.local(self.starts_at)

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


OCCUPANCY_FIELDS = {"vessel", "vessel_id", "starts_at", "ends_at", "status"}
OCCUPANCY_NO_OVERLAP = "booking_vesseloccupancy_no_overlap"


class VesselOccupancy(models.Model):
    """A stretch of a vessel's time: a departure's (and later a rental's, with its
    turnaround buffer). On PostgreSQL an exclusion constraint (`btree_gist`, created by
    migration 0022 only there) forbids two overlapping `[starts_at, ends_at)` ranges of
    one vessel whatever races; on SQLite `sync_departure` checks in Python instead."""

    class Kind(models.TextChoices):
        DEPARTURE = "departure", _("Departure")
        RENTAL = "rental", _("Rental")

    vessel = models.ForeignKey(
        Vessel, on_delete=models.CASCADE, related_name="occupancies", verbose_name=_("vessel")
    )
    starts_at = models.DateTimeField(_("busy from"))
    ends_at = models.DateTimeField(_("busy until"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    departure = models.OneToOneField(
        Departure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="occupancy",
        verbose_name=_("departure"),
    )

    class Meta:
        verbose_name = _("vessel occupancy")
        verbose_name_plural = _("vessel occupancies")
        ordering = ["vessel", "starts_at"]
        indexes = [models.Index(fields=["vessel", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="booking_vesseloccupancy_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.vessel}: {self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"

    @classmethod
    def for_departure(cls, departure: Departure) -> "VesselOccupancy":
        """The departure's stretch of its vessel's time; a rental's (a departure of a
        product with a rental plan) runs on by the plan's turnaround buffer."""
        plan = getattr(departure.product, "rental_plan", None)
        if plan is None:
            return cls(
                vessel_id=departure.vessel_id,
                starts_at=departure.starts_at,
                ends_at=departure.ends_at,
                kind=cls.Kind.DEPARTURE,
                departure=departure,
            )
        return cls(
            vessel_id=departure.vessel_id,
            starts_at=departure.starts_at,
            ends_at=departure.ends_at + plan.turnaround,
            kind=cls.Kind.RENTAL,
            departure=departure,
        )

    @classmethod
    def overlapping(cls, vessel_id, starts_at, ends_at):
        return cls.objects.filter(vessel_id=vessel_id, starts_at__lt=ends_at, ends_at__gt=starts_at)

    @classmethod
    def busy_error(cls, vessel_id, starts_at, ends_at, exclude_departure=None):
        """The refusal naming the vessel and the busy stretch that stands in the way (the
        requested one when the other is not visible yet: a concurrent transaction)."""
        from booking.services.errors import BookingError

        other = cls.overlapping(vessel_id, starts_at, ends_at)
        if exclude_departure is not None:
            other = other.exclude(departure_id=exclude_departure)
        other = other.order_by("starts_at").first()
        start, end = (other.starts_at, other.ends_at) if other else (starts_at, ends_at)
        vessel = Vessel.objects.get(pk=vessel_id)
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        return BookingError(
            "vessel_busy",
            vessel=vessel,
            start=f"{start.astimezone(tz):%Y-%m-%d %H:%M}",
            end=f"{end.astimezone(tz):%Y-%m-%d %H:%M}",
        )

    @classmethod
    def sync_departure(cls, departure: Departure) -> None:
        """Writes the departure's row (a cancelled departure frees its vessel). Call in
        the transaction that saves the departure. On PostgreSQL the constraint alone
        refuses an overlap; elsewhere it is looked for first (best effort)."""
        from booking.services.errors import violated_constraint

        if departure.status == Departure.Status.CANCELLED:
            cls.objects.filter(departure=departure).delete()
            return
        row = cls.for_departure(departure)
        if (
            transaction.get_connection().vendor != "postgresql"
            and cls.overlapping(row.vessel_id, row.starts_at, row.ends_at)
            .exclude(departure=departure)
            .exists()
        ):
            raise cls.busy_error(row.vessel_id, row.starts_at, row.ends_at, departure.pk)
        try:
            with transaction.atomic():
                cls.objects.update_or_create(
                    departure=departure,
                    defaults={
                        "vessel_id": row.vessel_id,
                        "starts_at": row.starts_at,
                        "ends_at": row.ends_at,
                        "kind": row.kind,
                    },
                )
        except IntegrityError as error:
            if violated_constraint(error) != OCCUPANCY_NO_OVERLAP:
                raise
            raise cls.busy_error(row.vessel_id, row.starts_at, row.ends_at, departure.pk) from error


class CancellationRefund(models.Model):
    """One paid order of a cancelled departure and where its full refund stands: the
    resumable job (`booking.tasks.refund_cancelled_departure`) refunds the pending and
    failed ones, each in its own transaction together with this row, and tells the
    customer once (`email_sent_at`, `sms_sent_at`)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        REFUNDED = "refunded", _("Refunded")
        FAILED = "failed", _("Failed")

    departure = models.ForeignKey(
        Departure,
        on_delete=models.CASCADE,
        related_name="cancellation_refunds",
        verbose_name=_("departure"),
    )
    order = models.OneToOneField(
        "booking.Order",
        on_delete=models.CASCADE,
        related_name="cancellation_refund",
        verbose_name=_("order"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    refund = models.ForeignKey(
        "booking.Refund",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("refund"),
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    updated_at = models.DateTimeField(auto_now=True)
    email_sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)
    sms_sent_at = models.DateTimeField(_("SMS sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("cancellation refund")
        verbose_name_plural = _("cancellation refunds")
        ordering = ["pk"]
        indexes = [models.Index(fields=["departure", "status"])]

    def __str__(self):
        return f"{self.departure_id}/{self.order_id}: {self.status}"


class DeparturePlaces(models.Model):
    """The general-admission places of one departure that are taken, as a counter that the
    hold path updates instead of summing every hold line under a lock.

    `taken` = places in existing hold lines without a seat (expired ones too, until a
    writer deletes them) + valid tickets without a seat + `Departure.blocked_places`.
    `capacity` = the departure's effective capacity. `overbooked` = places taken beyond a
    capacity that the staff lowered below them; it shrinks as places go back and never
    grows, so nothing new is sold until `taken` is under the capacity. PostgreSQL triggers (migration 0024) keep both in step with every write to hold
    lines, holds, tickets, departures and vessels, whoever writes them; the check
    constraint makes an oversell impossible even for a bug. Its own small table, so that
    the hot row that every hold of a departure updates is 3 integers, and staff edits of
    the departure never wait for it."""

    departure = models.OneToOneField(
        Departure, on_delete=models.CASCADE, primary_key=True, related_name="places"
    )
    capacity = models.IntegerField()
    taken = models.IntegerField(default=0)
    overbooked = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(taken__lte=models.F("capacity") + models.F("overbooked")),
                name=PLACES_WITHIN_CAPACITY,
            ),
            models.CheckConstraint(
                condition=models.Q(taken__gte=0), name="booking_departureplaces_taken_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.departure_id}: {self.taken}/{self.capacity}"


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
    # A block: the staff took the seat off sale (booking.services.blocking). A blocked
    # seat's claim has no hold, no ticket and no expiry, so it is taken for good and no
    # sweeper (they delete expired claims only) ever removes it.
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    blocked_reason = models.CharField(max_length=200, blank=True)
    blocked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["departure", "seat"], name="booking_seatclaim_one_per_seat"
            ),
            models.CheckConstraint(
                condition=models.Q(blocked_at__isnull=True)
                | models.Q(hold__isnull=True, ticket__isnull=True, expires_at__isnull=True),
                name="booking_seatclaim_block_is_bare",
            ),
        ]

    def __str__(self):
        return f"{self.departure_id}/{self.seat_id}"

    @property
    def is_block(self) -> bool:
        return self.blocked_at is not None


# --- Taxes: YooKassa's 54-FZ vocabulary is data, not code (RESEARCH.md §3.7). ----------
