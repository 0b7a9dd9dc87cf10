"""What the booking block and the hold page need from the server: the next departures
of a product for the form that works without JavaScript, and the booking messages.

A page may carry several booking blocks; the departures of all of them are read in one
batch (a fixed number of queries however many blocks there are) and kept on the request."""

import datetime
from itertools import groupby

from django import template
from django.conf import settings
from django.contrib import messages
from django.db.models import Min
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import get_format

from booking.models import Departure, SeatingMode
from booking.selectors import product_schedules
from common.flags import RENTALS_BY_THE_HOUR, flag_active

register = template.Library()

MESSAGE_TAG = "booking"
FORM_DAYS = 45
FORM_SLOTS = 30
REQUEST_CACHE = "_booking_widgets"


def _page_products(context, product) -> dict:
    """The products of every booking block on the page being rendered."""
    products = {product.pk: product}
    body = getattr(context.get("page"), "body", None)
    for child in body if hasattr(body, "raw_data") else []:
        if child.block_type == "booking" and isinstance(child.value, dict):
            other = child.value.get("product")
            if other is not None:
                products.setdefault(other.pk, other)
    return products


def widgets_for_products(products, *, days: int = FORM_DAYS, limit: int = FORM_SLOTS) -> dict:
    """For each product: its next `limit` departures within `days` days grouped by local
    date (`booking.selectors.product_schedules`), its ticket types and the date of its
    first departure however far ahead."""
    now = timezone.now()
    ids = [product.pk for product in products]
    today = timezone.localdate()
    schedules = product_schedules(
        product_ids=ids,
        date_from=today,
        date_to=today + datetime.timedelta(days=days),
        limit_per_product=limit,
        now=now,
    )
    # The first departure however far ahead of each product with none in the form's
    # days, for a calendar that opens at the start of a season that is still weeks away.
    without_slots = [pk for pk, schedule in schedules.items() if not schedule.slots]
    first_start = (
        dict(
            Departure.objects.on_timetable()
            .filter(product_id__in=without_slots, starts_at__gt=now)
            .order_by()
            .values("product_id")
            .annotate(first=Min("starts_at"))
            .values_list("product_id", "first")
        )
        if without_slots
        else {}
    )
    result = {}
    for pk, schedule in schedules.items():
        rows = [
            {
                "id": slot.departure.pk,
                "local": slot.departure.local_starts_at,
                "remaining": slot.remaining,
                "from_price": slot.from_price,
                "assigned": slot.seating_mode == SeatingMode.ASSIGNED,
                "available": slot.on_sale and slot.remaining > 0,
            }
            for slot in schedule.slots
        ]
        first = first_start.get(pk)
        result[pk] = _widget(
            rows, schedule.ticket_types, timezone.localdate(first) if first else None
        )
    return result


def _widget(rows: list[dict], ticket_types: list, first_date) -> dict:
    first_general = next((r for r in rows if r["available"] and not r["assigned"]), None)
    if first_general is not None:
        first_general["checked"] = True
    return {
        "days": [
            {"date": date, "slots": list(group)}
            for date, group in groupby(rows, key=lambda row: row["local"].date())
        ],
        "first_date": rows[0]["local"].date() if rows else first_date,
        "has_assigned": any(row["assigned"] for row in rows),
        "general_available": any(row["available"] and not row["assigned"] for row in rows),
        "ticket_types": ticket_types,
        "max_tickets": settings.BOOKING_MAX_TICKETS_PER_HOLD,
        "hold_minutes": settings.BOOKING_HOLD_MINUTES,
        "number_format": _number_format(),
    }


def _number_format() -> dict:
    """The visitor's number format as the `rub` filter uses it, for the widget's prices."""
    grouping = get_format("NUMBER_GROUPING")
    if isinstance(grouping, (list, tuple)):
        grouping = grouping[0] if grouping else 0
    return {
        "decimal": get_format("DECIMAL_SEPARATOR"),
        "thousands": get_format("THOUSAND_SEPARATOR"),
        "grouping": int(grouping or 0),
    }


@register.simple_tag(takes_context=True)
def booking_widget(context, product) -> dict:
    """The booking block's server data for `product` (see `widgets_for_products`). The
    first block on a page reads the data of every booking block of the page at once."""
    request = context.get("request")
    cache = getattr(request, REQUEST_CACHE, None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            setattr(request, REQUEST_CACHE, cache)
    if product.pk not in cache:
        wanted = [p for pk, p in _page_products(context, product).items() if pk not in cache]
        cache.update(widgets_for_products(wanted))
    return cache[product.pk]


@register.simple_tag(takes_context=True)
def booking_messages(context) -> list:
    """The messages that the booking views left for this visitor (tagged "booking").
    Reading the storage marks every message as read, so the others are put back for
    whatever page shows them."""
    request = context.get("request")
    if request is None or not hasattr(request, "_messages"):
        return []
    own, others = [], []
    for message in messages.get_messages(request):
        (own if MESSAGE_TAG in message.tags.split() else others).append(message)
    for message in others:
        messages.add_message(request, message.level, message.message, message.extra_tags)
    return own


@register.simple_tag(takes_context=True)
def rental_widget(context, product) -> dict | None:
    """The rental block's data (`booking.rental_widget`) when `product` has a rental plan,
    else None: a rental product without a plan keeps its departures' slots."""
    from booking.rental_widget import rental_widget as build
    from booking.services.rentals import rental_plan_for_product

    if product.kind != "rental":
        return None
    request = context.get("request")
    # Off: the product shows its departures' slots, as before rentals by the hour.
    if not flag_active(request, RENTALS_BY_THE_HOUR):
        return None
    plan = rental_plan_for_product(product.pk)
    if plan is None:
        return None
    return build(plan=plan, query=request.GET if request is not None else QueryDict())


@register.simple_tag
def rental_of(departure) -> dict | None:
    """What a customer chose for the rental a departure carries (its end, duration,
    guests, skipper, extras in the visitor's language), for the hold, checkout and order
    pages; None for a departure that is not a rental."""
    from booking.i18n import localized_value
    from booking.models import RentalBooking
    from booking.rental_widget import duration_text

    booking = RentalBooking.objects.filter(departure_id=departure.pk).first()
    if booking is None:
        return None
    options = [
        localized_value(_Extra(option), "name")
        for option in booking.options
        if isinstance(option, dict)
    ]
    breakdown = booking.price_breakdown if isinstance(booking.price_breakdown, dict) else {}
    lines = [
        {"label": str(line.get("label", "")), "amount": line.get("amount")}
        for line in breakdown.get("lines", [])
        if isinstance(line, dict)
    ]
    return {
        "ends_at": departure.ends_at,
        "lines": lines,
        "duration": duration_text(booking.minutes),
        "guests": booking.guests,
        "with_skipper": booking.with_skipper,
        "options": options,
    }


class _Extra:
    """An extra as sold (a dict kept on the rental booking) read like the model."""

    def __init__(self, data: dict):
        self.name = str(data.get("name", ""))
        self.name_en = str(data.get("name_en", "") or "")
        self.name_zh = str(data.get("name_zh", "") or "")
