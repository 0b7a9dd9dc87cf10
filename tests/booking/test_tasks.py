"""One style for background work: everything queued or scheduled is a function of a
`tasks` module; the confirmations' tasks moved there from `booking.services.confirmations`,
and what was stored or queued under their old paths still runs (booking migration 0014
rewrites stored schedules; `common.tasks.MOVED_TASKS` resolves queued ones)."""

import ast
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core import mail
from django.utils.module_loading import import_string
from django_q.models import Schedule

from booking.gateways import sms
from common.tasks import MOVED_TASKS, run_with_retry
from tests.factories import general_departure, placed_order

BASE_DIR = Path(__file__).resolve().parent.parent.parent
OLD_EMAIL = "booking.services.confirmations.order_confirmation_email"
NEW_EMAIL = "booking.tasks.send_order_confirmation_email"
migration = importlib.import_module("booking.migrations.0014_moved_task_paths")


@pytest.fixture(autouse=True)
def _outboxes():
    mail.outbox.clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def queued_paths() -> list[tuple[str, str]]:
    """(file, dotted path) of every string literal given to `enqueue` or `async_task`
    in the project's code (tests, bench and the virtualenv aside)."""
    found = []
    for path in BASE_DIR.rglob("*.py"):
        relative = path.relative_to(BASE_DIR)
        if relative.parts[0] in (".venv", "tests", "bench", "node_modules"):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(relative))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in ("enqueue", "async_task") and isinstance(first, ast.Constant):
                found.append((str(relative), first.value))
    return found


def test_everything_queued_is_a_function_of_a_tasks_module():
    paths = queued_paths()
    assert ("booking/services/confirmations.py", NEW_EMAIL) in paths
    for file, dotted in paths:
        module, _name = dotted.rsplit(".", 1)
        assert module.endswith(".tasks"), f"{file} queues {dotted}"
        assert callable(import_string(dotted)), dotted


def test_every_stored_schedule_runs_a_tasks_function(db):
    funcs = set(Schedule.objects.values_list("func", flat=True))
    assert funcs, "the migrations schedule the periodic tasks"
    for func in funcs:
        assert func.rsplit(".", 1)[0].endswith(".tasks"), func
        import_string(func)


def test_every_moved_path_resolves_to_a_task():
    for old, new in MOVED_TASKS.items():
        assert new.startswith("booking.tasks.")
        assert callable(import_string(new))
        # The old function is still the service the task calls, not a task.
        assert import_string(old) is not import_string(new)
    assert migration.MOVED == MOVED_TASKS


def test_the_migration_rewrites_schedules_stored_under_the_old_paths(db):
    direct = Schedule.objects.create(name="old direct", func=OLD_EMAIL, args="(7,)")
    retry = Schedule.objects.create(
        name="old retry",
        func="config.tasks.run_with_retry",
        args=repr((OLD_EMAIL, [7], 3)),
    )
    untouched = Schedule.objects.create(
        name="other retry",
        func="common.tasks.run_with_retry",
        args=repr(("booking.tasks.send_refund", [5], 2)),
    )

    migration.forwards(apps, None)

    direct.refresh_from_db()
    retry.refresh_from_db()
    untouched.refresh_from_db()
    assert direct.func == NEW_EMAIL and direct.args == "(7,)"
    assert retry.func == "common.tasks.run_with_retry"
    assert ast.literal_eval(retry.args) == (NEW_EMAIL, [7], 3)
    assert ast.literal_eval(untouched.args) == ("booking.tasks.send_refund", [5], 2)

    migration.backwards(apps, None)
    direct.refresh_from_db()
    assert direct.func == OLD_EMAIL


def test_an_old_path_still_queued_runs_the_new_task(db):
    order = placed_order(
        general_departure(capacity=10), paid=True, email="anna@example.com", phone="+79123456789"
    )

    assert run_with_retry(OLD_EMAIL, [order.pk]) is True
    assert run_with_retry("booking.services.confirmations.order_confirmation_sms", [order.pk])

    order.refresh_from_db()
    assert order.confirmation_sent_at is not None and order.sms_sent_at is not None
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1
