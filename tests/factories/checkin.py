"""Check-in builders: a departure from a pier in Vladivostok (UTC+10, so that a time shown
in Moscow's zone would be visibly wrong) boarding now, and its tickets' QR tokens."""

import datetime

from django.utils import timezone

from booking.tickets.tokens import ticket_token
from tests.factories import catalogue as factories
from tests.factories.booking import general_departure

PIER_TIMEZONE = "Asia/Vladivostok"


def token_of(ticket) -> str:
    return ticket_token(ticket.secret, ticket.departure_id)


def boarding_now(**kwargs) -> dict:
    """Start and end of a departure whose boarding window is open now (it leaves in half
    an hour), unless the test says otherwise."""
    starts_at = kwargs.pop("starts_at", None) or timezone.now() + datetime.timedelta(minutes=30)
    kwargs.setdefault("ends_at", starts_at + datetime.timedelta(minutes=90))
    return {"starts_at": starts_at, **kwargs}


def three_days_away() -> datetime.datetime:
    """19:00 in Moscow three days from now: far outside any boarding window."""
    return factories.moscow_datetime(timezone.localdate() + datetime.timedelta(days=3))


def far_east_departure(**kwargs):
    venue = factories.VenueFactory(timezone=PIER_TIMEZONE)
    return general_departure(venue=venue, **boarding_now(**kwargs))
