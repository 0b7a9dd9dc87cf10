"""Background work through django-q2 (one worker kind, `qcluster`).

- `DjangoQJobBackend` hands wagtail-localize's jobs to django-q2.
- `enqueue` runs a task with retries: django-q2 records a failed task and moves on, so a
  task that fails (an SMTP server that is down, YooKassa answering 500) is scheduled
  again after a growing pause, up to `RETRY_DELAYS`. Tasks given to it must be
  idempotent: a retry may follow an attempt that half-succeeded.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Schedule
from django_q.tasks import async_task
from wagtail_localize.tasks import BaseJobBackend

from common.request_id import bound

logger = logging.getLogger(__name__)

# Tasks that moved, old dotted path → new: what is already queued (or scheduled for a
# retry) under the old name still runs. Stored schedules are rewritten by migrations
# (booking 0014); these entries cover the queue itself.
MOVED_TASKS = {
    "booking.services.confirmations.order_confirmation_email": (
        "booking.tasks.send_order_confirmation_email"
    ),
    "booking.services.confirmations.order_confirmation_sms": (
        "booking.tasks.send_order_confirmation_sms"
    ),
    "booking.services.confirmations.late_payment_refund_notice": (
        "booking.tasks.send_late_payment_refund_notice"
    ),
}

# Pauses before the 2nd, 3rd … attempt: 1 min, 5 min, 30 min, 2 h, 6 h.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)


class DjangoQJobBackend(BaseJobBackend):
    def enqueue(self, func, args, kwargs):
        async_task(func, *args, **kwargs)


def run_with_retry(func_path: str, args: list, attempt: int = 1):
    """Runs the task (a moved one under its new path, see `MOVED_TASKS`); when it raises,
    schedules attempt `attempt + 1` and re-raises (so django-q2 records the failure)."""
    func_path = MOVED_TASKS.get(func_path, func_path)
    # The arguments stay out of the line: they may be an address or a phone number.
    logger.info("Task %s started (attempt %s)", func_path, attempt)
    try:
        return import_string(func_path)(*args)
    except Exception:
        if attempt <= len(RETRY_DELAYS):
            Schedule.objects.create(
                name=f"retry {func_path}{tuple(args)} #{attempt + 1}"[:100],
                func="common.tasks.run_with_retry",
                args=repr((func_path, list(args), attempt + 1)),
                schedule_type=Schedule.ONCE,
                repeats=1,
                next_run=timezone.now() + RETRY_DELAYS[attempt - 1],
            )
            logger.warning("Task %s%s failed (attempt %s); retrying", func_path, args, attempt)
        else:
            logger.error("Task %s%s failed for good after %s attempts", func_path, args, attempt)
        raise


def enqueue(func_path: str, *args) -> None:
    """Queues `func_path(*args)` with retries once the current transaction commits (a task
    must never see, or act on, a transaction that was rolled back)."""
    # `bound`: the task carries the id of the request that queued it, even when the commit
    # (and so this callback) comes after that request's context is gone.
    transaction.on_commit(
        bound(lambda: async_task("common.tasks.run_with_retry", func_path, list(args)))
    )
