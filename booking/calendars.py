"""An order as a calendar file (.ics, RFC 5545) for the customer's calendar app.

One event per departure of the order (an order has one departure today), on the pier's
clock: DTSTART/DTEND carry the pier's time zone (TZID) and the file carries its
VTIMEZONE, so a phone set to another zone still shows the boat leaving at the pier's
time. The UID is derived from the order and the departure and never changes, so a
second download updates the event instead of adding another. The summary is the
product's name in `language` (the customer's preferred one); the location is the pier's
name and address."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar, Event

from booking.i18n import localized_value
from booking.models import Order, Ticket

PRODUCT_ID = "-//Prichal//Tickets//EN"


def _uid_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "prichal.local"


def order_calendar(order: Order, *, language: str, order_url: str = "") -> bytes:
    """The .ics file of the order (its departure and pier already selected)."""
    departure = order.departure
    venue = departure.venue
    zone = departure.zone
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    valid = order.tickets.filter(status=Ticket.Status.VALID).count()
    with translation.override(language):
        event = Event()
        event.add("uid", f"order-{order.code}-departure-{departure.pk}@{_uid_domain()}")
        event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
        event.add("dtstart", departure.starts_at.astimezone(zone))
        event.add("dtend", departure.ends_at.astimezone(zone))
        event.add("summary", localized_value(departure.product, "name", language))
        name = localized_value(venue, "name", language)
        address = localized_value(venue, "address", language)
        event.add("location", ", ".join(part for part in (name, address) if part))
        lines = [gettext("Order %(code)s") % {"code": order.code}]
        lines.append(gettext("Tickets: %(count)s") % {"count": valid})
        instructions = localized_value(venue, "boarding_instructions", language)
        if instructions:
            lines.append(instructions)
        if order_url:
            lines.append(order_url)
            event.add("url", order_url)
        event.add("description", "\n".join(lines))
        if departure.status == departure.Status.CANCELLED:
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
