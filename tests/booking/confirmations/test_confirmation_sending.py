"""Order confirmations are sent once by retried tasks, again when sending failed, and the
SMS in the order's language fits its parts."""

import smtplib

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django_q.models import Schedule

from booking.gateways import sms
from booking.models import Order
from booking.models.messaging import (
    MAX_SMS_PARTS,
    MessageKind,
    MessageTemplate,
    sms_parts,
)
from booking.services.confirmations import (
    MessageNotSent,
    order_confirmation_email,
    order_confirmation_sms,
    order_confirmations_enqueue,
    order_page_url,
)
from common.tasks import run_with_retry
from devservers.smsru import segments
from tests.booking.confirmations.helpers import EMAIL_TASK, departure, paid_order
from tests.factories import placed_order

# --- once, and again when it failed -------------------------------------------------


def test_the_task_sends_one_e_mail_and_one_sms_however_often_it_runs(db):
    order = paid_order()
    assert order_confirmation_email(order.pk) is True
    assert order_confirmation_email(order.pk) is False
    assert order_confirmation_sms(order.pk) is True
    assert order_confirmation_sms(order.pk) is False
    assert len(mail.outbox) == 1
    assert len(sms.outbox) == 1
    order.refresh_from_db()
    assert order.confirmation_sent_at and order.sms_sent_at


def test_enqueued_after_the_commit_through_django_q(db, django_capture_on_commit_callbacks):
    order = paid_order()
    with django_capture_on_commit_callbacks(execute=True):
        order_confirmations_enqueue(order)
        assert mail.outbox == [] and sms.outbox == []  # not before the commit
    assert len(mail.outbox) == 1
    assert len(sms.outbox) == 1


def test_nothing_is_sent_for_an_unpaid_order(db):
    order = placed_order(departure(), paid=False)
    assert order_confirmation_email(order.pk) is False
    assert order_confirmation_sms(order.pk) is False
    assert mail.outbox == [] and sms.outbox == []


@override_settings(EMAIL_BACKEND="tests.booking.confirmations.helpers.FailingEmailBackend")
def test_a_failing_e_mail_is_retried_and_the_order_stays_paid(db):
    order = paid_order()
    with pytest.raises(smtplib.SMTPException):
        run_with_retry(EMAIL_TASK, [order.pk])
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.paid_at is not None
    assert order.confirmation_sent_at is None
    [retry] = Schedule.objects.filter(func="common.tasks.run_with_retry")
    assert retry.next_run > timezone.now()
    func_path, args, attempt = eval(retry.args)  # what django-q2 does with it
    assert (func_path, args, attempt) == (EMAIL_TASK, [order.pk], 2)

    # The server is back: the retry sends the e-mail, once.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        run_with_retry(func_path, args, attempt)
        run_with_retry(func_path, args, attempt)
    assert len(mail.outbox) == 1
    order.refresh_from_db()
    assert order.confirmation_sent_at is not None


@override_settings(EMAIL_BACKEND="tests.booking.confirmations.helpers.FailingEmailBackend")
def test_a_failing_task_in_the_worker_leaves_a_retry(db, django_capture_on_commit_callbacks):
    order = paid_order()
    # The test settings run django-q2 synchronously, which lets the failure through.
    with pytest.raises(smtplib.SMTPException), django_capture_on_commit_callbacks(execute=True):
        order_confirmations_enqueue(order)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.confirmation_sent_at is None
    assert Schedule.objects.filter(
        func="common.tasks.run_with_retry", args__contains=EMAIL_TASK
    ).exists()


@override_settings(SMS_BACKEND="tests.booking.confirmations.helpers.FailingSmsBackend")
def test_a_failing_sms_raises_for_a_retry(db):
    order = paid_order()
    with pytest.raises(MessageNotSent):
        order_confirmation_sms(order.pk)
    order.refresh_from_db()
    assert order.sms_sent_at is None and order.status == Order.Status.PAID


def test_an_unsendable_phone_number_is_not_retried(db):
    order = paid_order()
    Order.objects.filter(pk=order.pk).update(phone="+7000")
    assert order_confirmation_sms(order.pk) is False
    assert sms.outbox == []


# --- the SMS ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_the_sms_is_short_and_has_the_code_and_the_link(db, language):
    order = paid_order(language)
    assert order_confirmation_sms(order.pk)
    [message] = sms.outbox
    assert message.phone == "+79123456789"
    assert order.code in message.text
    assert order_page_url(order) in message.text
    assert sms_parts(message.text) == segments(message.text) <= MAX_SMS_PARTS


def test_a_marketer_s_sms_that_is_too_long_gives_way_to_the_default(db):
    MessageTemplate.objects.create(
        kind=MessageKind.ORDER_CONFIRMATION,
        language="ru",
        sms_text="Спасибо! " * 20 + "{order_code} {order_url}",
    )
    order = paid_order("ru")
    order_confirmation_sms(order.pk)
    [message] = sms.outbox
    assert "Спасибо" not in message.text
    assert segments(message.text) <= MAX_SMS_PARTS
