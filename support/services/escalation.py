"""SLA escalation: the warning at 80 % and the breach at 100 % of a case's current clock,
each raised exactly once, told to the case's assignee and its queue's manager (an
`SlaAlert` on their dashboard and an e-mail each), written to the case's audit trail, and
— when the case's policy says so — the priority raised one level on a breach.

The current clock is `support.services.sla.case_clock`'s: first response until it is
given, then resolution; a case waiting on the customer is paused and never escalates.

Exactly once, under a schedule that runs every minute and workers that may run it at the
same moment: each escalation *claims* its stamp with a conditional UPDATE
(`…_warned_at IS NULL` → now), which PostgreSQL lets exactly one transaction win (the other
waits for the row, re-reads it and updates nothing). The alerts, the audit entry, the
priority change and the e-mails (queued with `common.tasks.enqueue`, i.e. on commit) are in
the same transaction as the claim: a crash leaves neither a stamp without its notices nor
notices without their stamp.

A case that jumps straight past 100 % (the schedule did not run, or a long pause ended)
gets the breach only: its warning is stamped at the same moment, silently — a warning
after the breach would tell nothing new.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import DateTimeField, F, Prefetch, Q, Value
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from common.tasks import enqueue
from support.clock import BusinessCalendar, describe_remaining
from support.models import Case, CasePause, SlaAlert
from support.services.cases import case_update
from support.services.sla import WARNING_SHARE, case_clock, desk_calendar

logger = logging.getLogger(__name__)

WARNING_ACTION = "support.case.sla_warning"
BREACH_ACTION = "support.case.sla_breach"

#: The language of staff e-mails.
STAFF_LANGUAGE = "ru"

_RUNNING = (Case.Status.NEW, Case.Status.OPEN, Case.Status.WAITING_US)
#: How far back `business_start` looks for open time.
_LOOKBACK_DAYS = 3660


@dataclass(frozen=True)
class Escalation:
    """One warning or breach raised by a run."""

    case_id: int
    clock: str  # SlaAlert.Clock
    kind: str  # SlaAlert.Kind
    recipients: tuple[int, ...]


def business_start(end: datetime, amount: timedelta, calendar: BusinessCalendar):
    """The latest moment from which `amount` of business time has elapsed by `end` on
    `calendar` (pauses aside), or None when the calendar never had that much open time."""
    if amount <= timedelta(0):
        return end
    left = amount
    day = end.astimezone(calendar.zone).date()
    for _n in range(_LOOKBACK_DAYS):
        interval = calendar.open_interval(day)
        day -= timedelta(days=1)
        if interval is None:
            continue
        begin, stop = interval[0], min(interval[1], end)
        if stop <= begin:
            continue
        if stop - begin >= left:
            return stop - left
        left -= stop - begin
    return None


def candidates(now: datetime, calendar_for: Callable[[bool], BusinessCalendar]):
    """Running cases (not paused) whose current clock lacks a stamp it has earned by `now`.

    Targets come from a handful of policies, so for each (target, all_day) in use the
    moment a case must have been opened by to be at 80 % (100 %) now is computed once, by
    walking the calendar back from now; SQL then compares `created_at` with it. Exact for a
    case that never paused; a pause only delays a clock, so a paused-and-resumed case may
    be a candidate too early — `case_clock` has the last word."""
    running = Case.objects.filter(status__in=_RUNNING)
    conditions = []
    for prefix, current in (
        ("first_response", Q(first_responded_at__isnull=True)),
        ("resolution", Q(first_responded_at__isnull=False) | Q(first_response_target=None)),
    ):
        warned, breached = (
            Q(**{f"{prefix}_warned_at__isnull": True}),
            Q(**{f"{prefix}_breached_at__isnull": True}),
        )
        in_use = (
            running.filter(current, warned | breached, **{f"{prefix}_target__isnull": False})
            .values_list(f"{prefix}_target", "all_day")
            .distinct()
        )
        for target, all_day in in_use:
            calendar = calendar_for(all_day)
            options = []
            for stamp, share in ((warned, WARNING_SHARE), (breached, 1.0)):
                opened_by = business_start(now, target * share, calendar)
                if opened_by is not None:
                    options.append(stamp & Q(created_at__lte=opened_by))
            if options:
                scope = Q(**{f"{prefix}_target": target, "all_day": all_day})
                conditions.append(current & scope & reduce(operator.or_, options))
    if not conditions:
        return running.none()
    return (
        running.filter(reduce(operator.or_, conditions))
        .select_related("assignee", "queue__manager", "sla_policy")
        .prefetch_related(Prefetch("pause_set", queryset=CasePause.objects.order_by("began_at")))
        .order_by("pk")
    )


def recipients(case: Case) -> list:
    """The assignee and the queue's manager, once each, active staff only."""
    found, seen = [], set()
    for user in (case.assignee, case.queue.manager):
        if user is not None and user.is_active and user.pk not in seen:
            seen.add(user.pk)
            found.append(user)
    return found


def _claim(case: Case, which: str, kind: str, now: datetime) -> bool:
    """Stamps the case's `which` clock with `kind` unless it is stamped already; True for
    the one transaction that did it. A breach stamps a missing warning too (silently)."""
    warned, breached = f"{which}_warned_at", f"{which}_breached_at"
    if kind == SlaAlert.Kind.WARNING:
        return bool(
            Case.objects.filter(
                pk=case.pk, **{f"{warned}__isnull": True, f"{breached}__isnull": True}
            ).update(**{warned: now})
        )
    return bool(
        Case.objects.filter(pk=case.pk, **{f"{breached}__isnull": True}).update(
            **{
                breached: now,
                warned: Coalesce(F(warned), Value(now, output_field=DateTimeField())),
            }
        )
    )


def _raise_priority(case: Case) -> None:
    """One level up (P4 → P3 … P1 stays), through `case_update` (audited, system user)."""
    if case.priority > Case.Priority.P1:
        case_update(case=case, user=None, priority=case.priority - 1)


def _escalate(case: Case, which: str, kind: str, now: datetime) -> Escalation | None:
    with transaction.atomic():
        if not _claim(case, which, kind, now):
            return None
        people = recipients(case)
        # Once per recipient ever, should a stamp ever be cleared (the unique constraint).
        told = set(
            SlaAlert.objects.filter(case=case, clock=which, kind=kind).values_list(
                "recipient_id", flat=True
            )
        )
        alerts = SlaAlert.objects.bulk_create(
            SlaAlert(case=case, kind=kind, clock=which, recipient=user, created_at=now)
            for user in people
            if user.pk not in told
        )
        log(
            instance=case,
            action=WARNING_ACTION if kind == SlaAlert.Kind.WARNING else BREACH_ACTION,
            user=None,
            data={"clock": which, "recipients": [user.pk for user in people]},
        )
        if (
            kind == SlaAlert.Kind.BREACH
            and case.sla_policy is not None
            and case.sla_policy.raise_priority_on_breach
        ):
            _raise_priority(case)
        for alert in alerts:
            if alert.recipient.email:
                enqueue("support.tasks.send_sla_alert", alert.pk)
    return Escalation(case.pk, which, kind, tuple(user.pk for user in people))


def escalate(*, now: datetime | None = None) -> list[Escalation]:
    """One run of the schedule: every warning and breach due at `now`, once each (safe to
    run again and on several workers at once). Each case in its own transaction."""
    now = now or timezone.now()
    calendars = {}

    def calendar_for(all_day: bool) -> BusinessCalendar:
        if all_day not in calendars:
            calendars[all_day] = desk_calendar(all_day=all_day, around=now)
        return calendars[all_day]

    raised = []
    for case in candidates(now, calendar_for):
        clock = case_clock(case, now=now, calendar=calendar_for(case.all_day))
        if clock.state == "breached":
            kind = SlaAlert.Kind.BREACH
            if getattr(case, f"{clock.which}_breached_at") is not None:
                continue
        elif clock.state == "warning":
            kind = SlaAlert.Kind.WARNING
            if getattr(case, f"{clock.which}_warned_at") is not None:
                continue
        else:
            continue
        try:
            escalation = _escalate(case, clock.which, kind, now)
        except Exception:
            # One case that cannot be escalated (its transaction rolled back: no stamp, no
            # notice) must not hold up the others; it is tried again next run.
            logger.exception("SLA escalation of case %s failed", case.pk)
            continue
        if escalation is not None:
            raised.append(escalation)
    return raised


# --- the e-mail ---------------------------------------------------------------------------


def case_admin_url(case: Case) -> str:
    """The case's screen in the admin (the home page when there is none)."""
    try:
        path = reverse("crm_cases:inspect", kwargs={"pk": case.pk})
    except NoReverseMatch:
        path = reverse("wagtailadmin_home")
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def alert_subject(alert: SlaAlert, left) -> str:
    """ "[S-12] SLA warning: first response due in 25 min" (in the active language)."""
    time = describe_remaining(left) if left is not None else ""
    first = alert.clock == SlaAlert.Clock.FIRST_RESPONSE
    if alert.kind == SlaAlert.Kind.WARNING:
        if first:
            text = _("SLA warning: first response due in %(time)s") % {"time": time}
        else:
            text = _("SLA warning: resolution due in %(time)s") % {"time": time}
    elif first:
        text = _("SLA breach: first response overdue")
    else:
        text = _("SLA breach: resolution overdue")
    return f"[{alert.case.reference}] {text}"


def alert_email(alert: SlaAlert) -> EmailMessage:
    """The alert's e-mail to its recipient, in the staff's language (Russian)."""
    case = alert.case
    clock = case_clock(case, now=alert.created_at)
    left = clock.left if clock.which == alert.clock else None
    with translation.override(STAFF_LANGUAGE):
        lines = [
            str(case),
            "",
            f"{SlaAlert.Clock(alert.clock).label}: {clock.text}"
            if clock.which == alert.clock
            else str(SlaAlert.Clock(alert.clock).label),
            _("Queue: %(queue)s") % {"queue": case.queue},
            _("Priority: %(priority)s") % {"priority": case.get_priority_display()},
            _("Assignee: %(name)s")
            % {"name": case.assignee.get_full_name() or case.assignee.get_username()}
            if case.assignee
            else _("Assignee: nobody"),
            "",
            _("Open the case: %(url)s") % {"url": case_admin_url(case)},
        ]
        subject = alert_subject(alert, left)
        body = "\n".join(lines) + "\n"
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[alert.recipient.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
