"""The signed-in customer's orders (/<lang>/account/orders/…): the list, an order with
its tickets, price breakdown, payments and refunds, the PDF of the order and of each
ticket, and the order's calendar file. Only the account's own orders: another account's
order, or one that does not exist, is a 404 (`booking.account_selectors`). A guest keeps
the secret order link (`booking.checkout_views.order_view`)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from booking.account_selectors import account_order, account_orders, owned_orders, owned_ticket
from booking.calendars import order_calendar
from booking.models import Order
from booking.services.errors import BookingError


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
    detail = _or_404(account_order, user=request.user, code=code)
    order = detail.order
    awaiting = order.status == Order.Status.AWAITING_PAYMENT
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
        },
    )


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
