"""The order's timeline: one list, newest first, merged from the order, its payments,
refunds, YooKassa notifications, messages sent, consents, notes, boardings and audit
entries, read in a fixed number of queries whatever the order's size."""

import datetime

import pytest
from django.utils import timezone, translation
from wagtail.log_actions import log

from accounts.models import Consent
from booking.models import Payment, PaymentNotification, Refund, Ticket
from booking.services.backoffice import order_confirmation_resend, order_note_add
from booking.services.checkin import CHECK_IN_ACTION, CHECK_IN_UNDO_ACTION
from booking.services.confirmations import order_confirmation_email
from booking.timeline import order_timeline
from tests.booking.confirmations.helpers import paid_order
from tests.factories import general_departure, placed_order
from tests.factories.people import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return make_user("agent@prichal.test", first_name="Ольга", last_name="Агентова", is_staff=True)


def test_the_timeline_merges_every_source_newest_first(agent):
    order = paid_order()
    payment = Payment.objects.get(order=order)
    refund = Refund.objects.create(
        payment=payment,
        idempotence_key="r-1",
        provider_id="refund-yk-1",
        amount=payment.amount,
        reason=Refund.Reason.OPERATOR,
    )
    PaymentNotification.objects.create(
        event="payment.succeeded",
        object_id=payment.provider_id,
        status="succeeded",
        outcome=PaymentNotification.Outcome.APPLIED,
        remote_addr="185.71.76.1",
    )
    PaymentNotification.objects.create(
        event="payment.succeeded", object_id="somebody-elses", outcome="applied"
    )
    order_confirmation_email(order.pk)
    order_confirmation_resend(order=order, channels=["sms"], user=agent)
    order_note_add(order=order, user=agent, text="Позвонить клиенту")
    ticket = order.tickets.first()
    Ticket.objects.filter(pk=ticket.pk).update(checked_in_at=timezone.now(), checked_in_by=agent)
    log(
        instance=ticket,
        action=CHECK_IN_UNDO_ACTION,
        user=agent,
        data={"reason": "wrong ticket", "client_address": "198.51.100.9"},
    )

    with translation.override("en"):
        entries = order_timeline(order)

    kinds = {e.kind for e in entries}
    assert kinds == {
        "order",
        "payment",
        "refund",
        "notification",
        "message",
        "consent",
        "note",
        "check_in",
        "audit",
    }
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    assert entries[-1].kind == "order" and order.code in entries[-1].title

    [notification] = [e for e in entries if e.kind == "notification"]
    assert notification.client_address == "185.71.76.1"
    # What YooKassa said, in words, not its event name.
    assert notification.title == "YooKassa reported: the payment went through — applied"
    [payment_entry] = [e for e in entries if e.kind == "payment"]
    assert payment.provider_id in payment_entry.detail
    [refund_entry] = [e for e in entries if e.kind == "refund"]
    assert "refund-yk-1" in refund_entry.detail and f"#{refund.pk}" in refund_entry.title
    messages = [e for e in entries if e.kind == "message"]
    assert len(messages) == 2
    resent = next(e for e in messages if e.actor)
    assert resent.actor == "Ольга Агентова" and resent.detail == "+79123456789"
    consents = [e for e in entries if e.kind == "consent"]
    assert len(consents) == Consent.objects.filter(order=order).count() >= 2
    assert any("12.34" in e.detail for e in consents)
    [note] = [e for e in entries if e.kind == "note"]
    assert note.detail == "Позвонить клиенту" and note.actor == "Ольга Агентова"
    [boarding] = [e for e in entries if e.kind == "check_in"]
    assert boarding.actor == "Ольга Агентова"

    audits = [e for e in entries if e.kind == "audit"]
    resend = next(e for e in audits if e.title == "Resend the confirmation")
    assert resend.actor == "Ольга Агентова" and "sent" in resend.detail
    assert any(e.title == "Add a note" and e.detail == "Note added to the order" for e in audits)
    undo = next(e for e in audits if e.title == f"Ticket #{ticket.pk}: Undo a boarding")
    assert undo.client_address == "198.51.100.9" and undo.detail == "Boarding undone: wrong ticket"


def test_a_logged_boarding_is_shown_once(agent):
    order = paid_order()
    ticket = order.tickets.first()
    Ticket.objects.filter(pk=ticket.pk).update(checked_in_at=timezone.now(), checked_in_by=agent)
    log(instance=ticket, action=CHECK_IN_ACTION, user=agent, data={})
    entries = order_timeline(order)
    assert not [e for e in entries if e.kind == "check_in"]
    assert len([e for e in entries if e.kind == "audit"]) == 1


@pytest.mark.parametrize("tickets", [1, 6])
def test_a_fixed_number_of_queries(agent, tickets, django_assert_num_queries):
    departure = general_departure(capacity=20)
    ticket_type = departure.product.ticket_types.order_by("sort_order", "pk").first()
    order = placed_order(departure, quantities={ticket_type.pk: tickets}, paid=True)
    for ticket in order.tickets.all():
        Ticket.objects.filter(pk=ticket.pk).update(
            checked_in_at=timezone.now() - datetime.timedelta(minutes=1), checked_in_by=agent
        )
        log(instance=ticket, action=CHECK_IN_ACTION, user=agent, data={})
    for _ in range(tickets):
        order_note_add(order=order, user=agent, text="note")
    order_timeline(order)  # warms the content-type cache
    with django_assert_num_queries(8):
        entries = order_timeline(order)
    assert len([e for e in entries if e.kind == "audit"]) == 2 * tickets


def test_yookassa_notifications_read_as_sentences_in_russian():
    order = paid_order()
    payment = Payment.objects.get(order=order)
    refund = Refund.objects.create(
        payment=payment,
        idempotence_key="r-2",
        provider_id="refund-yk-2",
        amount=payment.amount,
        reason=Refund.Reason.OPERATOR,
    )
    PaymentNotification.objects.create(
        event="refund.succeeded",
        object_id=refund.provider_id,
        status="succeeded",
        outcome=PaymentNotification.Outcome.UNCHANGED,
        remote_addr="127.0.0.1",
    )
    PaymentNotification.objects.create(
        event="payment.mystery",
        object_id=payment.provider_id,
        outcome=PaymentNotification.Outcome.REJECTED_IP,
    )

    with translation.override("ru"):
        titles = [e.title for e in order_timeline(order) if e.kind == "notification"]
        refund_title = next(e.title for e in order_timeline(order) if e.kind == "refund")

    assert "ЮKassa сообщила: возврат выполнен — без изменений" in titles
    # An event without words keeps its name; an outcome keeps its capitals after "—".
    assert any(t.startswith("ЮKassa сообщила: payment.mystery — отклонено") for t in titles), titles
    # Money as everywhere on the staff's screens (common.money): "2 500 ₽", no "2500.00".
    assert ".00" not in refund_title and "\u00a0₽" in refund_title
