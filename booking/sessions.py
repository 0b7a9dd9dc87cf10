"""A browser's holds belong to its session. Shared by the API and the booking pages.

The session also remembers the promo code applied at each hold's checkout; the checkout
validates it again (`booking.services.pricing.promotion_check`) every time it is used."""

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


SESSION_PROMO_KEY = "booking_promo_codes"


def remember_promo_code(request: HttpRequest, hold: Hold, code: str) -> None:
    """Keeps the promo code applied at the checkout of this hold (codes of the session's
    last ten holds), so that a reload or a way back from "change the selection" finds it
    applied. An empty code forgets it."""
    codes = dict(request.session.get(SESSION_PROMO_KEY, {}))
    if codes.get(hold.token, "") == code:
        return
    codes.pop(hold.token, None)
    if code:
        codes[hold.token] = code
    request.session[SESSION_PROMO_KEY] = dict(list(codes.items())[-10:])


def remembered_promo_code(request: HttpRequest, hold: Hold) -> str:
    """The promo code last applied at this hold's checkout, not yet judged again."""
    code = request.session.get(SESSION_PROMO_KEY, {}).get(hold.token, "")
    return code if isinstance(code, str) else ""
