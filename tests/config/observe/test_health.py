"""/health/live and /health/ready: JSON, no session, no cache; readiness fails while the
database cannot be reached and recovers when it can."""

import socket
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule

from config.observe import health

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_schedule(settings):
    # The schedules the migrations made are due since the test database was created.
    Schedule.objects.update(next_run=timezone.now() + timedelta(minutes=1))
    health._provider_seen.clear()
    # The payment provider: a port that answers (this test's own listener).
    listener = socket.create_server(("127.0.0.1", 0))
    settings.YOOKASSA_API_URL = f"http://127.0.0.1:{listener.getsockname()[1]}/v3"
    yield
    listener.close()
    health._provider_seen.clear()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_live_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    assert response["X-Request-ID"]


def test_ready_reports_every_check(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "tasks", "payment_provider", "media_disk"}
    assert {check["status"] for check in body["checks"].values()} == {"ok"}
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies


@pytest.mark.django_db(transaction=True)
def test_ready_fails_while_the_database_is_unreachable_and_recovers(client):
    assert client.get("/health/ready").status_code == 200
    original = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = closed_port()
    connection.settings_dict["HOST"] = "127.0.0.1"
    try:
        down = client.get("/health/ready")
        assert down.status_code == 503
        body = down.json()
        assert body["status"] == "fail"
        assert body["checks"]["database"] == {"status": "fail", "error": "OperationalError"}
        # Liveness does not depend on the database: the process is fine.
        assert client.get("/health/live").status_code == 200
    finally:
        connection.close()
        connection.settings_dict.update(original)
    up = client.get("/health/ready")
    assert up.status_code == 200
    assert up.json()["checks"]["database"] == {"status": "ok"}


def test_redis_cache_is_checked_when_configured(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
        },
    }
    assert client.get("/health/ready").json()["checks"]["cache"] == {
        "status": "ok",
        "backend": "redis",
    }
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        },
    }
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["status"] == "fail"


def test_an_unreachable_payment_provider_and_a_stopped_cluster_only_warn(client, settings):
    settings.YOOKASSA_API_URL = f"http://127.0.0.1:{closed_port()}/v3"
    health._provider_seen.clear()
    Schedule.objects.create(
        name="sweeper",
        func="booking.tasks.sweep_expired_holds",
        schedule_type="I",
        minutes=1,
        repeats=-1,
        next_run=timezone.now() - timedelta(minutes=30),
    )
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "warn"
    assert body["checks"]["payment_provider"] == {
        "status": "warn",
        "error": "ConnectionRefusedError",
    }
    assert body["checks"]["tasks"]["status"] == "warn"
    assert body["checks"]["tasks"]["schedule_lag_seconds"] >= 1800


def test_too_little_disk_for_media_fails(client, settings):
    settings.HEALTH_MIN_FREE_DISK_MB = 10**12
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["media_disk"]["status"] == "fail"


def test_only_get_and_head(client):
    response = client.post("/health/ready")
    assert response.status_code == 405
    assert client.head("/health/live").status_code == 200
