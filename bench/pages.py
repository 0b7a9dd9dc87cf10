#!/usr/bin/env python
"""bench/pages.py — public pages under load.

Serves the demo site under gunicorn (2 workers, production settings) on PostgreSQL and
loads the home page, the excursions listing and an excursion page at 16 connections
with ../shared/bench/http_load.sh (wrk). Prints req/s, p50/p99 and the SQL queries each
page needs. Run: `make bench-pages` (or `.venv/bin/python bench/pages.py`)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import gunicorn, http_load, log, prepare_database

DATABASE = "prichal_bench_pages"
SECONDS = int(os.environ.get("BENCH_SECONDS", "20"))


def count_queries(env: dict, paths: list[str]) -> dict[str, int]:
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for path in paths:
        client.get(path)  # warm-up: renditions, caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[path] = len(queries)
    return counts


def main():
    log("preparing database and demo content …")
    env = prepare_database(DATABASE)
    pages = {"home": "/ru/", "listing": "/ru/excursions/"}
    queries = count_queries(env, list(pages.values()))
    from content.models import ExcursionPage

    excursion = ExcursionPage.objects.live().filter(locale__language_code="ru").first()
    pages["excursion"] = excursion.url
    queries.update(count_queries(env, [excursion.url]))

    print(f"bench/pages: gunicorn 2 workers, 16 connections, {SECONDS}s per page, PostgreSQL")
    print(
        f"{'page':<10} {'path':<38} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non2xx':>7} {'SQL':>4}"
    )
    with gunicorn(env) as base:
        for name, path in pages.items():
            result = http_load(base + path, SECONDS, 16)
            print(
                f"{name:<10} {path:<38} {float(result['rps']):>8.1f} {float(result['p50_ms']):>8.1f}"
                f" {float(result['p99_ms']):>8.1f} {result['non2xx']:>7} {queries[path]:>4}"
                f"   (other_cpu {result.get('other_cpu_pct', '?')}%)"
            )


if __name__ == "__main__":
    main()
