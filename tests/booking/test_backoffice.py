"""The order console's domain: every message sent is recorded, the staff resend a
confirmation (optionally to a corrected contact), cancel an unpaid order and write notes;
each refusal is a coded, translated error that changes nothing, each action is audited."""

import smtplib

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from accounts.errors import AccountError
from accounts.models import CustomerNote
from accounts.services.notes import customer_note_add
from booking.gateways import sms
from booking.models import (
    Hold,
    Order,
    OrderNote,
    Payment,
    Refund,
    SeatClaim,
    SentMessage,
    Ticket,
)
from booking.models.messaging import MessageKind
from booking.services.backoffice import (
    CANCEL_ACTION,
    CONTACT_CHANGE_ACTION,
    NOTE_ACTION,
    RESEND_ACTION,
    order_cancel_unpaid,
    order_confirmation_resend,
    order_note_add,
)
from booking.services.confirmations import (
    MessageNotSent,
    late_payment_refund_notice,
    order_confirmation_email,
    order_confirmation_sms,
)
from booking.services.errors import BookingError
from booking.services.orders import order_confirm_paid
from tests.booking.confirmations.helpers import paid_order
from tests.factories import assigned_departure, placed_order, seats_of
from tests.factories.people import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outboxes():
    mail.outbox.clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def agent():
    return make_user("agent@prichal.test", first_name="Ольга", last_name="Агентова", is_staff=True)


# --- every attempt is recorded, at most once as before ----------------------------------


def test_the_confirmation_tasks_record_what_they_sent_once():
    order = paid_order()
    assert order_confirmation_email(order.pk) is True
    assert order_confirmation_sms(order.pk) is True
    assert order_confirmation_email(order.pk) is False
    assert order_confirmation_sms(order.pk) is False

    rows = list(SentMessage.objects.filter(order=order).order_by("pk"))
    assert [(r.channel, r.ok, r.kind) for r in rows] == [
        ("email", True, MessageKind.ORDER_CONFIRMATION),
        ("sms", True, MessageKind.ORDER_CONFIRMATION),
    ]
    assert rows[0].recipient == "anna@example.com" and rows[1].recipient == "+79123456789"
    assert all(r.sent_by is None and not r.is_resend and r.error == "" for r in rows)
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1


@override_settings(EMAIL_BACKEND="tests.booking.confirmations.helpers.FailingEmailBackend")
def test_a_failed_e_mail_is_recorded_and_still_raised_for_the_retry():
    order = paid_order()
    with pytest.raises(smtplib.SMTPException):
        order_confirmation_email(order.pk)
    order.refresh_from_db()
    assert order.confirmation_sent_at is None
    [row] = SentMessage.objects.filter(order=order)
    assert not row.ok and row.error == "SMTPException" and row.channel == "email"


@override_settings(SMS_BACKEND="tests.booking.confirmations.helpers.FailingSmsBackend")
def test_a_failed_sms_is_recorded_with_the_provider_code_not_the_text():
    order = paid_order()
    with pytest.raises(MessageNotSent):
        order_confirmation_sms(order.pk)
    [row] = SentMessage.objects.filter(order=order)
    assert not row.ok and row.error == "MessageNotSent: http_503"
    assert order.code not in row.error


def test_a_late_payment_notice_is_recorded():
    order = placed_order()
    # A staff cancellation then a payment: the late-payment path refunds and notifies.
    order_cancel_unpaid(order=order, user=None)
    _pay(order)
    late_payment_refund_notice(order.pk)
    kinds = set(SentMessage.objects.filter(order=order).values_list("kind", "channel", "ok"))
    assert kinds == {
        (MessageKind.LATE_PAYMENT_REFUND, "email", True),
        (MessageKind.LATE_PAYMENT_REFUND, "sms", True),
    }


# --- resend ------------------------------------------------------------------------------


def test_resend_by_both_channels_sends_now_and_records_it(agent):
    order = paid_order()
    order_confirmation_email(order.pk)
    mail.outbox.clear()

    result = order_confirmation_resend(order=order, channels={"email", "sms"}, user=agent)

    assert result.ok and result.changed == {}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["anna@example.com"]
    assert mail.outbox[0].attachments  # the PDF tickets, built by the same builder
    assert len(sms.outbox) == 1
    rows = SentMessage.objects.filter(order=order, is_resend=True).order_by("pk")
    assert [(r.channel, r.ok, r.sent_by_id) for r in rows] == [
        ("email", True, agent.pk),
        ("sms", True, agent.pk),
    ]
    entry = ModelLogEntry.objects.get(action=RESEND_ACTION)
    assert entry.user_id == agent.pk and entry.object_id == str(order.pk)
    assert entry.data["channels"] == ["email", "sms"]
    assert entry.data["results"] == {"email": "ok", "sms": "ok"}
    assert "anna" not in entry.label and order.name not in entry.label
    # The first SMS had not gone yet: the queued task does not send it a second time.
    assert order_confirmation_sms(order.pk) is False


def test_resend_to_a_corrected_contact_changes_the_order_and_audits_it(agent):
    order = paid_order()
    result = order_confirmation_resend(
        order=order,
        channels=["email", "sms"],
        email="  Anna.New@Example.COM ",
        phone="8 (921) 555-01-23",
        user=agent,
    )
    order.refresh_from_db()
    assert order.email == "anna.new@example.com" and order.phone == "+79215550123"
    assert mail.outbox[0].to == ["anna.new@example.com"]
    assert sms.outbox[0].phone == "+79215550123"
    assert result.changed == {
        "email": ("anna@example.com", "anna.new@example.com"),
        "phone": ("+79123456789", "+79215550123"),
    }
    change = ModelLogEntry.objects.get(action=CONTACT_CHANGE_ACTION)
    assert change.data["changes"]["email"] == {
        "old": "anna@example.com",
        "new": "anna.new@example.com",
    }
    assert change.user_id == agent.pk
    assert "example.com" not in change.label
    recipients = set(SentMessage.objects.values_list("recipient", flat=True))
    assert recipients == {"anna.new@example.com", "+79215550123"}


@override_settings(EMAIL_BACKEND="tests.booking.confirmations.helpers.FailingEmailBackend")
def test_a_failed_resend_is_reported_not_raised(agent):
    order = paid_order()
    result = order_confirmation_resend(order=order, channels=["email"], user=agent)
    assert not result.ok and result.failed_channels == ["email"]
    [row] = SentMessage.objects.filter(order=order)
    assert not row.ok and row.is_resend and row.error == "SMTPException"
    entry = ModelLogEntry.objects.get(action=RESEND_ACTION)
    assert entry.data["results"] == {"email": "SMTPException"}
    order.refresh_from_db()
    assert order.confirmation_sent_at is None


@pytest.mark.parametrize(
    ("channels", "email", "phone", "code"),
    [
        ([], "", "", "resend_channels_invalid"),
        (["fax"], "", "", "resend_channels_invalid"),
        (["email", "pigeon"], "", "", "resend_channels_invalid"),
        (None, "", "", "resend_channels_invalid"),
        (["email"], "not-an-address", "", "email_invalid"),
        (["sms"], "", "12", "phone_invalid"),
    ],
)
def test_bad_resend_input_is_refused_and_changes_nothing(agent, channels, email, phone, code):
    order = paid_order()
    with pytest.raises(BookingError) as refused:
        order_confirmation_resend(
            order=order, channels=channels, email=email, phone=phone, user=agent
        )
    assert refused.value.code == code
    with translation.override("ru"):
        assert refused.value.message and refused.value.message != refused.value.code
    order.refresh_from_db()
    assert order.email == "anna@example.com" and order.phone == "+79123456789"
    assert not mail.outbox and not sms.outbox
    assert not SentMessage.objects.exists() and not ModelLogEntry.objects.exists()


def test_an_unpaid_order_has_no_confirmation_to_resend(agent):
    order = placed_order()
    with pytest.raises(BookingError) as refused:
        order_confirmation_resend(
            order=order, channels=["email"], email="new@example.com", user=agent
        )
    assert refused.value.code == "order_not_confirmed"
    order.refresh_from_db()
    assert order.email == "anna@example.com"
    assert not mail.outbox and not SentMessage.objects.exists()
    assert not ModelLogEntry.objects.exists()


# --- cancel an unpaid order ------------------------------------------------------------


def _pay(order) -> str:
    from django.db import transaction

    with transaction.atomic():
        payment = Payment.objects.create(
            order=order,
            idempotence_key=f"late-{order.code}",
            provider_id=f"late-payment-{order.code}",
            status=Payment.Status.SUCCEEDED,
            amount=order.total,
            succeeded_at=timezone.now(),
        )
        locked = Order.objects.select_for_update().get(pk=order.pk)
        return order_confirm_paid(order=locked, payment=payment)


def test_cancelling_an_unpaid_order_frees_its_seats_at_once(agent):
    departure = assigned_departure()
    seats = seats_of(departure)[:2]
    order = placed_order(departure, seats=seats)
    hold_id = order.hold_id
    assert SeatClaim.objects.filter(departure=departure).count() == 2

    cancelled = order_cancel_unpaid(order=order, user=agent, reason="Клиент передумал")

    assert cancelled.status == Order.Status.CANCELLED
    assert set(order.tickets.values_list("status", flat=True)) == {Ticket.Status.CANCELLED}
    assert not Hold.objects.filter(pk=hold_id).exists()
    assert not SeatClaim.objects.filter(departure=departure).exists()
    entry = ModelLogEntry.objects.get(action=CANCEL_ACTION)
    assert entry.user_id == agent.pk and entry.data["reason"] == "Клиент передумал"
    # The seats can be held by the next customer.
    placed_order(departure, seats=seats, email="next@example.com")


def test_a_payment_after_the_cancellation_is_refunded_not_revived(agent):
    departure = assigned_departure()
    order = placed_order(departure, seats=seats_of(departure)[:1])
    order_cancel_unpaid(order=order, user=agent)

    # The seat is still free, yet the cancelled order stays cancelled: money goes back.
    assert _pay(order) == "refunded"
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and order.paid_at is None
    [refund] = Refund.objects.filter(payment__order=order)
    assert refund.reason == Refund.Reason.LATE_PAYMENT and refund.amount == order.total
    assert not SeatClaim.objects.filter(departure=departure).exists()


@pytest.mark.parametrize("paid", [True, False])
def test_only_an_order_awaiting_payment_can_be_cancelled(agent, paid):
    order = paid_order() if paid else placed_order()
    if not paid:
        order_cancel_unpaid(order=order, user=agent)
    status = Order.objects.get(pk=order.pk).status
    with pytest.raises(BookingError) as refused:
        order_cancel_unpaid(order=order, user=agent)
    assert refused.value.code == "order_not_cancellable"
    assert Order.objects.get(pk=order.pk).status == status
    assert ModelLogEntry.objects.filter(action=CANCEL_ACTION).count() == (0 if paid else 1)


# --- notes -----------------------------------------------------------------------------


def test_an_order_note_is_kept_and_audited_without_its_text(agent):
    order = placed_order()
    note = order_note_add(order=order, user=agent, text="  Перезвонить после 18:00  ")
    assert OrderNote.objects.get(pk=note.pk).text == "Перезвонить после 18:00"
    assert note.author == agent
    entry = ModelLogEntry.objects.get(action=NOTE_ACTION)
    assert entry.data == {"note_id": note.pk} and "Перезвонить" not in entry.label


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "note_empty"),
        ("   \n", "note_empty"),
        ("x" * 2001, "note_too_long"),
        (None, "note_empty"),
    ],
)
def test_a_blank_or_long_order_note_is_refused(agent, text, code):
    order = placed_order()
    with pytest.raises(BookingError) as refused:
        order_note_add(order=order, user=agent, text=text)
    assert refused.value.code == code
    assert not OrderNote.objects.exists() and not ModelLogEntry.objects.exists()


def test_a_customer_note(agent):
    order = placed_order()
    customer = order.customer
    note = customer_note_add(customer=customer, user=agent, text="VIP, любит нос лодки")
    assert CustomerNote.objects.get(pk=note.pk).customer == customer
    entry = ModelLogEntry.objects.get(action="prichal.customer.note")
    assert entry.label == f"Customer #{customer.pk}" and entry.data["note_id"] == note.pk
    for text, code in (("", "note_empty"), ("y" * 2001, "note_too_long")):
        with pytest.raises(AccountError) as refused:
            customer_note_add(customer=customer, user=agent, text=text)
        assert refused.value.code == code
    assert CustomerNote.objects.count() == 1
