"""An order's tickets as a PDF: one page per ticket in the order's language, Chinese in a
CJK font, the departure time in the venue's time zone, and a QR code that scans back to
the ticket's token.

Reading the PDF needs poppler-utils (pdfinfo, pdftotext, pdffonts, pdftoppm) and decoding
the QR code needs zbar-tools (zbarimg); `make test` installs both. Without them those
tests fail, saying which package is missing: a missing tool must not pass for a good
ticket."""

import datetime
import io
import re
import shutil
import subprocess
import unicodedata
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from booking.tickets.pdf import (
    QR_PIXELS,
    TicketView,
    qr_png,
    render_tickets_html,
    render_tickets_pdf,
)
from booking.tickets.tokens import new_ticket_secret, read_ticket_token, ticket_token

ORDER_CODE = "K7M-4QXP"
DEPARTURE_ID = 4711
# 16:30 UTC is 19:30 in St Petersburg (UTC+3).
STARTS_AT = datetime.datetime(2025, 7, 12, 16, 30, tzinfo=datetime.UTC)

TEXTS = {
    "ru": {
        "product": "Вечерняя прогулка по Неве",
        "pier": "Причал «Адмиралтейский»",
        "address": "Адмиралтейская наб., 2",
        "instructions": "Посадка начинается за 20 минут до отправления.",
        "types": ("Взрослый", "Детский"),
        "seat": "Верхняя палуба, ряд 3, место 12",
        "labels": ("Причал", "Оплачено", "Посадка"),  # "Pier", "Amount paid", "Boarding"
        "date": "12 июля 2025",
    },
    "en": {
        "product": "Evening cruise on the Neva",
        "pier": "Admiralteysky pier",
        "address": "2 Admiralteyskaya Embankment",
        "instructions": "Boarding opens 20 minutes before departure.",
        "types": ("Adult", "Child"),
        "seat": "Upper deck, row 3, seat 12",
        "labels": ("Pier", "Amount paid", "Boarding"),
        "date": "July 12, 2025",
    },
    "zh-hans": {
        "product": "涅瓦河夜游",
        "pier": "海军部码头",
        "address": "海军部堤岸2号",
        "instructions": "开船前20分钟开始登船。",
        "types": ("成人", "儿童"),
        "seat": "上层甲板 3排 12座",
        "labels": ("码头", "实付金额", "登船"),
        "date": "2025年7月12日",
    },
}


def make_tickets(language: str, **changes) -> list[TicketView]:
    texts = TEXTS[language]
    common = {
        "product_name": texts["product"],
        "starts_at": STARTS_AT,
        "time_zone": "Europe/Moscow",
        "pier_name": texts["pier"],
        "pier_address": texts["address"],
        "boarding_instructions": texts["instructions"],
        **changes,
    }
    return [
        TicketView(
            **common,
            ticket_type=texts["types"][0],
            seat_label=texts["seat"],
            paid=Decimal("2500.00"),
            token=ticket_token(new_ticket_secret(), DEPARTURE_ID),
        ),
        TicketView(
            **common,
            ticket_type=texts["types"][1],
            paid=Decimal("1250.50"),
            token=ticket_token(new_ticket_secret(), DEPARTURE_ID),
        ),
    ]


def need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(
            f"`{tool}` is not installed (Debian package {package}; `make test` installs it)",
            pytrace=False,
        )
    return path


def run(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def pdf_text(path, page: int | None = None) -> str:
    """The PDF's text with every run of whitespace (including no-break spaces) made one
    space."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    text = run(need("pdftotext", "poppler-utils"), "-enc", "UTF-8", *pages, str(path), "-")
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def pdf_pages(path) -> int:
    info = run(need("pdfinfo", "poppler-utils"), str(path))
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def decode_qr(path, page: int, tmp_path) -> list[str]:
    pdftoppm = need("pdftoppm", "poppler-utils")
    zbarimg = need("zbarimg", "zbar-tools")
    prefix = tmp_path / f"page-{page}"
    # 100 dpi: roughly what a phone's screen shows of an A6 page.
    run(
        pdftoppm,
        "-png",
        "-r",
        "100",
        "-singlefile",
        "-f",
        str(page),
        "-l",
        str(page),
        str(path),
        str(prefix),
    )
    result = subprocess.run(
        [zbarimg, "--quiet", "--raw", f"{prefix}.png"], capture_output=True, text=True
    )
    return result.stdout.split()


@pytest.fixture(scope="module", params=list(TEXTS))
def rendered(request, tmp_path_factory):
    """Each language's PDF, rendered once for the module."""
    language = request.param
    tickets = make_tickets(language)
    pdf = render_tickets_pdf(language=language, order_code=ORDER_CODE, tickets=tickets)
    path = tmp_path_factory.mktemp("tickets") / f"tickets-{language}.pdf"
    path.write_bytes(pdf)
    return language, tickets, pdf, path


def test_it_is_a_pdf_with_one_page_per_ticket(rendered):
    _language, _tickets, pdf, path = rendered
    assert pdf.startswith(b"%PDF-")
    assert pdf_pages(path) == 2


def test_each_page_shows_its_ticket_in_the_order_language(rendered):
    language, tickets, _pdf, path = rendered
    texts = TEXTS[language]
    for number, ticket in enumerate(tickets, start=1):
        text = pdf_text(path, number)
        assert texts["product"] in text
        assert ORDER_CODE in text
        assert texts["pier"] in text
        assert texts["address"] in text
        assert texts["instructions"] in text
        assert ticket.ticket_type in text
        assert "19:30" in text  # the venue's time, not UTC's 16:30
        assert texts["date"] in text
        assert "UTC+3" in text
        # labels the catalogues already translate (set in capitals)
        for label in texts["labels"]:
            assert label.casefold() in text.casefold()
        assert ticket.token in text.replace(" ", "")  # printed under the QR code
    first, second = pdf_text(path, 1), pdf_text(path, 2)
    assert texts["seat"] in first
    assert texts["seat"] not in second
    assert texts["types"][1] not in first


def test_prices_are_in_roubles(rendered):
    language, _tickets, _pdf, path = rendered
    first, second = pdf_text(path, 1), pdf_text(path, 2)
    thousands = {"ru": "2 500", "en": "2,500", "zh-hans": "2,500"}[language]
    assert re.search(rf"{thousands}(\.00|,00)? ?₽", first), first
    assert re.search(r"1[ ,]?250[.,]50 ?₽", second), second


def test_chinese_is_set_in_a_cjk_font(rendered):
    language, _tickets, _pdf, path = rendered
    fonts = run(need("pdffonts", "poppler-utils"), str(path))
    if language == "zh-hans":
        assert re.search(r"Noto.?Sans.?CJK", fonts), (
            "No CJK font embedded: Chinese would print as empty boxes "
            f"(Debian package fonts-noto-cjk; `make run` and `make test` install it)\n{fonts}"
        )
    # Every font is embedded (a reader's own fonts may lack the glyphs).
    for line in fonts.splitlines()[2:]:
        assert re.search(r"\byes\s+yes\s+yes\b", line), line


def test_the_qr_code_on_each_page_scans_to_its_ticket_token(rendered, tmp_path):
    _language, tickets, _pdf, path = rendered
    for number, ticket in enumerate(tickets, start=1):
        assert decode_qr(path, number, tmp_path) == [ticket.token]
        assert read_ticket_token(ticket.token).departure_id == DEPARTURE_ID


def test_the_page_count_without_poppler():
    """The same check as above with WeasyPrint's own layout, for machines without
    poppler-utils."""
    from weasyprint import HTML

    html = render_tickets_html(language="ru", order_code=ORDER_CODE, tickets=make_tickets("ru"))
    assert len(HTML(string=html).render().pages) == 2


LONG_TITLE = "Большая вечерняя прогулка по рекам и каналам Санкт-Петербурга с ужином"
LONG_ADDRESS = "Санкт-Петербург, Адмиралтейская набережная, дом 2, спуск к воде у моста"
SENTENCE = "Посадка начинается за 20 минут до отправления у трапа номер три."


def test_long_texts_keep_a_ticket_on_one_page():
    """About 600 characters of boarding instructions under a three-line title."""
    from weasyprint import HTML

    tickets = make_tickets(
        "ru",
        boarding_instructions=" ".join([SENTENCE] * 9),
        product_name=LONG_TITLE,
        pier_address=LONG_ADDRESS,
    )
    html = render_tickets_html(language="ru", order_code=ORDER_CODE, tickets=tickets)
    assert len(HTML(string=html).render().pages) == 2


def test_text_longer_than_a_page_goes_on_to_another_page_and_is_not_lost(tmp_path):
    instructions = "Первая строка. " + " ".join([SENTENCE] * 20) + " Последняя строка."
    tickets = make_tickets(
        "ru", boarding_instructions=instructions, product_name=LONG_TITLE, pier_address=LONG_ADDRESS
    )
    path = tmp_path / "long.pdf"
    path.write_bytes(render_tickets_pdf(language="ru", order_code=ORDER_CODE, tickets=tickets))
    assert pdf_pages(path) > 2
    text = pdf_text(path)
    assert text.count("Первая строка.") == 2
    assert text.count("Последняя строка.") == 2


def test_times_are_the_venue_s_whatever_the_server_s_time_zone(tmp_path):
    tickets = make_tickets("en", time_zone="Asia/Vladivostok")  # UTC+10
    with timezone.override("America/New_York"):
        pdf = render_tickets_pdf(language="en", order_code=ORDER_CODE, tickets=tickets[:1])
    path = tmp_path / "vladivostok.pdf"
    path.write_bytes(pdf)
    text = pdf_text(path)
    assert "02:30" in text  # 16:30 UTC on 12 July is 02:30 on 13 July in Vladivostok
    assert "July 13, 2025" in text
    assert "UTC+10" in text
    assert pdf_pages(path) == 1


def test_the_active_language_is_left_alone():
    translation.activate("en")
    render_tickets_html(language="zh-hans", order_code=ORDER_CODE, tickets=make_tickets("zh-hans"))
    assert translation.get_language() == "en"


def test_record_text_is_escaped():
    tickets = make_tickets("en", product_name='<img src="file:///etc/passwd">Cruise')
    html = render_tickets_html(language="en", order_code="<b>X</b>", tickets=tickets)
    assert "file:///etc/passwd" not in html.replace("&quot;", '"').split("&lt;img")[0]
    assert '<img src="file:' not in html
    assert "&lt;b&gt;X&lt;/b&gt;" in html


def test_an_order_without_tickets_or_with_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        render_tickets_pdf(language="ru", order_code=ORDER_CODE, tickets=[])
    naive = make_tickets("ru", starts_at=STARTS_AT.replace(tzinfo=None))
    with pytest.raises(ValueError):
        render_tickets_html(language="ru", order_code=ORDER_CODE, tickets=naive)


def test_the_qr_image_is_a_scannable_size():
    from PIL import Image

    image = Image.open(io.BytesIO(qr_png(ticket_token(new_ticket_secret(), 2**63 - 1))))
    assert image.width == image.height
    size = image.width // QR_PIXELS
    # The signed token (143 characters, an Ed25519 signature in it) in QR's alphanumeric
    # mode: version 6 (41 modules) plus a quiet zone of 4 on each side. The unsigned
    # token of before was version 4 (33); in byte mode the signed one would be version 8.
    assert size == 41 + 8


def test_qr_codes_with_the_fixed_mask_scan_back_whatever_the_token(tmp_path):
    """The data mask is fixed (`QR_MASK`) instead of the best-scoring one per code: codes
    of tokens of short and long departure ids, fresh secrets each, all scan back."""
    zbarimg = need("zbarimg", "zbar-tools")
    tokens = [
        ticket_token(new_ticket_secret(), departure_id)
        for departure_id in (1, 4711, 2**31, 2**63 - 1)
        for _ in range(6)
    ]
    paths = []
    for number, token in enumerate(tokens):
        path = tmp_path / f"code-{number}.png"
        path.write_bytes(qr_png(token))
        paths.append(str(path))
    result = subprocess.run([zbarimg, "--quiet", "--raw", *paths], capture_output=True, text=True)
    assert sorted(result.stdout.split()) == sorted(tokens)


def test_orders_rendered_back_to_back_each_show_only_their_own_content(tmp_path):
    """The font configuration and the stylesheet are shared by every PDF of the process:
    nothing of one order may reach the next (names, codes, tokens, language, fonts)."""
    chinese = make_tickets("zh-hans", product_name="涅瓦河夜游 甲")
    russian = make_tickets("ru", product_name="Прогулка Б", pier_name="Причал Б")
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    first.write_bytes(
        render_tickets_pdf(language="zh-hans", order_code="AAA-1111", tickets=chinese)
    )
    second.write_bytes(render_tickets_pdf(language="ru", order_code="BBB-2222", tickets=russian))
    first_text, second_text = pdf_text(first), pdf_text(second)
    assert "涅瓦河夜游 甲" in first_text and "AAA-1111" in first_text
    assert "Прогулка Б" in second_text and "BBB-2222" in second_text
    assert "Прогулка Б" not in first_text and "BBB-2222" not in first_text
    assert "涅瓦河夜游" not in second_text and "AAA-1111" not in second_text
    assert "Причал Б" not in first_text
    for mine, theirs, path in ((chinese, russian, first), (russian, chinese, second)):
        compact = pdf_text(path).replace(" ", "")
        for number, ticket in enumerate(mine, start=1):
            assert ticket.token in compact
            assert decode_qr(path, number, tmp_path) == [ticket.token]
        for ticket in theirs:
            assert ticket.token not in compact
    # The Russian order needs no CJK font, whatever the order before it needed.
    assert not re.search(r"CJK", run(need("pdffonts", "poppler-utils"), str(second)))
    assert re.search(r"CJK", run(need("pdffonts", "poppler-utils"), str(first)))
