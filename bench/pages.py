#!/usr/bin/env python
"""bench/pages.py — public pages under load.

Serves the demo site under gunicorn (2 workers, production settings, the page cache in
Redis) on PostgreSQL and loads, at 16 connections with ../shared/bench/http_load.sh
(wrk): a static file served by the same gunicorn through WhiteNoise (the framework's
floor), the home page, the excursions listing and an excursion page from the whole-page
cache (content.page_cache), and the same excursion page uncached (an unknown query
string bypasses the cache, as a session cookie would). Prints req/s, p50/p99 and the SQL
queries of one request of each (0 on a cache hit). Run: `make bench-pages` (or
`.venv/bin/python bench/pages.py`)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _server
from bench._server import bench_env, gunicorn, http_load, log, prepare_database

# ../shared/bench next to the project (/work/main); a git worktree elsewhere names it.
if os.environ.get("SHARED_BENCH"):
    _server.SHARED_BENCH = Path(os.environ["SHARED_BENCH"])

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
        client.get(path)  # warm-up: renditions, caches (a cacheable page is now stored)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[path] = len(queries)
    return counts


UNCACHED = "?uncached=1"  # not one of the listing's filters: rendered, never stored


def main():
    if os.environ.get("BENCH_KEEP_DB"):  # the database and static files of the last run
        env = bench_env(DATABASE)
    else:
        log("preparing database and demo content …")
        env = prepare_database(DATABASE)
    os.environ.update(env)
    import django

    django.setup()
    from django.templatetags.static import static

    from content.models import ExcursionPage
    from content.page_cache import purge_pages

    purge_pages((), site=True)  # entries of an earlier run in the same Redis are stale
    excursion = ExcursionPage.objects.live().filter(locale__language_code="ru").first().url
    pages = {
        "static": static("css/site.css"),
        "home": "/ru/",
        "listing": "/ru/excursions/",
        "excursion": excursion,
        "uncached": excursion + UNCACHED,
    }
    queries = count_queries(env, [p for name, p in pages.items() if name != "static"])
    queries[pages["static"]] = 0

    print(
        f"bench/pages: gunicorn 2 workers, 16 connections, {SECONDS}s per page, PostgreSQL,"
        " page cache in Redis"
    )
    print(
        f"{'page':<10} {'path':<44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non2xx':>7} {'SQL':>4}"
    )
    rates = {}
    with gunicorn(env) as base:
        for name, path in pages.items():
            result = http_load(base + path, SECONDS, 16)
            rates[name] = float(result["rps"])
            print(
                f"{name:<10} {path:<44} {rates[name]:>8.1f} {float(result['p50_ms']):>8.1f}"
                f" {float(result['p99_ms']):>8.1f} {result['non2xx']:>7} {queries[path]:>4}"
                f"   (other_cpu {result.get('other_cpu_pct', '?')}%)"
            )
    print(
        f"cached excursion = {100 * rates['excursion'] / rates['static']:.0f} % of the static"
        f" file's rate (goal ≥ 30 %); {rates['excursion'] / rates['uncached']:.0f}× the"
        f" uncached page; uncached excursion: {queries[pages['uncached']]} queries (goal ≤ 12)"
    )


if __name__ == "__main__":
    main()
