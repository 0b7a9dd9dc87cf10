#!/usr/bin/env python
"""bench/holds.py — holds under a crowd.

Serves the site under gunicorn on PostgreSQL (production settings) and drives the hold
API (`POST /api/v1/holds`, `DELETE /api/v1/holds/{token}`) with wrk and a Lua script
(bench/holds.lua) over 200 connections: a compiled load generator, so the 2 cores serve
requests instead of Python client threads.

1. the race: every request holds 1–2 places of a 100-place general-admission departure
   until it is full; afterwards the database is checked: places held ≤ capacity
   (oversold must be 0), and the counter agrees with the hold lines;
2. throughput: for BENCH_SECONDS every request holds one place of a roomy departure
   (holds/s, latency, 5xx must be 0, the counter must agree with the lines); then for
   as long each connection holds a place and releases it by its token (holds and
   releases per second);
3. the same PostgreSQL's hot-row limit with ../shared/bench/pg_limit.sh (pgbench, one row
   updated by 8 clients) in the same run, and our rate as a share of it (goal ≥ 10 %);
4. the availability query for a month of departures on a 300-seat map.

Run: `make bench-holds` (or `.venv/bin/python bench/holds.py`)."""

import datetime
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import (
    SHARED_BENCH,
    bench_env,
    fresh_database,
    gunicorn,
    log,
    manage,
    setup_django,
)

LUA = Path(__file__).resolve().parent / "holds.lua"
DATABASE = "prichal_bench_holds"
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "200"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
PORT = 8766


def prepare(env) -> dict:
    fresh_database(env, DATABASE)
    setup_django(env)
    from django.utils import timezone

    from booking.models import Departure, Product, SeatMap, TicketType, Venue, Vessel
    from booking.services.seatmaps import seat_map_apply

    venue = Venue.objects.create(
        name="Бенч", slug="bench", address="—", latitude=59.94, longitude=30.31
    )
    big_vessel = Vessel.objects.create(name="Большой", capacity=300, seating_mode="assigned")
    big_map = SeatMap.objects.create(vessel=big_vessel, name="300", is_default=True)
    seat_map_apply(
        seat_map=big_map,
        layout={"sections": [{"name": "Палуба", "rows": 15, "seats_per_row": 20}]},
    )
    ga_vessel = Vessel.objects.create(name="Палуба", capacity=100, seating_mode="general")
    roomy_vessel = Vessel.objects.create(name="Паром", capacity=1_000_000, seating_mode="general")
    product = Product.objects.create(kind="excursion", code="bench", name="Бенч", venue=venue)
    adult = TicketType.objects.create(product=product, name="Взрослый", price=1500)
    starts = timezone.now() + datetime.timedelta(days=3)
    general = Departure.objects.create(
        product=product,
        vessel=ga_vessel,
        venue=venue,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
    )
    roomy = Departure.objects.create(
        product=product,
        vessel=roomy_vessel,
        venue=venue,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
    )
    month_product = Product.objects.create(
        kind="excursion", code="month", name="Месяц", venue=venue
    )
    TicketType.objects.create(product=month_product, name="Взрослый", price=2000)
    first = timezone.now() + datetime.timedelta(days=1)
    Departure.objects.bulk_create(
        [
            Departure(
                product=month_product,
                vessel=big_vessel,
                venue=venue,
                starts_at=first + datetime.timedelta(hours=12 * i),
                ends_at=first + datetime.timedelta(hours=12 * i + 2),
            )
            for i in range(60)
        ]
    )
    return {
        "general": general.pk,
        "roomy": roomy.pk,
        "adult": adult.pk,
        "month_product": month_product.pk,
    }


def wrk(port, ids, departure: str, mode: str, seconds: int) -> dict:
    """One wrk run of bench/holds.lua; its result line as a dict of numbers."""
    command = [
        "wrk",
        "-t",
        os.environ.get("WRK_THREADS", "1"),
        "-c",
        str(CLIENTS),
        "-d",
        f"{seconds}s",
        "--timeout",
        "30s",  # 200 connections queue behind a few workers: latency is seconds
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}",
        "--",
        str(ids[departure]),
        str(ids["adult"]),
        mode,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    time.sleep(2)  # the requests still in the workers when wrk stopped finish
    line = next(line for line in output.splitlines() if line.startswith("WRKRESULT"))
    return {k: float(v) for k, v in (pair.split("=") for pair in line.split()[1:])}


def counted(departure_id) -> tuple[int, int, int, int]:
    """(places in unexpired holds, sold, the counter's taken, capacity) of a departure."""
    from django.db import connection, transaction

    from booking.models import DeparturePlaces

    connection.close()
    # Requests queued in the workers when wrk stopped still finish: wait for the counter
    # to settle, then read the lines and the counter in one snapshot.
    previous = None
    while (taken := DeparturePlaces.objects.get(pk=departure_id).taken) != previous:
        previous = taken
        time.sleep(1)
    with transaction.atomic():
        connection.cursor().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _counted_in_snapshot(departure_id)


def _counted_in_snapshot(departure_id):
    from django.db.models import Sum
    from django.utils import timezone

    from booking.models import Departure, DeparturePlaces, HoldLine
    from booking.selectors import places_sold

    held = (
        HoldLine.objects.filter(
            hold__departure_id=departure_id, hold__expires_at__gt=timezone.now()
        ).aggregate(total=Sum("quantity"))["total"]
        or 0
    )
    sold = places_sold().filter(departure_id=departure_id).count()
    taken = DeparturePlaces.objects.get(pk=departure_id).taken
    capacity = Departure.objects.select_related("vessel").get(pk=departure_id).effective_capacity
    return held, sold, taken, capacity


def cpu_seconds_by_program() -> dict[str, float]:
    """User + system CPU seconds of every process so far, summed by program (the web
    workers, PostgreSQL's backends, Redis …), from /proc: where a phase's CPU went."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue  # ended meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if b"gunicorn" in command:
            name = "gunicorn"
        elif name.startswith("postgres"):
            name = "postgres"
        totals[name] = totals.get(name, 0) + (int(fields[11]) + int(fields[12])) / ticks
    return totals


def cpu_per_hold(before: dict, after: dict, holds: float) -> str:
    spent = {
        name: after[name] - before.get(name, 0)
        for name in ("gunicorn", "postgres", "redis-server", "wrk")
        if name in after
    }
    return ", ".join(
        f"{name} {1000 * seconds / max(holds, 1):.2f} ms" for name, seconds in spent.items()
    )


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] * 1000


def availability_timing(ids):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from booking.models import Product
    from booking.selectors import departure_seat_states, departure_slots

    product = Product.objects.get(pk=ids["month_product"])
    today = timezone.localdate()
    timings = []
    for _ in range(15):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            slots = departure_slots(
                product=product, date_from=today, date_to=today + datetime.timedelta(days=31)
            )
        timings.append(time.perf_counter() - started)
    seat_timings = []
    for _ in range(15):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as seat_queries:
            states = departure_seat_states(departure=slots[0].departure)
        seat_timings.append(time.perf_counter() - started)
    return (
        len(slots),
        statistics.median(timings) * 1000,
        len(queries),
        len(states),
        statistics.median(seat_timings) * 1000,
        len(seat_queries),
    )


def pg_hot_row() -> str:
    # A worktree has no ../shared: BENCH_SHARED names it then.
    shared = Path(os.environ.get("BENCH_SHARED", SHARED_BENCH))
    result = subprocess.run(
        ["bash", str(shared / "pg_limit.sh"), "10", "8"],
        capture_output=True,
        text=True,
        env={**os.environ, "SCENARIOS": "hot_row"},
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("scenario=")]
    return lines[-1] if lines else f"pg_limit.sh failed: {result.stderr.strip()[-300:]}"


def main():
    if not shutil.which("wrk"):
        sys.exit("bench/holds: wrk is missing (apt-get install wrk)")
    env = bench_env(DATABASE)
    # A crowd of customers behind the load balancer: each request's address comes in
    # X-Forwarded-For (bench/holds.lua), so the production rate limit and per-address
    # caps apply as they would in a sale, instead of being lifted for one address.
    env["NUM_PROXIES"] = "1"
    for name in ("BOOKING_MAX_LIVE_HOLDS_PER_ADDRESS", "BOOKING_MAX_HELD_PLACES_PER_ADDRESS"):
        env.pop(name)
    log("preparing database …")
    ids = prepare(env)
    manage(env, "collectstatic", "--noinput", "-v", "0")
    print(
        f"bench/holds: wrk + Lua, {CLIENTS} connections over HTTP, "
        f"gunicorn {WORKERS} sync workers, PostgreSQL"
    )
    with gunicorn(env, port=PORT, workers=WORKERS) as _base:
        race = wrk(PORT, ids, "general", "race", 10)
        held, sold, taken, capacity = counted(ids["general"])
        print(
            f"race: {race['created']:.0f} holds made, {race['refused']:.0f} refused; "
            f"{held + sold} places held or sold of {capacity} (counter {taken}); "
            f"oversold={max(held + sold - capacity, 0)} 5xx={race['http5xx']:.0f} "
            f"socket errors={race['sock_err']:.0f}"
        )
        wrk(PORT, ids, "roomy", "churn", 3)  # warm-up: connections, caches, workers
        taken_before = counted(ids["roomy"])[2]
        cpu_before = cpu_seconds_by_program()
        run = wrk(PORT, ids, "roomy", "hold", SECONDS)
        held, sold, taken, _ = counted(ids["roomy"])
        # `counted` waits for the requests queued when wrk stopped: the CPU and the places
        # taken both include them (one place a hold).
        cpu = cpu_per_hold(cpu_before, cpu_seconds_by_program(), taken - taken_before)
        rate = run["created"] / run["secs"]
        print(
            f"holds: {rate:.0f} holds/s over {run['secs']:.0f}s (one place each, every request "
            f"a customer of its own); p50 {run['p50_ms']:.1f} ms p99 {run['p99_ms']:.1f} ms; "
            f"refused={run['refused']:.0f} 5xx={run['http5xx']:.0f} other={run['other']:.0f} "
            f"socket errors={run['sock_err']:.0f}; counter {taken} = held {held + sold}: "
            f"{'ok' if taken == held + sold else 'MISMATCH'}"
        )
        print(f"cpu a hold: {cpu} (user + system, all processes of each)")
        churn = wrk(PORT, ids, "roomy", "churn", SECONDS)
        held, sold, taken, _ = counted(ids["roomy"])
        print(
            f"hold and release: {churn['created'] / churn['secs']:.0f} holds/s created and "
            f"{churn['released'] / churn['secs']:.0f}/s released; p50 {churn['p50_ms']:.1f} ms; "
            f"5xx={churn['http5xx']:.0f} other={churn['other']:.0f}; counter {taken} = held "
            f"{held + sold}: {'ok' if taken == held + sold else 'MISMATCH'}"
        )
    pg = pg_hot_row()
    print("postgres hot row: " + pg)
    try:
        tps = float(pg.split("tps=")[1].split()[0])
        print(f"ratio: our holds/s / PostgreSQL hot-row tps = {rate / tps:.3f}")
    except (IndexError, ValueError):
        pass
    n, ms, queries, seats, seat_ms, seat_queries = availability_timing(ids)
    print(
        f"availability: {n} departures of a month on a 300-seat map in {ms:.1f} ms with {queries} queries; "
        f"seat statuses of {seats} seats in {seat_ms:.1f} ms with {seat_queries} queries"
    )


if __name__ == "__main__":
    main()
