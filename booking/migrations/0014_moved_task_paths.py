"""Background tasks all live in `*.tasks` modules (issue 9): the confirmations' tasks moved
from `booking.services.confirmations` to `booking.tasks`. Schedules stored in the
database under an old path are rewritten: a schedule of the task itself (`func`), and a
retry scheduled by `run_with_retry` (the old path is in its `args`; `config.tasks`'s
`run_with_retry` becomes `common.tasks`'s). What is queued already is resolved at run
time by `common.tasks.MOVED_TASKS`."""

import ast

from django.db import migrations

# Frozen copy of common.tasks.MOVED_TASKS at the time of this migration.
MOVED = {
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
RETRY_FUNCS = ("common.tasks.run_with_retry", "config.tasks.run_with_retry")


def retry_args(args: str):
    """(func_path, args, attempt) of a retry schedule, or None if it is not one."""
    try:
        value = ast.literal_eval(args or "")
    except (ValueError, SyntaxError):
        return None
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], str):
        return value
    return None


def rewrite(apps, mapping: dict[str, str]) -> None:
    Schedule = apps.get_model("django_q", "Schedule")
    for schedule in Schedule.objects.filter(func__in=[*mapping, *RETRY_FUNCS]):
        changed = []
        if schedule.func in mapping:
            schedule.func = mapping[schedule.func]
            changed.append("func")
        elif schedule.func in RETRY_FUNCS:
            parsed = retry_args(schedule.args)
            if schedule.func != "common.tasks.run_with_retry":
                schedule.func = "common.tasks.run_with_retry"
                changed.append("func")
            if parsed and parsed[0] in mapping:
                schedule.args = repr((mapping[parsed[0]], *parsed[1:]))
                changed.append("args")
        if changed:
            schedule.save(update_fields=changed)


def forwards(apps, schema_editor):
    rewrite(apps, MOVED)


def backwards(apps, schema_editor):
    rewrite(apps, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0013_ticketprice_unique_scope"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
