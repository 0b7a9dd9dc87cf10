"""Rentals by the hour (booking.services.rentals): the customer's view of a vessel's day,
the price of a rental, the hold that books it through the ordinary departure machinery,
and the one occupancy table that keeps a vessel in one place at a time."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone

from booking.models import (
    Departure,
    Hold,
    Order,
    RefundPolicy,
    RentalBooking,
    RentalHours,
    RentalRate,
    Ticket,
    VesselOccupancy,
)
from booking.services.errors import BookingError
from booking.services.orders import order_create
from booking.services.refunds import refund_quote
from booking.services.rentals import (
    rental_day,
    rental_hold,
    rental_quote,
    rental_ticket_type,
    rentals_release_lapsed,
)
from booking.tasks import sweep_expired_holds
from tests import factories
from tests.concurrency import race

pytestmark = pytest.mark.django_db

FRIDAY, SATURDAY, MONDAY = 4, 5, 0


def coming(weekday: int, weeks: int = 1) -> datetime.date:
    """A date on `weekday` at least a week ahead (well past the booking notice)."""
    day = timezone.localdate() + datetime.timedelta(days=7 * weeks)
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return factories.moscow_datetime(day, hour) + datetime.timedelta(minutes=minute)


def book(plan, starts_at, minutes=180, owner="anna", **kwargs):
    values = {"guests": 4, "with_skipper": False, "option_ids": []}
    values.update(kwargs)
    return rental_hold(plan=plan, starts_at=starts_at, minutes=minutes, owner_key=owner, **values)


def pay(hold: Hold) -> Order:
    """The hold's order, paid (what the payment notification does)."""
    return factories.order_paid(order_create(hold=hold, details=factories.checkout_details()))


@pytest.fixture
def plan():
    return factories.rental_plan()


# The day a customer sees -------------------------------------------------------------


def test_a_day_offers_every_whole_hour_that_fits_the_shortest_rental(plan):
    monday = coming(MONDAY)
    day = rental_day(plan=plan, day=monday)
    assert day.windows == [(at(monday, 10), at(monday, 23))]
    assert [s.starts_at for s in day.starts] == [at(monday, h) for h in range(10, 22)]
    # 8 hours at most, and never past closing time.
    assert [s.max_minutes for s in day.starts][:5] == [480, 480, 480, 480, 480]
    assert day.starts[-1].max_minutes == 120  # 21:00 → 23:00
    assert day.durations == [120, 180, 240, 300, 360, 420, 480]
    assert day.busy == []


def test_a_friday_runs_past_midnight(plan):
    friday = coming(FRIDAY)
    day = rental_day(plan=plan, day=friday)
    saturday = friday + datetime.timedelta(days=1)
    assert day.windows == [(at(friday, 10), at(saturday, 1))]
    assert day.starts[-1].starts_at == at(friday, 23)
    assert day.starts[-1].max_minutes == 120  # 23:00 → 01:00


def test_busy_time_and_the_buffer_shorten_what_fits(plan):
    monday = coming(MONDAY)
    factories.DepartureFactory(
        vessel=plan.vessel, starts_at=at(monday, 15), ends_at=at(monday, 16, 30)
    )
    day = rental_day(plan=plan, day=monday)
    assert [(b.starts_at, b.ends_at, b.kind) for b in day.busy] == [
        (at(monday, 15), at(monday, 16, 30), "departure")
    ]
    starts = {s.starts_at: s.max_minutes for s in day.starts}
    # From 10:00 a rental must end 30 minutes before the departure: 14:30, so 4 hours.
    assert starts[at(monday, 10)] == 240
    # 12:00 would end at 14:00 with its buffer to 14:30: fits. 13:00 leaves 1.5 hours.
    assert starts[at(monday, 12)] == 120
    assert at(monday, 13) not in starts
    assert at(monday, 15) not in starts and at(monday, 16) not in starts
    assert starts[at(monday, 17)] == 360  # 17:00 → 23:00


def test_a_seasonal_row_replaces_the_plain_ones_on_its_days(plan):
    monday = coming(MONDAY)
    RentalHours.objects.create(
        plan=plan,
        weekday=MONDAY,
        opens=datetime.time(12),
        closes=datetime.time(20),
        valid_from=monday,
        valid_until=monday,
    )
    day = rental_day(plan=plan, day=monday)
    assert day.windows == [(at(monday, 12), at(monday, 20))]
    next_monday = monday + datetime.timedelta(days=7)
    assert rental_day(plan=plan, day=next_monday).windows == [
        (at(next_monday, 10), at(next_monday, 23))
    ]


def test_nothing_is_offered_before_the_notice_or_beyond_the_horizon(plan):
    monday = coming(MONDAY)
    now = at(monday, 11, 30)
    starts = [s.starts_at for s in rental_day(plan=plan, day=monday, now=now).starts]
    assert starts[0] == at(monday, 14)  # 2 hours' notice: 13:30 at the earliest
    far = timezone.localdate() + datetime.timedelta(days=plan.horizon_days + 1)
    assert rental_day(plan=plan, day=far).starts == []


# The price -----------------------------------------------------------------------------


def test_a_weekday_evening_costs_hours_at_the_rate_plus_the_fixed_part(plan):
    monday = coming(MONDAY)
    quote = rental_quote(
        plan=plan,
        starts_at=at(monday, 19),
        minutes=180,
        guests=6,
        with_skipper=False,
        option_ids=[],
    )
    assert [line.amount for line in quote.lines] == [Decimal("30000"), Decimal("2000")]
    assert quote.total == Decimal("32000")
    assert quote.ends_at == at(monday, 22)
    assert quote.with_skipper  # the plan includes one


def test_a_rental_across_midnight_pays_each_days_rate(plan):
    """Friday 22:00 for 3 hours: two hours at the weekday rate, the hour after midnight
    (Saturday) at the weekend rate."""
    friday = coming(FRIDAY)
    quote = rental_quote(
        plan=plan,
        starts_at=at(friday, 22),
        minutes=180,
        guests=2,
        with_skipper=False,
        option_ids=[],
    )
    assert [line.amount for line in quote.lines] == [
        Decimal("20000"),
        Decimal("14000"),
        Decimal("2000"),
    ]
    assert quote.total == Decimal("36000")
    assert quote.ends_at == at(friday + datetime.timedelta(days=1), 1)


def test_a_start_after_midnight_belongs_to_the_evening_before(plan):
    saturday = coming(SATURDAY)
    quote = rental_quote(
        plan=plan,
        starts_at=at(saturday, 23),
        minutes=120,
        guests=2,
        with_skipper=False,
        option_ids=[],
    )
    assert quote.total == Decimal("28000") + Decimal("2000")  # Saturday → Sunday: weekend


def test_extras_and_a_skipper_add_on_are_priced(plan):
    plan.skipper = plan.Skipper.ADDON
    plan.skipper_price_per_hour = Decimal("1500")
    plan.save()
    photographer, drink = plan.options.order_by("sort_order")
    monday = coming(MONDAY)
    quote = rental_quote(
        plan=plan,
        starts_at=at(monday, 12),
        minutes=120,
        guests=10,
        with_skipper=True,
        option_ids=[drink.pk, photographer.pk],
    )
    assert {line.label: line.amount for line in quote.lines} == {
        "2 ч × 10\u00a0000\u00a0₽": Decimal("20000"),
        "Посадка и уборка": Decimal("2000"),
        "Шкипер": Decimal("3000"),
        "Фотограф": Decimal("6000"),
        "Приветственный напиток": Decimal("1500"),
    }
    assert quote.total == Decimal("32500")
    without = rental_quote(
        plan=plan,
        starts_at=at(monday, 12),
        minutes=120,
        guests=10,
        with_skipper=False,
        option_ids=[],
    )
    assert without.total == Decimal("22000")


@pytest.mark.parametrize(
    ("hour", "minute", "minutes", "guests", "code"),
    [
        (12, 30, 120, 2, "rental_start_invalid"),  # not on the step
        (8, 0, 120, 2, "rental_start_invalid"),  # before opening
        (12, 0, 60, 2, "rental_duration_invalid"),  # shorter than the shortest
        (12, 0, 540, 2, "rental_duration_invalid"),  # longer than the longest
        (12, 0, 150, 2, "rental_duration_invalid"),  # not whole steps
        (21, 0, 180, 2, "rental_ends_after_hours"),  # past 23:00
        (12, 0, 120, 11, "rental_guests_invalid"),
        (12, 0, 120, 0, "rental_guests_invalid"),
    ],
)
def test_a_rental_outside_the_plan_is_refused_with_its_reason(
    plan, hour, minute, minutes, guests, code
):
    monday = coming(MONDAY)
    with pytest.raises(BookingError) as refused:
        book(plan, at(monday, hour, minute), minutes=minutes, guests=guests)
    assert refused.value.code == code
    assert refused.value.message
    assert Departure.objects.count() == 0 and Hold.objects.count() == 0


def test_a_foreign_extra_too_soon_and_too_far_are_refused(plan):
    other = factories.rental_plan()
    monday = coming(MONDAY)
    with pytest.raises(BookingError) as refused:
        book(plan, at(monday, 12), option_ids=[other.options.first().pk])
    assert refused.value.code == "rental_option_invalid"
    soon = timezone.localtime() + datetime.timedelta(hours=1)
    with pytest.raises(BookingError) as refused:
        rental_quote(
            plan=plan,
            starts_at=soon.replace(minute=0, second=0, microsecond=0),
            minutes=120,
            guests=2,
            with_skipper=False,
            option_ids=[],
        )
    assert refused.value.code in {"rental_too_soon", "rental_start_invalid"}
    far = timezone.localdate() + datetime.timedelta(days=plan.horizon_days + 2)
    with pytest.raises(BookingError) as refused:
        book(plan, at(far, 12), minutes=120)
    assert refused.value.code == "rental_too_far"
    assert Departure.objects.count() == 0


def test_a_day_without_a_rate_offers_nothing(plan):
    RentalRate.objects.filter(plan=plan, weekdays="56").delete()
    saturday = coming(SATURDAY)
    assert rental_day(plan=plan, day=saturday).starts == []
    with pytest.raises(BookingError) as refused:
        book(plan, at(saturday, 12), minutes=120)
    assert refused.value.code == "rental_start_invalid"


# The hold --------------------------------------------------------------------------------


def test_a_hold_books_the_vessel_through_a_one_place_departure(plan):
    monday = coming(MONDAY)
    photographer = plan.options.get(name_en="Photographer")
    hold = book(plan, at(monday, 18), minutes=180, guests=8, option_ids=[photographer.pk])
    departure = hold.departure
    assert (departure.product, departure.vessel, departure.venue) == (
        plan.product,
        plan.vessel,
        plan.venue,
    )
    assert (departure.starts_at, departure.ends_at) == (at(monday, 18), at(monday, 21))
    assert departure.effective_capacity == 1
    assert list(hold.lines.values_list("ticket_type_id", "quantity")) == [
        (rental_ticket_type(plan).pk, 1)
    ]
    occupancy = VesselOccupancy.objects.get(departure=departure)
    assert (occupancy.kind, occupancy.starts_at, occupancy.ends_at) == (
        "rental",
        at(monday, 18),
        at(monday, 21, 30),  # the turnaround buffer
    )
    booking = RentalBooking.objects.get(departure=departure)
    assert (booking.guests, booking.minutes, booking.with_skipper) == (8, 180, True)
    assert [o["name_en"] for o in booking.options] == ["Photographer"]
    assert booking.price_breakdown["total"] == "41000.00"  # 30 000 + 2 000 + 3 × 3 000
    # Checkout prices the hold at the rental's own price.
    order = order_create(hold=hold, details=factories.checkout_details())
    assert order.total == Decimal("41000.00")
    # The rental is the vessel's busy time, not a sailing on the public timetable.
    assert not Departure.objects.on_timetable().filter(pk=departure.pk).exists()


def test_the_listings_from_price_is_the_cheapest_shortest_rental(plan):
    ticket_type = rental_ticket_type(plan)
    assert ticket_type.price == Decimal("22000.00")  # 2 h × 10 000 + 2 000
    assert ticket_type.departures_only
    assert rental_ticket_type(plan).pk == ticket_type.pk


def test_an_overlapping_rental_is_refused_by_the_constraint(plan):
    monday = coming(MONDAY)
    book(plan, at(monday, 12), minutes=180)  # busy 12:00–15:30 with the buffer
    with pytest.raises(BookingError) as refused:
        book(plan, at(monday, 15), minutes=120, owner="boris")
    assert refused.value.code == "vessel_busy"
    # No Python look-up refused it: the exclusion constraint did.
    assert isinstance(refused.value.__cause__, IntegrityError)
    assert Departure.objects.count() == 1
    book(plan, at(monday, 16), minutes=120, owner="boris")  # after the buffer: fine


def test_a_departure_cannot_be_scheduled_into_a_rental_or_its_buffer(plan):
    monday = coming(MONDAY)
    book(plan, at(monday, 12), minutes=180)
    with pytest.raises(BookingError) as refused:
        factories.DepartureFactory(
            vessel=plan.vessel, starts_at=at(monday, 15, 15), ends_at=at(monday, 16)
        )
    assert refused.value.code == "vessel_busy"
    factories.DepartureFactory(
        vessel=plan.vessel, starts_at=at(monday, 15, 30), ends_at=at(monday, 16, 30)
    )


def test_a_rental_cannot_be_booked_over_a_departure(plan):
    monday = coming(MONDAY)
    factories.DepartureFactory(vessel=plan.vessel, starts_at=at(monday, 14), ends_at=at(monday, 15))
    with pytest.raises(BookingError) as refused:
        book(plan, at(monday, 12), minutes=120)  # its buffer runs to 14:30
    assert refused.value.code == "vessel_busy"


@pytest.mark.django_db(transaction=True)
def test_twenty_customers_racing_for_overlapping_times_one_wins():
    """Twenty customers ask at once for rentals that all overlap 14:00–15:00 (starts from
    10:00 to 14:00, some the same): the database lets exactly one through."""
    plan = factories.rental_plan()
    monday = coming(MONDAY)
    starts = [at(monday, 10 + i % 5) for i in range(20)]

    def attempt(i):
        try:
            book(plan, starts[i], minutes=300 if i % 5 == 0 else 240, owner=f"customer-{i}")
        except BookingError as error:
            # A constraint refused it (the occupancy's exclusion, or the departure's
            # unique slot for the same start), not a Python look-up.
            assert isinstance(error.__cause__, IntegrityError), error.code
            raise
        return "won"

    results = race(attempt, 20, expected=(BookingError,))
    assert sorted(results.values()).count("won") == 1
    assert sorted(results.values()).count("vessel_busy") == 19
    assert Departure.objects.filter(vessel=plan.vessel).count() == 1
    assert VesselOccupancy.objects.filter(vessel=plan.vessel).count() == 1
    assert Hold.objects.count() == 1


# Lapsed rentals ----------------------------------------------------------------------------


def test_an_expired_hold_frees_the_time_for_the_next_customer(plan):
    monday = coming(MONDAY)
    first = book(plan, at(monday, 12), minutes=180)
    factories.expire(first)
    day = rental_day(plan=plan, day=monday)
    assert day.busy == []
    assert at(monday, 12) in [s.starts_at for s in day.starts]
    second = book(plan, at(monday, 12), minutes=120, owner="boris")
    assert not Departure.objects.filter(pk=first.departure_id).exists()  # nobody ordered
    assert Departure.objects.get().pk == second.departure_id


def test_an_expired_unpaid_order_keeps_its_history_but_not_the_vessel(plan):
    monday = coming(MONDAY)
    hold = book(plan, at(monday, 12), minutes=180)
    order = order_create(hold=hold, details=factories.checkout_details())
    factories.expire(hold)
    assert rentals_release_lapsed() == 1
    departure = Departure.objects.get(pk=hold.departure_id)
    assert departure.status == Departure.Status.CANCELLED
    assert not VesselOccupancy.objects.filter(departure=departure).exists()
    assert Order.objects.filter(pk=order.pk).exists()
    # The same time can be sold again (a cancelled departure frees its slot).
    book(plan, at(monday, 12), minutes=180, owner="boris")


def test_the_sweeper_releases_lapsed_rentals_and_keeps_live_and_paid_ones(plan):
    monday = coming(MONDAY)
    lapsed = book(plan, at(monday, 10), minutes=120)
    live = book(plan, at(monday, 13), minutes=120, owner="boris")
    paid = pay(book(plan, at(monday, 16), minutes=120, owner="vera"))
    factories.expire(lapsed)
    sweep_expired_holds()
    assert not Departure.objects.filter(pk=lapsed.departure_id).exists()
    assert Departure.objects.filter(pk=live.departure_id).exists()
    assert Departure.objects.get(pk=paid.departure_id).status == Departure.Status.SCHEDULED
    assert paid.tickets.get().status == Ticket.Status.VALID
    assert rentals_release_lapsed() == 0


def test_a_paid_rental_follows_its_products_refund_window(plan):
    plan.product.refund_policy = RefundPolicy.objects.create(name="Яхты", window_hours=72)
    plan.product.save()
    starts_at = at(timezone.localdate() + datetime.timedelta(days=2), 12)  # within 72 h
    order = pay(book(plan, starts_at, minutes=120))
    quote = refund_quote(order=order)
    assert not quote.allowed and quote.code == "refund_window_passed"
    assert refund_quote(order=order, now=starts_at - datetime.timedelta(hours=73)).allowed


def test_a_late_payment_for_a_released_rental_is_refunded(plan):
    from booking.models import Payment
    from booking.services.orders import order_confirm_paid

    monday = coming(MONDAY)
    hold = book(plan, at(monday, 12), minutes=180)
    order = order_create(hold=hold, details=factories.checkout_details())
    factories.expire(hold)
    book(plan, at(monday, 12), minutes=180, owner="boris")  # releases the lapsed one
    payment = Payment.objects.create(
        order=order,
        idempotence_key="late",
        provider_id="late-payment",
        status=Payment.Status.SUCCEEDED,
        amount=order.total,
        succeeded_at=timezone.now(),
    )
    locked = Order.objects.select_for_update().get(pk=order.pk)
    assert order_confirm_paid(order=locked, payment=payment) == "refunded"
    assert VesselOccupancy.objects.filter(vessel=plan.vessel).count() == 1


def test_a_refunded_rental_frees_the_vessel(plan):
    from booking.services.refunds import refund_request

    monday = coming(MONDAY)
    order = pay(book(plan, at(monday, 12), minutes=180))
    refund_request(order=order, tickets=None, requested_by=None)
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    sweep_expired_holds()
    assert Departure.objects.get(pk=order.departure_id).status == Departure.Status.CANCELLED
    book(plan, at(monday, 12), minutes=180, owner="boris")


def test_a_season_of_departures_skips_the_vessels_rentals(plan):
    from booking.services.departures import departures_create_recurring

    monday = coming(MONDAY)
    book(plan, at(monday, 12), minutes=180)  # 12:00–15:30 with the buffer
    created = departures_create_recurring(
        product=factories.ProductFactory(),
        vessel=plan.vessel,
        venue=plan.venue,
        date_from=monday,
        date_to=monday + datetime.timedelta(days=1),
        times=[datetime.time(11), datetime.time(15), datetime.time(16)],
        weekdays={MONDAY, MONDAY + 1},
        duration_minutes=60,
    )
    # Monday 11:00–12:00 ends as the rental starts; 15:00 falls in its buffer.
    assert sorted(d.starts_at for d in created) == [
        at(monday, 11),
        at(monday, 16),
        at(monday + datetime.timedelta(days=1), 11),
        at(monday + datetime.timedelta(days=1), 15),
        at(monday + datetime.timedelta(days=1), 16),
    ]


def test_a_paid_rentals_manifest_counts_its_guests(plan):
    from booking.services.manifests import departure_manifest, manifest_departures

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    paid = pay(book(plan, at(tomorrow, 18), minutes=180, guests=8))
    unpaid = book(plan, at(tomorrow, 12), minutes=120, owner="boris")
    manifest = departure_manifest(paid.departure_id)
    assert [(row.name, row.ticket_type, row.people) for row in manifest.rows] == [
        ("Анна Смирнова", "Аренда, 8 гостей", 8)
    ]
    totals = manifest.totals
    assert (totals.headcount, totals.capacity, totals.expected, totals.boarded) == (8, 10, 8, 0)
    listed = [item.departure.pk for item in manifest_departures()]
    assert paid.departure_id in listed
    assert unpaid.departure_id not in listed  # a rental in checkout is nothing for the crew
