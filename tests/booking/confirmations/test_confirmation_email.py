"""Order confirmations: the e-mail (HTML + text, PDF tickets attached) in the order's
language, the time in the pier's zone."""

import re
import subprocess
import unicodedata
from decimal import Decimal

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import translation

from booking.models import Order, ServiceFee, Ticket
from booking.models.messaging import (
    DEFAULTS,
    MessageKind,
    fill,
)
from booking.services import confirmations
from booking.services.confirmations import (
    order_breakdown,
    order_confirmation_email,
    order_page_url,
    order_ticket_views,
)
from booking.tickets.tokens import read_ticket_token
from content.templatetags.prichal import rub
from tests.booking.confirmations.helpers import (
    CJK,
    INSTRUCTIONS,
    MONTH,
    NAMES,
    PIER_LABEL,
    html_of,
    need,
    paid_order,
    pdf_text,
    qr_codes,
)

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
