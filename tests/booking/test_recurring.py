"""Recurring departures: a season at once, with month ends, leap days and daylight
saving time in the venue's zone, no duplicates on re-run, and a vessel never in two
places at once. Expected dates are computed here, independently of the service."""

import datetime
import zoneinfo

import pytest
from django.utils import translation

from booking.models import Departure, SeatingMode
from booking.services.departures import (
    MAX_GENERATED,
    ScheduleError,
    departure_schedule_plan,
    departures_create_recurring,
)
from tests import factories

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
EVERY_DAY = set(range(7))
EXCEPT_MONDAYS = {1, 2, 3, 4, 5, 6}
SEASON_TIMES = [datetime.time(11), datetime.time(13), datetime.time(15)]


@pytest.fixture
def setup():
    venue = factories.VenueFactory(timezone="Europe/Moscow")
    product = factories.ProductFactory(venue=venue, duration_minutes=90)
    vessel = factories.VesselFactory(seating_mode=SeatingMode.GENERAL)
    return {"product": product, "vessel": vessel, "venue": venue}


def schedule(setup, **kwargs):
    return {
        **setup,
        "times": SEASON_TIMES,
        "weekdays": EXCEPT_MONDAYS,
        "duration_minutes": 90,
        **kwargs,
    }


def season_2027(setup, **kwargs):
    return schedule(
        setup,
        date_from=datetime.date(2027, 5, 1),
        date_to=datetime.date(2027, 9, 30),
        **kwargs,
    )


def expected_starts(first, last, times, weekdays, tz):
    """Every wall-clock time of every chosen day, as instants; by plain iteration."""
    starts, day = set(), first
    while day <= last:
        if day.weekday() in weekdays:
            for at in times:
                starts.add(
                    datetime.datetime(day.year, day.month, day.day, at.hour, at.minute, tzinfo=tz)
                )
        day += datetime.timedelta(days=1)
    return starts


def starts_of(departures):
    return sorted(d.starts_at for d in departures)


def test_a_season_except_mondays_creates_exactly_the_expected_departures(setup):
    created = departures_create_recurring(**season_2027(setup))

    expected = expected_starts(
        datetime.date(2027, 5, 1), datetime.date(2027, 9, 30), SEASON_TIMES, EXCEPT_MONDAYS, MOSCOW
    )
    mondays = sum(
        1
        for n in range(153)
        if (datetime.date(2027, 5, 1) + datetime.timedelta(days=n)).weekday() == 0
    )
    assert len(expected) == (153 - mondays) * 3 == 393
    assert len(created) == len(expected)
    stored = Departure.objects.filter(product=setup["product"])
    assert set(stored.values_list("starts_at", flat=True)) == expected
    assert all(d.ends_at - d.starts_at == datetime.timedelta(minutes=90) for d in stored)
    local = [d.starts_at.astimezone(MOSCOW) for d in stored]
    assert {t.weekday() for t in local} == EXCEPT_MONDAYS
    assert {t.time() for t in local} == set(SEASON_TIMES)
    assert min(local).date() == datetime.date(2027, 5, 1)
    assert max(local).date() == datetime.date(2027, 9, 30)
    assert all(d.status == Departure.Status.SCHEDULED for d in stored)


def test_month_ends_are_included(setup):
    departures_create_recurring(**season_2027(setup))
    days = {
        d.astimezone(MOSCOW).date() for d in Departure.objects.values_list("starts_at", flat=True)
    }
    for month_end in (
        datetime.date(2027, 6, 30),
        datetime.date(2027, 7, 31),
        datetime.date(2027, 8, 31),
        datetime.date(2027, 9, 30),
    ):
        assert month_end in days
    # 31 May 2027 is a Monday.
    assert datetime.date(2027, 5, 31).weekday() == 0
    assert datetime.date(2027, 5, 31) not in days
    assert datetime.date(2027, 5, 30) in days


@pytest.mark.parametrize(
    ("first", "last", "days"),
    [
        (
            datetime.date(2028, 2, 27),
            datetime.date(2028, 3, 1),
            ["02-27", "02-28", "02-29", "03-01"],
        ),
        (datetime.date(2027, 2, 27), datetime.date(2027, 3, 1), ["02-27", "02-28", "03-01"]),
        (
            datetime.date(2027, 12, 30),
            datetime.date(2028, 1, 2),
            ["12-30", "12-31", "01-01", "01-02"],
        ),
    ],
    ids=["leap February", "common February", "year end"],
)
def test_february_and_year_ends(setup, first, last, days):
    created = departures_create_recurring(
        **schedule(
            setup, date_from=first, date_to=last, times=[datetime.time(12)], weekdays=EVERY_DAY
        )
    )
    assert [
        d.starts_at.astimezone(MOSCOW).strftime("%m-%d")
        for d in sorted(created, key=lambda d: d.starts_at)
    ] == days


def test_whole_leap_february(setup):
    created = departures_create_recurring(
        **schedule(
            setup,
            date_from=datetime.date(2028, 2, 1),
            date_to=datetime.date(2028, 2, 29),
            times=[datetime.time(12), datetime.time(18)],
            weekdays=EVERY_DAY,
        )
    )
    assert len(created) == 29 * 2


# --- daylight saving time --------------------------------------------------------------


@pytest.fixture
def berlin(setup):
    venue = factories.VenueFactory(timezone="Europe/Berlin")
    return {**setup, "venue": venue}


def berlin_days(berlin, first, last):
    return departures_create_recurring(
        **schedule(
            berlin,
            date_from=first,
            date_to=last,
            times=[datetime.time(2, 30), datetime.time(11)],
            weekdays=EVERY_DAY,
            duration_minutes=60,
        )
    )


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def test_spring_forward_moves_a_missing_time_on_by_the_gap(berlin):
    created = berlin_days(berlin, datetime.date(2027, 3, 27), datetime.date(2027, 3, 28))

    assert starts_of(created) == [
        utc(2027, 3, 27, 1, 30),  # 02:30 CET
        utc(2027, 3, 27, 10, 0),  # 11:00 CET: winter, UTC+1
        utc(2027, 3, 28, 1, 30),  # 02:30 does not exist: 03:30 CEST
        utc(2027, 3, 28, 9, 0),  # 11:00 CEST: summer, UTC+2
    ]
    missing = Departure.objects.get(starts_at=utc(2027, 3, 28, 1, 30))
    local = missing.local_starts_at
    assert (local.date(), local.time()) == (datetime.date(2027, 3, 28), datetime.time(3, 30))
    assert local.utcoffset() == datetime.timedelta(hours=2)


def test_fall_back_takes_the_first_occurrence_of_an_ambiguous_time(berlin):
    created = berlin_days(berlin, datetime.date(2027, 10, 30), datetime.date(2027, 10, 31))

    assert starts_of(created) == [
        utc(2027, 10, 30, 0, 30),  # 02:30 CEST
        utc(2027, 10, 30, 9, 0),  # 11:00 CEST
        utc(2027, 10, 31, 0, 30),  # 02:30 happens twice: the first, still CEST
        utc(2027, 10, 31, 10, 0),  # 11:00 CET: winter
    ]
    first = Departure.objects.get(starts_at=utc(2027, 10, 31, 0, 30)).local_starts_at
    assert first.time() == datetime.time(2, 30)
    assert first.utcoffset() == datetime.timedelta(hours=2)


def test_local_times_stay_the_same_across_a_dst_change(berlin):
    created = departures_create_recurring(
        **schedule(
            berlin,
            date_from=datetime.date(2027, 3, 20),
            date_to=datetime.date(2027, 4, 5),
            times=[datetime.time(11)],
            weekdays=EVERY_DAY,
        )
    )
    assert len(created) == 17
    assert {d.starts_at.astimezone(BERLIN).time() for d in created} == {datetime.time(11)}
    assert {d.starts_at.astimezone(UTC).hour for d in created} == {9, 10}


# --- duplicates and a busy vessel ------------------------------------------------------------


def test_running_again_creates_nothing_new(setup):
    first = departures_create_recurring(**season_2027(setup))
    plan = departure_schedule_plan(**season_2027(setup))

    again = departures_create_recurring(**season_2027(setup))

    assert again == []
    assert Departure.objects.count() == len(first)
    assert {slot.status for slot in plan} == {"exists"}
    assert len(plan) == len(first)


def test_extending_a_season_adds_only_the_new_days(setup):
    departures_create_recurring(
        **schedule(setup, date_from=datetime.date(2027, 6, 1), date_to=datetime.date(2027, 6, 10))
    )
    before = Departure.objects.count()

    added = departures_create_recurring(
        **schedule(setup, date_from=datetime.date(2027, 6, 1), date_to=datetime.date(2027, 6, 20))
    )

    expected = expected_starts(
        datetime.date(2027, 6, 11), datetime.date(2027, 6, 20), SEASON_TIMES, EXCEPT_MONDAYS, MOSCOW
    )
    assert set(starts_of(added)) == expected
    assert Departure.objects.count() == before + len(expected)


def test_duplicate_times_in_the_input_give_one_departure(setup):
    created = departures_create_recurring(
        **schedule(
            setup,
            date_from=datetime.date(2027, 6, 2),
            date_to=datetime.date(2027, 6, 2),
            times=[datetime.time(11), datetime.time(11)],
        )
    )
    assert len(created) == 1


def test_a_slot_where_the_vessel_is_busy_is_marked_and_not_created(setup):
    other_product = factories.ProductFactory(venue=setup["venue"])
    busy = factories.DepartureFactory(
        product=other_product,
        vessel=setup["vessel"],
        venue=setup["venue"],
        starts_at=datetime.datetime(2027, 6, 2, 12, 30, tzinfo=MOSCOW),
        ends_at=datetime.datetime(2027, 6, 2, 14, 0, tzinfo=MOSCOW),
    )
    # Another vessel's departure at the same time is no obstacle.
    factories.DepartureFactory(
        product=other_product,
        venue=setup["venue"],
        starts_at=datetime.datetime(2027, 6, 2, 15, 0, tzinfo=MOSCOW),
    )
    kwargs = schedule(setup, date_from=datetime.date(2027, 6, 2), date_to=datetime.date(2027, 6, 3))

    plan = departure_schedule_plan(**kwargs)
    created = departures_create_recurring(**kwargs)

    statuses = {
        slot.starts_at.astimezone(MOSCOW).strftime("%d %H:%M"): slot.status for slot in plan
    }
    assert statuses == {
        "02 11:00": "new",  # ends 12:30 exactly when the other one starts
        "02 13:00": "vessel_busy",
        "02 15:00": "new",
        "03 11:00": "new",
        "03 13:00": "new",
        "03 15:00": "new",
    }
    assert len(created) == 5
    assert not Departure.objects.filter(
        vessel=setup["vessel"], starts_at=datetime.datetime(2027, 6, 2, 13, 0, tzinfo=MOSCOW)
    ).exists()
    assert Departure.objects.filter(vessel=setup["vessel"]).count() == 6
    assert Departure.objects.get(pk=busy.pk).product == other_product


def test_a_cancelled_departure_of_another_product_does_not_make_the_vessel_busy(setup):
    factories.DepartureFactory(
        product=factories.ProductFactory(venue=setup["venue"]),
        vessel=setup["vessel"],
        venue=setup["venue"],
        starts_at=datetime.datetime(2027, 6, 2, 13, 0, tzinfo=MOSCOW),
        status=Departure.Status.CANCELLED,
    )
    created = departures_create_recurring(
        **schedule(setup, date_from=datetime.date(2027, 6, 2), date_to=datetime.date(2027, 6, 2))
    )
    assert len(created) == 3


def test_running_again_after_a_departure_was_cancelled_does_not_fail_or_revive_it(setup):
    kwargs = schedule(setup, date_from=datetime.date(2027, 6, 2), date_to=datetime.date(2027, 6, 3))
    first = departures_create_recurring(**kwargs)
    cancelled = sorted(first, key=lambda d: d.starts_at)[1]
    Departure.objects.filter(pk=cancelled.pk).update(status=Departure.Status.CANCELLED)

    again = departures_create_recurring(**kwargs)

    assert again == []
    assert Departure.objects.count() == 6
    assert Departure.objects.get(pk=cancelled.pk).status == Departure.Status.CANCELLED


# --- invalid input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"date_from": datetime.date(2027, 6, 10), "date_to": datetime.date(2027, 6, 9)},
            "The last date is before the first.",
        ),
        ({"times": []}, "Add at least one departure time."),
        ({"weekdays": set()}, "Choose at least one day of the week."),
        ({"duration_minutes": 0}, "The duration must be from 1 minute to 24 hours."),
        ({"duration_minutes": 24 * 60 + 1}, "The duration must be from 1 minute to 24 hours."),
    ],
    ids=["last before first", "no times", "no weekdays", "no duration", "over a day"],
)
def test_invalid_schedules_raise_schedule_error_and_create_nothing(setup, changes, message):
    kwargs = {
        **schedule(setup, date_from=datetime.date(2027, 6, 1), date_to=datetime.date(2027, 6, 30)),
        **changes,
    }
    with translation.override("en"):
        for call in (departure_schedule_plan, departures_create_recurring):
            with pytest.raises(ScheduleError) as refused:
                call(**kwargs)
            assert refused.value.messages == [message]
    assert Departure.objects.count() == 0


def test_all_problems_are_reported_at_once(setup):
    with pytest.raises(ScheduleError) as refused:
        departure_schedule_plan(
            **schedule(
                setup,
                date_from=datetime.date(2027, 6, 10),
                date_to=datetime.date(2027, 6, 9),
                times=[],
                weekdays=set(),
            )
        )
    assert len(refused.value.messages) == 3


def test_too_many_departures_at_once_are_refused(setup):
    with pytest.raises(ScheduleError):
        departures_create_recurring(
            **schedule(
                setup,
                date_from=datetime.date(2027, 1, 1),
                date_to=datetime.date(2027, 12, 31),
                times=[datetime.time(h) for h in range(8, 14)],
                weekdays=EVERY_DAY,
            )
        )
    assert Departure.objects.count() == 0
    assert MAX_GENERATED < 365 * 6
