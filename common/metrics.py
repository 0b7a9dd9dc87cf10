"""Counters of events whose rows do not last (a hold is deleted when it expires or becomes
an order), counted where they happen. Everything that stays in the database (orders,
refunds, check-ins, notifications, task failures, SLA breaches) is read at scrape time by
`config.observe.metrics.BusinessCollector` instead: right across processes and restarts.

Under gunicorn each worker process writes its values to PROMETHEUS_MULTIPROC_DIR and
/metrics adds them up (prometheus_client's multiprocess mode); a restart starts a counter
from zero again, which `rate()`/`increase()` in Prometheus take in their stride."""

from prometheus_client import Counter

HOLDS_CREATED = Counter("prichal_holds_created", "Holds created (places held by a visitor).")
HOLDS_EXPIRED = Counter(
    "prichal_holds_expired", "Holds deleted because their time ran out (sweeper or reclaim)."
)
