"""The booking pages outside the API: the form of the booking block that works without
JavaScript, and the page of a hold (what is held, the countdown, extend, release).
Each view parses the request and calls one service; a `BookingError` becomes a message."""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from booking.models import Departure, FunnelStep, Hold
from booking.selectors import hold_summary
from booking.services.errors import BookingError
from booking.services.funnel import funnel_record
from booking.services.holds import OwnerRule, hold_create, hold_extend, hold_get, hold_release
from booking.sessions import remember_hold, session_owner_key
from booking.site import product_page_url
from booking.templatetags.booking_tags import MESSAGE_TAG
from common.http import ClientThrottle, client_ip
from common.i18n import url_prefix

QUANTITY_PREFIX = "qty-"
MAX_QUANTITY_FIELDS = 50


def clock(seconds: int) -> str:
    """A countdown as MM:SS."""
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def home_url() -> str:
    return f"/{url_prefix(get_language() or 'ru')}/"


def safe_url(request: HttpRequest, url: str | None) -> str | None:
    """`url` when it stays on this site (a "next" or Referer to go back to), else None."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def _back_url(request: HttpRequest) -> str:
    """Where a refused booking goes back to: the page of the form, else home."""
    return (
        safe_url(request, request.POST.get("next"))
        or safe_url(request, request.headers.get("Referer"))
        or home_url()
    )


def _with_anchor(url: str) -> str:
    return url if "#" in url else f"{url}#booking"


def _parse_quantities(data) -> dict[int, int]:
    """`qty-<ticket type id>` fields as {id: quantity}; empty fields count as 0. Anything
    that is not a whole number is refused with the service's own message."""
    quantities: dict[int, int] = {}
    keys = [key for key in data if key.startswith(QUANTITY_PREFIX)]
    if len(keys) > MAX_QUANTITY_FIELDS:
        raise BookingError("ticket_type_invalid")
    for key in keys:
        raw = (data.get(key) or "").strip()
        type_id = key.removeprefix(QUANTITY_PREFIX)
        if not type_id.isdecimal():
            raise BookingError("ticket_type_invalid")
        try:
            quantity = int(raw) if raw else 0
        except ValueError:
            raise BookingError(
                "quantity_invalid", limit=settings.BOOKING_MAX_TICKETS_PER_HOLD
            ) from None
        if quantity:
            quantities[int(type_id)] = quantities.get(int(type_id), 0) + quantity
    return quantities


# The form is throttled like the API's hold endpoint, per session and per address.
HOLD_FORM_THROTTLE = ClientThrottle("hold-form", "BOOKING_HOLD_RATE")


def throttled_page(request: HttpRequest, error: BookingError, back_url: str):
    """429 with the reason in the visitor's language and a way back."""
    return render(
        request,
        "booking/hold_missing.html",
        {"message": error.message, "back_url": back_url, "title": _("Please wait a moment")},
        status=429,
    )


@require_POST
def hold_create_view(request: HttpRequest):
    """The booking block's form without JavaScript: a departure and a number of tickets
    per ticket type (general admission)."""
    if not HOLD_FORM_THROTTLE.allow(request):
        return throttled_page(
            request, BookingError("rate_limited"), _with_anchor(_back_url(request))
        )
    try:
        departure_id = request.POST.get("departure", "").strip()
        if not departure_id.isdecimal():
            raise BookingError("departure_not_found")
        hold = hold_create(
            departure_id=int(departure_id),
            owner_key=session_owner_key(request),
            quantities=_parse_quantities(request.POST),
            client_address=client_ip(request),
        )
    except BookingError as error:
        # Without JavaScript, choosing a departure is sending this form: the date was
        # chosen even when the places were not there.
        product_id = (
            Departure.objects.filter(pk=departure_id).values_list("product_id", flat=True).first()
            if departure_id.isdecimal() and len(departure_id) < 19
            else None
        )
        if product_id is not None:
            funnel_record(FunnelStep.DATE_CHOSEN, product_id=product_id)
        messages.error(request, error.message, extra_tags=MESSAGE_TAG)
        return HttpResponseRedirect(_with_anchor(_back_url(request)))
    funnel_record(FunnelStep.DATE_CHOSEN, product_id=hold.departure.product_id)
    remember_hold(request, hold)
    return HttpResponseRedirect(reverse("booking:hold", kwargs={"token": hold.token}))


def _own_hold(request: HttpRequest, token: str) -> Hold:
    """The visitor's unexpired hold. Someone else's token reads as unknown."""
    return hold_get(
        token=token, owner_rule=OwnerRule.SESSION, session_key=request.session.session_key
    )


def _missing(request: HttpRequest, error: BookingError, token: str = ""):  # nosec B107  # a hold token, not a password
    """A friendly page for a token that is unknown or someone else's (both 404: the two
    must look the same) or expired (410, with a way back to the product)."""
    expired = error.code == "hold_expired"
    back_url = home_url()
    if expired:
        hold = Hold.objects.filter(token=token[:64]).select_related("departure").first()
        if hold is not None:
            back_url = _with_anchor(_product_page_url(hold))
    return render(
        request,
        "booking/hold_missing.html",
        {"message": error.message, "back_url": back_url, "expired": expired},
        status=410 if expired else 404,
    )


def _product_page_url(hold: Hold) -> str:
    """The product's page in the visitor's language, else the home page."""
    return product_page_url(hold.departure.product_id) or home_url()


@never_cache
def hold_view(request: HttpRequest, token: str):
    try:
        hold = _own_hold(request, token)
    except BookingError as error:
        return _missing(request, error, token)
    summary = hold_summary(hold)
    lines = [
        {
            **line,
            "what": line["seat"] or "",
            "amount": line["unit_price"] * line["quantity"],
        }
        for line in summary["lines"]
    ]
    seconds = summary["seconds_left"]
    return render(
        request,
        "booking/hold.html",
        {
            "hold": hold,
            "departure": hold.departure,
            "product": hold.departure.product,
            "venue": hold.departure.venue,
            "lines": lines,
            "total": summary["total"] or Decimal("0"),
            "seconds_left": seconds,
            "clock": clock(seconds),
            "can_extend": not hold.extended,
            "back_url": _product_page_url(hold),
        },
    )


@require_POST
def hold_extend_view(request: HttpRequest, token: str):
    try:
        hold_extend(hold=_own_hold(request, token))
    except BookingError as error:
        if error.code in ("hold_not_found", "hold_expired"):
            return _missing(request, error, token)
        messages.error(request, error.message, extra_tags=MESSAGE_TAG)
    else:
        messages.success(
            request, _("Done: your places are held for longer."), extra_tags=MESSAGE_TAG
        )
    return HttpResponseRedirect(reverse("booking:hold", kwargs={"token": token}))


@require_POST
def hold_release_view(request: HttpRequest, token: str):
    try:
        hold = _own_hold(request, token)
    except BookingError as error:
        return _missing(request, error, token)
    back = _product_page_url(hold)
    hold_release(hold=hold)
    messages.success(request, _("Your places have been released."), extra_tags=MESSAGE_TAG)
    return HttpResponseRedirect(_with_anchor(back))
