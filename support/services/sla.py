"""The SLA of a case: which policy applies, when its responses are due, how much business
time is left, and how the clock looks on a screen. The arithmetic is `support.clock`'s;
this module feeds it the desk's calendar from the database."""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from support.clock import (
    DEFAULT_HOURS,
    BusinessCalendar,
    business_add,
    business_between,
    describe_remaining,
    remaining,
    russian_calendar,
)
from support.models import CalendarOverride, Case, SlaPolicy, WorkingHours

#: Share of the target after which a case is "breaching soon" (warning raised).
WARNING_SHARE = 0.8


#: How long a process reuses the desk's calendar. A change in the admin clears this
#: process's copy at once (signals below); other processes see it within this time.
CALENDAR_TTL_SECONDS = 60
_calendars: dict[tuple[bool, int], tuple[float, BusinessCalendar]] = {}


def desk_calendar(*, all_day: bool = False, around: datetime | None = None) -> BusinessCalendar:
    """The support desk's calendar: its working hours (admin), Russia's public holidays and
    transferred working days for the years around `around`, and the admin's overrides.
    Built once per process, zone-year and coverage for `CALENDAR_TTL_SECONDS` (a listing
    asks for it once per row)."""
    around = around or timezone.now()
    key = (all_day, around.year)
    cached = _calendars.get(key)
    if cached is not None and time.monotonic() - cached[0] < CALENDAR_TTL_SECONDS:
        return cached[1]
    calendar = _desk_calendar_build(all_day=all_day, year=around.year)
    _calendars[key] = (time.monotonic(), calendar)
    return calendar


def desk_calendar_forget(**kwargs) -> None:
    """Drops the cached calendars (connected to saves and deletes of the hours and the
    overrides)."""
    _calendars.clear()


def _desk_calendar_build(*, all_day: bool, year: int) -> BusinessCalendar:
    hours = {}
    for row in WorkingHours.objects.all():
        hours[row.weekday] = (row.opens, row.closes) if row.opens and row.closes else None
    if not hours:  # never configured: the defaults
        hours = dict(DEFAULT_HOURS)
    overrides = {}
    for row in CalendarOverride.objects.filter(date__year__gte=year - 1, date__year__lte=year + 2):
        overrides[row.date] = (row.opens, row.closes) if row.opens and row.closes else None
    return russian_calendar(
        range(year - 1, year + 3), hours=hours, overrides=overrides, all_day=all_day
    )


for _model in (WorkingHours, CalendarOverride):
    post_save.connect(
        desk_calendar_forget, sender=_model, dispatch_uid=f"sla-{_model.__name__}-save"
    )
    post_delete.connect(
        desk_calendar_forget, sender=_model, dispatch_uid=f"sla-{_model.__name__}-delete"
    )


def policy_for(*, priority: int, queue_id: int | None, channel: str) -> SlaPolicy | None:
    """The most specific policy of the priority: queue and channel, queue, channel, none."""
    scope = Q(queue__isnull=True) | Q(queue_id=queue_id) if queue_id else Q(queue__isnull=True)
    candidates = SlaPolicy.objects.filter(scope, priority=priority)
    best, best_rank = None, -1
    for policy in candidates:
        if policy.channel and policy.channel != channel:
            continue
        rank = (2 if policy.queue_id else 0) + (1 if policy.channel else 0)
        if rank > best_rank:
            best, best_rank = policy, rank
    return best


def policy_apply(case: Case, policy: SlaPolicy | None) -> None:
    """Copies the policy's targets onto the (unsaved) case: editing a policy later never
    moves the deadlines of the cases already open."""
    case.sla_policy = policy
    if policy is None:
        case.first_response_target = case.resolution_target = None
        case.all_day = False
        return
    case.first_response_target = timedelta(minutes=policy.first_response_minutes)
    case.resolution_target = timedelta(minutes=policy.resolution_minutes)
    case.all_day = policy.all_day


def due_times_refresh(case: Case, calendar: BusinessCalendar | None = None) -> None:
    """Recomputes the case's due moments from its targets and pauses (not saved). A due
    moment is None while the clock is paused before it would be reached."""
    calendar = calendar or desk_calendar(all_day=case.all_day, around=case.created_at)
    pauses = case_pauses(case)
    start = case.created_at
    case.first_response_due = (
        business_add(start, case.first_response_target, calendar, pauses)
        if case.first_response_target
        else None
    )
    case.resolution_due = (
        business_add(start, case.resolution_target, calendar, pauses)
        if case.resolution_target
        else None
    )


def case_pauses(case: Case) -> list[tuple[datetime, datetime | None]]:
    return [(pause.began_at, pause.ended_at) for pause in case.pause_set.all()]


@dataclass(frozen=True)
class Clock:
    """What a screen shows of a case's SLA: the clock that matters now (first response
    until it is given, then resolution), its state and the business time left."""

    which: str  # "first_response" | "resolution" | ""
    state: str  # "ok" | "warning" | "breached" | "paused" | "met" | "none"
    due: datetime | None
    left: timedelta | None
    share: float  # elapsed business time / target, 0 when unknown

    @property
    def text(self) -> str:
        if self.state == "none":
            return _("No SLA")
        if self.state == "met":
            return _("Met")
        if self.state == "paused":
            return _("Paused: waiting on the customer")
        if self.left is not None and self.left < timedelta(0):
            return _("Overdue by %(time)s (business time)") % {
                "time": describe_remaining(-self.left)
            }
        return _("Due in %(time)s (business time)") % {"time": describe_remaining(self.left)}

    @property
    def label(self) -> str:
        return {
            "first_response": _("First response"),
            "resolution": _("Resolution"),
        }.get(self.which, "")


def running_clock(case: Case, which: str, *, now: datetime, calendar) -> Clock:
    """One clock of an active case ("first_response" or "resolution"), whether or not it
    is the one that matters now (the case screen shows both)."""
    target = getattr(case, f"{which}_target")
    if not target:
        return Clock(which, "none", None, None, 0.0)
    pauses = case_pauses(case)
    elapsed = business_between(case.created_at, now, calendar, pauses)
    share = elapsed / target
    if case.status == Case.Status.WAITING_CUSTOMER:
        return Clock(which, "paused", None, target - elapsed, share)
    due = getattr(case, f"{which}_due")
    left = remaining(due, now, calendar, pauses) if due else target - elapsed
    if share >= 1:
        state = "breached"
    elif share >= WARNING_SHARE:
        state = "warning"
    else:
        state = "ok"
    return Clock(which, state, due, left, share)


def case_clock(case: Case, *, now: datetime | None = None, calendar=None) -> Clock:
    """The clock that matters now for `case` (see `Clock`)."""
    now = now or timezone.now()
    if not case.is_active:
        met = case.first_response_target or case.resolution_target
        return Clock("", "met" if met else "none", None, None, 0.0)
    if case.first_responded_at is None and case.first_response_target:
        which = "first_response"
    elif case.resolution_target:
        which = "resolution"
    else:
        return Clock("", "none", None, None, 0.0)
    calendar = calendar or desk_calendar(all_day=case.all_day, around=now)
    return running_clock(case, which, now=now, calendar=calendar)
