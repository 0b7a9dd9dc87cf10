"""The customer's side of renting a vessel by the hour: the price of a choice as JSON for
the rental block's script, and the form that holds the rental and goes on to the hold
page (then the checkout, as every booking). Each view parses the request and calls one
service (`booking.services.rentals`); a `BookingError` becomes a message."""

from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from booking.models import RentalPlan
from booking.rental_widget import parse_choice, pier_zone, read_choice
from booking.services.errors import BookingError
from booking.services.rentals import rental_hold, rental_plan_for_product, rental_quote
from booking.sessions import remember_hold, session_owner_key
from booking.site import product_page_url
from booking.templatetags.booking_tags import MESSAGE_TAG
from booking.views import home_url, safe_url, throttled_page
from common.flags import RENTALS_BY_THE_HOUR, flag_active
from common.http import ClientThrottle, client_ip
from common.money import format_rub

# A stranger can call both: the price as often as a person changes their mind, holds at
# the rate of the other booking forms (per session and per address).
RENTAL_QUOTE_THROTTLE = ClientThrottle("rental-quote", "BOOKING_RENTAL_QUOTE_RATE")
RENTAL_HOLD_THROTTLE = ClientThrottle("rental-hold", "BOOKING_HOLD_RATE")


def _plan(request: HttpRequest, product_id: int) -> RentalPlan | None:
    """The product's rental plan on sale; None while the `rentals_by_the_hour` flag is off
    for this visitor, so the endpoints answer "not on sale" as before the feature."""
    if not flag_active(request, RENTALS_BY_THE_HOUR):
        return None
    plan = rental_plan_for_product(product_id)
    if plan is None or not plan.product.is_active:
        return None
    return plan


def _error(error: BookingError, status: int = 400) -> JsonResponse:
    return JsonResponse({"code": error.code, "message": error.message}, status=status)


@never_cache
@require_GET
def rental_quote_view(request: HttpRequest, product_id: int):
    """The price of a rental: `start` (the pier's local time, YYYY-MM-DDTHH:MM),
    `minutes`, `guests`, `skipper`, `option` (repeated)."""
    if not RENTAL_QUOTE_THROTTLE.allow(request):
        return _error(BookingError("rate_limited"), status=429)
    plan = _plan(request, product_id)
    if plan is None:
        return JsonResponse(
            {"code": "rental_not_found", "message": _("This rental is not on sale.")}, status=404
        )
    try:
        quote = rental_quote(**parse_choice(plan, read_choice(request.GET, prefix="")))
    except BookingError as error:
        return _error(error)
    zone = pier_zone(plan)
    starts = timezone.localtime(quote.starts_at, zone)
    ends = timezone.localtime(quote.ends_at, zone)
    return JsonResponse(
        {
            "starts_at": quote.starts_at.isoformat(),
            "ends_at": quote.ends_at.isoformat(),
            "time": f"{starts:%H:%M}–{ends:%H:%M}",
            "minutes": quote.minutes,
            "guests": quote.guests,
            "lines": [
                {
                    "label": str(line.label),
                    "amount": str(line.amount),
                    "text": format_rub(line.amount),
                }
                for line in quote.lines
            ],
            "total": str(quote.total),
            "total_text": format_rub(quote.total),
        }
    )


def _page_url(request: HttpRequest, plan: RentalPlan | None) -> str:
    """The product page the form was on (its path only), else the product's page in the
    visitor's language, else home."""
    url = safe_url(request, request.POST.get("next"))
    if url:
        return urlsplit(url).path
    if plan is not None:
        return product_page_url(plan.product_id) or home_url()
    return home_url()


@require_POST
def rental_hold_view(request: HttpRequest, product_id: int):
    """Holds the chosen rental and goes on to the hold page; a refusal goes back to the
    product page with the message and the visitor's choices."""
    plan = _plan(request, product_id)
    choice = read_choice(request.POST, prefix="")
    back = _page_url(request, plan)
    query = urlencode(choice.query(), doseq=True)
    back_with_choice = f"{back}?{query}#booking" if query else f"{back}#booking"
    if not RENTAL_HOLD_THROTTLE.allow(request):
        return throttled_page(request, BookingError("rate_limited"), back_with_choice)
    if plan is None and not flag_active(request, RENTALS_BY_THE_HOUR):
        messages.error(request, _("This rental is not on sale."), extra_tags=MESSAGE_TAG)
        return HttpResponseRedirect(back)
    if plan is None:
        raise Http404
    try:
        hold = rental_hold(
            **parse_choice(plan, choice),
            owner_key=session_owner_key(request),
            client_address=client_ip(request),
        )
    except BookingError as error:
        messages.error(request, error.message, extra_tags=MESSAGE_TAG)
        return HttpResponseRedirect(back_with_choice)
    remember_hold(request, hold)
    return HttpResponseRedirect(reverse("booking:hold", kwargs={"token": hold.token}))
