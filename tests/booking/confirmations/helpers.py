"""What the confirmation tests share: a paid order on a pier in Vladivostok in each
language, readers of the e-mail's HTML and the PDF, and backends that fail.

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
from django.core.mail.backends.base import BaseEmailBackend

from booking.gateways import sms
from booking.gateways.sms import SmsResult
from tests import factories
from tests.factories import general_departure, placed_order

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
