"""Cancelling a departure: the dry run equals what happens; holds and unpaid orders are
cancelled and the departure is off sale at once; every paid order is refunded in full
through the YooKassa emulator exactly once, even when the job dies halfway and runs again;
every customer is told once in their language; the crew is e-mailed; refusals change
nothing; a failed order is retried."""

import datetime
import time
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import TestCase
from django.utils import timezone, translation
from guardian.shortcuts import assign_perm
from wagtail.models import ModelLogEntry

from booking.gateways import sms
from booking.models import (
    CancellationRefund,
    Departure,
    Hold,
    Order,
    Refund,
    SentMessage,
    Ticket,
)
from booking.models.messaging import MessageKind
from booking.services import cancellations
from booking.services.cancellations import (
    CANCEL_ACTION,
    departure_cancel,
    departure_cancellation_preview,
    departure_cancellation_progress,
    departure_cancellation_refunds,
    departure_cancellation_retry,
)
from booking.services.errors import BookingError
from booking.services.holds import hold_create
from booking.services.refunds import refund_request
from tests.booking.refunds.helpers import adult, paid_through_yookassa, pier_departure, refund_calls
from tests.factories import make_user, placed_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outboxes():
    mail.outbox.clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def run_job(departure):
    """The job as the worker runs it: what each refund does after its commit (the call
    to YooKassa) runs too."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        departure_cancellation_refunds(departure_id=departure.pk)
    return departure_cancellation_progress(departure)


def another_hold(departure, owner="someone-else"):
    return hold_create(
        departure_id=departure.pk, owner_key=owner, quantities={adult(departure).pk: 1}
    )


def test_the_dry_run_equals_what_happens(yookassa):
    manager = make_user("manager@prichal.local")
    departure = pier_departure(capacity=40)
    ru = paid_through_yookassa(departure, count=2, email="ru@example.com", language="ru")
    en = paid_through_yookassa(
        departure, count=3, email="en@example.com", language="en", phone="+49 30 901820"
    )
    zh = paid_through_yookassa(
        departure, count=2, email="zh@example.com", language="zh-hans", phone="+86 139 1234 5678"
    )
    # One ticket of the Russian order was refunded by its customer before.
    with TestCase.captureOnCommitCallbacks(execute=True):
        refund_request(order=ru, tickets=[ru.tickets.order_by("pk").first()])
    mail.outbox.clear()
    sms.outbox.clear()
    unpaid = placed_order(departure, email="late@example.com", quantities={adult(departure).pk: 1})
    hold = another_hold(departure)

    preview = departure_cancellation_preview(departures=[departure])
    assert preview.allowed
    figures = preview.rows[0].figures
    valid = Ticket.objects.filter(order__in=[ru, en, zh], status=Ticket.Status.VALID)
    expected_total = sum((t.paid_amount for t in valid), Decimal("0"))
    assert (figures.paid_orders, figures.tickets, figures.people) == (3, 7, 6)
    assert (figures.holds, figures.unpaid_orders) == (1, 1)
    assert figures.refund_total == expected_total
    assert preview.total.refund_total == expected_total
    refunds_before = len(refund_calls(yookassa))

    departure_cancel(departures=[departure], reason="weather", text="", user=manager)

    departure.refresh_from_db()
    assert departure.status == Departure.Status.CANCELLED
    assert (departure.cancel_reason, departure.cancelled_by) == ("weather", manager)
    assert not Hold.objects.filter(pk=hold.pk).exists()
    unpaid.refresh_from_db()
    assert unpaid.status == Order.Status.CANCELLED
    # Closed to sale at once.
    with pytest.raises(BookingError) as refused:
        another_hold(departure, owner="after")
    assert refused.value.code == "departure_cancelled"
    entry = ModelLogEntry.objects.for_instance(departure).get(action=CANCEL_ACTION)
    assert entry.user == manager
    assert entry.data["refund_total"] == f"{expected_total:.2f}"
    assert (entry.data["paid_orders"], entry.data["people"]) == (3, 6)

    progress = run_job(departure)
    assert (progress.total, progress.refunded, progress.failed) == (3, 3, 0)
    assert progress.sent_to_bank == 3
    refunds = Refund.objects.filter(reason=Refund.Reason.DEPARTURE_CANCELLED)
    assert refunds.count() == 3
    assert sum(r.amount for r in refunds) == figures.refund_total
    assert all(r.status == Refund.Status.SUCCEEDED for r in refunds)
    calls = refund_calls(yookassa)[refunds_before:]
    assert len(calls) == 3
    assert len({c["key"] for c in calls}) == 3
    for order in (ru, en, zh):
        order.refresh_from_db()
        assert order.status == Order.Status.REFUNDED
    assert not Ticket.objects.filter(departure=departure, status=Ticket.Status.VALID).exists()

    # Every customer told once, in their language, with the reason and the amount.
    customer_mail = [m for m in mail.outbox if m.to[0] in (ru.email, en.email, zh.email)]
    assert sorted(m.to[0] for m in customer_mail) == sorted([ru.email, en.email, zh.email])
    by_to = {m.to[0]: m for m in customer_mail}
    assert by_to[en.email].subject == f"Order {en.code}: the departure is cancelled"
    assert "The weather does not allow the boat to sail safely." in by_to[en.email].body
    assert f"Заказ {ru.code}: рейс отменён" == by_to[ru.email].subject
    assert "Погода не позволяет" in by_to[ru.email].body
    assert "天气" in by_to[zh.email].body
    assert by_to[zh.email].extra_headers["Content-Language"] == "zh-Hans"
    assert sorted(m.phone for m in sms.outbox) == sorted(
        ["+79123456789", "+4930901820", "+8613912345678"]
    )
    sent = SentMessage.objects.filter(kind=MessageKind.DEPARTURE_CANCELLED, ok=True)
    assert sent.count() == 6

    # Running it again changes nothing and sends nothing.
    mail.outbox.clear()
    sms.outbox.clear()
    again = run_job(departure)
    assert again.refunded == 3
    assert Refund.objects.filter(reason=Refund.Reason.DEPARTURE_CANCELLED).count() == 3
    assert len(refund_calls(yookassa)) == refunds_before + 3
    assert mail.outbox == [] and sms.outbox == []


class Killed(BaseException):
    """The worker dies (not an error the job records)."""


def test_fifty_orders_refunded_once_each_when_the_job_dies_halfway(yookassa, monkeypatch):
    departure = pier_departure(capacity=120)
    started = time.monotonic()
    orders = [
        paid_through_yookassa(departure, count=1, email=f"c{i}@example.com") for i in range(50)
    ]
    setup_seconds = time.monotonic() - started
    departure_cancel(departures=[departure], reason="technical")
    real = cancellations.refund_request
    calls = []

    def dies_after_twenty(**kwargs):
        if len(calls) == 20:
            raise Killed
        calls.append(kwargs["order"].pk)
        return real(**kwargs)

    monkeypatch.setattr(cancellations, "refund_request", dies_after_twenty)
    started = time.monotonic()
    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(Killed):
        departure_cancellation_refunds(departure_id=departure.pk)
    progress = departure_cancellation_progress(departure)
    assert (progress.refunded, progress.pending, progress.failed) == (20, 30, 0)
    assert Refund.objects.filter(reason=Refund.Reason.DEPARTURE_CANCELLED).count() == 20

    monkeypatch.setattr(cancellations, "refund_request", real)
    progress = run_job(departure)
    run_job(departure)  # and once more for good measure
    job_seconds = time.monotonic() - started
    assert (progress.total, progress.refunded, progress.failed) == (50, 50, 0)
    for order in orders:
        refunds = Refund.objects.filter(payment__order=order)
        assert refunds.count() == 1, order.code
        assert refunds.get().amount == order.total
    assert len(refund_calls(yookassa)) == 50
    assert Refund.objects.filter(status=Refund.Status.SUCCEEDED).count() == 50
    # Every customer told once by e-mail and once by SMS.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in orders)
    assert len(sms.outbox) == 50
    print(f"50 paid orders: {setup_seconds:.1f} s; job (killed, rerun twice): {job_seconds:.1f} s")


def test_a_failed_order_is_shown_and_retried(yookassa, monkeypatch):
    departure = pier_departure()
    good = paid_through_yookassa(departure, count=1, email="good@example.com")
    bad = paid_through_yookassa(departure, count=1, email="bad@example.com")
    departure_cancel(departures=[departure], reason="other", text="Причал закрыт")
    real = cancellations.refund_request

    def refuses_one(**kwargs):
        if kwargs["order"].pk == bad.pk:
            raise BookingError("order_not_refundable")
        return real(**kwargs)

    monkeypatch.setattr(cancellations, "refund_request", refuses_one)
    progress = run_job(departure)
    assert (progress.refunded, progress.failed) == (1, 1)
    assert CancellationRefund.objects.get(order=bad).error == "order_not_refundable"
    with translation.override("en"):
        progress = departure_cancellation_progress(departure)
    assert progress.failures == [(bad.code, "Only a paid order can be refunded.")]
    # A failed order is not tried again by a plain rerun, only by Retry.
    run_job(departure)
    assert CancellationRefund.objects.get(order=bad).attempts == 1

    monkeypatch.setattr(cancellations, "refund_request", real)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert departure_cancellation_retry(departure=departure) == 1
    row = CancellationRefund.objects.get(order=bad)
    assert (row.status, row.attempts, row.error) == ("refunded", 2, "")
    assert Refund.objects.filter(payment__order__in=[good, bad]).count() == 2
    bad_mail = [m for m in mail.outbox if m.to == [bad.email]]
    assert len(bad_mail) == 1 and "Причал закрыт" in bad_mail[0].body


def test_the_crew_of_the_pier_and_the_vessel_is_emailed_once(yookassa):
    departure = pier_departure()
    paid_through_yookassa(departure, count=1)
    at_pier = make_user("pier@prichal.local")
    assign_perm("booking.assigned_to_venue", at_pier, departure.venue)
    on_boat = make_user("boat@prichal.local")
    crew = Group.objects.create(name="Boat crew")
    on_boat.groups.add(crew)
    assign_perm("booking.assigned_to_vessel", crew, departure.vessel)
    elsewhere = make_user("elsewhere@prichal.local")
    assign_perm("booking.assigned_to_venue", elsewhere, pier_departure().venue)

    departure_cancel(departures=[departure], reason="technical")
    run_job(departure)
    run_job(departure)
    staff = sorted(m.to[0] for m in mail.outbox if m.to[0].endswith("@prichal.local"))
    assert staff == ["boat@prichal.local", "pier@prichal.local"]


def test_many_departures_at_once():
    first, second = pier_departure(), pier_departure()
    placed_order(first, email="a@example.com", paid=True)
    placed_order(second, email="b@example.com", paid=True)
    preview = departure_cancellation_preview(departures=[first.pk, str(second.pk)])
    assert preview.total.paid_orders == 2 and len(preview.rows) == 2
    departure_cancel(departures=[first, second], reason="weather")
    assert set(Departure.objects.values_list("status", flat=True)) == {"cancelled"}
    assert CancellationRefund.objects.count() == 2


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"reason": "storm"}, "cancel_reason_invalid"),
        ({"reason": "other", "text": "   "}, "cancel_text_required"),
        ({"reason": "other", "text": "x" * 501}, "note_too_long"),
        ({"reason": "weather", "departures": []}, "no_departures"),
        ({"reason": "weather", "departures": ["abc"]}, "departure_not_found"),
        ({"reason": "weather", "departures": [999999]}, "departure_not_found"),
    ],
)
def test_bad_input_changes_nothing(kwargs, code):
    departure = pier_departure()
    kwargs.setdefault("departures", [departure])
    with pytest.raises(BookingError) as error:
        departure_cancel(**kwargs)
    assert error.value.code == code
    departure.refresh_from_db()
    assert departure.status == Departure.Status.SCHEDULED


def test_a_departed_or_cancelled_departure_is_refused_with_nothing_changed():
    gone = pier_departure(starts_at=timezone.now() - datetime.timedelta(hours=1))
    ahead = pier_departure()
    with pytest.raises(BookingError) as error:
        departure_cancel(departures=[ahead, gone], reason="weather")
    assert error.value.code == "departure_already_departed"
    ahead.refresh_from_db()
    assert ahead.status == Departure.Status.SCHEDULED  # all or nothing
    departure_cancel(departures=[ahead], reason="weather")
    with pytest.raises(BookingError) as error:
        departure_cancel(departures=[ahead], reason="technical")
    assert error.value.code == "departure_already_cancelled"
    preview = departure_cancellation_preview(departures=[ahead, gone])
    assert not preview.allowed and all(row.refusal for row in preview.rows)


def test_a_long_run_hands_the_rest_to_the_next_run(yookassa, monkeypatch):
    """Each run stops after its time budget (here: after one order) and queues the next,
    so a run never meets the worker's timeout; the runs together refund everything once."""
    departure = pier_departure()
    orders = [
        paid_through_yookassa(departure, count=1, email=f"r{i}@example.com") for i in range(3)
    ]
    departure_cancel(departures=[departure], reason="weather")
    queued = []
    monkeypatch.setattr(cancellations, "JOB_SECONDS", -1)
    monkeypatch.setattr(cancellations, "enqueue", lambda *args: queued.append(args))
    for run in (1, 2, 3):
        progress = run_job(departure)
        assert progress.refunded == run
    assert queued == [(cancellations.JOB, departure.pk)] * 2
    assert Refund.objects.filter(payment__order__in=orders).count() == 3
    assert len(mail.outbox) == 3
