"""The task the two-node test schedules: it records each run with the cluster that ran
it, in a table the test creates (not a model: nothing of the site's schema changes)."""

import os

from django.db import connection

RUNS_TABLE = "scaleout_task_runs"


def record_run() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {RUNS_TABLE} (cluster) VALUES (%s)",
            [os.environ.get("NODE_NAME", "")],
        )
