"""The id of the request (or task) being served, for log lines and the tasks it queues.
Set by config.observe.request_id (the middleware and django-q2's signals); here, in the
lowest layer, so that every app can carry it across a deferred call (`bound`)."""

import contextvars
from collections.abc import Callable

current = contextvars.ContextVar("request_id", default="")


def bound(func: Callable[[], object]) -> Callable[[], object]:
    """`func` to run later (transaction.on_commit) with the id current now."""
    request_id = current.get()

    def run():
        token = current.set(request_id)
        try:
            return func()
        finally:
            current.reset(token)

    return run
