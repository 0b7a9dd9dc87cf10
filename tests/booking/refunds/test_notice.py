"""The customer's notice of a refund: an e-mail and an SMS in the order's language saying
which tickets were refunded and how much, with the order link; each sent once; no word
of exchanges or transfers."""

import datetime
import re

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import translation

from booking.gateways import sms
from booking.models import RefundPolicy
from booking.models.messaging import DEFAULTS, MAX_SMS_PARTS, MessageKind, fill
from booking.services.confirmations import order_page_url, ticket_refund_notice
from booking.services.refunds import refund_request
from content.templatetags.prichal import rub
from devservers.smsru import segments
from tests.booking.confirmations.helpers import html_of
from tests.booking.refunds.helpers import (
    DEADLINE,
    NAMES,
    order_fee,
    paid_through_yookassa,
    pier_departure,
)

pytestmark = pytest.mark.django_db
IN_TIME = DEADLINE - datetime.timedelta(days=2)
ADULT = {"ru": "Взрослый", "en": "Adult", "zh-hans": "成人"}
NO_EXCHANGE = re.compile(r"обмен|переоформ|exchange|transfer|换票|改签|转让", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _outboxes():
    mail.outbox.clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def refund_one(order):
    ticket = order.tickets.order_by("pk").first()
    mail.outbox.clear()
    sms.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        refund = refund_request(order=order, tickets=[ticket], now=IN_TIME)
    refund.refresh_from_db()
    return refund


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_the_notice_in_the_order_language(yookassa, language):
    order = paid_through_yookassa(
        count=2, language=language, phone="+79123456789", name="Anna Smirnova"
    )
    refund = refund_one(order)

    [message] = mail.outbox
    assert message.to == [order.email]
    with translation.override(language):
        amount = rub(refund.amount)
        subject = fill(
            str(DEFAULTS[MessageKind.TICKET_REFUND]["email_subject"]), {"order_code": order.code}
        )
    assert message.subject == subject
    html = html_of(message)
    for text in (message.body, html):
        assert amount in text
        assert ADULT[language] in text
        assert NAMES[language] in text
        assert not NO_EXCHANGE.search(text)
    assert order_page_url(order) in message.body
    assert message.attachments == []
    if language != "ru":
        assert not re.search("[а-яА-Я]", message.body)

    [text] = sms.outbox
    assert text.phone == "+79123456789"
    assert order.code in text.text and amount.replace("\u00a0", " ") in text.text
    assert order_page_url(order) in text.text
    assert segments(text.text) <= MAX_SMS_PARTS
    assert not NO_EXCHANGE.search(text.text)

    refund.refresh_from_db()
    assert refund.email_sent_at and refund.sms_sent_at
    # Once only.
    assert ticket_refund_notice(refund.pk) == {"email": False, "sms": False}
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1


def test_a_kept_fee_is_named_in_the_notice(yookassa):
    order_fee("150.00")
    policy = RefundPolicy.objects.create(name="Fees kept", refunds_fees=False)
    order = paid_through_yookassa(pier_departure(policy=policy), count=2)
    refund = refund_one(order)
    ticket = refund.tickets.get()
    [message] = mail.outbox
    assert f"Сервисный сбор, не возвращается: {rub(ticket.fee)}" in message.body
    assert f"Сумма к возврату: {rub(refund.amount)}" in message.body
    assert refund.amount == ticket.paid_amount - ticket.fee


def test_a_late_payment_refund_gets_no_ticket_notice(db):
    """Refunds without tickets (a late or a duplicate payment) have notices of their own."""
    from tests.booking.confirmations.test_late_payment_notice import late_refunded_order

    order = late_refunded_order()
    refund = order.payments.get().refunds.get()
    assert ticket_refund_notice(refund.pk) == {"email": False, "sms": False}
    assert mail.outbox == [] and sms.outbox == []
