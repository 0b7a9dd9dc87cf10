"""An order's tickets as one PDF, one ticket per A6 page, in the order's language.

The caller passes plain values (`TicketView`), already in the order's language where
records have translations (`booking.i18n.localized_value`), so this module knows nothing
about orders and can be called from a request, a django-q2 task or a benchmark alike.
Chinese needs a CJK font: the template asks for Noto Sans CJK (Debian's
``fonts-noto-cjk``)."""

import base64
import contextlib
import datetime
import functools
import gc
import io
import threading
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import qrcode
import qrcode.constants
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

TEMPLATE = "booking/tickets/tickets.html"
STYLESHEET = "booking/tickets/tickets.css"
# What the template needs of a browser's default styles (see render_tickets_pdf).
USER_AGENT_STYLESHEET = "booking/tickets/tickets-ua.css"
# Boarding instructions longer than this are set smaller, so that a ticket keeps to one
# page (about 600 characters fit; longer text goes on over another page, never lost).
LONG_INSTRUCTIONS = 280
# Characters of the token per line under the QR code.
TOKEN_LINE = 48
# Pixels per module of the QR code's image (see qr_png).
QR_PIXELS = 4
# The QR codes' data mask, fixed. The standard has the encoder try all eight masks and
# keep the one with the lowest penalty score (fewest runs, blocks and finder-like
# patterns); in the `qrcode` package that is 8 of a code's 9 encodings, most of its
# time (~8 ms a code). Every mask is legal and every reader undoes whichever the code
# names. Our codes are random-looking data (a signed token, version 6): over 150 tokens
# the best-scoring mask was spread over all eight, and mask 3 (`(row + column) % 3 ==
# 0`) scored at most 1618 where the best of each code averaged ~1200 and the eight
# masks' worst was 1759.
QR_MASK = 3


@dataclass(frozen=True, slots=True)
class TicketView:
    """What one ticket shows. `starts_at` is timezone-aware; it is shown in `time_zone`
    (the venue's, an IANA name such as "Europe/Moscow") whatever the server's zone."""

    product_name: str
    starts_at: datetime.datetime
    time_zone: str
    pier_name: str
    pier_address: str
    boarding_instructions: str
    ticket_type: str
    # What was paid for this ticket (its price less its share of the discount, plus its
    # fees), as the order page shows it; not the list price.
    paid: Decimal
    token: str
    seat_label: str = ""


@dataclass(frozen=True, slots=True)
class OrderSummary:
    """The order's page after its tickets: what was bought, when and where, and the
    price breakdown exactly as `booking.selectors.breakdown_display` gives it (the same
    one the checkout page and the e-mail show). Texts already in the order's language;
    `when` (date and time, `common.formats.date_time`) already in the venue's timezone."""

    product_name: str
    when: str
    pier_name: str
    breakdown: dict


def _qr_matrix(data: str) -> list[list[bool]]:
    """The modules of a QR code (error correction M, mask `QR_MASK`) with the standard
    quiet zone of 4 modules, row by row, True for dark."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, mask_pattern=QR_MASK
    )
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def qr_png(data: str) -> bytes:
    """A QR code as a grayscale PNG of `QR_PIXELS` pixels a module (a couple of kilobytes).
    WeasyPrint embeds an image as it is, where an SVG's path is parsed and drawn by Python
    (it was most of a ticket's drawing time). Several pixels a module because PDF readers
    smooth an image they scale up whatever it asks: at one pixel a module the edges blur,
    and zbarimg failed 2 codes of 12 on pages rasterised at 100 dpi."""
    from PIL import Image

    matrix = _qr_matrix(data)
    size = len(matrix)
    modules = Image.frombytes(
        "L", (size, size), bytes(0 if dark else 255 for row in matrix for dark in row)
    )
    image = modules.resize((size * QR_PIXELS, size * QR_PIXELS), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def qr_png_data_uri(data: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(data)).decode("ascii")


def _utc_offset(moment: datetime.datetime) -> str:
    """ "UTC+3", "UTC−2:30", "UTC"."""
    offset = moment.utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "\u2212"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def _token_lines(token: str, width: int = TOKEN_LINE) -> list[str]:
    """The token printed under the QR code in lines that break after its dots, never
    inside a part (a line ending in "-" would be read as a hyphenated word)."""
    lines: list[str] = []
    pieces = [f"{piece}." for piece in token.split(".")]
    pieces[-1] = pieces[-1][:-1]
    for piece in pieces:
        while len(piece) > width:
            lines.append(piece[:width])
            piece = piece[width:]
        if lines and len(lines[-1]) + len(piece) <= width and lines[-1].endswith("."):
            lines[-1] += piece
        else:
            lines.append(piece)
    return [line for line in lines if line]


def _ticket_context(ticket: TicketView, number: int, count: int) -> dict:
    if ticket.starts_at.tzinfo is None or ticket.starts_at.utcoffset() is None:
        raise ValueError("A ticket's departure time must be timezone-aware.")
    local = ticket.starts_at.astimezone(ZoneInfo(ticket.time_zone))
    return {
        "ticket": ticket,
        "number": number,
        "count": count,
        "local_start": local,
        "utc_offset": _utc_offset(local),
        "qr": qr_png_data_uri(ticket.token),
        "token_lines": _token_lines(ticket.token),
        "long_instructions": len(ticket.boarding_instructions) > LONG_INSTRUCTIONS,
    }


def render_tickets_html(
    *,
    language: str,
    order_code: str,
    tickets: list[TicketView],
    summary: OrderSummary | None = None,
    inline_style: bool = True,
) -> str:
    """The HTML the PDF is made from (useful to look at in a browser: with
    `inline_style` it carries its stylesheet; the PDF renderer passes the parsed one)."""
    if not tickets:
        raise ValueError("An order's PDF needs at least one ticket.")
    count = len(tickets)
    with translation.override(language):
        return render_to_string(
            TEMPLATE,
            {
                "order_code": order_code,
                "tickets": [
                    _ticket_context(ticket, number, count)
                    for number, ticket in enumerate(tickets, start=1)
                ],
                "summary": summary,
                "inline_style": inline_style,
            },
        )


_render_lock = threading.Lock()


@functools.cache
def shared_renderer():
    """What every PDF of the process shares, made on the first PDF: WeasyPrint's font
    configuration (Fontconfig's configuration and Pango's font map with its caches: made
    anew for each document, it costs a scan of the font cache and a cold font map) and
    the tickets' stylesheet parsed once. Neither holds anything of a document: the font
    map caches fonts and glyph metrics, the stylesheet only our own rules."""
    # WeasyPrint takes a while to import (it loads Pango); only the worker pays for it.
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    font_config = FontConfiguration()
    # Tickets embed everything they show (the QR codes are data: URIs): the renderer
    # never reads a file or the network, whatever ends up in the HTML.
    url_fetcher = URLFetcher(allowed_protocols={"data"})
    stylesheet = CSS(
        string=render_to_string(STYLESHEET),
        base_url=str(Path(settings.BASE_DIR)),
        url_fetcher=url_fetcher,
        font_config=font_config,
    )
    return font_config, url_fetcher, stylesheet


@functools.cache
def _tickets_html_class():
    """WeasyPrint's `HTML` with the tickets' own user-agent stylesheet
    (`USER_AGENT_STYLESHEET`) instead of WeasyPrint's whole one for HTML. The hook,
    `_ua_stylesheets`, is WeasyPrint's own (how it adds the forms' stylesheet), not a
    documented API: should a later version drop it, its default stylesheet comes back,
    and the PDFs are as before, only slower."""
    from weasyprint import CSS, HTML

    font_config, url_fetcher, _stylesheet = shared_renderer()
    user_agent = CSS(
        string=render_to_string(USER_AGENT_STYLESHEET),
        url_fetcher=url_fetcher,
        font_config=font_config,
    )

    class TicketsHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return [user_agent]

    return TicketsHTML


def render_tickets_pdf(
    *,
    language: str,
    order_code: str,
    tickets: list[TicketView],
    summary: OrderSummary | None = None,
) -> bytes:
    """The PDF of an order's tickets: one A6 page per ticket, each with its QR code, and
    with a `summary` a last page (or more) with the order's price breakdown."""
    font_config, url_fetcher, stylesheet = shared_renderer()
    html = render_tickets_html(
        language=language,
        order_code=order_code,
        tickets=tickets,
        summary=summary,
        inline_style=False,
    )
    document = _tickets_html_class()(
        string=html, base_url=str(Path(settings.BASE_DIR)), url_fetcher=url_fetcher
    )
    # Pango's font map is not meant to be used by two threads at once (a threaded web
    # worker serving two downloads); one PDF at a time per process costs nothing, the
    # rendering holds the GIL anyway.
    with _render_lock, _collector_paused():
        return document.write_pdf(stylesheets=[stylesheet], font_config=font_config)


@contextlib.contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off while WeasyPrint renders, and one young
    collection after. A PDF allocates some hundred thousand short-lived objects (boxes,
    styles, text runs): with the collector on, that is a dozen young collections a PDF
    and, every few PDFs, a full one that walks the whole process (Django, WeasyPrint, the
    fonts: ~240,000 objects, ~140 ms): 15-20 % of a PDF's CPU time in a worker. What a
    PDF leaves in reference cycles (~5,000 objects) is still in the youngest generation
    when it ends, and collecting that generation frees it in a millisecond or two.
    The pause is process-wide: a threaded web worker's other threads run without
    collections for the tenth of a second a PDF takes, and catch up after."""
    if not gc.isenabled():  # someone else's pause: theirs to end
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)
