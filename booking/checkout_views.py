"""Checkout and the order's status page.

- `checkout_view`: the form of a hold's buyer (name, e-mail, phone, promo code, three
  separate consents) with the price breakdown; "Apply" re-prices with the promo code,
  "Pay" creates the order (`order_create`) and starts its payment (`payment_start`), then
  sends the browser to YooKassa's confirmation page.
- `order_view` and friends: the order behind its secret link: status, breakdown, tickets
  and the PDF once paid; the status JSON the page polls while the payment is pending;
  "Pay again" after a declined payment.

Views parse the request and call the services; every refusal is a `BookingError` shown in
the visitor's language. No input makes a 500."""

import json
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.services.customers import customer_for_user
from booking.checkout_forms import CheckoutForm
from booking.models import FunnelStep, Hold, Order, Payment, Refund, Ticket
from booking.selectors import breakdown_display, purchase_for_analytics
from booking.services.errors import BookingError
from booking.services.funnel import funnel_record
from booking.services.orders import (
    CheckoutDetails,
    ConsentDocument,
    checkout_quote,
    order_create,
    order_get,
)
from booking.services.payments import order_payment_refresh, payment_start
from booking.services.pricing import Breakdown
from booking.sessions import remember_promo_code, remembered_promo_code
from booking.site import legal_documents
from booking.templatetags.booking_tags import MESSAGE_TAG
from booking.views import _missing, _own_hold, _product_page_url, _with_anchor, clock
from common.analytics import metrica_counter_id
from common.http import ClientThrottle, client_ip

PDF_STATUSES = Order.CONFIRMED_STATUSES
# The checkout and order pages carry a secret in their address (the hold's token, the
# order's secret): no other site may see it in a Referer. Not "no-referrer": with it
# browsers send `Origin: null` on the page's own forms ("Pay again"), which Django's CSRF
# check rightly refuses.
ORDER_REFERRER_POLICY = "same-origin"
PENDING_PAYMENT = (Payment.Status.PENDING, Payment.Status.WAITING_FOR_CAPTURE)
STATUS_POLL_SECONDS = 5  # the page's <meta refresh> without JavaScript
# Wrong promo codes per session and per address: once over the limit no code is checked,
# so codes cannot be guessed by trying them one after another.
PROMO_THROTTLE = ClientThrottle("promo", "BOOKING_PROMO_RATE", "BOOKING_PROMO_ADDRESS_RATE")


class RedirectSeeOther(HttpResponseRedirect):
    status_code = 303


def _order_referrer_policy(view):
    """Sends the checkout and order pages' own Referrer-Policy (`ORDER_REFERRER_POLICY`)
    in place of the site-wide one."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers["Referrer-Policy"] = ORDER_REFERRER_POLICY
        return response

    return wrapper


# ---------------------------------------------------------------- documents


def _document(request: HttpRequest, page) -> ConsentDocument | None:
    """A legal page as the visitor reads it: its translation in the current language
    (else the page itself), its URL and the version of its published text."""
    if page is None:
        return None
    localized = page.localized
    if not localized.live:
        localized = page
    url = localized.get_url(request) or ""
    return ConsentDocument(url=url, version=f"{localized.pk}.{localized.live_revision_id}")


def _documents(request: HttpRequest) -> dict[str, ConsentDocument | None]:
    return {key: _document(request, page) for key, page in legal_documents(request).items()}


def _link(document: ConsentDocument | None, label: str):
    if document is None or not document.url:
        return label
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', document.url, label)


def _consent_labels(documents: dict) -> dict:
    return {
        "personal_data": format_html(
            _("I give my {document} (required)."),
            document=_link(
                documents["personal_data"],
                _("consent to the processing of personal data"),
            ),
        ),
        "offer": format_html(
            _("I accept the {offer} and the {refund_rules} (required)."),
            offer=_link(documents["offer"], _("public offer")),
            refund_rules=_link(documents["refund_rules"], _("refund rules")),
        ),
        "marketing": _(
            "Send me news and special offers by e-mail and SMS (optional; "
            "you can unsubscribe at any time)."
        ),
        "privacy": format_html(
            _("How we handle personal data: {policy}."),
            policy=_link(
                documents["privacy_policy"],
                _("personal data processing policy"),
            ),
        )
        if documents["privacy_policy"]
        else "",
    }


# ---------------------------------------------------------------- helpers


def _language() -> str:
    return get_language() or "ru"


def _user_agent(request: HttpRequest) -> str:
    agent = request.META.get("HTTP_USER_AGENT") or ""
    return "".join(c for c in agent if c >= " ")[:300]


def _order_url(order: Order) -> str:
    return reverse("booking:order", kwargs={"code": order.code, "secret": order.secret})


def _start_payment(request: HttpRequest, order: Order):
    """Starts (or re-uses) the order's payment and sends the browser to YooKassa; when
    that is not possible, back to the order page with the reason."""
    try:
        payment = payment_start(
            order=order, return_url=request.build_absolute_uri(_order_url(order))
        )
    except BookingError as error:
        messages.error(request, error.message, extra_tags=MESSAGE_TAG)
        return RedirectSeeOther(_order_url(order))
    # A free order is paid at once: its payment has nowhere to send the browser.
    return RedirectSeeOther(payment.confirmation_url or _order_url(order))


# ---------------------------------------------------------------- checkout


@_order_referrer_policy
@never_cache
@require_http_methods(["GET", "POST"])
def checkout_view(request: HttpRequest, token: str):
    try:
        hold = _own_hold(request, token)
    except BookingError as error:
        if request.method == "POST" and error.code == "hold_expired":
            return _expired_back(request, error, token)
        return _missing(request, error, token)
    existing = Order.objects.filter(hold=hold).only("code", "secret").first()
    if existing is not None:
        return RedirectSeeOther(_order_url(existing))

    documents = _documents(request)
    if request.method == "POST":
        form = CheckoutForm(request.POST)
    else:
        form = _form_with_remembered_promo(request, hold)
    promo_code, promo_error = "", None
    if form.is_bound:
        try:
            promo_code = form.entered_promo_code()
        except forms.ValidationError as error:
            promo_error = error.messages[0]
    promo_blocked = bool(promo_code) and PROMO_THROTTLE.blocked(request)
    if form.is_bound and request.POST.get("action") == "apply":
        # "Apply" judges the promo code only: the rest of the form is not checked yet.
        form.full_clean()
        form._errors = forms.utils.ErrorDict()
        breakdown, quote_error = _quote(request, hold, form, promo_code)
        promo_error = promo_error or quote_error
        if promo_error:
            form.add_error("promo_code", promo_error)
        promo_applied = bool(promo_code and not promo_error)
        remember_promo_code(request, hold, breakdown.promo_code if promo_applied else "")
        return _render_checkout(
            request,
            hold,
            form,
            breakdown,
            documents,
            promo_applied=promo_applied,
            status=429 if promo_blocked else 400 if promo_error else 200,
        )
    if form.is_bound and form.is_valid() and not promo_blocked:
        response = _place_order(request, hold, form, documents)
        if response is not None:
            return response
    if not form.is_bound:
        promo_code = form.initial.get("promo_code", "")
        funnel_record(FunnelStep.CHECKOUT_OPENED, product_id=hold.departure.product_id)
    breakdown, quote_error = _quote(request, hold, form, promo_code)
    if quote_error and not form.is_bound:
        # A remembered code that no longer applies (expired, used up): dropped, and said so.
        messages.error(
            request,
            _("The promo code %(code)s has been removed. %(reason)s")
            % {"code": promo_code, "reason": quote_error},
            extra_tags=MESSAGE_TAG,
        )
        form = CheckoutForm()
        promo_code = ""
    elif quote_error and "promo_code" not in form.errors:
        form.add_error("promo_code", quote_error)
    promo_applied = bool(promo_code and not form.errors.get("promo_code"))
    remember_promo_code(request, hold, breakdown.promo_code if promo_applied else "")
    return _render_checkout(
        request,
        hold,
        form,
        breakdown,
        documents,
        promo_applied=promo_applied,
        status=429 if promo_blocked else 400 if form.is_bound else 200,
    )


def _form_with_remembered_promo(request: HttpRequest, hold: Hold) -> CheckoutForm:
    """An empty form, with the promo code applied earlier at this hold's checkout (a
    reload, a way back from "change the selection"); the caller judges it again. A
    signed-in customer finds their name, address and phone filled in from the profile."""
    initial = {"promo_code": remembered_promo_code(request, hold)}
    customer = customer_for_user(request.user)
    if customer is not None:
        initial.update({"name": customer.name, "email": customer.email, "phone": customer.phone})
    return CheckoutForm(initial=initial)


def _quote(request: HttpRequest, hold: Hold, form: CheckoutForm, promo_code: str):
    """The breakdown with the promo code if it applies, else without it and the reason.
    A wrong code counts against the promo throttle; over it, no code is checked."""
    email = form.entered_email
    if promo_code:
        if PROMO_THROTTLE.blocked(request):
            return checkout_quote(hold=hold, email=email), BookingError(
                "promo_rate_limited"
            ).message
        try:
            return checkout_quote(hold=hold, promo_code=promo_code, email=email), None
        except BookingError as error:
            PROMO_THROTTLE.record(request)
            return checkout_quote(hold=hold, email=email), error.message
    return checkout_quote(hold=hold, email=email), None


def _place_order(request: HttpRequest, hold: Hold, form: CheckoutForm, documents: dict):
    data = form.cleaned_data
    details = CheckoutDetails(
        name=data["name"],
        email=data["email"],
        phone=data["phone"],
        language=_language(),
        personal_data_consent=data["personal_data_consent"],
        offer_accepted=data["offer_accepted"],
        marketing_consent=bool(data.get("marketing_consent")),
        promo_code=data.get("promo_code", ""),
        ip_address=client_ip(request),
        user_agent=_user_agent(request),
        personal_data_document=documents["personal_data"],
        offer_document=documents["offer"],
    )
    try:
        order = order_create(hold=hold, details=details)
    except BookingError as error:
        if error.code in ("hold_expired", "hold_not_found"):
            return _expired_back(request, error, hold.token)
        if error.code.startswith("promo_"):
            PROMO_THROTTLE.record(request)
        form.add_booking_error(error)
        return None
    return _start_payment(request, order)


def _expired_back(request: HttpRequest, error: BookingError, token: str):
    """The hold ran out while the customer was filling in the form: back to the
    product's page, which says so."""
    hold = Hold.objects.filter(token=token[:64]).select_related("departure").first()
    if hold is None:
        return _missing(request, error, token)
    messages.error(request, error.message, extra_tags=MESSAGE_TAG)
    return RedirectSeeOther(_with_anchor(_product_page_url(hold)))


def _render_checkout(request, hold, form, breakdown, documents, *, promo_applied, status):
    departure = hold.departure
    display = breakdown_display(breakdown, departure=departure, language=_language())
    form.describe()
    seconds = max(int((hold.expires_at - timezone.now()).total_seconds()), 0)
    return render(
        request,
        "booking/checkout.html",
        {
            "hold": hold,
            "departure": departure,
            "product": departure.product,
            "venue": departure.venue,
            "form": form,
            "breakdown": display,
            "labels": _consent_labels(documents),
            "seconds_left": seconds,
            "clock": clock(seconds),
            "back_url": _with_anchor(_product_page_url(hold)),
            "hold_url": reverse("booking:hold", kwargs={"token": hold.token}),
            "promo_applied": promo_applied,
        },
        status=status,
    )


# ---------------------------------------------------------------- the order


def _own_order(code: str, secret: str) -> Order:
    try:
        return order_get(code=code, secret=secret)
    except BookingError:
        raise Http404 from None


def _payment_state(order: Order) -> dict:
    """What the page says about the payment of an order awaiting it."""
    payment = order.payments.order_by("-created_at", "-pk").first()
    declined = payment is not None and payment.status == Payment.Status.CANCELED
    pending = payment is not None and payment.status in PENDING_PAYMENT
    return {
        "payment": payment,
        "declined": declined,
        "pending": pending,
        "not_started": payment is None or payment.status == Payment.Status.CREATED,
    }


def _ticket_rows(order: Order) -> list[dict]:
    from booking.i18n import localized_value

    language = _language()
    return [
        {
            "ticket_type": localized_value(ticket.ticket_type, "name", language),
            "seat": ticket.seat.short_label if ticket.seat else "",
            "paid": ticket.paid_amount,
            "status": ticket.status,
            "status_label": ticket.get_status_display(),
            "valid": ticket.status == Ticket.Status.VALID,
        }
        for ticket in order.tickets.select_related("ticket_type", "seat").order_by("pk")
    ]


@_order_referrer_policy
@never_cache
@require_GET
def order_view(request: HttpRequest, code: str, secret: str):
    order = order_payment_refresh(order=_own_order(code, secret))
    departure = order.departure
    awaiting = order.status == Order.Status.AWAITING_PAYMENT
    state = (
        _payment_state(order)
        if awaiting
        else {"payment": None, "declined": False, "pending": False, "not_started": False}
    )
    refunds = Refund.objects.filter(payment__order=order)
    late_refund = refunds.filter(reason=Refund.Reason.LATE_PAYMENT).first()
    paid = order.status in PDF_STATUSES
    display = breakdown_display(
        Breakdown.from_json(order.breakdown), departure=departure, language=_language()
    )
    seconds = max(int((order.expires_at - timezone.now()).total_seconds()), 0) if awaiting else 0
    # The sale for Yandex Metrica's e-commerce report, when Metrica is on; the browser
    # reports it only if the visitor accepted analytics cookies (static/js/analytics.js).
    purchase = (
        json.dumps(purchase_for_analytics(order, product=departure.product), ensure_ascii=False)
        if metrica_counter_id() and order.status == Order.Status.PAID
        else ""
    )
    return render(
        request,
        "booking/order.html",
        {
            "order": order,
            "departure": departure,
            "product": departure.product,
            "venue": departure.venue,
            "breakdown": display,
            "awaiting": awaiting,
            "paid": paid,
            "declined": state["declined"],
            "pending": state["pending"],
            "can_pay": awaiting and seconds > 0,
            "not_started": state["not_started"],
            "poll": awaiting and state["pending"],
            "poll_seconds": STATUS_POLL_SECONDS,
            "payment_status": state["payment"].status if state["payment"] else "",
            "late_refund": late_refund,
            "tickets": _ticket_rows(order) if order.status != Order.Status.EXPIRED else [],
            "show_tickets": order.status != Order.Status.AWAITING_PAYMENT,
            "status_url": reverse(
                "booking:order-status", kwargs={"code": order.code, "secret": order.secret}
            ),
            "pdf_url": reverse(
                "booking:order-pdf", kwargs={"code": order.code, "secret": order.secret}
            )
            if paid
            else "",
            "pay_url": reverse(
                "booking:order-pay", kwargs={"code": order.code, "secret": order.secret}
            ),
            "seconds_left": seconds,
            "clock": clock(seconds),
            # Refunds need the signed-in owner: this link may have been forwarded.
            "refund_signin_url": _refund_signin_url(order) if order.is_confirmed else "",
            "purchase": purchase,
        },
    )


def _refund_signin_url(order: Order) -> str:
    """The sign-in page, leading to the order in the account once signed in."""
    next_url = reverse("account_order", kwargs={"code": order.code})
    return f"{reverse('account_request_login_code')}?{urlencode({'next': next_url})}"


@_order_referrer_policy
@never_cache
@require_GET
def order_status_view(request: HttpRequest, code: str, secret: str):
    order = order_payment_refresh(order=_own_order(code, secret))
    order.refresh_from_db(fields=["status"])
    payment = order.payments.order_by("-created_at", "-pk").only("status").first()
    return JsonResponse(
        {
            "status": order.status,
            "paid": order.status in PDF_STATUSES,
            "payment": payment.status if payment is not None else None,
        }
    )


@_order_referrer_policy
@never_cache
@require_POST
def order_pay_view(request: HttpRequest, code: str, secret: str):
    order = _own_order(code, secret)
    if order.status != Order.Status.AWAITING_PAYMENT:
        messages.error(request, BookingError("order_not_payable").message, extra_tags=MESSAGE_TAG)
        return RedirectSeeOther(_order_url(order))
    return _start_payment(request, order)


@_order_referrer_policy
@never_cache
@require_GET
def order_pdf_view(request: HttpRequest, code: str, secret: str):
    order = _own_order(code, secret)
    if order.status not in PDF_STATUSES:
        raise Http404
    from booking.services.confirmations import order_tickets_pdf

    response = HttpResponse(order_tickets_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="prichal-{order.code}.pdf"'
    return response
