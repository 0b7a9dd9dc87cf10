"""The notice of a late payment that lost its places and is refunded."""

import smtplib

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation

from booking.gateways import sms
from booking.models import Order, Payment, Refund
from booking.models.messaging import (
    DEFAULTS,
    MAX_SMS_PARTS,
    MessageKind,
    fill,
)
from booking.services import confirmations
from booking.services.confirmations import (
    late_payment_notice_enqueue,
    late_payment_refund_notice,
    order_confirmation_email,
)
from content.templatetags.prichal import rub
from devservers.smsru import segments
from tests.booking.confirmations.helpers import NAMES, departure, html_of, paid_order
from tests.factories import expire, placed_order

# --- a late payment refunded --------------------------------------------------------


def late_refunded_order(language="ru"):
    """A customer pays after the hold ran out and somebody else took the places."""
    trip = departure()
    trip.capacity = 2
    trip.save(update_fields=["capacity"])
    order = placed_order(trip, paid=False, language=language, phone="+79123456789")
    expire(order.hold)
    placed_order(trip, paid=True, email="boris@example.com")
    from booking.services.orders import order_confirm_paid

    with transaction.atomic():
        payment = Payment.objects.create(
            order=order,
            idempotence_key=f"late-{order.code}",
            provider_id=f"late-{order.code}",
            status=Payment.Status.SUCCEEDED,
            amount=order.total,
            succeeded_at=timezone.now(),
        )
        locked = Order.objects.select_for_update().get(pk=order.pk)
        assert order_confirm_paid(order=locked, payment=payment) == "refunded"
    order.refresh_from_db()
    assert Refund.objects.filter(payment__order=order, reason=Refund.Reason.LATE_PAYMENT).exists()
    return order


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_a_late_payment_refund_notice(db, language, django_capture_on_commit_callbacks):
    order = late_refunded_order(language)
    mail.outbox.clear()
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        late_payment_notice_enqueue(order)
    [message] = mail.outbox
    assert order.code in message.subject
    assert message.attachments == []
    with translation.override(language):
        total = rub(order.total)
        expected = fill(
            str(DEFAULTS[MessageKind.LATE_PAYMENT_REFUND]["email_subject"]),
            {"order_code": order.code},
        )
    assert message.subject == expected
    assert total in message.body and total in html_of(message)
    assert NAMES[language] in message.body
    [text] = sms.outbox
    assert order.code in text.text and segments(text.text) <= MAX_SMS_PARTS
    # Once only; and never a confirmation for it.
    assert late_payment_refund_notice(order.pk) == {"email": False, "sms": False}
    assert order_confirmation_email(order.pk) is False
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED


def test_no_late_payment_notice_for_a_paid_order(db):
    order = paid_order()
    assert late_payment_refund_notice(order.pk) == {"email": False, "sms": False}
    assert mail.outbox == [] and sms.outbox == []


@override_settings(EMAIL_BACKEND="tests.booking.confirmations.helpers.FailingEmailBackend")
def test_a_late_payment_notice_sends_the_sms_even_when_the_e_mail_fails(db):
    order = late_refunded_order()
    sms.outbox.clear()
    with pytest.raises(smtplib.SMTPException):
        late_payment_refund_notice(order.pk)
    assert len(sms.outbox) == 1
    order.refresh_from_db()
    assert order.confirmation_sent_at is None and order.sms_sent_at is not None
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert late_payment_refund_notice(order.pk) == {"email": True, "sms": False}
    assert len(sms.outbox) == 1 and len(mail.outbox) == 1


def test_confirmations_module_has_the_tasks_it_enqueues():
    for name in (
        "order_confirmation_email",
        "order_confirmation_sms",
        "late_payment_refund_notice",
    ):
        assert callable(getattr(confirmations, name))


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_the_defaults_keep_their_placeholders_in_every_language(language):
    """A translation that broke a placeholder would fail here once the catalogues have
    it (the defaults are never checked at sending time)."""
    from booking.models.messaging import TEXT_FIELDS, placeholder_errors

    with translation.override(language):
        for kind, texts in DEFAULTS.items():
            for field in TEXT_FIELDS:
                assert placeholder_errors(kind, field, str(texts[field])) == [], (kind, field)


def test_a_seat_on_a_chinese_ticket_is_labelled_in_chinese(db):
    pass
