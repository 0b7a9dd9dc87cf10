"""A browser's holds belong to its session. Shared by the API and the booking pages."""

from django.http import HttpRequest

from booking.models import Hold

SESSION_HOLDS_KEY = "booking_holds"


def session_owner_key(request: HttpRequest) -> str:
    """The session key that owns the visitor's holds, creating the session if needed."""
    if not request.session.session_key:
        request.session.create()
    return request.session.session_key


def remember_hold(request: HttpRequest, hold: Hold) -> None:
    """Keeps the last ten hold tokens of the session."""
    tokens = request.session.get(SESSION_HOLDS_KEY, [])
    request.session[SESSION_HOLDS_KEY] = [*tokens[-9:], hold.token]
