"""Health probes (README, "Operations: observe").

`/health/live`: the process answers (no database, nothing else): restart it when not.
`/health/ready`: this node can serve: the database answers and the cache does (when it is
Redis), and the media disk has room. Two more are reported as warnings that never take a
node out of the load balancer, because every web node would fail them at once and the site
would go dark for something the shop can live with for a while:
- the task cluster's heartbeat: the most overdue django-q2 schedule (the sweeper runs
  every minute, so a schedule more than HEALTH_TASKS_MAX_LAG_SECONDS late means no cluster
  is running). The same data with either broker, unlike django-q2's Stat, which the ORM
  broker keeps in each process's local cache;
- the payment provider: a TCP connection to YOOKASSA_API_URL's host, remembered for a
  minute per process so that probes never hammer YooKassa.

Answers carry statuses and exception class names only: no hosts, no personal data."""

import logging
import shutil
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)

OK, WARN, FAIL = "ok", "warn", "fail"
PROVIDER_CACHE_SECONDS = 60
_provider_seen: dict[str, tuple[float, dict]] = {}


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        logger.warning("Readiness: database unavailable (%s)", type(error).__name__)
        # The next probe opens a new connection instead of reusing a broken one.
        connection.close()
        return {"status": FAIL, "error": type(error).__name__}
    return {"status": OK}


def check_cache() -> dict:
    if not settings.REDIS_URL:
        return {"status": OK, "backend": "local memory"}
    try:
        cache = caches["default"]
        cache.set("health:ready", "1", timeout=10)
        if cache.get("health:ready") != "1":
            raise RuntimeError("value not read back")
    except Exception as error:
        logger.warning("Readiness: cache unavailable (%s)", type(error).__name__)
        return {"status": FAIL, "error": type(error).__name__}
    return {"status": OK, "backend": "redis"}


def check_tasks() -> dict:
    from django.db.models import Min
    from django_q.models import Schedule

    try:
        overdue = (
            Schedule.objects.exclude(repeats=0)
            .filter(next_run__lt=timezone.now())
            .aggregate(oldest=Min("next_run"))["oldest"]
        )
    except Exception as error:
        connection.close()
        return {"status": WARN, "error": type(error).__name__}
    lag = (timezone.now() - overdue).total_seconds() if overdue else 0.0
    if lag > settings.HEALTH_TASKS_MAX_LAG_SECONDS:
        return {"status": WARN, "schedule_lag_seconds": round(lag)}
    return {"status": OK, "schedule_lag_seconds": round(lag)}


def check_payment_provider() -> dict:
    parts = urlsplit(settings.YOOKASSA_API_URL)
    host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    key = f"{host}:{port}"
    seen = _provider_seen.get(key)
    if seen and time.monotonic() - seen[0] < PROVIDER_CACHE_SECONDS:
        return seen[1]
    try:
        socket.create_connection((host, port), timeout=settings.HEALTH_PROVIDER_TIMEOUT).close()
        result = {"status": OK}
    except OSError as error:
        logger.warning("Readiness: payment provider unreachable (%s)", type(error).__name__)
        result = {"status": WARN, "error": type(error).__name__}
    _provider_seen[key] = (time.monotonic(), result)
    return result


def check_media_disk() -> dict:
    if settings.STORAGES["default"]["BACKEND"] != "django.core.files.storage.FileSystemStorage":
        return {"status": OK, "storage": "object storage"}
    path = Path(settings.MEDIA_ROOT)
    while not path.exists() and path != path.parent:
        path = path.parent
    free_mb = shutil.disk_usage(path).free // (1024 * 1024)
    minimum = settings.HEALTH_MIN_FREE_DISK_MB
    status = FAIL if free_mb < minimum else WARN if free_mb < 2 * minimum else OK
    return {"status": status, "free_mb": free_mb}


READY_CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "tasks": check_tasks,
    "payment_provider": check_payment_provider,
    "media_disk": check_media_disk,
}


def readiness() -> tuple[bool, dict]:
    checks = {name: check() for name, check in READY_CHECKS.items()}
    statuses = {check["status"] for check in checks.values()}
    overall = FAIL if FAIL in statuses else WARN if WARN in statuses else OK
    return overall != FAIL, {"status": overall, "checks": checks}
