"""The SLA clock of support cases: business time as pure functions.

Nothing here touches the database. A :class:`BusinessCalendar` says when the support
desk works (hours per weekday in its zone, public holidays, transferred working days,
admin overrides, or 24×7 coverage); :func:`business_add` turns a target such as
"first response within 4 business hours" into a due moment, :func:`business_between`
measures business time elapsed, :func:`remaining` gives the business time left (negative
when overdue). Pauses ("waiting on customer") stop the clock.

All arithmetic is done in UTC on whole open intervals (one per calendar day), never minute
by minute, so DST transitions in the calendar's zone are handled by zoneinfo and a 30-day
target costs a few dozen loop iterations.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_package
from django.utils.translation import gettext

__all__ = [
    "DEFAULT_HOURS",
    "MOSCOW",
    "BusinessCalendar",
    "Pause",
    "business_add",
    "business_between",
    "describe_remaining",
    "remaining",
    "russian_calendar",
]

MOSCOW = ZoneInfo("Europe/Moscow")

Hours = tuple[time, time] | None
Pause = tuple[datetime, datetime | None]

#: Monday–Friday 09:00–18:00, closed at the weekend.
DEFAULT_HOURS: Mapping[int, Hours] = {
    0: (time(9), time(18)),
    1: (time(9), time(18)),
    2: (time(9), time(18)),
    3: (time(9), time(18)),
    4: (time(9), time(18)),
    5: None,
    6: None,
}

#: How long business_add looks for open time before it decides the calendar never opens.
_MAX_CLOSED_DAYS = 3660


def _check_hours(value: Hours, where: str) -> None:
    if value is None:
        return
    begin, end = value
    # time(0) as the end means midnight at the end of the day (24:00).
    if end != time(0) and end <= begin:
        raise ValueError(f"{where}: opening hours {begin}–{end} end before they begin")


@dataclass(frozen=True)
class BusinessCalendar:
    """When the support desk works.

    For a local date the hours are decided in this order (the first that applies wins):

    1. ``overrides[day]`` — an admin override: a ``(begin, end)`` pair or ``None`` (closed).
       Overrides win over everything, ``all_day`` included.
    2. ``all_day`` — 24×7 coverage: every day is open 00:00–24:00 (holidays too).
    3. ``holidays`` — the day is closed.
    4. ``working_days`` — a transferred working day (e.g. a Saturday the government declared
       working): it works the hours of a normal working day, namely Monday's hours (or,
       if Monday is closed, those of the first weekday Tuesday…Friday that has hours).
    5. ``hours[day.weekday()]`` (0 = Monday); a missing weekday means closed.

    An end time of ``time(0)`` means midnight at the end of the day. One interval per day
    (no lunch break).
    """

    zone: ZoneInfo = MOSCOW
    hours: Mapping[int, Hours] = field(default_factory=lambda: dict(DEFAULT_HOURS))
    holidays: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()
    overrides: Mapping[date, Hours] = field(default_factory=dict)
    all_day: bool = False

    def __post_init__(self) -> None:
        for weekday, value in self.hours.items():
            if weekday not in range(7):
                raise ValueError(f"weekday {weekday} is not in 0..6")
            _check_hours(value, f"weekday {weekday}")
        for day, value in self.overrides.items():
            _check_hours(value, f"override {day}")

    def hours_on(self, day: date) -> Hours:
        """The opening hours of a local date (None when closed), see the class docstring."""
        if day in self.overrides:
            return self.overrides[day]
        if self.all_day:
            return (time(0), time(0))
        if day in self.holidays:
            return None
        if day in self.working_days:
            return self._working_day_hours()
        return self.hours.get(day.weekday())

    def _working_day_hours(self) -> Hours:
        for weekday in range(5):
            value = self.hours.get(weekday)
            if value is not None:
                return value
        return None

    def open_interval(self, day: date) -> tuple[datetime, datetime] | None:
        """The open interval of a local date as UTC instants, or None when closed."""
        value = self.hours_on(day)
        if value is None:
            return None
        begin, end = value
        start = datetime.combine(day, begin, tzinfo=self.zone).astimezone(UTC)
        end_day = day + timedelta(days=1) if end == time(0) else day
        stop = datetime.combine(end_day, end, tzinfo=self.zone).astimezone(UTC)
        if stop <= start:  # only possible around a DST gap
            return None
        return start, stop


def russian_calendar(
    years: Iterable[int],
    *,
    hours: Mapping[int, Hours] = DEFAULT_HOURS,
    overrides: Mapping[date, Hours] | None = None,
    all_day: bool = False,
) -> BusinessCalendar:
    """A Moscow-time calendar with Russia's public holidays for ``years``.

    Built from the ``holidays`` package (``holidays.country_holidays("RU", years=…)``):

    - every date it lists is closed: the statutory holidays, the New Year holidays
      (1–8 January), the "observed" days off when a holiday falls on a weekend, and the
      days off the government transferred ("Выходной (перенесено с …)", e.g. 9 January 2026);
    - its ``weekend_workdays`` — the Saturdays/Sundays the government declared working
      in exchange (e.g. Saturday 1 November 2025, Saturday 20 February 2027; 2026 has
      none) — become ``working_days`` (they work Monday's hours).

    The package does not know the shortened pre-holiday days (one hour less by the Labour
    Code) nor any decree newer than the installed version: enter those as ``overrides``
    (they win over everything). Years outside ``years`` count as ordinary weeks.
    """
    years = sorted(set(years))
    public = holidays_package.country_holidays("RU", years=years)
    closed = frozenset(day for day in public if day.year in years)
    working = frozenset(day for day in public.weekend_workdays if day.year in years)
    return BusinessCalendar(
        zone=MOSCOW,
        hours=dict(hours),
        holidays=closed,
        working_days=working - closed,
        overrides=dict(overrides or {}),
        all_day=all_day,
    )


# --- the clock ----------------------------------------------------------------------------


def _utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return moment.astimezone(UTC)


def _merged_pauses(pauses: Sequence[Pause]) -> list[tuple[datetime, datetime | None]]:
    """Pauses in UTC, sorted and merged; an open pause (end None) swallows what follows."""
    spans: list[tuple[datetime, datetime | None]] = []
    for begin, end in pauses:
        begin_utc = _utc(begin, "pause begin")
        end_utc = None if end is None else _utc(end, "pause end")
        if end_utc is not None and end_utc <= begin_utc:
            continue
        spans.append((begin_utc, end_utc))
    spans.sort(key=lambda span: span[0])
    merged: list[tuple[datetime, datetime | None]] = []
    for begin, end in spans:
        if merged:
            last_begin, last_end = merged[-1]
            if last_end is None:
                break
            if begin <= last_end:
                merged[-1] = (last_begin, None if end is None else max(last_end, end))
                continue
        merged.append((begin, end))
    return merged


def _open_intervals(
    calendar: BusinessCalendar, start: datetime, until: datetime | None = None
) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals (UTC) from ``start`` on, clipped to [start, until), in order."""
    day = start.astimezone(calendar.zone).date() - timedelta(days=1)  # a night shift may
    closed_days = 0  # have started the day before
    while True:
        if until is not None:
            day_start = datetime.combine(day, time(0), tzinfo=calendar.zone)
            if day_start.astimezone(UTC) >= until:
                return
        interval = calendar.open_interval(day)
        day += timedelta(days=1)
        if interval is None:
            closed_days += 1
            if until is None and closed_days > _MAX_CLOSED_DAYS:
                raise ValueError("the calendar has no business hours")
            continue
        closed_days = 0
        begin, end = interval
        begin = max(begin, start)
        if until is not None:
            end = min(end, until)
        if begin < end:
            yield begin, end


def _working_pieces(
    intervals: Iterator[tuple[datetime, datetime]],
    pauses: list[tuple[datetime, datetime | None]],
) -> Iterator[tuple[datetime, datetime]]:
    """The parts of ``intervals`` outside the pauses; stops at an open pause."""
    index = 0
    for begin, end in intervals:
        cursor = begin
        while cursor < end:
            # Skip pauses that are over before the cursor.
            while index < len(pauses):
                pause_end = pauses[index][1]
                if pause_end is not None and pause_end <= cursor:
                    index += 1
                else:
                    break
            if index == len(pauses):
                yield cursor, end
                break
            pause_begin, pause_end = pauses[index]
            if pause_begin > cursor:
                yield cursor, min(end, pause_begin)
                if pause_begin >= end:
                    break
            if pause_end is None:
                return  # the clock is stopped from pause_begin on
            cursor = pause_end


def business_add(
    start: datetime,
    duration: timedelta,
    calendar: BusinessCalendar,
    pauses: Sequence[Pause] = (),
) -> datetime | None:
    """The moment ``duration`` of business time has elapsed after ``start``.

    Closed time and ``pauses`` ((begin, end) pairs, end None = still paused) do not count.
    The result is aware, in ``calendar.zone``. When the time runs out exactly at closing,
    the result is the closing moment (not the next opening). Returns None when the clock
    is stopped by an open pause before the duration has elapsed: the deadline is unknown.
    A zero duration returns ``start`` itself.
    """
    if duration < timedelta(0):
        raise ValueError("duration must not be negative")
    start_utc = _utc(start, "start")
    if duration == timedelta(0):
        return start_utc.astimezone(calendar.zone)
    left = duration
    for begin, end in _working_pieces(_open_intervals(calendar, start_utc), _merged_pauses(pauses)):
        piece = end - begin
        if piece >= left:
            return (begin + left).astimezone(calendar.zone)
        left -= piece
    return None


def business_between(
    start: datetime,
    end: datetime,
    calendar: BusinessCalendar,
    pauses: Sequence[Pause] = (),
) -> timedelta:
    """Business time elapsed from ``start`` to ``end`` minus pauses (0 when end <= start).

    An open pause (end None) stops the count from its beginning on.
    """
    start_utc, end_utc = _utc(start, "start"), _utc(end, "end")
    total = timedelta(0)
    if end_utc <= start_utc:
        return total
    for begin, stop in _working_pieces(
        _open_intervals(calendar, start_utc, end_utc), _merged_pauses(pauses)
    ):
        total += stop - begin
    return total


def remaining(
    due: datetime,
    now: datetime,
    calendar: BusinessCalendar,
    pauses: Sequence[Pause] = (),
) -> timedelta:
    """Business time left until ``due``; negative (business time past due) when overdue."""
    if _utc(now, "now") <= _utc(due, "due"):
        return business_between(now, due, calendar, pauses)
    return -business_between(due, now, calendar, pauses)


def describe_remaining(value: timedelta) -> str:
    """Short text such as "2 h 10 min" (translated); a minus sign when negative.

    Whole hours and minutes of business time (no days: a business day is not 24 h),
    seconds rounded up to the next minute.
    """
    seconds = value.total_seconds()
    minutes_total = math.ceil(abs(seconds) / 60)
    hours, minutes = divmod(minutes_total, 60)
    if hours and minutes:
        text = gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    elif hours:
        text = gettext("%(hours)d h") % {"hours": hours}
    else:
        text = gettext("%(minutes)d min") % {"minutes": minutes}
    return f"\u2212{text}" if seconds < 0 and minutes_total else text
