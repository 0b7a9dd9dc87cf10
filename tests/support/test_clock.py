"""The SLA clock (support.clock): pure functions, no database."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from support.clock import (
    MOSCOW,
    BusinessCalendar,
    business_add,
    business_between,
    describe_remaining,
    remaining,
    russian_calendar,
)

BERLIN = ZoneInfo("Europe/Berlin")
PLAIN = BusinessCalendar()  # Mon–Fri 09:00–18:00 Moscow, no holidays
RUSSIA = russian_calendar(range(2025, 2029))
ALL_DAY = BusinessCalendar(all_day=True)


def msk(*args) -> datetime:
    return datetime(*args, tzinfo=MOSCOW)


MINUTES = timedelta(minutes=1)


# --- fixed calendars -----------------------------------------------------------------------


@pytest.mark.parametrize("calendar", [PLAIN, RUSSIA])
def test_friday_evening_plus_half_an_hour_is_monday_morning(calendar):
    # Friday 4 December 2026, 17:50: ten minutes on Friday, twenty on Monday.
    due = business_add(msk(2026, 12, 4, 17, 50), 30 * MINUTES, calendar)

    assert due == msk(2026, 12, 7, 9, 20)
    assert due.tzinfo is MOSCOW
    assert business_between(msk(2026, 12, 4, 17, 50), due, calendar) == 30 * MINUTES


def test_time_running_out_at_closing_gives_the_closing_moment():
    assert business_add(msk(2026, 12, 4, 17, 0), 60 * MINUTES, PLAIN) == msk(2026, 12, 4, 18, 0)


def test_case_opened_on_new_years_day_starts_counting_on_the_next_working_day():
    # 1–8 January 2026 are the New Year holidays, 9 January is a day off transferred from
    # Saturday 3 January, 10–11 January is a weekend: the first working day is Monday the 12th.
    assert {date(2026, 1, day) for day in range(1, 10)} <= RUSSIA.holidays
    due = business_add(msk(2026, 1, 1, 10, 0), 2 * 60 * MINUTES, RUSSIA)

    assert due == msk(2026, 1, 12, 11, 0)
    # A calendar without holidays counts on Thursday 1 January itself.
    assert business_add(msk(2026, 1, 1, 10, 0), 2 * 60 * MINUTES, PLAIN) == msk(2026, 1, 1, 12, 0)


def test_transferred_saturday_working_day_counts():
    # The package's data: Saturday 1 November 2025 was a working day (its day off moved
    # to Monday 3 November; 4 November is Unity Day).
    assert date(2025, 11, 1) in RUSSIA.working_days
    assert {date(2025, 11, 3), date(2025, 11, 4)} <= RUSSIA.holidays

    due = business_add(msk(2025, 10, 31, 17, 50), 30 * MINUTES, RUSSIA)
    assert due == msk(2025, 11, 1, 9, 20)  # Saturday, Monday's hours

    # Saturday's 9 hours, then Wednesday 5 November.
    due = business_add(msk(2025, 10, 31, 17, 50), 10 * 60 * MINUTES, RUSSIA)
    assert due == msk(2025, 11, 5, 9, 50)


def test_transferred_working_day_through_an_override():
    # A decree newer than the package: the admin declares a Saturday working.
    calendar = BusinessCalendar(overrides={date(2026, 12, 5): (time(9), time(18))})
    assert business_add(msk(2026, 12, 4, 17, 50), 30 * MINUTES, calendar) == msk(2026, 12, 5, 9, 20)


def test_transferred_working_day_uses_mondays_hours():
    hours = {0: (time(10), time(16)), 1: (time(9), time(18))}
    calendar = BusinessCalendar(hours=hours, working_days=frozenset({date(2026, 12, 5)}))
    assert calendar.hours_on(date(2026, 12, 5)) == (time(10), time(16))


def test_pause_across_a_weekend_stops_the_clock():
    start = msk(2026, 12, 4, 17, 0)  # Friday
    assert business_add(start, 2 * 60 * MINUTES, PLAIN) == msk(2026, 12, 7, 10, 0)

    # Waiting on the customer from Friday 17:30 until their reply on Monday 10:00.
    pauses = [(msk(2026, 12, 4, 17, 30), msk(2026, 12, 7, 10, 0))]
    due = business_add(start, 2 * 60 * MINUTES, PLAIN, pauses)

    assert due == msk(2026, 12, 7, 11, 30)
    assert business_between(start, due, PLAIN, pauses) == 2 * 60 * MINUTES
    # Without the pause: Friday's last hour and Monday 09:00–11:30.
    assert business_between(start, due, PLAIN) == 3 * 60 * MINUTES + 30 * MINUTES


def test_open_pause_makes_the_deadline_unknown():
    start = msk(2026, 12, 4, 17, 0)
    still_waiting = [(msk(2026, 12, 4, 17, 30), None)]

    assert business_add(start, 2 * 60 * MINUTES, PLAIN, still_waiting) is None
    # A deadline reached before the pause began is known.
    assert business_add(start, 20 * MINUTES, PLAIN, still_waiting) == msk(2026, 12, 4, 17, 20)
    # The elapsed time stops at the beginning of the open pause.
    assert business_between(start, msk(2026, 12, 8, 12, 0), PLAIN, still_waiting) == (30 * MINUTES)


def test_override_closing_a_normal_day():
    calendar = BusinessCalendar(overrides={date(2026, 12, 7): None})
    assert business_add(msk(2026, 12, 4, 17, 50), 30 * MINUTES, calendar) == msk(2026, 12, 8, 9, 20)


def test_override_shortens_a_day_and_wins_over_all_day_coverage():
    short = BusinessCalendar(overrides={date(2026, 12, 4): (time(9), time(17))})
    assert business_add(msk(2026, 12, 4, 16, 50), 30 * MINUTES, short) == msk(2026, 12, 7, 9, 20)

    closed = BusinessCalendar(all_day=True, overrides={date(2026, 12, 5): None})
    assert business_add(msk(2026, 12, 4, 23, 0), 2 * 60 * MINUTES, closed) == msk(2026, 12, 6, 1, 0)


def test_all_day_calendar_counts_every_minute():
    assert business_add(msk(2026, 12, 4, 17, 50), 30 * MINUTES, ALL_DAY) == msk(2026, 12, 4, 18, 20)
    # Holidays too: 24×7 coverage ignores them.
    calendar = russian_calendar([2026], all_day=True)
    assert business_add(msk(2026, 1, 1, 0, 0), timedelta(days=3), calendar) == msk(2026, 1, 4)
    assert business_between(msk(2026, 1, 1), msk(2026, 1, 9), calendar) == timedelta(days=8)


def test_all_day_calendar_is_dst_safe():
    # Berlin's clocks went forward on 29 March 2026: that local day has 23 hours.
    calendar = BusinessCalendar(zone=BERLIN, all_day=True)
    start = datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN)
    due = business_add(start, timedelta(hours=24), calendar)
    assert due == datetime(2026, 3, 29, 13, 0, tzinfo=BERLIN)
    # 25 hours on the wall clock, 24 real hours.
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=24)
    assert business_between(start, due, calendar) == timedelta(hours=24)


def test_aware_inputs_in_other_zones_give_the_same_instants():
    start_utc = datetime(2026, 12, 4, 14, 50, tzinfo=UTC)  # 17:50 in Moscow
    due = business_add(start_utc, 30 * MINUTES, PLAIN)
    assert due == msk(2026, 12, 7, 9, 20)
    assert due.tzinfo is MOSCOW
    assert business_between(start_utc, datetime(2026, 12, 7, 6, 20, tzinfo=UTC), PLAIN) == (
        30 * MINUTES
    )


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        business_add(datetime(2026, 12, 4, 17, 50), 30 * MINUTES, PLAIN)  # noqa: DTZ001 - on purpose


def test_calendar_that_never_opens_is_refused():
    closed = BusinessCalendar(hours={})
    with pytest.raises(ValueError, match="no business hours"):
        business_add(msk(2026, 12, 4), MINUTES, closed)


def test_hours_ending_before_they_begin_are_refused():
    with pytest.raises(ValueError):
        BusinessCalendar(hours={0: (time(18), time(9))})


def test_business_between_is_zero_when_end_is_not_after_start():
    assert business_between(msk(2026, 12, 7, 12), msk(2026, 12, 7, 10), PLAIN) == timedelta(0)


def test_remaining_is_negative_when_overdue():
    due = msk(2026, 12, 4, 17, 0)  # Friday
    assert remaining(due, msk(2026, 12, 4, 15, 0), PLAIN) == 2 * 60 * MINUTES
    # Monday 10:00: overdue by Friday's last hour and Monday's first.
    assert remaining(due, msk(2026, 12, 7, 10, 0), PLAIN) == -2 * 60 * MINUTES


@pytest.mark.parametrize(
    ("language", "value", "text"),
    [
        ("en", timedelta(hours=2, minutes=10), "2 h 10 min"),
        ("ru", timedelta(hours=2, minutes=10), "2 ч 10 мин"),
        ("zh-hans", timedelta(hours=2, minutes=10), "2 小时 10 分钟"),
        ("ru", timedelta(hours=3), "3 ч"),
        ("ru", timedelta(minutes=5, seconds=1), "6 мин"),
        ("en", timedelta(0), "0 min"),
        ("en", -timedelta(hours=1, minutes=5), "\u22121 h 5 min"),
    ],
)
def test_describe_remaining(language, value, text):
    with translation.override(language):
        assert describe_remaining(value) == text


# --- properties ----------------------------------------------------------------------------

CALENDARS = [
    PLAIN,
    RUSSIA,
    ALL_DAY,
    # A night shift in a zone with DST: Sunday–Thursday 14:00–24:00, Friday 08:00–12:00.
    BusinessCalendar(
        zone=BERLIN,
        hours={
            6: (time(14), time(0)),
            0: (time(14), time(0)),
            1: (time(14), time(0)),
            2: (time(14), time(0)),
            3: (time(14), time(0)),
            4: (time(8), time(12)),
        },
        holidays=frozenset({date(2026, 3, 29), date(2026, 10, 25)}),
        overrides={date(2026, 10, 26): (time(2), time(3))},
    ),
]

calendars = st.sampled_from(CALENDARS)
moments = st.datetimes(
    # hypothesis takes naive bounds and attaches the zones itself.
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([MOSCOW, UTC, BERLIN]),
)
durations = st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=30))


@st.composite
def pause_lists(draw, start):
    pauses = []
    for _ in range(draw(st.integers(0, 3))):
        begin = start + draw(
            st.timedeltas(min_value=-timedelta(days=2), max_value=timedelta(days=40))
        )
        length = draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=5)))
        pauses.append((begin, begin + length))
    return pauses


def in_business_hours(calendar, moment):
    """Strictly after an interval's opening and no later than its closing."""
    local_day = moment.astimezone(calendar.zone).date()
    for day in (local_day - timedelta(days=1), local_day):
        interval = calendar.open_interval(day)
        if interval and interval[0] < moment <= interval[1]:
            return True
    return False


# Derandomized: the same examples on every run, so that the suite never fails by chance
# (run with a higher max_examples and without derandomize to search further).
PROPERTY = settings(max_examples=200, deadline=None, derandomize=True, database=None)


@PROPERTY
@given(calendar=calendars, start=moments, duration=durations)
def test_due_time_is_within_business_hours(calendar, start, duration):
    due = business_add(start, duration, calendar)
    assert due.tzinfo is calendar.zone
    assert due > start
    assert in_business_hours(calendar, due)


@PROPERTY
@given(calendar=calendars, start=moments, duration=durations, data=st.data())
def test_pausing_never_shortens_a_deadline(calendar, start, duration, data):
    pauses = data.draw(pause_lists(start))
    due = business_add(start, duration, calendar)
    paused = business_add(start, duration, calendar, pauses)
    assert paused >= due
    assert in_business_hours(calendar, paused)
    # The paused deadline is where exactly `duration` of unpaused business time elapsed.
    assert business_between(start, paused, calendar, pauses) == duration

    # An open pause never brings the deadline forward either.
    open_begin = start + data.draw(
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30))
    )
    stopped = business_add(start, duration, calendar, [(open_begin, None)])
    assert stopped is None or stopped == due


@PROPERTY
@given(calendar=calendars, start=moments, first=durations, second=durations)
def test_business_add_is_monotonic_in_duration(calendar, start, first, second):
    shorter, longer = sorted([first, second])
    assert business_add(start, shorter, calendar) <= business_add(start, longer, calendar)


@PROPERTY
@given(calendar=calendars, first=moments, second=moments, duration=durations)
def test_business_add_is_monotonic_in_start(calendar, first, second, duration):
    earlier, later = sorted([first, second])
    assert business_add(earlier, duration, calendar) <= business_add(later, duration, calendar)


@PROPERTY
@given(calendar=calendars, start=moments, duration=durations, data=st.data())
def test_business_between_inverts_business_add(calendar, start, duration, data):
    due = business_add(start, duration, calendar)
    assert business_between(start, due, calendar) == duration
    # Halfway there, the remaining time plus the elapsed time is the whole target.
    # In UTC: aware arithmetic in a local zone is wall-clock arithmetic, and a start in
    # the repeated hour of a DST change (fold=1) would move an hour back.
    now = start.astimezone(UTC) + data.draw(
        st.timedeltas(min_value=timedelta(0), max_value=due - start)
    )
    assert business_between(start, now, calendar) + remaining(due, now, calendar) == duration
