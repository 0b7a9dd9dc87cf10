"""The sales funnel (issue 15; README, "Sales funnel"): the steps a visitor takes towards a
paid order, recorded by our own server as they happen, without personal data.

`funnel_record` is called where a step happens (the booking block's fragment, the public
API, the hold, the checkout, the payment). It writes one row after the current transaction
commits, so a step whose work is rolled back is not counted and a failing write can never
break or roll back the request's own work: it is logged and dropped.

`funnel_aggregate` (django-q2, hourly: booking.tasks.aggregate_funnel) folds each complete
day's events into `FunnelDay` rows, recomputing a day from its events every time (so
running it twice gives the same numbers), then deletes events older than
`RAW_RETENTION_DAYS`. Days are the site's local dates (settings.TIME_ZONE).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone, translation

from booking.models import FunnelDay, FunnelEvent, FunnelStep

logger = logging.getLogger(__name__)

#: Raw events are kept this many days after their day, then only the day's counts stay.
RAW_RETENTION_DAYS = 3


def funnel_language(language: str | None = None) -> str:
    """One of settings.LANGUAGES' codes (the active language by default), or ""."""
    code = (language or translation.get_language() or "").lower()
    known = {code for code, _name in settings.LANGUAGES}
    if code in known:
        return code
    base = code.split("-")[0]
    return base if base in known else ""


def funnel_record(step: FunnelStep | str, *, product_id: int | None, language: str | None = None):
    """Counts one `step` for a product, in the active (or given) language, once the
    current transaction commits (at once outside a transaction). One INSERT; never raises."""
    event = FunnelEvent(
        step=FunnelStep(step),
        product_id=product_id,
        language=funnel_language(language),
        occurred_at=timezone.now(),
    )

    def insert():
        try:
            event.save(force_insert=True)
        except DatabaseError:
            # Outside any transaction of the request (on_commit), so nothing else is lost.
            logger.warning("Funnel event %s not recorded", event.step, exc_info=True)

    transaction.on_commit(insert, robust=True)


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The moments (aware) a site-local day starts and the next one starts."""
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone)
    return start, end


def funnel_aggregate_day(day: datetime.date) -> int:
    """Recomputes the day's `FunnelDay` rows from its events (while they are kept: a day
    whose events are gone keeps the counts it has). Returns the number of rows written."""
    start, end = day_bounds(day)
    with transaction.atomic():
        counts = list(
            FunnelEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
            .values("product_id", "language", "step")
            .annotate(n=Count("pk"))
            .order_by()
        )
        if not counts and not FunnelEvent.objects.filter(occurred_at__lt=start).exists():
            # Nothing kept from this day or before: its events may have been deleted.
            return 0
        FunnelDay.objects.filter(day=day).delete()
        FunnelDay.objects.bulk_create(
            FunnelDay(
                day=day,
                product_id=row["product_id"],
                language=row["language"],
                step=row["step"],
                count=row["n"],
            )
            for row in counts
        )
    return len(counts)


def funnel_aggregate(*, now=None) -> dict:
    """Every complete day that still has events, folded into `FunnelDay`; then the events
    older than the retention deleted. Idempotent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    oldest = FunnelEvent.objects.aggregate(first=Min("occurred_at"))["first"]
    days = 0
    if oldest is not None:
        day = timezone.localdate(oldest)
        while day < today:
            funnel_aggregate_day(day)
            days += 1
            day += datetime.timedelta(days=1)
    horizon, _end = day_bounds(today - datetime.timedelta(days=RAW_RETENTION_DAYS))
    deleted, _by_model = FunnelEvent.objects.filter(occurred_at__lt=horizon).delete()
    return {"days": days, "deleted": deleted}


def funnel_last_aggregated_day() -> datetime.date | None:
    return FunnelDay.objects.aggregate(last=Max("day"))["last"]
