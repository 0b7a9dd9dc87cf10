"""What the booking block of a rental product shows (`booking/rental_widget.html`): a day
of the vessel (`booking.services.rentals.rental_day`) as a timeline of free and busy time,
and the choices of the rental form (start, duration, guests, skipper, extras).

It also reads what the visitor chose from a query string or a form (`read_choice`) and
turns it into the service's arguments (`parse_choice`): a garbage value is refused with
the service's own `BookingError` code, never an exception of another kind. The same
strings come back in the query string of the product page after a refusal, so the form
shows the visitor's choices again."""

import datetime
import itertools
import math
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from booking.models import RentalPlan
from booking.services.errors import BookingError
from booking.services.rentals import rental_day
from common.money import format_rub

START_FORMAT = "%Y-%m-%dT%H:%M"  # a start in the pier's local time: "2026-12-08T19:00"
DATE_FORMAT = "%Y-%m-%d"
# How many days ahead the block looks for the first day with a free start.
FIRST_DAY_SEARCH = 31
MAX_OPTIONS = 20


@dataclass
class RentalChoice:
    """The raw strings of a rental form (or of the product page's query string)."""

    date: str = ""
    start: str = ""
    minutes: str = ""
    guests: str = ""
    skipper: bool = False
    options: list[str] = field(default_factory=list)

    def query(self) -> dict:
        """The choice as the product page's query string (see `read_choice`)."""
        data = {
            "rental_date": self.date,
            "rental_start": self.start,
            "rental_minutes": self.minutes,
            "rental_guests": self.guests,
            "rental_skipper": "1" if self.skipper else "",
            "rental_option": self.options,
        }
        return {key: value for key, value in data.items() if value}


def _clip(value, length: int = 20) -> str:
    return (value or "").strip()[:length]


def read_choice(data: QueryDict, *, prefix: str = "rental_") -> RentalChoice:
    """The visitor's choice from a form (`prefix=""`: start, minutes, guests, skipper,
    option, rental_date) or from the product page's query string (`rental_…`)."""

    def get(name: str) -> str:
        return _clip(data.get(f"{prefix}{name}"))

    return RentalChoice(
        date=_clip(data.get("rental_date")),
        start=get("start"),
        minutes=get("minutes"),
        guests=get("guests"),
        skipper=get("skipper") in ("1", "on", "true"),
        options=[_clip(v) for v in data.getlist(f"{prefix}option")[:MAX_OPTIONS]],
    )


def pier_zone(plan: RentalPlan) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(plan.venue.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return timezone.get_default_timezone()


def parse_day(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if len(value) == 10 else None
    except (ValueError, TypeError):
        return None


def _whole(value: str, code: str) -> int:
    if not value.isdecimal() or len(value) > 6:
        raise BookingError(code)
    return int(value)


def parse_choice(plan: RentalPlan, choice: RentalChoice) -> dict:
    """The keyword arguments of `rental_quote`/`rental_hold` for this choice."""
    try:
        # The pier's wall clock: the zone is the pier's, set just below.
        local = datetime.datetime.strptime(choice.start, START_FORMAT)  # noqa: DTZ007
    except (ValueError, TypeError):
        raise BookingError("rental_start_invalid") from None
    option_ids = []
    for value in choice.options:
        if value:
            option_ids.append(_whole(value, "rental_option_invalid"))
    return {
        "plan": plan,
        "starts_at": local.replace(tzinfo=pier_zone(plan)),
        "minutes": _whole(choice.minutes, "rental_duration_invalid"),
        "guests": _whole(choice.guests, "rental_guests_invalid"),
        # Whether a skipper is aboard when the plan includes one is the service's rule.
        "with_skipper": choice.skipper,
        "option_ids": sorted(set(option_ids)),
    }


def duration_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
    if hours:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(minutes)s min") % {"minutes": rest}


def local_day(plan: RentalPlan, now: datetime.datetime | None = None) -> datetime.date:
    return timezone.localtime(now or timezone.now(), pier_zone(plan)).date()


def first_bookable_day(plan: RentalPlan, now: datetime.datetime) -> tuple[datetime.date, object]:
    """The first day from today (at the pier) with a free start, and its `RentalDay`;
    today's when none is found within a month."""
    today = local_day(plan, now)
    first = None
    for offset in range(min(plan.horizon_days, FIRST_DAY_SEARCH) + 1):
        day = rental_day(plan=plan, day=today + datetime.timedelta(days=offset), now=now)
        if first is None:
            first = day
        if day.starts:
            return day.day, day
    return today, first


# The timeline ------------------------------------------------------------------------


def _unit(points: list[datetime.datetime], origin: datetime.datetime) -> int:
    """The largest number of minutes (at most 60) that every boundary is a multiple of:
    the timeline's column."""
    unit = 60
    for point in points:
        unit = math.gcd(unit, int((point - origin).total_seconds() // 60))
    return max(unit, 5)


def timeline(rental, *, now: datetime.datetime, zone) -> dict | None:
    """The day as columns of equal minutes: a header of hours and a row of blocks (free,
    busy, closed, too soon), each spanning its columns (`colspan`, so no inline style is
    needed: the Content-Security-Policy allows none)."""
    windows = sorted(rental.windows)
    if not windows:
        return None
    plan = rental.plan
    begin, end = windows[0][0], windows[-1][1]
    earliest = now + datetime.timedelta(minutes=plan.notice_minutes)

    # Cut the span at every change of state.
    points = {begin, end}
    for opens, closes in windows:
        points.update((opens, closes))
    for stretch in rental.busy:
        points.update(
            (min(max(stretch.starts_at, begin), end), min(max(stretch.ends_at, begin), end))
        )
    if begin < earliest < end:
        points.add(earliest)
    hour = timezone.localtime(begin, zone).replace(minute=0, second=0, microsecond=0)
    hours = []
    while hour < end:
        if hour >= begin:
            points.add(hour)
            hours.append(hour)
        hour += datetime.timedelta(hours=1)
    points = sorted(points)
    unit = _unit(points, begin)

    def state(moment: datetime.datetime) -> str:
        if not any(opens <= moment < closes for opens, closes in windows):
            return "closed"
        if any(s.starts_at <= moment < s.ends_at for s in rental.busy):
            return "busy"
        if moment < earliest:
            return "soon"
        return "free"

    labels = {
        "free": pgettext("rental timeline", "Free"),
        "busy": pgettext("rental timeline", "Busy"),
        "closed": pgettext("rental timeline", "Closed"),
        "soon": pgettext("rental timeline", "Too late to book"),
    }
    blocks = []
    for left, right in itertools.pairwise(points):
        kind = state(left)
        if blocks and blocks[-1]["kind"] == kind:
            blocks[-1]["until"] = right
            continue
        blocks.append({"kind": kind, "since": left, "until": right})
    for block in blocks:
        block["span"] = int((block["until"] - block["since"]).total_seconds() // 60) // unit
        block["label"] = labels[block["kind"]]
        block["since"] = timezone.localtime(block["since"], zone)
        block["until"] = timezone.localtime(block["until"], zone)
    # The header: one cell per hour (the first from the span's start).
    header = []
    marks = [begin, *[h for h in hours if h > begin], end]
    for left, right in itertools.pairwise(marks):
        header.append(
            {
                "at": timezone.localtime(left, zone),
                "span": int((right - left).total_seconds() // 60) // unit,
                "whole": left.minute == 0,
            }
        )
    columns = int((end - begin).total_seconds() // 60) // unit
    return {"columns": columns, "columns_range": range(columns), "blocks": blocks, "header": header}


# The block -----------------------------------------------------------------------------


def rental_widget(
    *, plan: RentalPlan, query: QueryDict, now: datetime.datetime | None = None
) -> dict:
    """Everything `booking/rental_widget.html` shows for `plan`, the day and the choices
    taken from the query string (anything that is not one of the choices is ignored)."""
    now = now or timezone.now()
    zone = pier_zone(plan)
    today = local_day(plan, now)
    last = today + datetime.timedelta(days=plan.horizon_days)
    choice = read_choice(query)
    notice = ""
    wanted = parse_day(choice.date) if choice.date else None
    if wanted is not None and today <= wanted <= last:
        day = rental_day(plan=plan, day=wanted, now=now)
    else:
        if choice.date:
            notice = _("This date cannot be booked. Here is the first free day.")
        _first, day = first_bookable_day(plan, now)

    starts = []
    for start in day.starts:
        local = timezone.localtime(start.starts_at, zone)
        starts.append(
            {
                "value": local.strftime(START_FORMAT),
                "local": local,
                "next_day": local.date() != day.day,
                "max_minutes": start.max_minutes,
            }
        )
    chosen_start = next((s for s in starts if s["value"] == choice.start), None)
    if chosen_start is None and starts:
        chosen_start = starts[0]
    if chosen_start is not None:
        chosen_start["selected"] = True
    limit = chosen_start["max_minutes"] if chosen_start else 0
    wanted_minutes = int(choice.minutes) if choice.minutes.isdecimal() else None
    durations = [
        {
            "minutes": minutes,
            "label": duration_text(minutes),
            "too_long": minutes > limit,
        }
        for minutes in day.durations
    ]
    fitting = [d for d in durations if not d["too_long"]]
    selected = next((d for d in durations if d["minutes"] == wanted_minutes), None) or (
        fitting[0] if fitting else (durations[0] if durations else None)
    )
    if selected is not None:
        selected["selected"] = True
    guests = int(choice.guests) if choice.guests.isdecimal() else 0
    if not 1 <= guests <= plan.max_guests:
        guests = min(2, plan.max_guests)
    chosen_options = set(choice.options)
    options = [
        {
            "id": option.pk,
            "name": option.display_name,
            "price": format_rub(option.price),
            "per_hour": option.per_hour,
            "checked": str(option.pk) in chosen_options,
        }
        for option in plan.options.filter(is_active=True)
    ]
    previous_day = day.day - datetime.timedelta(days=1)
    next_day = day.day + datetime.timedelta(days=1)
    return {
        "plan": plan,
        "day": day.day,
        "today": today,
        "last": last,
        "previous": previous_day if previous_day >= today else None,
        "next": next_day if next_day <= last else None,
        "notice": notice,
        "timeline": timeline(day, now=now, zone=zone),
        "starts": starts,
        "durations": durations,
        "guests": list(range(1, plan.max_guests + 1)),
        "guests_selected": guests,
        "skipper_addon": plan.skipper == RentalPlan.Skipper.ADDON,
        "skipper_price": format_rub(plan.skipper_price_per_hour),
        "with_skipper": choice.skipper,
        "options": options,
        "fixed_price": format_rub(plan.fixed_price) if plan.fixed_price else "",
        "from_rate": min((rate.price_per_hour for rate in plan.rates.all()), default=None),
        "hold_minutes": settings.BOOKING_HOLD_MINUTES,
    }
