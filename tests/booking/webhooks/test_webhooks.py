"""Outbound webhooks (booking.services.webhooks) against a real receiver on 127.0.0.1: a
paid order, a refund, a boarding, a cancelled departure and a support case arrive signed
and verifiable; a receiver that fails gets the retry at its time; a resend carries the same
event id; a subscription that keeps failing is paused and its owner told; nobody
subscribed, nothing is recorded; a tampered body or an old timestamp fails verification."""

import datetime
import json
import time

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import timezone
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from booking.models import CancelReason, Order, WebhookDelivery, WebhookEvent, WebhookSubscription
from booking.services.cancellations import departure_cancel
from booking.services.checkin import ticket_check_in_by_id
from booking.services.refunds import refund_request
from booking.services.webhooks import (
    MAX_ATTEMPTS,
    PAUSE_ACTION,
    RESEND_ACTION,
    RETRY_DELAYS,
    delivery_resend,
    webhook_deliveries_send_due,
    webhook_events_check,
    webhook_signature,
    webhook_signature_verify,
    webhook_url_check,
    webhooks_emit,
)
from devservers.webhook_receiver import Receiver, verify
from support.models import Case
from support.services.cases import CaseRequest, case_open
from tests.booking.refunds.helpers import DEADLINE, paid_through_yookassa, pier_departure
from tests.concurrency import race
from tests.factories import make_user, placed_order

pytestmark = pytest.mark.django_db
IN_TIME = DEADLINE - datetime.timedelta(days=2)


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def owner():
    return make_user("hooks-owner@example.com")


def subscribe(receiver, owner, *events, **fields) -> WebhookSubscription:
    subscription = WebhookSubscription.objects.create(
        name="Бухгалтерия", url=receiver.url, events=list(events), owner=owner, **fields
    )
    receiver.secret = subscription.secret
    return subscription


def after_commit(function, *args, **kwargs):
    """Runs `function` with what it queues after its commit (the sending) done before this
    returns, as outside a test."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return function(*args, **kwargs)


def owner_mail():
    """What the owner was sent (the case's customer gets an acknowledgement too)."""
    return [m for m in mail.outbox if m.to == ["hooks-owner@example.com"]]


def emit_case_created():
    request = CaseRequest(channel=Case.Channel.WEB, subject="Рюкзак", body="Забыл", email="a@b.ru")
    return after_commit(case_open, request=request)


def test_a_paid_order_delivers_order_paid_signed_and_verifiable(receiver, owner, yookassa):
    subscription = subscribe(receiver, owner, WebhookEvent.ORDER_PAID)
    order = after_commit(paid_through_yookassa, email="anna@example.com", name="Анна", count=2)

    assert receiver.events() == ["order.paid"]
    received = receiver.received[0]
    assert received.verified
    body = received.json
    assert received.headers["X-Prichal-Delivery"] == body["id"]
    assert received.headers["X-Prichal-Timestamp"] == received.headers["X-Prichal-Signature"].split(
        ","
    )[0].removeprefix("t=")
    assert body["type"] == "order.paid"
    data = body["data"]
    assert data["order"]["code"] == order.code
    assert data["order"]["status"] == Order.Status.PAID
    assert data["order"]["total"] == f"{order.total:.2f}"
    assert data["departure"]["id"] == order.departure_id
    assert data["departure"]["product"] == order.departure.product.code
    assert [t["id"] for t in data["tickets"]] == list(
        order.tickets.order_by("pk").values_list("pk", flat=True)
    )
    # No personal data: no e-mail, name or phone anywhere in the body.
    for secret in ("anna@example.com", "Анна", order.phone):
        assert secret not in received.body.decode()
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.SUCCEEDED, 1)
    attempt = delivery.attempt_set.get()
    assert attempt.status_code == 200
    assert attempt.response_excerpt == '{"ok": true}'


def test_a_refund_delivers_ticket_refunded_and_refund_succeeded(receiver, owner, yookassa):
    subscribe(receiver, owner, WebhookEvent.TICKET_REFUNDED, WebhookEvent.REFUND_SUCCEEDED)
    order = paid_through_yookassa(pier_departure(), count=2)  # no order.paid subscription
    ticket = order.tickets.order_by("pk").first()

    refund = after_commit(refund_request, order=order, tickets=[ticket], now=IN_TIME)

    assert receiver.events() == ["ticket.refunded", "refund.succeeded"]
    assert all(item.verified for item in receiver.received)
    refunded, succeeded = (item.json["data"] for item in receiver.received)
    assert refunded["refund"]["id"] == succeeded["refund"]["id"] == refund.pk
    assert refunded["refund"]["amount"] == f"{ticket.paid_amount:.2f}"
    assert [t["id"] for t in refunded["tickets"]] == [ticket.pk]
    assert refunded["tickets"][0]["status"] == "refunded"
    assert succeeded["refund"]["status"] == "succeeded"
    # Two events, two ids.
    assert receiver.received[0].json["id"] != receiver.received[1].json["id"]


def test_a_boarding_and_a_support_case_are_delivered(receiver, owner, yookassa):
    subscribe(receiver, owner, WebhookEvent.TICKET_CHECKED_IN, WebhookEvent.CASE_CREATED)
    departure = pier_departure(starts_at=timezone.now() + datetime.timedelta(minutes=20))
    order = paid_through_yookassa(departure, count=1)
    ticket = order.tickets.get()
    crew = make_user("crew@example.com", is_superuser=True)

    result = after_commit(
        ticket_check_in_by_id, ticket_id=ticket.pk, departure_id=departure.pk, user=crew
    )
    case = emit_case_created()

    assert result.ok
    assert receiver.events() == ["ticket.checked_in", "case.created"]
    boarded, opened = (item.json["data"] for item in receiver.received)
    assert boarded["ticket"]["id"] == ticket.pk
    assert boarded["ticket"]["checked_in_at"] is not None
    assert boarded["order"] == {"code": order.code}
    assert opened["case"]["id"] == case.pk
    assert "a@b.ru" not in receiver.received[1].body.decode()


def test_a_cancelled_departure_delivers_departure_and_order_cancelled(receiver, owner):
    subscribe(receiver, owner, WebhookEvent.ORDER_CANCELLED, WebhookEvent.DEPARTURE_CANCELLED)
    departure = pier_departure()
    unpaid = placed_order(departure, email="late@example.com")

    after_commit(departure_cancel, departures=[departure], reason=CancelReason.WEATHER)

    # The unpaid order is cancelled first, inside the departure's cancellation.
    assert receiver.events() == ["order.cancelled", "departure.cancelled"]
    assert all(item.verified for item in receiver.received)
    cancelled, departed = (item.json["data"] for item in receiver.received)
    assert cancelled["order"]["code"] == unpaid.code
    assert cancelled["order"]["status"] == Order.Status.CANCELLED
    assert departed["departure"] == {
        "id": departure.pk,
        "starts_at": departure.starts_at.isoformat(),
        "status": "cancelled",
        "product": departure.product.code,
        "venue_id": departure.venue_id,
    }
    assert (departed["reason"], departed["paid_orders"]) == ("weather", 0)


def test_a_failing_receiver_gets_the_retry_at_its_time(receiver, owner):
    subscription = subscribe(receiver, owner, WebhookEvent.CASE_CREATED)
    receiver.answers = [500, 200]
    emit_case_created()

    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.PENDING, 1)
    first = delivery.attempt_set.get()
    assert first.status_code == 500
    assert len(first.response_excerpt) == 500  # the receiver said more; 500 characters kept
    assert delivery.next_attempt_at == first.at + RETRY_DELAYS[0]

    # Not due yet: nothing is sent.
    assert webhook_deliveries_send_due(now=first.at + datetime.timedelta(seconds=30)) == 0
    assert len(receiver.received) == 1
    assert webhook_deliveries_send_due(now=delivery.next_attempt_at) == 1

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.SUCCEEDED, 2)
    assert [a.status_code for a in delivery.attempt_set.all()] == [500, 200]
    first_body, second_body = (item.body for item in receiver.received)
    assert first_body == second_body  # the same event, the same id
    assert all(item.verified for item in receiver.received)
    subscription.refresh_from_db()
    assert subscription.failing_since is None


def test_a_delivery_fails_for_good_after_its_last_retry(receiver, owner, settings):
    settings.WEBHOOK_PAUSE_AFTER_HOURS = 1000  # this test is about one delivery
    subscription = subscribe(receiver, owner, WebhookEvent.CASE_CREATED)
    receiver.answers = [503] * MAX_ATTEMPTS
    emit_case_created()
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    for _retry in RETRY_DELAYS:
        delivery.refresh_from_db()
        assert webhook_deliveries_send_due(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.FAILED, MAX_ATTEMPTS)
    assert delivery.next_attempt_at is None
    first, last = delivery.attempt_set.first(), delivery.attempt_set.last()
    assert last.at - first.at == sum(RETRY_DELAYS, datetime.timedelta())  # about 21 h
    assert len(receiver.received) == MAX_ATTEMPTS


def test_a_resend_carries_the_same_event_id_and_is_audited(receiver, owner):
    subscription = subscribe(receiver, owner, WebhookEvent.CASE_CREATED)
    emit_case_created()
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    staff = make_user("manager@example.com")

    copy = after_commit(delivery_resend, delivery=delivery, user=staff)

    assert copy.pk != delivery.pk
    first, second = receiver.received
    assert first.headers["X-Prichal-Delivery"] == second.headers["X-Prichal-Delivery"]
    assert first.json["id"] == second.json["id"] == str(delivery.event_id)
    assert second.verified
    copy.refresh_from_db()
    assert copy.status == WebhookDelivery.Status.SUCCEEDED
    entry = ModelLogEntry.objects.get(action=RESEND_ACTION, object_id=str(subscription.pk))
    assert entry.user_id == staff.pk
    assert entry.data["event_id"] == str(delivery.event_id)


def test_a_subscription_that_keeps_failing_is_paused_and_its_owner_told(receiver, owner):
    profile = UserProfile.get_for_user(owner)
    profile.preferred_language = "en"
    profile.save()
    subscription = subscribe(receiver, owner, WebhookEvent.CASE_CREATED)
    receiver.answers = [500] * 3
    emit_case_created()
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    failing_since = delivery.attempt_set.get().at

    # Failing for less than a day: still active.
    assert webhook_deliveries_send_due(now=delivery.next_attempt_at) == 1
    subscription.refresh_from_db()
    assert subscription.status == WebhookSubscription.Status.ACTIVE
    assert owner_mail() == []

    delivery.refresh_from_db()
    later = failing_since + datetime.timedelta(hours=24, minutes=1)
    assert webhook_deliveries_send_due(now=later) == 1

    subscription.refresh_from_db()
    assert subscription.status == WebhookSubscription.Status.PAUSED
    assert subscription.paused_at == later
    (told,) = owner_mail()
    assert told.subject == "Webhook subscription paused: Бухгалтерия"
    assert receiver.url in told.body
    assert ModelLogEntry.objects.filter(action=PAUSE_ACTION).count() == 1
    # Paused: its waiting delivery is not sent, a new event is not recorded for it.
    assert webhook_deliveries_send_due(now=later + datetime.timedelta(days=1)) == 0
    emit_case_created()
    assert WebhookDelivery.objects.filter(subscription=subscription).count() == 1
    assert len(receiver.received) == 3


def test_nobody_subscribed_nothing_is_recorded_or_sent(receiver, owner, yookassa):
    # Subscribed to other events, or paused: as good as nobody.
    subscribe(receiver, owner, WebhookEvent.DEPARTURE_CANCELLED)
    subscribe(receiver, owner, WebhookEvent.ORDER_PAID, status=WebhookSubscription.Status.PAUSED)
    order = after_commit(paid_through_yookassa, count=1)
    after_commit(refund_request, order=order, now=IN_TIME)
    emit_case_created()

    assert WebhookDelivery.objects.count() == 0
    assert receiver.received == []
    WebhookSubscription.objects.all().delete()
    assert after_commit(webhooks_emit, event=WebhookEvent.ORDER_PAID, payload={}) == []


def test_a_tampered_body_or_an_old_timestamp_fails_verification():
    secret = "whsec_test"
    body = json.dumps({"id": "1", "type": "order.paid", "data": {"total": "100.00"}}).encode()
    now = int(time.time())
    header = webhook_signature(secret, now, body)
    tampered = body.replace(b"100.00", b"1.00")

    for check in (verify, webhook_signature_verify):
        assert check(secret, header, body)
        assert not check(secret, header, tampered)
        assert not check("whsec_other", header, body)
        stale = webhook_signature(secret, now - 301, body)
        assert not check(secret, stale, body)
        assert not check(secret, "garbage", body)


def test_bad_urls_and_events_are_refused_with_a_message(settings):
    settings.DEBUG = False
    webhook_url_check("https://partner.example/hooks")
    webhook_url_check("http://127.0.0.1:8080/hooks")
    webhook_url_check("http://localhost/hooks")
    for url in ("http://partner.example/hooks", "ftp://partner.example/", "partner", ""):
        with pytest.raises(ValidationError):
            webhook_url_check(url)
    settings.DEBUG = True
    webhook_url_check("http://partner.example/hooks")
    with pytest.raises(ValidationError) as error:
        webhook_events_check(["order.paid", "order.exploded"])
    assert "order.exploded" in error.value.messages[0]
    with pytest.raises(ValidationError):
        webhook_events_check([])
    assert webhook_events_check(["order.paid", "case.created", "order.paid"]) == [
        "case.created",
        "order.paid",
    ]


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_send_each_delivery_once(receiver, owner):
    """Two clusters' sweepers run together: each due delivery is claimed by one of them
    (SKIP LOCKED and the lease), so the receiver gets every event exactly once."""
    subscription = subscribe(receiver, owner, WebhookEvent.ORDER_PAID)
    now = timezone.now()
    for number in range(6):
        # Due (a retry, or what a dead worker left), for the sweepers only: no task queued.
        WebhookDelivery.objects.create(
            subscription=subscription,
            event="order.paid",
            body=json.dumps({"id": str(number), "type": "order.paid", "data": {"n": number}}),
            created_at=now,
            next_attempt_at=now,
        )

    results = race(lambda i: webhook_deliveries_send_due(now=now), threads=2)

    assert sum(results.values()) == 6
    assert sorted(item.json["data"]["n"] for item in receiver.received) == list(range(6))
    deliveries = WebhookDelivery.objects.filter(subscription=subscription)
    assert {(d.status, d.attempts) for d in deliveries} == {(WebhookDelivery.Status.SUCCEEDED, 1)}
