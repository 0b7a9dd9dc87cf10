#!/usr/bin/env python
"""bench/checkout.py — customers buying at once: hold → order → payment creation.

On a fresh PostgreSQL database (production settings) with the YooKassa emulator running
in this process (real HTTP, the official SDK), N customer threads each:

1. hold 2 places on a general-admission departure (`hold_create`),
2. place the order with contact details and consents (`order_create`),
3. create the payment at the emulator with its receipt (`payment_start`),

and then every payment is settled with "Pay" and the orders are confirmed through the
same code path the notifications use. Prints orders per second, p50/p99 of each step,
oversold places (must be 0), and how many PDF ticket files the worker renders per second
(`order_tickets_pdf`, one process) beside a reference from the same run: a one-page
WeasyPrint PDF with the same fonts, the framework's floor.

The customers call the services in-process (one database connection per thread), not
through the checkout form over HTTP: the page's own cost is measured by bench/pages.py.

Run: `make bench-checkout` (or `.venv/bin/python bench/checkout.py`); `BENCH_ONLY=pdf`
makes only the 20 purchases the PDF figures need."""

import datetime
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import bench_env, fresh_database, log, setup_django

DATABASE = os.environ.get("BENCH_DATABASE", "prichal_bench_checkout")
# BENCH_ONLY=pdf: only as many purchases as the PDF figure needs, then the PDF figures.
ONLY_PDF = os.environ.get("BENCH_ONLY") == "pdf"
PDF_ORDERS = int(os.environ.get("BENCH_PDF_ORDERS", "20"))
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "4" if ONLY_PDF else "40"))
ORDERS_EACH = int(os.environ.get("BENCH_ORDERS_EACH", "5"))


def prepare(env) -> dict:
    fresh_database(env, DATABASE)
    setup_django(env)
    from django.utils import timezone

    from booking.models import Departure, Product, ServiceFee, TicketType, Venue, Vessel

    venue = Venue.objects.create(
        name="Бенч", slug="bench", address="наб. Бенча, 1", latitude=59.94, longitude=30.31
    )
    vessel = Vessel.objects.create(name="Палуба", capacity=10_000, seating_mode="general")
    product = Product.objects.create(kind="excursion", code="bench", name="Бенч", venue=venue)
    adult = TicketType.objects.create(product=product, name="Взрослый", price=1500)
    ServiceFee.objects.create(name="Сервисный сбор", per="order", kind="percent", value=3)
    starts = timezone.now() + datetime.timedelta(days=3)
    departure = Departure.objects.create(
        product=product,
        vessel=vessel,
        venue=venue,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        capacity=CUSTOMERS * ORDERS_EACH * 2,
    )
    return {"departure": departure.pk, "adult": adult.pk}


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] * 1000


def customers(ids):
    from django.db import connection

    from booking.services.errors import BookingError
    from booking.services.holds import hold_create
    from booking.services.orders import CheckoutDetails, ConsentDocument, order_create
    from booking.services.payments import payment_start

    timings = {"hold": [], "order": [], "payment": [], "total": []}
    outcomes = Counter()
    payments = []
    lock = threading.Lock()

    def customer(n):
        for k in range(ORDERS_EACH):
            try:
                started = time.perf_counter()
                hold = hold_create(
                    departure_id=ids["departure"],
                    owner_key=f"bench-{n}",
                    quantities={ids["adult"]: 2},
                )
                held = time.perf_counter()
                order = order_create(
                    hold=hold,
                    details=CheckoutDetails(
                        name=f"Покупатель {n}",
                        email=f"buyer{n}-{k}@example.com",
                        phone="+79123456789",
                        language="ru",
                        personal_data_consent=True,
                        offer_accepted=True,
                        ip_address="127.0.0.1",
                        personal_data_document=ConsentDocument("/ru/consent/", "1.1"),
                        offer_document=ConsentDocument("/ru/offer/", "1.2"),
                    ),
                )
                ordered = time.perf_counter()
                payment = payment_start(
                    order=order, return_url=f"http://127.0.0.1/ru/booking/order/{order.code}/"
                )
                paid = time.perf_counter()
            except BookingError as error:
                with lock:
                    outcomes[error.code] += 1
                continue
            with lock:
                outcomes["ok"] += 1
                timings["hold"].append(held - started)
                timings["order"].append(ordered - held)
                timings["payment"].append(paid - ordered)
                timings["total"].append(paid - started)
                payments.append(payment.provider_id)
        connection.close()

    threads = [threading.Thread(target=customer, args=(n,)) for n in range(CUSTOMERS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, outcomes, payments, time.perf_counter() - started


def settle_all(emulator, payments):
    """Every customer presses "Pay"; the site applies it as a notification would."""
    from booking.models import Payment
    from booking.services.payments import payment_refresh

    started = time.perf_counter()
    for provider_id in payments:
        emulator.emulator.settle(provider_id, "pay")
        payment_refresh(payment=Payment.objects.get(provider_id=provider_id))
    return time.perf_counter() - started


def pdf_rate():
    """The worker's PDF rate: the orders' PDFs (a page per ticket and the summary page)
    one after the other in this process, wall clock and this process's CPU time."""
    from booking.models import Order
    from booking.services.confirmations import order_tickets_pdf

    orders = list(Order.objects.filter(status="paid").order_by("pk")[:PDF_ORDERS])
    order_tickets_pdf(orders[0])  # fonts loaded once per worker process, not per PDF
    started, cpu = time.perf_counter(), time.process_time()
    tickets = 0
    for order in orders:
        order_tickets_pdf(order)
        tickets += order.tickets.count()
    return len(orders), time.perf_counter() - started, time.process_time() - cpu, tickets


def pdf_floor():
    """The reference: the framework's floor, a one-page WeasyPrint PDF with a line of
    text in the tickets' fonts (the same font configuration and stylesheet), rendered as
    many times in the same process. What a ticket costs above it is our layout."""
    from weasyprint import HTML

    from booking.tickets.pdf import shared_renderer

    font_config, url_fetcher, stylesheet = shared_renderer()
    html = (
        '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"></head>'
        "<body><p>Билет 1/1 · Ticket · K7M-4QXP</p></body></html>"
    )

    def one():
        HTML(string=html, url_fetcher=url_fetcher).write_pdf(
            stylesheets=[stylesheet], font_config=font_config
        )

    one()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(PDF_ORDERS):
        one()
    return PDF_ORDERS, time.perf_counter() - started, time.process_time() - cpu


def print_pdf_figures():
    count, seconds, cpu, tickets = pdf_rate()
    print(
        f"pdf: {count} orders ({tickets} tickets, a page each, + a summary page each) in "
        f"{seconds:.2f}s = {count / seconds:.1f} PDFs/s, {tickets / seconds:.1f} tickets/s, "
        f"one process ({cpu / tickets * 1000:.0f} ms CPU a ticket)"
    )
    floor_count, floor_seconds, floor_cpu = pdf_floor()
    print(
        f"pdf reference: a one-page WeasyPrint PDF with the same fonts and stylesheet: "
        f"{floor_count / floor_seconds:.1f} PDFs/s ({floor_cpu / floor_count * 1000:.0f} ms "
        f"CPU each), the framework's floor; ratio tickets/s ÷ floor PDFs/s = "
        f"{tickets / seconds / (floor_count / floor_seconds):.2f}"
    )


def main():
    env = bench_env(DATABASE)
    env["YOOKASSA_SHOP_ID"] = "emulator"
    env["YOOKASSA_SECRET_KEY"] = "test_emulator_key"
    env["LOG_LEVEL"] = "ERROR"
    log("preparing database …")
    ids = prepare(env)
    from devservers.yookassa import EmulatorServer

    emulator = EmulatorServer(notification_url=None).start()
    from django.conf import settings

    settings.YOOKASSA_API_URL = emulator.api_url
    print(
        f"bench/checkout: {CUSTOMERS} customers × {ORDERS_EACH} orders (2 tickets each), "
        "services in-process on PostgreSQL, YooKassa emulator over HTTP"
    )
    timings, outcomes, payments, seconds = customers(ids)
    print(
        f"orders: {outcomes['ok']} in {seconds:.1f}s = {outcomes['ok'] / seconds:.1f} orders/s "
        f"(hold → order → payment created); outcomes: "
        + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items()))
    )
    for step in ("hold", "order", "payment", "total"):
        print(
            f"  {step:8} p50 {percentile(timings[step], 50):7.1f} ms   "
            f"p99 {percentile(timings[step], 99):7.1f} ms"
        )
    settle_seconds = settle_all(emulator, payments)
    from booking.models import Order, Ticket

    paid = Order.objects.filter(status="paid").count()
    sold = Ticket.objects.filter(departure_id=ids["departure"], status="valid").count()
    print(
        f"settled: {paid} orders paid in {settle_seconds:.1f}s "
        f"({paid / settle_seconds:.1f}/s, one thread); tickets sold {sold}, "
        f"emulator payments {len(emulator.emulator.store.payments)} (must equal orders)"
    )
    print_pdf_figures()
    emulator.stop()


if __name__ == "__main__":
    main()
