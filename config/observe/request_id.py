"""The request id: one short token per request (the caller's X-Request-ID when it is a
sane one, else a new one), kept in a context variable for the request's lifetime, added to
every log record by `RequestIdFilter`, echoed in the response's X-Request-ID header, and
carried into the django-q2 tasks the request queues (`stamp_task` puts it into the task's
package, `enter_task` restores it in the worker), so that an e-mail task's log lines have
the id of the checkout that queued it."""

import contextvars
import logging
import re
import uuid

from common import request_id as request_ids

HEADER = "X-Request-ID"
# Letters, digits and - _ . : up to 64 characters (a UUID, a trace id, a load balancer's
# id); anything else (a log injection attempt, a novel) is replaced by our own.
VALID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
TASK_KEY = "request_id"

# The variable itself lives in common (the lowest layer), so that common.tasks.enqueue can
# carry it across transaction.on_commit.
current = request_ids.current


def new_id() -> str:
    return uuid.uuid4().hex


def accept(value: str | None) -> str:
    value = (value or "").strip()
    return value if VALID.fullmatch(value) else new_id()


class RequestIdFilter(logging.Filter):
    """On the handlers (LOGGING): every record gets `request_id` ("" outside a request or
    a task), which the JSON formatter writes as a field."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current.get()
        return True


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that every other middleware's log lines have the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = accept(request.headers.get(HEADER))
        request.request_id = request_id
        token = current.set(request_id)
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            return response
        finally:
            current.reset(token)


# ------------------------------------------------------------------ django-q2 signals


def stamp_task(sender, task, **kwargs):
    """pre_enqueue: the id of the request (or task) queueing this one travels in the task's
    signed package; django-q2 passes unknown keys through to the worker untouched."""
    request_id = current.get()
    if request_id:
        task[TASK_KEY] = request_id


_task_tokens: dict[str, contextvars.Token] = {}


def enter_task(sender, func, task, **kwargs):
    """pre_execute (in the worker, or inline in sync mode): the task's lines get the id."""
    _task_tokens[task["id"]] = current.set(task.get(TASK_KEY) or f"task-{task['id'][:12]}")


def leave_task(sender, func, task, **kwargs):
    token = _task_tokens.pop(task.get("id"), None)
    if token is not None:
        try:
            current.reset(token)
        except ValueError:
            # Set in another context (cannot happen in django-q2's worker loop): clear.
            current.set("")
