"""Structured logs: a request id on every line (taken from X-Request-ID when sane, made
otherwise, echoed in the response) and carried into the tasks a request queues; a whole
purchase logged at DEBUG by every logger has neither the customer's e-mail and phone nor
the order's secret."""

import contextvars
import io
import json
import logging
from multiprocessing import Queue, Value

import pytest
from django.test import TestCase
from django_q.brokers import get_broker
from django_q.signing import SignedPackage
from django_q.tasks import async_task
from django_q.worker import worker

from booking.models import Order, Payment
from config.observe import request_id
from config.settings import base
from tests.booking.checkout.helpers import VALID, checkout_url, hold_for, order_url, visitor

pytestmark = pytest.mark.django_db
NOTIFY = "/api/v1/payments/yookassa/notifications"
task_logger = logging.getLogger("tests.config.observe.task")


def log_from_a_task(word: str) -> str:
    task_logger.info("task says %s", word)
    return word


@pytest.fixture
def json_logs():
    """Every logger at DEBUG into the production handler's pipeline: the JSON formatter
    and the filters of config/settings/base.py LOGGING."""
    from logging.config import DictConfigurator

    stream = io.StringIO()
    configurator = DictConfigurator({})
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configurator.configure_custom(dict(base.LOGGING["formatters"]["json"])))
    for name in base.LOGGING["handlers"]["stdout"]["filters"]:
        handler.addFilter(configurator.configure_custom(dict(base.LOGGING["filters"][name])))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    saved = [(logger, logger.level, logger.disabled) for logger in [root, *loggers]]
    for logger, _level, _disabled in saved:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)
    for logger, level, disabled in saved:
        logger.setLevel(level)
        logger.disabled = disabled


def records(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_the_request_id_is_taken_echoed_or_made(client, json_logs):
    given = client.get("/robots.txt", headers={"x-request-id": "lb-7f3a.2"})
    assert given["X-Request-ID"] == "lb-7f3a.2"
    made = client.get("/robots.txt", headers={"x-request-id": "bad id\n{injected}"})
    assert made["X-Request-ID"] != "bad id\n{injected}"
    assert len(made["X-Request-ID"]) == 32
    assert client.get("/health/live")["X-Request-ID"]
    logging.getLogger("outside").warning("no request here")
    assert records(json_logs)[-1]["request_id"] == ""


def test_a_task_logs_with_the_id_of_the_request_that_queued_it(json_logs, settings):
    """Queued to the ORM broker in one context, run by django-q2's own worker loop in a
    fresh one (as the qcluster process would): the task's line has the queueing id."""
    token = request_id.current.set("checkout-42")
    try:
        async_task("tests.config.observe.test_logs.log_from_a_task", "hello", sync=False)
    finally:
        request_id.current.reset(token)
    broker = get_broker()
    [(_ack_id, package)] = broker.dequeue()

    def run_as_the_cluster():
        tasks, results = Queue(), Queue()
        tasks.put(SignedPackage.loads(package))
        tasks.put("STOP")
        worker(tasks, results, Value("f", -1))
        return results.get(timeout=5)

    result = contextvars.Context().run(run_as_the_cluster)
    assert result["success"] and result["result"] == "hello"
    [line] = [r for r in records(json_logs) if r["message"] == "task says hello"]
    assert line["request_id"] == "checkout-42"
    assert request_id.current.get() == ""


def test_a_whole_purchase_logs_no_personal_data_or_secret(shop, yookassa, json_logs):
    client, key = visitor()
    hold = hold_for(shop, key)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            checkout_url(hold), VALID, headers={"x-request-id": "req-checkout-1"}
        )
    assert response.status_code == 303
    order = Order.objects.get()
    payment = Payment.objects.get(order=order)
    yookassa.settle(payment.provider_id, "succeed")
    body = {
        "type": "notification",
        "event": "payment.succeeded",
        "object": yookassa.payment(payment.provider_id),
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        notified = client.post(
            NOTIFY,
            data=json.dumps(body),
            content_type="application/json",
            headers={"x-request-id": "req-notify-1"},
        )
    assert notified.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert client.get(order_url(order)).status_code == 200

    logged = json_logs.getvalue()
    lines = records(json_logs)
    assert len(lines) > 5
    for personal in (
        order.email,
        order.phone,
        VALID["phone"],
        "912 345",
        order.secret,
        hold.token,
        VALID["name"],
    ):
        assert personal not in logged, personal
    # The confirmations queued by the notification ran with its request id.
    started = [
        line for line in lines if line["logger"] == "common.tasks" and "started" in line["message"]
    ]
    assert started
    assert {line["request_id"] for line in started} == {"req-notify-1"}
    assert {line["request_id"] for line in lines} >= {"req-checkout-1", "req-notify-1"}
