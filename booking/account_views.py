"""The signed-in customer's orders (/<lang>/account/orders/…): the list, an order with
its tickets, price breakdown, payments and refunds, the PDF of the order and of each
ticket, and the order's calendar file. Only the account's own orders: another account's
order, or one that does not exist, is a 404 (`booking.account_selectors`). A guest keeps
the secret order link (`booking.checkout_views.order_view`), which cannot refund: it may
have been forwarded, so a refund needs the signed-in owner.

Refunds, without JavaScript, in two POSTs: the order page's form (a checkbox per ticket
still refundable) posts the chosen tickets to `refund_view`, which shows the quote
(`refund_quote`) and a confirm button; only that button's POST (`refund_confirm_view`)
asks for the refund (`refund_request`), then redirects to the order page with the
outcome. A refusal at either step shows the order page again with the reason, nothing
changed. The confirm step takes only the tickets it is sent: none is refused
(`no_tickets`), never read as "all".
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from booking.account_selectors import (
    account_order,
    account_orders,
    owned_orders,
    owned_ticket,
    refund_section,
)
from booking.calendars import order_calendar
from booking.models import Order
from booking.services.errors import BookingError
from booking.services.refunds import refund_quote, refund_request
from common.money import format_rub

# A form never chooses more tickets than an order can hold; more is not a form of ours.
MAX_CHOSEN = 100


def _or_404(read, **kwargs):
    try:
        return read(**kwargs)
    except BookingError:
        raise Http404 from None


@never_cache
@login_required
@require_GET
def orders_view(request: HttpRequest):
    return render(
        request, "booking/account/orders.html", {"orders": account_orders(user=request.user)}
    )


@never_cache
@login_required
@require_GET
def order_view(request: HttpRequest, code: str):
    return _order_page(request, code)


def _order_page(
    request: HttpRequest, code: str, *, refund_error: str = "", chosen=None, status: int = 200
):
    """The order page; after a refused refund, with the reason and the tickets that were
    ticked still ticked."""
    detail = _or_404(account_order, user=request.user, code=code)
    order = detail.order
    awaiting = order.status == Order.Status.AWAITING_PAYMENT
    refund = refund_section(order=order)
    return render(
        request,
        "booking/account/order.html",
        {
            "detail": detail,
            "order": order,
            "row": detail.row,
            "breakdown": detail.breakdown,
            # An order still to be paid is paid on its own page (the secret link).
            "pay_url": reverse("booking:order", kwargs={"code": order.code, "secret": order.secret})
            if awaiting
            else "",
            "refund": refund,
            "refund_error": refund_error,
            # Every refundable ticket is ticked at first; after a refusal, the ones chosen.
            "refund_chosen": refund.refundable_ids
            if chosen is None
            else {pk for pk in refund.refundable_ids if str(pk) in chosen},
        },
        status=status,
    )


def _chosen_tickets(request: HttpRequest) -> list[str]:
    """The ticket ids the form sent, as sent (the refund service checks each one)."""
    chosen = request.POST.getlist("tickets")
    if len(chosen) > MAX_CHOSEN:
        raise BookingError("ticket_invalid")
    return chosen


def _refused(request: HttpRequest, code: str, reason: str) -> HttpResponse:
    return _order_page(
        request,
        code,
        refund_error=reason,
        chosen=request.POST.getlist("tickets")[:MAX_CHOSEN],
        status=400,
    )


@never_cache
@login_required
@require_POST
def refund_view(request: HttpRequest, code: str):
    """The first step: what the chosen tickets would bring back, and the confirm button.
    Changes nothing."""
    detail = _or_404(account_order, user=request.user, code=code)
    try:
        quote = refund_quote(order=detail.order, tickets=_chosen_tickets(request))
    except BookingError as error:
        return _refused(request, code, error.message)
    if not quote.allowed:
        return _refused(request, code, quote.message)
    tickets = {ticket.id: ticket for ticket in detail.tickets}
    return render(
        request,
        "booking/account/refund_confirm.html",
        {
            "order": detail.order,
            "row": detail.row,
            "quote": quote,
            "lines": [
                {
                    "ticket": tickets[line.ticket.pk],
                    "amount": line.amount,
                    "fee_kept": line.fee_kept,
                }
                for line in quote.lines
            ],
            "fee_kept": quote.fees_kept,
            "cancelled": quote.departure_cancelled,
        },
    )


@never_cache
@login_required
@require_POST
def refund_confirm_view(request: HttpRequest, code: str):
    """The second step: the refund of the tickets confirmed, then back to the order page
    (POST, redirect, GET) with the outcome."""
    detail = _or_404(account_order, user=request.user, code=code)
    try:
        chosen = _chosen_tickets(request)
        refund = refund_request(order=detail.order, tickets=chosen, requested_by=request.user)
    except BookingError as error:
        return _refused(request, code, error.message)
    messages.success(
        request,
        gettext("Refund made: %(amount)s will go back to the card you paid with.")
        % {"amount": format_rub(refund.amount)},
    )
    return redirect("account_order", code=detail.order.code)


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_GET
def order_pdf_view(request: HttpRequest, code: str):
    order = (
        owned_orders(request.user)
        .select_related("departure__product", "departure__venue")
        .filter(code=code.upper()[:12], status__in=Order.CONFIRMED_STATUSES)
        .first()
    )
    if order is None:
        raise Http404
    from booking.services.confirmations import order_tickets_pdf, pdf_filename

    return _attachment(order_tickets_pdf(order), "application/pdf", pdf_filename(order))


@never_cache
@login_required
@require_GET
def ticket_pdf_view(request: HttpRequest, code: str, ticket_id: int):
    order, ticket = _or_404(owned_ticket, user=request.user, code=code, ticket_id=ticket_id)
    from booking.services.confirmations import ticket_pdf

    return _attachment(
        ticket_pdf(order, ticket), "application/pdf", f"prichal-{order.code}-{ticket.pk}.pdf"
    )


@never_cache
@login_required
@require_GET
def order_ics_view(request: HttpRequest, code: str):
    order = (
        owned_orders(request.user)
        .select_related("departure__product", "departure__venue", "customer")
        .filter(code=code.upper()[:12], status__in=Order.CONFIRMED_STATUSES)
        .first()
    )
    if order is None:
        raise Http404
    language = order.customer.language or get_language()
    content = order_calendar(
        order,
        language=language,
        order_url=request.build_absolute_uri(reverse("account_order", kwargs={"code": order.code})),
    )
    return _attachment(content, "text/calendar; charset=utf-8", f"prichal-{order.code}.ics")
