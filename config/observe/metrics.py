"""Prometheus metrics (README, "Operations: observe").

- Per request (`RequestMetricsMiddleware`): count by view name, method and status, latency
  and the number of database queries, as histograms by view name. The view name (the URL
  pattern's name, or "unresolved") keeps the label set small whatever the URLs.
- Business totals (`BusinessCollector`): read from the database at scrape time in a fixed
  number of queries, so they are right whichever process answers and survive restarts.
- Holds created/expired are counted where they happen (common.metrics): their rows go.

Under gunicorn set PROMETHEUS_MULTIPROC_DIR (an empty directory per start, config/gunicorn.py
cleans it): each worker writes its values there and /metrics adds up every process's."""

import hmac
import ipaddress
import logging
import os
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Min, Q
from django.http import HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

logger = logging.getLogger(__name__)

REQUESTS = Counter(
    "prichal_http_requests",
    "HTTP requests answered, by view, method and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "prichal_http_request_duration_seconds",
    "Time to answer a request, by view.",
    ["view"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
DB_QUERIES = Histogram(
    "prichal_http_request_db_queries",
    "Database queries made by one request, by view.",
    ["view"],
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144),
)
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
# How long before its start a departure is "boarding" for the no-check-ins alert.
BOARDING_LEAD = timedelta(minutes=15)


def view_name(request, response=None) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        # A page-cache hit is answered before the URL resolver runs (content.page_cache).
        if response is not None and response.get("X-Page-Cache") == "hit":
            return "page_cache_hit"
        return "unresolved"
    return match.view_name or match._func_path


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class RequestMetricsMiddleware:
    """Near the top of MIDDLEWARE: what the other middleware costs is counted too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = _QueryCounter()
        started = time.perf_counter()
        status, response = 500, None
        try:
            with connection.execute_wrapper(counter):
                response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            view = view_name(request, response)
            method = request.method if request.method in METHODS else "other"
            REQUESTS.labels(view, method, str(status)).inc()
            LATENCY.labels(view).observe(time.perf_counter() - started)
            DB_QUERIES.labels(view).observe(counter.count)


# ------------------------------------------------------------------ business totals


def _oldest_queued_age(now) -> tuple[int, float]:
    """Tasks waiting in django-q2's queue and the age of the oldest (seconds; 0 when
    empty): the ORM broker's table or the Redis list, whichever the cluster uses."""
    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage

    broker = get_broker()
    if settings.Q_CLUSTER.get("orm"):
        from django_q.models import OrmQ

        queued = OrmQ.objects.filter(key=broker.list_key)
        oldest = queued.order_by("id").values_list("payload", flat=True).first()
        size = queued.count() if oldest is not None else 0
    else:
        size = broker.queue_size()
        oldest = broker.connection.lindex(broker.list_key, 0) if size else None
    if oldest is None:
        return size, 0.0
    try:
        started = SignedPackage.loads(oldest)["started"]
    except Exception:  # a package signed with another key: age unknown
        return size, 0.0
    return size, max(0.0, (now - started).total_seconds())


class BusinessCollector:
    """Reads the business totals at scrape time: 10 queries (9 and one Redis call with
    the Redis broker)."""

    def collect(self):
        try:
            families = list(self._families(timezone.now()))
        except DatabaseError:
            logger.warning("Business metrics unavailable: the database did not answer")
            connection.close()
            families = []
            up = 0
        else:
            up = 1
        yield from families
        yield GaugeMetricFamily(
            "prichal_business_metrics_up", "1 when the business totals could be read.", up
        )

    def _families(self, now):
        from django_q.models import Failure, Schedule

        from booking.models import Departure, Order, PaymentNotification, Refund, Ticket
        from support.models import Case

        orders = GaugeMetricFamily("prichal_orders", "Orders by status.", labels=["status"])
        # Every known label value, zero included: an absent series would keep an alert
        # on it from ever firing.
        by_status = dict.fromkeys(Order.Status.values, 0)
        paid = 0
        for row in Order.objects.values("status").annotate(
            n=Count("pk"), paid=Count("pk", filter=Q(paid_at__isnull=False))
        ):
            by_status[row["status"]] = row["n"]
            paid += row["paid"]
        for status, count in by_status.items():
            orders.add_metric([status], count)
        yield orders
        yield CounterMetricFamily(
            "prichal_orders_paid", "Orders ever paid (paid_at set), refunded ones too.", paid
        )

        refunds = GaugeMetricFamily(
            "prichal_refunds", "Refunds by status and reason.", labels=["status", "reason"]
        )
        by_kind = {
            (status, reason): 0
            for status in Refund.Status.values
            for reason in Refund.Reason.values
        }
        for row in Refund.objects.values("status", "reason").annotate(n=Count("pk")):
            by_kind[row["status"], row["reason"]] = row["n"]
        for (status, reason), count in by_kind.items():
            refunds.add_metric([status, reason], count)
        yield refunds

        yield CounterMetricFamily(
            "prichal_checkins",
            "Tickets checked in at boarding (undone check-ins leave the count).",
            Ticket.objects.filter(checked_in_at__isnull=False).count(),
        )
        boarding = list(
            Departure.objects.filter(starts_at__lte=now + BOARDING_LEAD, ends_at__gte=now)
            .exclude(status=Departure.Status.CANCELLED)
            .annotate(
                valid=Count("tickets", filter=Q(tickets__status=Ticket.Status.VALID)),
                boarded=Count("tickets", filter=Q(tickets__checked_in_at__isnull=False)),
            )
            .filter(valid__gt=0)
            .values_list("boarded", flat=True)
        )
        yield GaugeMetricFamily(
            "prichal_departures_boarding",
            f"Departures boarding now ({BOARDING_LEAD.seconds // 60} min before the start "
            "until the end) with valid tickets.",
            len(boarding),
        )
        yield GaugeMetricFamily(
            "prichal_departures_boarding_without_checkins",
            "Boarding departures with valid tickets and not one checked in.",
            sum(1 for boarded in boarding if boarded == 0),
        )

        notifications = GaugeMetricFamily(
            "prichal_payment_notifications",
            "Payment notifications kept (PAYMENT_NOTIFICATION_RETENTION_DAYS) by outcome.",
            labels=["outcome"],
        )
        by_outcome = dict.fromkeys(PaymentNotification.Outcome.values, 0)
        for row in PaymentNotification.objects.values("outcome").annotate(n=Count("pk")):
            by_outcome[row["outcome"]] = row["n"]
        for outcome, count in by_outcome.items():
            notifications.add_metric([outcome], count)
        yield notifications

        yield GaugeMetricFamily(
            "prichal_task_failures", "Failed tasks kept by django-q2.", Failure.objects.count()
        )
        size, age = _oldest_queued_age(now)
        yield GaugeMetricFamily("prichal_task_queue_length", "Tasks waiting in the queue.", size)
        yield GaugeMetricFamily(
            "prichal_task_queue_oldest_age_seconds", "Age of the oldest waiting task.", age
        )
        overdue = (
            Schedule.objects.exclude(repeats=0)
            .filter(next_run__lt=now)
            .aggregate(oldest=Min("next_run"))["oldest"]
        )
        yield GaugeMetricFamily(
            "prichal_task_schedule_lag_seconds",
            "How late the most overdue schedule is: the cluster's heartbeat.",
            (now - overdue).total_seconds() if overdue else 0.0,
        )

        sla = Case.objects.aggregate(
            first_response=Count("pk", filter=Q(first_response_breached_at__isnull=False)),
            resolution=Count("pk", filter=Q(resolution_breached_at__isnull=False)),
            open_breached=Count(
                "pk",
                filter=(
                    Q(first_response_breached_at__isnull=False)
                    | Q(resolution_breached_at__isnull=False)
                )
                & ~Q(status__in=[Case.Status.RESOLVED, Case.Status.CLOSED]),
            ),
        )
        breaches = CounterMetricFamily(
            "prichal_support_sla_breaches",
            "SLA breaches stamped on cases, by clock.",
            labels=["clock"],
        )
        breaches.add_metric(["first_response"], sla["first_response"])
        breaches.add_metric(["resolution"], sla["resolution"])
        yield breaches
        yield GaugeMetricFamily(
            "prichal_support_open_cases_breached",
            "Cases not yet resolved with a breached SLA clock.",
            sla["open_breached"],
        )


BUSINESS = CollectorRegistry(auto_describe=False)
BUSINESS.register(BusinessCollector())


def exposition() -> bytes:
    """The text format: every process's request metrics and the business totals."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    return generate_latest(processes) + generate_latest(BUSINESS)


# ------------------------------------------------------------------ who may scrape


def scrape_allowed(request) -> bool:
    """A bearer token (METRICS_TOKEN) or the direct peer's address (REMOTE_ADDR, never
    X-Forwarded-For) in METRICS_ALLOWED_NETWORKS. Neither configured: nobody."""
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if (
        token
        and header.startswith("Bearer ")
        and hmac.compare_digest(header[7:].strip().encode(), token.encode())
    ):
        return True
    if settings.METRICS_ALLOWED_NETWORKS:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(
            address in ipaddress.ip_network(network, strict=False)
            for network in settings.METRICS_ALLOWED_NETWORKS
        )
    return False


def metrics_response(request) -> HttpResponse:
    if not scrape_allowed(request):
        # As if there were no such page: nothing tells a prober that metrics live here.
        return HttpResponse(status=404, content_type="text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
