#!/usr/bin/env python
"""bench/cancellation.py — a full departure cancelled for weather.

On a fresh PostgreSQL database (production settings) with the YooKassa emulator running
in this process (real HTTP, the official SDK): a departure with BENCH_PASSENGERS
passengers (2 per order, every order paid through the emulator), then what a manager's
"Cancel the departure" does:

1. the dry run (`departure_cancellation_preview`),
2. the cancellation itself (`departure_cancel`: closed to sale, a row per paid order),
3. the refund job (`departure_cancellation_refunds`) run the way the worker runs it, run
   after run (each stops after its 60-second budget and queues the next) until every
   order is refunded: each refund is sent to the emulator over HTTP and each customer
   gets an e-mail and an SMS,
4. the job once more, as a retried task would: it must refund nothing twice.

Prints the time of each step, refunds per second, and the emulator's refund count (must
equal the paid orders). The issue asks that 300 passengers complete within minutes.

Run: `make bench-cancellation` (or `.venv/bin/python bench/cancellation.py`)."""

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import bench_env, fresh_database, log, setup_django

DATABASE = "prichal_bench_cancellation"
PASSENGERS = int(os.environ.get("BENCH_PASSENGERS", "300"))


def prepare(env, emulator) -> int:
    """The departure with its paid orders; returns its id."""
    fresh_database(env, DATABASE)
    setup_django(env)
    from django.conf import settings
    from django.utils import timezone

    from booking.models import Departure, Payment, Product, TicketType, Venue, Vessel
    from booking.services.holds import hold_create
    from booking.services.orders import CheckoutDetails, ConsentDocument, order_create
    from booking.services.payments import payment_refresh, payment_start

    settings.YOOKASSA_API_URL = emulator.api_url
    venue = Venue.objects.create(
        name="Бенч", slug="bench", address="наб. Бенча, 1", latitude=59.94, longitude=30.31
    )
    vessel = Vessel.objects.create(name="Палуба", capacity=PASSENGERS, seating_mode="general")
    product = Product.objects.create(kind="excursion", code="bench", name="Бенч", venue=venue)
    adult = TicketType.objects.create(product=product, name="Взрослый", price=1500)
    starts = timezone.now() + datetime.timedelta(days=3)
    departure = Departure.objects.create(
        product=product,
        vessel=vessel,
        venue=venue,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
    )
    for n in range(PASSENGERS // 2):
        hold = hold_create(
            departure_id=departure.pk, owner_key=f"bench-{n}", quantities={adult.pk: 2}
        )
        order = order_create(
            hold=hold,
            details=CheckoutDetails(
                name=f"Пассажир {n}",
                email=f"passenger{n}@example.com",
                phone="+79123456789",
                language=("ru", "en", "zh-hans")[n % 3],
                personal_data_consent=True,
                offer_accepted=True,
                ip_address="127.0.0.1",
                personal_data_document=ConsentDocument("/ru/consent/", "1.1"),
                offer_document=ConsentDocument("/ru/offer/", "1.2"),
            ),
        )
        payment = payment_start(order=order, return_url="http://127.0.0.1/ru/")
        emulator.emulator.settle(payment.provider_id, "pay")
        payment_refresh(payment=Payment.objects.get(pk=payment.pk))
    return departure.pk


def main():
    env = bench_env(DATABASE)
    env["YOOKASSA_SHOP_ID"] = "emulator"
    env["YOOKASSA_SECRET_KEY"] = "test_emulator_key"
    env["LOG_LEVEL"] = "ERROR"
    from devservers.yookassa import EmulatorServer

    emulator = EmulatorServer(notification_url=None).start()
    log(f"preparing {PASSENGERS} passengers, every order paid through the emulator …")
    started = time.perf_counter()
    departure_id = prepare(env, emulator)
    log(f"prepared in {time.perf_counter() - started:.1f}s")

    from booking.models import Departure, Order, SentMessage
    from booking.services.cancellations import (
        departure_cancel,
        departure_cancellation_preview,
        departure_cancellation_refunds,
    )

    paid = Order.objects.filter(departure_id=departure_id, status="paid").count()
    print(
        f"bench/cancellation: a departure with {PASSENGERS} passengers in {paid} paid orders, "
        "cancelled for weather; services in-process on PostgreSQL, YooKassa emulator over HTTP"
    )
    started = time.perf_counter()
    preview = departure_cancellation_preview(departures=[departure_id])
    print(
        f"dry run:  {(time.perf_counter() - started) * 1000:7.1f} ms  "
        f"({preview.total.paid_orders} orders, {preview.total.people} people, "
        f"{preview.total.refund_total} ₽ to refund)"
    )
    started = time.perf_counter()
    departure_cancel(departures=[departure_id], reason="weather")
    print(
        f"cancel:   {(time.perf_counter() - started) * 1000:7.1f} ms  (closed to sale, rows written)"
    )
    started = time.perf_counter()
    runs = 0
    while True:
        runs += 1
        progress = departure_cancellation_refunds(departure_id=departure_id)
        if progress.done or runs > 50:
            break
    seconds = time.perf_counter() - started
    print(
        f"refunds:  {seconds:7.1f} s   {progress.refunded}/{progress.total} orders refunded in "
        f"{runs} run(s) = {progress.refunded / seconds:.1f} refunds/s; accepted by the bank "
        f"{progress.sent_to_bank}, customers told {progress.notified}, failed {progress.failed}"
    )
    started = time.perf_counter()
    again = departure_cancellation_refunds(departure_id=departure_id)
    print(
        f"again:    {(time.perf_counter() - started) * 1000:7.1f} ms  (refunded {again.refunded}, "
        f"emulator refunds {len(emulator.emulator.store.refunds)}: must equal {paid})"
    )
    messages = SentMessage.objects.filter(order__departure_id=departure_id)
    print(
        f"messages: {messages.filter(channel='email').count()} e-mails, "
        f"{messages.filter(channel='sms').count()} SMS recorded; departure status "
        f"{Departure.objects.get(pk=departure_id).status}"
    )
    emulator.stop()


if __name__ == "__main__":
    main()
