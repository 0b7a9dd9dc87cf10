"""An order's tickets as one PDF, one ticket per A6 page, in the order's language.

The caller passes plain values (`TicketView`), already in the order's language where
records have translations (`booking.i18n.localized_value`), so this module knows nothing
about orders and can be called from a request, a django-q2 task or a benchmark alike.
Chinese needs a CJK font: the template asks for Noto Sans CJK (Debian's
``fonts-noto-cjk``)."""

import base64
import datetime
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
# Boarding instructions longer than this are set smaller, so that a ticket keeps to one
# page (about 600 characters fit; longer text goes on over another page, never lost).
LONG_INSTRUCTIONS = 280
# Characters of the token per line under the QR code.
TOKEN_LINE = 48


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


def qr_svg(data: str) -> str:
    """A QR code (error correction M, the standard quiet zone of 4 modules) as SVG markup
    with a viewBox in modules, to be sized by the page that shows it. Each run of dark
    modules in a row is one rectangle of the path: crisp at any size and cheap to draw."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size}" height="{size}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )


def qr_svg_data_uri(data: str) -> str:
    svg = qr_svg(data).encode("utf-8")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


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
        "qr": qr_svg_data_uri(ticket.token),
        "token_lines": _token_lines(ticket.token),
        "long_instructions": len(ticket.boarding_instructions) > LONG_INSTRUCTIONS,
    }


def render_tickets_html(
    *,
    language: str,
    order_code: str,
    tickets: list[TicketView],
    summary: OrderSummary | None = None,
) -> str:
    """The HTML the PDF is made from (useful to look at in a browser)."""
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
            },
        )


def render_tickets_pdf(
    *,
    language: str,
    order_code: str,
    tickets: list[TicketView],
    summary: OrderSummary | None = None,
) -> bytes:
    """The PDF of an order's tickets: one A6 page per ticket, each with its QR code, and
    with a `summary` a last page (or more) with the order's price breakdown."""
    # WeasyPrint takes a while to import (it loads Pango); only the worker pays for it.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_tickets_html(
        language=language, order_code=order_code, tickets=tickets, summary=summary
    )
    document = HTML(
        string=html,
        base_url=str(Path(settings.BASE_DIR)),
        # Tickets embed everything they show (the QR codes are data: URIs): the renderer
        # never reads a file or the network, whatever ends up in the HTML.
        url_fetcher=URLFetcher(allowed_protocols={"data"}),
    )
    return document.write_pdf()
