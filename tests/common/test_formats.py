"""Dates and prices in each language's own format (common/formats): genitive months in
Russian, no Latin comma in Chinese, thousands grouped in Chinese too; on pages, in the
booking widget's data, in e-mails, PDFs and SMS."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import get_format

from booking.gateways import sms
from booking.models.messaging import MessageKind, MessageTemplate
from booking.services.confirmations import order_confirmation_email, order_confirmation_sms
from common.formats import CUSTOM_FORMATS, date_time, month_day_time
from content.templatetags.prichal import rub
from tests import factories
from tests.factories import general_departure, placed_order
from tests.helpers import parse, path, text

MOMENT = datetime.datetime(2026, 12, 7, 11, 0, tzinfo=datetime.UTC)
RU_MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
EN_MONTHS = "January February March April May June July August September October November December"


def month_day_expected(moment: datetime.datetime, language: str) -> str:
    day, month, hm = moment.day, moment.month, moment.strftime("%H:%M")
    return {
        "ru": f"{day} {RU_MONTHS.split()[month - 1]}, {hm}",
        "en": f"{EN_MONTHS.split()[month - 1]} {day}, {hm}",
        "zh-hans": f"{month}月{day}日 {hm}",
    }[language]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "7 декабря, 11:00"), ("en", "December 7, 11:00"), ("zh-hans", "12月7日 11:00")],
)
def test_month_day_and_time(language, expected):
    with translation.override(language), timezone.override(datetime.UTC):
        assert month_day_time(MOMENT) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "7 декабря 2026 г., 11:00"),
        ("en", "Dec. 7, 2026, 11:00"),
        ("zh-hans", "2026年12月7日 11:00"),
    ],
)
def test_date_and_time(language, expected):
    with translation.override(language), timezone.override(datetime.UTC):
        assert date_time(MOMENT) == expected


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_every_language_defines_the_site_s_formats(language):
    with translation.override(language):
        for name in CUSTOM_FORMATS:
            assert get_format(name) != name


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "12\u00a0000\u00a0₽"), ("en", "12,000\u00a0₽"), ("zh-hans", "12,000\u00a0₽")],
)
def test_prices_group_thousands(language, expected):
    with translation.override(language):
        assert rub(Decimal("12000")) == expected
        assert rub(Decimal("1234567.5")).startswith(expected[:1])


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_product_page_next_departure_and_prices(client, tree, language):
    doc = parse(client.get(path("excursion", language)))

    departure = tree.departures["excursion"]
    local = departure.starts_at.astimezone(datetime.timezone(datetime.timedelta(hours=3)))
    facts = text(doc.select_one("dl.facts"))
    assert month_day_expected(local, language) in facts
    assert "Декабрь" not in facts and "日," not in facts


@pytest.mark.parametrize(
    ("language", "thousands"), [("ru", "\u00a0"), ("en", ","), ("zh-hans", ",")]
)
def test_booking_widget_gets_the_language_s_grouping(client, tree, language, thousands):
    from booking.templatetags.booking_tags import _number_format

    with translation.override(language):
        assert _number_format() == {
            "decimal": "," if language == "ru" else ".",
            "thousands": thousands,
            "grouping": 3,
        }


# --- messages ----------------------------------------------------------------------

# 16:00 UTC is 13 July 02:00 at a pier in Vladivostok.
STARTS_AT = datetime.datetime(2031, 7, 12, 16, 0, tzinfo=datetime.UTC)
WHEN = {
    "ru": "13 июля 2031 г., 02:00",
    "en": "July 13, 2031, 02:00",
    "zh-hans": "2031年7月13日 02:00",
}


def paid_order(language):
    venue = factories.VenueFactory(timezone="Asia/Vladivostok")
    product = factories.ProductFactory(venue=venue)
    factories.TicketTypeFactory(product=product, price=Decimal("12000.00"), sort_order=0)
    departure = general_departure(capacity=10, product=product, starts_at=STARTS_AT)
    return placed_order(
        departure, paid=True, language=language, email="anna@example.com", phone="+79123456789"
    )


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_e_mail_and_pdf_dates_and_prices(db, language, tmp_path):
    from tests.booking.confirmations.helpers import html_of, pdf_text

    mail.outbox.clear()
    order = paid_order(language)
    assert order_confirmation_email(order.pk)
    [message] = mail.outbox
    for body in (message.body, html_of(message)):
        assert WHEN[language] in body
        assert not re.search(r"日,|г\.,? \d\d:\d\d \(|Июль", body.replace(WHEN[language], ""))
    with translation.override(language):
        price = rub(order.total)
    assert price in message.body

    [(filename, content, _)] = message.attachments
    pdf = tmp_path / filename
    pdf.write_bytes(content)
    shown = pdf_text(pdf)
    date = WHEN[language].rsplit(" ", 1)[0].rstrip(",")
    assert date in shown
    assert price.replace("\u00a0", " ") in shown


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_sms_dates_and_prices(db, language):
    sms.outbox.clear()
    order = paid_order(language)
    MessageTemplate.objects.create(
        kind=MessageKind.ORDER_CONFIRMATION,
        language=language,
        sms_text="{order_code}: {date} {time}, {total} {order_url}",
    )
    assert order_confirmation_sms(order.pk)
    [message] = sms.outbox
    date = WHEN[language].rsplit(" ", 1)[0].rstrip(",")
    assert f"{date} 02:00" in message.text
    with translation.override(language):
        assert rub(order.total).replace("\u00a0", " ") in message.text
    sms.outbox.clear()
