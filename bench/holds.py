#!/usr/bin/env python
"""bench/holds.py — holds under a crowd.

Serves the site under gunicorn on PostgreSQL (production settings) and lets 200
concurrent HTTP clients race for a 100-seat assigned-seating departure and a 100-place
general-admission one:

1. the race: every client tries to hold a seat (random free-looking seat, retrying on
   409) or 1–2 places until the departure is full; afterwards the database is checked
   for oversold places (must be 0);
2. throughput: for BENCH_SECONDS the clients create and release holds on both
   departures; prints holds/s, p50/p99 latency per operation and errors by kind;
3. the same PostgreSQL's hot-row limit with ../shared/bench/pg_limit.sh (pgbench, one row
   updated by 8 clients), so the ratio of our rate to the database's is visible;
4. the availability query for a month of departures on a 300-seat map.

Run: `make bench-holds` (or `.venv/bin/python bench/holds.py`)."""

import datetime
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
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
    seated_vessel = Vessel.objects.create(name="Зал", capacity=100, seating_mode="assigned")
    seat_map = SeatMap.objects.create(vessel=seated_vessel, name="100", is_default=True)
    seat_map_apply(
        seat_map=seat_map,
        layout={"sections": [{"name": "Палуба", "rows": 10, "seats_per_row": 10}]},
    )
    big_vessel = Vessel.objects.create(name="Большой", capacity=300, seating_mode="assigned")
    big_map = SeatMap.objects.create(vessel=big_vessel, name="300", is_default=True)
    seat_map_apply(
        seat_map=big_map,
        layout={"sections": [{"name": "Палуба", "rows": 15, "seats_per_row": 20}]},
    )
    ga_vessel = Vessel.objects.create(name="Палуба", capacity=100, seating_mode="general")
    product = Product.objects.create(kind="excursion", code="bench", name="Бенч", venue=venue)
    adult = TicketType.objects.create(product=product, name="Взрослый", price=1500)
    starts = timezone.now() + datetime.timedelta(days=3)
    seated = Departure.objects.create(
        product=product,
        vessel=seated_vessel,
        venue=venue,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
    )
    general = Departure.objects.create(
        product=product,
        vessel=ga_vessel,
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
        "seated": seated.pk,
        "general": general.pk,
        "adult": adult.pk,
        "seat_ids": list(seat_map.seats.values_list("pk", flat=True)),
        "month_product": month_product.pk,
    }


class Client:
    def __init__(self, port):
        self.port = port

    def call(self, method, path, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        started = time.perf_counter()
        try:
            connection.request(
                method,
                path,
                body=json.dumps(body) if body is not None else None,
                headers={"Content-Type": "application/json"},
            )
            response = connection.getresponse()
            data = response.read()
            status = response.status
        except OSError as error:
            return "socket:" + type(error).__name__, None, time.perf_counter() - started
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        payload = json.loads(data) if data and data[:1] == b"{" else None
        return status, payload, elapsed


def race(port, ids):
    """Phase 1: everybody races until both departures are full."""
    barrier = threading.Barrier(CLIENTS)
    outcomes = Counter()
    held_seats, held_places = Counter(), [0]
    lock = threading.Lock()

    def worker(n):
        client = Client(port)
        rng = random.Random(n)
        barrier.wait()
        seated_full = general_full = False
        while not (seated_full and general_full):
            if not seated_full:
                seat = rng.choice(ids["seat_ids"])
                status, payload, _ = client.call(
                    "POST",
                    "/api/v1/holds",
                    {"departure_id": ids["seated"], "seats": [{"seat_id": seat}]},
                )
                with lock:
                    outcomes[f"seated {status} {payload and payload.get('code', '')}".strip()] += 1
                    if status == 201:
                        held_seats[seat] += 1
                if status != 201:
                    _, free, _ = client.call("GET", f"/api/v1/departures/{ids['seated']}")
                    seated_full = not free or free.get("remaining", 0) == 0
            if not general_full:
                quantity = rng.choice((1, 2))
                status, payload, _ = client.call(
                    "POST",
                    "/api/v1/holds",
                    {
                        "departure_id": ids["general"],
                        "quantities": [{"ticket_type_id": ids["adult"], "quantity": quantity}],
                    },
                )
                with lock:
                    outcomes[f"general {status} {payload and payload.get('code', '')}".strip()] += 1
                    if status == 201:
                        held_places[0] += quantity
                if status == 409 and payload and payload.get("code") == "not_enough_places":
                    general_full = quantity == 1 or "0" in payload["message"][-3:]
                    if not general_full:
                        continue

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes, held_seats, held_places[0], time.perf_counter() - started


def throughput(port, ids):
    """Phase 2: create and release holds for SECONDS; measures the hold path."""
    deadline = time.perf_counter() + SECONDS
    latencies = {"create": [], "release": []}
    outcomes = Counter()
    lock = threading.Lock()

    def worker(n):
        client = Client(port)
        rng = random.Random(1000 + n)
        while time.perf_counter() < deadline:
            if n % 2:
                body = {
                    "departure_id": ids["seated"],
                    "seats": [{"seat_id": rng.choice(ids["seat_ids"])}],
                }
            else:
                body = {
                    "departure_id": ids["general"],
                    "quantities": [{"ticket_type_id": ids["adult"], "quantity": 1}],
                }
            status, payload, elapsed = client.call("POST", "/api/v1/holds", body)
            with lock:
                latencies["create"].append(elapsed)
                outcomes[
                    f"create {status} {(payload and payload.get('code', '')) or ''}".strip()
                ] += 1
            if status == 201:
                status, _, elapsed = client.call("DELETE", f"/api/v1/holds/{payload['token']}")
                with lock:
                    latencies["release"].append(elapsed)
                    outcomes[f"release {status}"] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, outcomes, time.perf_counter() - started


def oversold(ids) -> tuple[int, int]:
    from django.db import connection
    from django.db.models import Sum
    from django.utils import timezone

    from booking.models import Departure, HoldLine, SeatClaim

    connection.close()
    now = timezone.now()
    seat_double = (
        SeatClaim.objects.filter(departure_id=ids["seated"])
        .values("seat_id")
        .annotate(n=Sum(1))
        .filter(n__gt=1)
        .count()
    )
    seats_over = max(
        SeatClaim.objects.filter(departure_id=ids["seated"]).count() - len(ids["seat_ids"]), 0
    )
    held = (
        HoldLine.objects.filter(
            hold__departure_id=ids["general"], hold__expires_at__gt=now
        ).aggregate(total=Sum("quantity"))["total"]
        or 0
    )
    capacity = Departure.objects.select_related("vessel").get(pk=ids["general"]).effective_capacity
    return seat_double + seats_over, max(held - capacity, 0)


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
    result = subprocess.run(
        ["bash", str(SHARED_BENCH / "pg_limit.sh"), "10", "8"],
        capture_output=True,
        text=True,
        env={**os.environ, "SCENARIOS": "hot_row"},
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("scenario=")]
    return lines[-1] if lines else f"pg_limit.sh failed: {result.stderr.strip()[-300:]}"


def main():
    env = bench_env(DATABASE)
    env["BOOKING_HOLD_RATE"] = "1000000/s"
    log("preparing database …")
    ids = prepare(env)
    manage(env, "collectstatic", "--noinput", "-v", "0")
    print(f"bench/holds: {CLIENTS} clients over HTTP, gunicorn {WORKERS} sync workers, PostgreSQL")
    with gunicorn(env, port=PORT, workers=WORKERS) as _base:
        outcomes, held_seats, held_places, race_secs = race(PORT, ids)
        seats_over, places_over = oversold(ids)
        print(
            f"race: {sum(held_seats.values())} seats of {len(ids['seat_ids'])} and {held_places} places of 100 held "
            f"in {race_secs:.1f}s; oversold seats={seats_over} oversold places={places_over}"
        )
        print("race outcomes: " + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))
        from booking.models import Hold

        Hold.objects.all().delete()
        latencies, outcomes, secs = throughput(PORT, ids)
        seats_over2, places_over2 = oversold(ids)
    created = outcomes.get("create 201", 0)
    print(
        f"throughput: {created / secs:.0f} holds/s created (+ as many releases) over {secs:.0f}s; "
        f"create p50 {percentile(latencies['create'], 50):.1f} ms p99 {percentile(latencies['create'], 99):.1f} ms; "
        f"release p50 {percentile(latencies['release'], 50):.1f} ms p99 {percentile(latencies['release'], 99):.1f} ms; "
        f"oversold seats={seats_over2} places={places_over2}"
    )
    print("throughput outcomes: " + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))
    pg = pg_hot_row()
    print("postgres hot row: " + pg)
    try:
        tps = float(pg.split("tps=")[1].split()[0])
        print(f"ratio: our holds/s / PostgreSQL hot-row tps = {created / secs / tps:.3f}")
    except (IndexError, ValueError):
        pass
    n, ms, queries, seats, seat_ms, seat_queries = availability_timing(ids)
    print(
        f"availability: {n} departures of a month on a 300-seat map in {ms:.1f} ms with {queries} queries; "
        f"seat statuses of {seats} seats in {seat_ms:.1f} ms with {seat_queries} queries"
    )


if __name__ == "__main__":
    main()
