"""/metrics: not public (a bearer token or an allowed network), the request metrics by
view and status, and the business totals read from the database in a fixed number of
queries."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import OrmQ, Task
from django_q.signing import SignedPackage
from prometheus_client.parser import text_string_to_metric_families

from booking.models import PaymentNotification, Ticket
from booking.services.holds import hold_create, holds_delete_expired
from tests.factories import general_departure, placed_order, product_with_ticket_types

pytestmark = pytest.mark.django_db
TOKEN = "metrics-test-token-0123456789"


@pytest.fixture(autouse=True)
def _token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.parametrize(
    "headers",
    [{}, {"authorization": "Bearer wrong"}, {"authorization": f"Basic {TOKEN}"}],
)
def test_without_the_token_there_is_no_such_page(client, headers):
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 404
    assert b"prichal" not in response.content


def test_nobody_scrapes_when_neither_token_nor_networks_are_set(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", headers={"authorization": "Bearer "}).status_code == 404


def test_an_allowed_network_scrapes_without_a_token(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.1.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.2.0.1").status_code == 404
    # A forwarded address is not the peer's: not trusted here.
    assert (
        client.get(
            "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.1.2.3"
        ).status_code
        == 404
    )


def test_requests_are_counted_by_view_and_status_with_latency_and_queries(client):
    before = scrape(client)
    client.get("/robots.txt")
    client.get("/robots.txt")
    client.get("/api/v1/holds/nope")
    after = scrape(client)
    robots = {"method": "GET", "status": "200"}
    grew = {
        labels: after[(name, labels)] - before.get((name, labels), 0)
        for (name, labels) in after
        if name == "prichal_http_requests_total"
    }
    robots_rows = [
        (dict(labels), n) for labels, n in grew.items() if dict(labels).items() >= robots.items()
    ]
    assert any(n == 2 for _, n in robots_rows), robots_rows
    robots_view = next(labels["view"] for labels, n in robots_rows if n == 2)
    assert (
        value(after, "prichal_http_request_duration_seconds_count", view=robots_view)
        - value(before, "prichal_http_request_duration_seconds_count", view=robots_view)
        == 2
    )
    assert (
        value(after, "prichal_http_request_db_queries_count", view=robots_view)
        - value(before, "prichal_http_request_db_queries_count", view=robots_view)
        == 2
    )
    # The API's 4xx is counted under its own view name, not under a URL.
    assert any(
        dict(labels)["status"] in ("404", "400") and dict(labels)["view"] != "unresolved"
        for labels, n in grew.items()
        if n >= 1
    )
    # Scrapes and probes are not requests of the shop: not counted.
    assert not any("metrics" in dict(labels)["view"] for labels in grew)


def test_business_totals_come_from_the_database(client, django_assert_num_queries):
    product, (adult, _child) = product_with_ticket_types()
    departure = general_departure(capacity=20, product=product)
    before = scrape(client)
    hold = hold_create(departure_id=departure.pk, owner_key="k", quantities={adult.pk: 1})
    hold.expires_at = timezone.now() - timedelta(seconds=1)
    hold.save()
    holds_delete_expired()
    after_holds = scrape(client)
    paid = placed_order(departure, paid=True)
    placed_order(departure)
    ticket = paid.tickets.first()
    Ticket.objects.filter(pk=ticket.pk).update(
        status=Ticket.Status.VALID, checked_in_at=timezone.now()
    )
    PaymentNotification.objects.create(event="payment.succeeded", object_id="a", outcome="applied")
    PaymentNotification.objects.create(event="payment.succeeded", object_id="b", outcome="failed")
    Task.objects.create(
        id="f" * 32,
        name="failed-one",
        func="x.y",
        started=timezone.now(),
        stopped=timezone.now(),
        success=False,
    )
    OrmQ.objects.create(
        key="prichal",
        payload=SignedPackage.dumps(
            {"id": "1", "started": timezone.now() - timedelta(minutes=12), "func": "x"}
        ),
        lock=timezone.now(),
    )
    after = scrape(client)

    for counter in ("prichal_holds_created_total", "prichal_holds_expired_total"):
        assert value(after_holds, counter) - value(before, counter) == 1
    assert value(after, "prichal_orders", status="paid") == 1
    assert value(after, "prichal_orders", status="awaiting_payment") == 1
    assert value(after, "prichal_orders_paid_total") == 1
    assert value(after, "prichal_checkins_total") == 1
    assert value(after, "prichal_payment_notifications", outcome="applied") == 1
    assert value(after, "prichal_payment_notifications", outcome="failed") == 1
    assert value(after, "prichal_task_failures") == 1
    assert value(after, "prichal_task_queue_length") == 1
    assert 700 < value(after, "prichal_task_queue_oldest_age_seconds") < 800
    assert value(after, "prichal_business_metrics_up") == 1
    for name in (
        "prichal_departures_boarding",
        "prichal_departures_boarding_without_checkins",
        "prichal_task_schedule_lag_seconds",
        "prichal_support_open_cases_breached",
    ):
        assert any(key[0] == name for key in after), name
    assert value(after, "prichal_support_sla_breaches_total", clock="resolution") == 0

    # A fixed number of queries however many rows: 10 for the business totals (the ORM
    # broker's queue takes two; with Redis one query less and one Redis call).
    with django_assert_num_queries(10):
        scrape(client)
