"""Two web nodes behind HAProxy, two django-q2 clusters, one PostgreSQL, one Redis
(issue 14): nothing a request needs lives in one node's memory or on its disk.

- holds through both nodes (HAProxy round-robin) never oversell;
- a session started on one node continues on the other;
- a page published while both nodes serve it shows its new content on both;
- a scheduled task runs once, not once per cluster (django-q2's scheduler takes the due
  schedules with SELECT … FOR UPDATE: the second cluster waits for the first one's
  commit and then no longer finds the schedule due).

The nodes run the production settings from the environment (tests/scaleout/nodes.py);
the database is the test run's own, committed to (transactional tests)."""

import datetime
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from django_q.models import Schedule

from booking.models import HoldLine
from tests import factories
from tests.conftest import make_home, make_locales, republish
from tests.factories.booking import general_departure
from tests.factories.people import make_user
from tests.scaleout.nodes import REDIS_URL, two_nodes
from tests.scaleout.tasks import RUNS_TABLE

PASSWORD = "Sk1pper-on-the-Neva"

pytestmark = [pytest.mark.scaleout, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def cluster(django_db_setup, tmp_path_factory):
    redis.Redis.from_url(REDIS_URL).flushdb()
    with two_nodes(connection.settings_dict, tmp_path_factory.mktemp("nodes")) as running:
        yield running
    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture(autouse=True)
def _shared_cache_starts_empty(cluster):
    """Each test's database is emptied after it; what the nodes cached about the last
    one's rows (site root paths, pages) must go with it."""
    redis.Redis.from_url(REDIS_URL).flushdb()


def test_a_scheduled_task_runs_once_not_once_per_cluster(cluster):
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {RUNS_TABLE} "
            "(id serial PRIMARY KEY, cluster text, ran_at timestamptz DEFAULT now())"
        )
        cursor.execute(f"TRUNCATE {RUNS_TABLE}")
    try:
        due = timezone.now() - datetime.timedelta(seconds=1)
        schedule = Schedule.objects.create(
            name="scaleout-record-run",
            func="tests.scaleout.tasks.record_run",
            schedule_type=Schedule.MINUTES,
            minutes=1,
            repeats=-1,
            next_run=due,
        )
        created = time.monotonic()
        # Each cluster's scheduler wakes every 30 s (both clocks started before the
        # schedule was made: tests/scaleout/nodes.py); after 33 s both have looked at the
        # due schedule, and the task one of them queued has run.
        runs = []
        while time.monotonic() - created < 33 or not runs:
            assert time.monotonic() - created < 60, "the schedule never ran:" + logs(cluster)
            time.sleep(1)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT cluster FROM {RUNS_TABLE}")
                runs = [row[0] for row in cursor.fetchall()]

        assert len(runs) == 1, runs
        assert runs[0] in {"worker-a", "worker-b"}
        schedule.refresh_from_db()
        assert schedule.next_run == due + datetime.timedelta(minutes=1)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {RUNS_TABLE}")


def test_holds_through_both_nodes_never_oversell(cluster):
    departure = general_departure(capacity=10)
    ticket_type = departure.product.ticket_types.first()
    start = threading.Barrier(30)

    def hold(_n):
        start.wait()
        response = requests.post(
            f"{cluster.proxy}/api/v1/holds",
            json={
                "departure_id": departure.pk,
                "quantities": [{"ticket_type_id": ticket_type.pk, "quantity": 1}],
            },
            timeout=30,
        )
        return response.status_code, response.headers.get("X-Served-By")

    with ThreadPoolExecutor(30) as pool:
        results = list(pool.map(hold, range(30)))

    statuses = Counter(status for status, _node in results)
    assert statuses == {201: 10, 409: 20}, statuses
    assert {node for _status, node in results} == {"a", "b"}
    held = HoldLine.objects.filter(hold__departure=departure).aggregate(n=Sum("quantity"))["n"]
    assert held == 10


def test_a_session_started_on_one_node_continues_on_the_other(cluster):
    # The admin's menu needs a page tree (the last test's was emptied with its database).
    make_locales()
    make_home()
    user = make_user("skipper@example.com", is_staff=True, is_superuser=True)
    # The test settings hash with MD5 for speed; the nodes know production's hashers only.
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    node_a, node_b = cluster.nodes["a"], cluster.nodes["b"]

    form = requests.get(f"{node_a}/admin/login/", timeout=10)
    assert form.headers["X-Served-By"] == "a"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    # The cookies are Secure (production); the test speaks plain HTTP, so it sends them
    # itself rather than through a cookie jar that would keep them back.
    signed_in = requests.post(
        f"{node_a}/admin/login/",
        data={
            "csrfmiddlewaretoken": token,
            "username": "skipper@example.com",
            "password": PASSWORD,
        },
        cookies={"csrftoken": form.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code == 302, signed_in.text[:2000]
    session = signed_in.cookies["sessionid"]

    admin_on_b = requests.get(
        f"{node_b}/admin/", cookies={"sessionid": session}, allow_redirects=False, timeout=10
    )
    assert admin_on_b.headers["X-Served-By"] == "b"
    assert admin_on_b.status_code == 200
    assert "skipper@example.com" in admin_on_b.text or "Dashboard" in admin_on_b.text
    # Control: without the session node B sends the visitor to sign in.
    stranger = requests.get(f"{node_b}/admin/", allow_redirects=False, timeout=10)
    assert stranger.status_code == 302


def test_a_page_published_through_one_node_changes_on_both(cluster):
    make_locales()
    home = make_home()
    page = republish(
        factories.StandardPageFactory(
            parent=home, title="Правила посадки", slug="pravila", live=True
        )
    )
    path = page.get_url()
    for name, url in cluster.nodes.items():
        before = requests.get(f"{url}{path}", timeout=10)
        assert before.status_code == 200, (name, before.status_code)
        assert "Правила посадки" in before.text

    # Published by a process of the site with the production settings (the shared cache
    # and its purges), as a node's admin publishes it.
    cluster.manage(
        "shell",
        "-c",
        "from wagtail.models import Page\n"
        f"page = Page.objects.get(pk={page.pk}).specific\n"
        "page.title = 'Новые правила посадки'\n"
        "page.save_revision().publish()\n",
        NODE_NAME="a",
    )

    for name, url in cluster.nodes.items():
        after = requests.get(f"{url}{path}", timeout=10)
        assert after.headers["X-Served-By"] == name
        assert "Новые правила посадки" in after.text, name


def logs(cluster) -> str:
    return "\n".join(
        f"--- {log.name}\n{log.read_text()[-3000:]}" for log in sorted(cluster.logs.glob("*.log"))
    )
