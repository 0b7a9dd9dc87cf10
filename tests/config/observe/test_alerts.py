"""ops/prometheus/alerts.yml: every metric an expression names is one /metrics exposes,
and promtool accepts the file when it is installed (Debian's `prometheus` package)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.django_db
RULES = Path(settings.BASE_DIR) / "ops" / "prometheus" / "alerts.yml"
# Metrics Prometheus makes itself (the scrape's `up`), not the application.
PROMETHEUS_OWN = {"up"}
FUNCTIONS = re.compile(r"\b[a-z_]+(?=\s*\()")


def exposed(client) -> set[str]:
    settings.METRICS_TOKEN = "alerts-test-token"
    client.get("/robots.txt")  # one request, so that the request series exist
    response = client.get("/metrics", headers={"authorization": "Bearer alerts-test-token"})
    assert response.status_code == 200
    return {
        sample.name
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def metric_names(expr: str) -> set[str]:
    without_labels = re.sub(r"\{[^}]*\}", "", expr)
    without_ranges = re.sub(r"\[[^\]]*\]", "", without_labels)
    without_calls = FUNCTIONS.sub("", without_ranges)
    words = set(re.findall(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b", without_calls))
    keywords = {"by", "without", "and", "or", "unless", "le", "on", "ignoring", "bool"}
    keywords |= {"sum", "avg", "min", "max", "count", "topk", "bottomk", "quantile"}
    return {word for word in words if word not in keywords}


def test_every_alert_uses_metrics_that_are_exposed(client, settings):
    rules = [
        rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]
    ]
    assert {rule["alert"] for rule in rules} >= {
        "HighServerErrorRate",
        "SlowRequestsP99",
        "PaymentNotificationsFailing",
        "TaskQueueStuck",
        "NoCheckInsDuringBoarding",
        "SupportSlaBreaches",
    }
    names = exposed(client)
    for rule in rules:
        used = metric_names(rule["expr"])
        assert used, rule["alert"]
        missing = used - names - PROMETHEUS_OWN
        assert not missing, f"{rule['alert']}: {missing}"
        assert rule["labels"]["severity"] in {"page", "ticket"}
        assert rule["annotations"]["summary"]


def test_promtool_accepts_the_rules():
    # Debian's `prometheus` package (Makefile TEST_PACKAGES) brings promtool.
    assert shutil.which("promtool"), "promtool is missing: make system-test installs it"
    result = subprocess.run(
        ["promtool", "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_the_runbooks_name_only_alerts_and_metrics_that_exist(client, settings):
    """docs/runbooks send the on-call engineer to alerts and metrics by name: each
    `prichal_…` metric they name is exposed, each alert they name (`Alert` + a word in
    backticks) is in the rules."""
    alerts = {
        rule["alert"]
        for group in yaml.safe_load(RULES.read_text())["groups"]
        for rule in group["rules"]
    }
    runbooks = "\n".join(
        path.read_text() for path in (Path(settings.BASE_DIR) / "docs" / "runbooks").glob("*.md")
    )
    metrics = set(re.findall(r"\bprichal_[a-z_]+", runbooks)) - {"prichal_restored"}
    assert metrics, "the runbooks name no metric"
    assert metrics <= exposed(client), metrics - exposed(client)
    named = set(re.findall(r"`([A-Z][a-z]+(?:[A-Z][a-z0-9]*)+)`", runbooks))
    not_alerts = {"AddIndexConcurrently", "RunPython", "SentMessage"}
    assert named - not_alerts <= alerts, (named - not_alerts) - alerts
