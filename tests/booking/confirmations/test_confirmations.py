"""Order confirmations: the e-mail (HTML + text, PDF tickets attached) and the SMS in the
order's language, sent once by retried tasks, with texts marketers may reword per
language; and the notice of a late payment that is refunded.

Reading the PDF needs poppler-utils (pdftotext, pdftoppm) and decoding its QR code needs
zbar-tools (zbarimg), as in tests/booking/tickets."""

import datetime
import re
import shutil
import smtplib
import subprocess
import unicodedata
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation
from django_q.models import Schedule

from booking.gateways import sms
from booking.gateways.sms import SmsResult
from booking.messaging import render_message
from booking.models import Order, Payment, Refund, ServiceFee, Ticket
from booking.models.messaging import (
    DEFAULTS,
    MAX_SMS_PARTS,
    MessageKind,
    MessageTemplate,
    fill,
    sms_parts,
)
from booking.services import confirmations
from booking.services.confirmations import (
    MessageNotSent,
    late_payment_notice_enqueue,
    late_payment_refund_notice,
    order_breakdown,
    order_confirmation_email,
    order_confirmation_sms,
    order_confirmations_enqueue,
    order_page_url,
    order_ticket_views,
)
from booking.tickets.tokens import read_ticket_token
from common.tasks import run_with_retry
from content.templatetags.prichal import rub
from devservers.smsru import segments
from tests import factories
from tests.factories import expire, general_departure, placed_order

EMAIL_TASK = "booking.tasks.send_order_confirmation_email"
CJK = re.compile(r"[\u4e00-\u9fff]")
# 19:00 in Moscow is 02:00 the next day in Vladivostok: times must be the pier's.
STARTS_AT = datetime.datetime(2031, 7, 12, 16, 0, tzinfo=datetime.UTC)
NAMES = {"ru": "Белые ночи", "en": "White Nights", "zh-hans": "白夜游船"}
INSTRUCTIONS = {
    "ru": "Посадка за 15 минут до отправления.",
    "en": "Boarding starts 15 minutes before departure.",
    "zh-hans": "请在开船前15分钟登船。",
}
PIER_LABEL = {"ru": "Причал", "en": "Pier", "zh-hans": "码头"}
MONTH = {"ru": "июля", "en": "July", "zh-hans": "7月"}


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPException("the SMTP server is down")


class FailingSmsBackend:
    def send(self, phone, text):
        return SmsResult(ok=False, error_code="http_503", retryable=True, detail="down")


@pytest.fixture(autouse=True)
def _outboxes():
    mail.outbox.clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def departure(**venue_fields):
    venue = factories.VenueFactory(
        timezone="Asia/Vladivostok",
        boarding_instructions=INSTRUCTIONS["ru"],
        boarding_instructions_en=INSTRUCTIONS["en"],
        boarding_instructions_zh=INSTRUCTIONS["zh-hans"],
        **venue_fields,
    )
    product = factories.ProductFactory(
        venue=venue, name=NAMES["ru"], name_en=NAMES["en"], name_zh=NAMES["zh-hans"]
    )
    factories.TicketTypeFactory(product=product, price=Decimal("2500.00"), sort_order=0)
    return general_departure(capacity=10, product=product, starts_at=STARTS_AT)


def paid_order(language="ru", **details):
    details.setdefault("email", "anna@example.com")
    details.setdefault("phone", "+79123456789")
    return placed_order(departure(), paid=True, language=language, **details)


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"`{tool}` is not installed (`make test` installs it)", pytrace=False)
    return path


def pdf_text(path) -> str:
    text = subprocess.run(
        [need("pdftotext"), "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def qr_codes(path, page: int, tmp_path) -> list[str]:
    prefix = tmp_path / f"page-{page}"
    pages = ["-f", str(page), "-l", str(page)]
    subprocess.run(
        [need("pdftoppm"), "-png", "-r", "100", "-singlefile", *pages, str(path), str(prefix)],
        check=True,
    )
    result = subprocess.run(
        [need("zbarimg"), "--quiet", "--raw", f"{prefix}.png"], capture_output=True, text=True
    )
    return result.stdout.split()


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


# --- the e-mail -----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_the_confirmation_e_mail_in_the_order_s_language(db, language, tmp_path):
    order = paid_order(language)
    assert order_confirmation_email(order.pk) is True

    [message] = mail.outbox
    assert message.to == ["anna@example.com"]
    assert order.code in message.subject
    with translation.override(language):
        expected_subject = fill(
            str(DEFAULTS[MessageKind.ORDER_CONFIRMATION]["email_subject"]),
            {"order_code": order.code},
        )
    assert message.subject == expected_subject
    html, text = html_of(message), message.body
    lang = "zh-Hans" if language == "zh-hans" else language
    assert f'<html lang="{lang}">' in html
    assert message.extra_headers["Content-Language"] == lang
    for body in (html, text):
        assert NAMES[language] in body
        assert INSTRUCTIONS[language] in body
        assert PIER_LABEL[language] in body
        assert MONTH[language] in body
        # 16:00 UTC is 02:00 the next day at a pier in Vladivostok.
        assert "02:00" in body and "13" in body
        assert order_page_url(order) in body
    if language == "zh-hans":
        assert "PingFang SC" in html and "Noto Sans CJK SC" in html

    # The breakdown's total is the order's, in the HTML and the text.
    breakdown = order_breakdown(order)
    assert breakdown["total"] == order.total == sum(t.paid_amount for t in order.tickets.all())
    with translation.override(language):
        total = rub(order.total)
    cell = re.search(r"data-total><strong>([^<]+)</strong>", html).group(1)
    assert cell == total
    assert re.search(rf"^.+: {re.escape(total)}$", text, re.MULTILINE)

    [(filename, content, mimetype)] = message.attachments
    assert filename == f"prichal-{order.code}.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF-")
    path = tmp_path / filename
    path.write_bytes(content)
    pdf = pdf_text(path)
    assert order.code in pdf
    assert NAMES[language] in pdf
    if language == "zh-hans":
        assert CJK.search(pdf)
        fonts = subprocess.run(
            [need("pdffonts"), str(path)], check=True, capture_output=True, text=True
        ).stdout
        assert re.search(r"Noto.?Sans.?CJK", fonts), fonts  # never empty boxes
    # The summary page shows the same total.
    assert total.replace("\u00a0", " ") in pdf

    secrets = set(order.tickets.values_list("secret", flat=True))
    [token] = qr_codes(path, 1, tmp_path)
    data = read_ticket_token(token)
    assert data.secret in secrets
    assert data.departure_id == order.departure_id

    order.refresh_from_db()
    assert order.confirmation_sent_at is not None
    assert order.status == Order.Status.PAID


def test_the_breakdown_shows_fees_and_escapes_what_people_typed(db):
    ServiceFee.objects.create(
        name="Сервисный сбор", name_en="Service fee", per="order", kind="fixed", value=Decimal("99")
    )
    order = paid_order("en", name="<script>alert(1)</script>")
    order_confirmation_email(order.pk)
    [message] = mail.outbox
    html = html_of(message)
    assert "Service fee" in html and "Service fee" in message.body
    assert order.fees_total == Decimal("99.00")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # The text version is plain text: nothing is escaped there.
    assert "<script>alert(1)</script>" in message.body


def pdf_pages_text(path) -> list[str]:
    """Each page's text, whitespace made single spaces as in `pdf_text`."""
    text = subprocess.run(
        [need("pdftotext"), "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pages = unicodedata.normalize("NFKC", text).split("\f")
    return [re.sub(r"\s+", " ", page) for page in pages if page.strip()]


def promo_order_pdf(language, tmp_path):
    """The PDF of a paid order of two 2 500 ₽ tickets bought with a 10 % promo code."""
    from booking.models import Promotion

    Promotion.objects.create(code="SPRING10", kind="percent", value=Decimal("10"))
    order = paid_order(language, promo_code="SPRING10")
    assert order.discount_total == Decimal("500.00")
    path = tmp_path / "tickets.pdf"
    path.write_bytes(confirmations.order_tickets_pdf(order))
    return order, path


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_each_ticket_of_the_pdf_shows_what_was_paid_for_it(db, language, tmp_path):
    order, path = promo_order_pdf(language, tmp_path)
    paid = {t.paid_amount for t in order.tickets.all()}
    assert paid == {Decimal("2250.00")}
    pages = pdf_pages_text(path)
    tickets = [page for page in pages if order.code in page and "SPRING10" not in page]
    assert len(tickets) == 2
    label = {"ru": "Оплачено", "en": "Amount paid", "zh-hans": "实付金额"}[language]
    for page in tickets:
        assert re.search(r"2[ ,]?250(\.00|,00)? ?₽", page), page
        assert not re.search(r"2[ ,]?500", page), page
        assert label.casefold() in page.casefold()


@pytest.mark.parametrize(
    ("language", "vat_line"),
    [("ru", "Без НДС"), ("en", "VAT not applicable"), ("zh-hans", "不含增值税")],
)
def test_the_vat_line_of_the_e_mail_and_the_pdf_is_in_the_order_s_language(
    db, language, vat_line, tmp_path
):
    order = paid_order(language)
    order_confirmation_email(order.pk)
    [message] = mail.outbox
    [(_filename, content, _mimetype)] = message.attachments
    path = tmp_path / "tickets.pdf"
    path.write_bytes(content)
    summary = pdf_pages_text(path)[-1]
    html = html_of(message)
    for body in (html, message.body, summary):
        assert vat_line in body
        if language != "ru":
            assert "НДС" not in body


def test_ticket_views_are_the_valid_tickets_in_the_order_s_language(db):
    order = paid_order("zh-hans")
    first = order.tickets.order_by("pk").first()
    Ticket.objects.filter(pk=first.pk).update(status=Ticket.Status.REFUNDED)
    views = order_ticket_views(order)
    assert len(views) == order.tickets.count() - 1
    assert {v.product_name for v in views} == {NAMES["zh-hans"]}
    assert {v.ticket_type for v in views} == {"成人"}
    assert {v.time_zone for v in views} == {"Asia/Vladivostok"}
    assert all(read_ticket_token(v.token).secret != first.secret for v in views)


def test_the_order_page_link():
    order = Order(code="K7M2QXAB", secret="s3cr3t", language="zh-hans")
    with override_settings(SITE_URL="https://prichal.example"):
        assert order_page_url(order) == "https://prichal.example/zh/booking/order/K7M2QXAB/s3cr3t/"


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


@override_settings(
    EMAIL_BACKEND="tests.booking.confirmations.test_confirmations.FailingEmailBackend"
)
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


@override_settings(
    EMAIL_BACKEND="tests.booking.confirmations.test_confirmations.FailingEmailBackend"
)
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


@override_settings(SMS_BACKEND="tests.booking.confirmations.test_confirmations.FailingSmsBackend")
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


# --- marketers' templates -----------------------------------------------------------


def test_a_marketer_s_template_replaces_the_default_for_its_language_only(db):
    template = MessageTemplate(
        kind=MessageKind.ORDER_CONFIRMATION,
        language="en",
        email_subject="Ahoy! Order {order_code} is ready",
        email_body="Dear {name},\n\nsee you at {pier} on {date}, <b>{time}</b>.",
        sms_text="Ahoy {name}: {order_code} {order_url}",
    )
    template.full_clean()
    template.save()
    english = paid_order("en", name="Anna")
    russian = paid_order("ru", email="boris@example.com")
    for order in (english, russian):
        order_confirmation_email(order.pk)
        order_confirmation_sms(order.pk)
    en_mail, ru_mail = mail.outbox
    assert en_mail.subject == f"Ahoy! Order {english.code} is ready"
    assert "Dear Anna," in en_mail.body and "02:00" in en_mail.body
    assert "Dear Anna," in html_of(en_mail)
    assert "&lt;b&gt;02:00&lt;/b&gt;" in html_of(en_mail)
    # The order details are always added.
    assert INSTRUCTIONS["en"] in en_mail.body
    assert sms.outbox[0].text == f"Ahoy Anna: {english.code} {order_page_url(english)}"
    assert "Ahoy" not in ru_mail.subject and "Ahoy" not in sms.outbox[1].text
    assert russian.code in ru_mail.subject


def test_blank_fields_keep_the_defaults(db):
    MessageTemplate.objects.create(
        kind=MessageKind.ORDER_CONFIRMATION, language="en", email_subject="Order {order_code}!"
    )
    message = render_message(MessageKind.ORDER_CONFIRMATION, "en", {"order_code": "AB"})
    assert message.email_subject == "Order AB!"
    with translation.override("en"):
        assert message.sms_text == fill(
            str(DEFAULTS[MessageKind.ORDER_CONFIRMATION]["sms_text"]), {"order_code": "AB"}
        )


@pytest.mark.parametrize(
    ("field", "text", "fragment"),
    [
        ("email_body", "Hello {customer}", "{customer}"),
        ("email_body", "Hello {name.__class__}", "braces"),
        ("email_body", "Total {total:>20}", "braces"),
        ("email_body", "Total {total!r}", "braces"),
        ("email_body", "Hello {name", "braces"),
        ("email_body", "Hello }name{", "braces"),
        ("email_body", "{0} and {}", "braces"),
        ("sms_text", "Order {order_code}", "{order_url}"),
        ("email_subject", "Your tickets", "{order_code}"),
    ],
)
def test_the_admin_form_refuses_unknown_placeholders_and_braces(db, field, text, fragment):
    template = MessageTemplate(kind=MessageKind.ORDER_CONFIRMATION, language="ru", **{field: text})
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            template.full_clean()
        messages = [str(message) for message in refused.value.message_dict[field]]
    assert any(fragment in message for message in messages), messages


def test_every_allowed_placeholder_is_accepted(db):
    MessageTemplate(
        kind=MessageKind.LATE_PAYMENT_REFUND,
        language="zh-hans",
        email_subject="{order_code}",
        email_body="{name} {order_code} {product} {date} {time} {pier} {total} {order_url}",
        sms_text="{order_code} {total}",
    ).full_clean()


def test_rendering_never_raises_on_what_is_stored(db):
    MessageTemplate.objects.create(
        kind=MessageKind.ORDER_CONFIRMATION,
        language="ru",
        email_subject="{order_code} {0} {name.__class__} {",
        email_body="{unknown} {",
    )
    values = {"order_code": "AB", "name": "{total}", "total": "1 ₽", "order_url": "u"}
    message = render_message(MessageKind.ORDER_CONFIRMATION, "ru", values)
    # Texts the form would refuse fall back to the defaults; values are never re-read.
    assert "AB" in message.email_subject and "{0}" not in message.email_subject
    assert fill("{name} {unknown} {", values) == "{total} {unknown} {"


def test_the_admin_edits_a_template_and_sees_the_errors(db, client, django_user_model):
    from django.urls import reverse

    admin = django_user_model.objects.create_superuser(email="admin@example.com", password="x")
    client.force_login(admin)
    url = reverse("wagtailsnippets_booking_messagetemplate:add")
    assert client.get(url).status_code == 200
    data = {
        "kind": MessageKind.ORDER_CONFIRMATION,
        "language": "en",
        "email_subject": "Order {order_code}",
        "email_body": "Hi {nickname}",
        "sms_text": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "{nickname}" in response.content.decode()
    assert not MessageTemplate.objects.exists()
    data["email_body"] = "Hi {name}"
    response = client.post(url, data)
    assert response.status_code == 302
    assert MessageTemplate.objects.get().email_body == "Hi {name}"


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


@override_settings(
    EMAIL_BACKEND="tests.booking.confirmations.test_confirmations.FailingEmailBackend"
)
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
    from booking.services.confirmations import order_ticket_views
    from tests.factories import assigned_departure, placed_order, seats_of

    departure = assigned_departure()
    order = placed_order(departure, seats=seats_of(departure)[:1], paid=True, language="zh-hans")
    (view,) = order_ticket_views(order)
    assert "排" in view.seat_label and "座" in view.seat_label
    assert "ряд" not in view.seat_label
