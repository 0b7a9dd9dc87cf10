"""The crew's boarding pages: pick a departure of today or tomorrow, then scan tickets.

The scanner page works without JavaScript (plain POST forms: paste a ticket code, or type
an order code and tap "Board" on a ticket); with JavaScript the same page scans QR codes
with the camera and talks to the check-in API without reloading. Each view parses the
request and calls one service of `booking.services.checkin`."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache

from accounts.staff.two_factor import two_factor_pending
from booking.services.checkin import (
    ALREADY_USED,
    MAX_ORDER_CODE_INPUT,
    OK,
    UNDO_PERMISSION,
    boarding_departure,
    boarding_departures,
    boarding_refusal,
    departure_boarding_counts,
    order_tickets_for_boarding,
    ticket_check_in,
    ticket_check_in_by_id,
)
from booking.services.manifests import departure_manifest, manifest_departures
from crm.audit import manifest_viewed
from crm.permissions import BOARD, boarding_scope, departure_policy

PERMISSION = "booking.check_in_ticket"
# Longer than any token (`tokens.MAX_TOKEN_LENGTH`) so that an over-long paste is answered
# "not valid" by the service rather than cut silently.
MAX_TOKEN_INPUT = 500

BOARD_ID_PLACEHOLDER = "0000"
ORDER_CODE_PLACEHOLDER = "ORDERCODE"


def check_in_staff_required(view):
    """Signed-in staff with the check-in permission; others go to the admin's sign-in
    page (anonymous) or get a 403 page (signed in without the permission)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(
                request.get_full_path(), login_url=reverse("wagtailadmin_login")
            )
        if not request.user.has_perm(PERMISSION):
            return _forbidden(request)
        if two_factor_pending(request.user):  # as in the admin: the code first
            verify = reverse("staff_two_factor:verify")
            return redirect(f"{verify}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


def result_state(code: str) -> str:
    """The panel's colour: go (green), warn (amber: already boarded), stop (red)."""
    if code == OK:
        return "go"
    if code == ALREADY_USED:
        return "warn"
    return "stop"


def _headlines() -> dict[str, str]:
    return {
        "go": _("Board"),
        "warn": _("Already used"),
        "stop": _("Do not board"),
    }


def _script_strings() -> dict[str, str]:
    """What the page's script writes, translated here (the script has no catalogue)."""
    return {
        **{f"headline_{key}": value for key, value in _headlines().items()},
        "board": _("Board"),
        "counts": _("Boarded: %(boarded)s of %(valid)s"),
        "boarded_at": _("Boarded at %(time)s"),
        "refunded": _("Refunded"),
        "not_paid": _("Not paid"),
        "order": pgettext("purchase", "Order"),
        "name": _("Buyer"),
        "ticket": _("Ticket"),
        "seat": _("Seat"),
        "order_title": _("Order %(code)s · %(name)s"),
        "order_not_found": _("Order not found here"),
        "not_checked": _("Not checked"),
        "start_camera": _("Start camera"),
        "stop_camera": _("Stop camera"),
        "aim": _("Point the camera at the ticket's QR code."),
        "no_camera": _(
            "The camera is not available here. Type the ticket code or the order code below."
        ),
        "camera_denied": _(
            "The camera was not allowed. Allow it in the browser's settings, "
            "or type the code below."
        ),
        "network_error": _("No connection to the server. Try again."),
        "signed_out": _("You have been signed out. Reload the page and sign in again."),
        # Boarding offline (the page keeps the departure's bundle and queues check-ins).
        "offline_ready": _("Ready to board offline: manifest of %(time)s."),
        "offline_not_ready": _("Not ready to board offline yet: the manifest is downloading."),
        "offline_now": _(
            "No connection: tickets are checked on this phone (manifest of %(time)s)."
        ),
        "offline_no_bundle": _(
            "No connection, and no manifest on this phone: the ticket cannot be checked."
        ),
        "offline_admitted": _("Valid ticket, checked offline. Welcome aboard!"),
        "offline_tag": _("offline"),
        "offline_not_listed": _(
            "Not on the downloaded manifest (sold later): the signature is valid."
        ),
        "offline_unknown": _(
            "An old ticket that is not on the downloaded manifest: it cannot be checked offline."
        ),
        "invalid": _("This is not a ticket of ours: the code is not valid."),
        "wrong_departure": _("This ticket is for another departure."),
        "refunded_message": _("This ticket has been refunded."),
        "cancelled_message": _("This ticket has been cancelled."),
        "already_used": _("Already used at %(time)s."),
        "departure_cancelled": _("This departure has been cancelled: nobody boards it."),
        "boarding_not_open": _("Boarding for this departure is not open yet."),
        "boarding_closed": _("Boarding for this departure has closed."),
        "pending": _("Check-ins waiting to sync: %(count)s."),
        "synced": _("Synced with the server: %(count)s check-ins."),
        "sync_failed": _("The check-ins could not be synced: %(message)s"),
        "conflicts": _("Admitted offline but refused by the server:"),
    }


def _forbidden(request: HttpRequest, *, not_assigned: bool = False):
    return render(request, "crm/checkin/forbidden.html", {"not_assigned": not_assigned}, status=403)


@check_in_staff_required
def index(request: HttpRequest):
    # Only the departures of the crew member's piers or vessels (`departure_policy`).
    departures = [
        d
        for d in boarding_departures()
        if departure_policy.user_has_permission_for_instance(request.user, BOARD, d.departure)
    ]
    days = [
        (_("Today"), [d for d in departures if d.day == "today"]),
        (_("Tomorrow"), [d for d in departures if d.day == "tomorrow"]),
    ]
    # The boarding lists: every departure of today and tomorrow at the crew's piers (or
    # on their vessels), boarding or not yet, with links to its manifest and PDF.
    listed = manifest_departures(scope=boarding_scope(request.user))
    lists = [
        (_("Today"), [d for d in listed if d.day == "today"]),
        (_("Tomorrow"), [d for d in listed if d.day == "tomorrow"]),
    ]
    return render(request, "crm/checkin/index.html", {"days": days, "lists": lists})


def _field(request: HttpRequest, name: str, limit: int) -> str:
    value = request.POST.get(name, "")
    # Longer input is kept long enough to be refused, never trusted whole.
    return value[: limit + 1]


@check_in_staff_required
def scanner(request: HttpRequest, departure_id: int):
    departure = boarding_departure(departure_id)
    if departure is None:
        raise Http404
    if not departure_policy.user_has_permission_for_instance(request.user, BOARD, departure):
        return _forbidden(request, not_assigned=True)
    result = lookup = None
    order_code = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "token":
            result = ticket_check_in(
                token=_field(request, "token", MAX_TOKEN_INPUT),
                departure_id=departure.pk,
                user=request.user,
            )
        elif action in ("order", "board"):
            order_code = _field(request, "order_code", MAX_ORDER_CODE_INPUT)
            if action == "board":
                result = ticket_check_in_by_id(
                    ticket_id=request.POST.get("ticket_id", ""),
                    departure_id=departure.pk,
                    user=request.user,
                )
            if order_code:
                lookup = order_tickets_for_boarding(
                    order_code=order_code, departure_id=departure.pk
                )
    api_board_url = reverse("api-v1:checkin-ticket", kwargs={"ticket_id": BOARD_ID_PLACEHOLDER})
    api_order_url = reverse(
        "api-v1:checkin-order",
        kwargs={"departure_id": departure.pk, "code": ORDER_CODE_PLACEHOLDER},
    )
    # The live manifest: read on each load of the page, and each read is audited.
    manifest = departure_manifest(departure)
    manifest_viewed(
        departure=departure, user=request.user, format="checkin", rows=len(manifest.rows)
    )
    context = {
        "departure": departure,
        "manifest": manifest,
        "local_starts_at": departure.local_starts_at,
        "counts": departure_boarding_counts(departure),
        "result": result,
        "result_state": result_state(result.code) if result else "",
        "headlines": _headlines(),
        "lookup": lookup,
        "order_code": order_code if lookup else "",
        # Why nothing boards now (cancelled, window not open or closed), shown on top.
        "closed": boarding_refusal(departure),
        "can_undo": request.user.has_perm(UNDO_PERMISSION),
        "api": {
            "scan": reverse("api-v1:checkin-scan"),
            "order": api_order_url,
            "order_placeholder": ORDER_CODE_PLACEHOLDER,
            "board": api_board_url,
            "board_placeholder": BOARD_ID_PLACEHOLDER,
            "offline": reverse("api-v1:checkin-offline", kwargs={"departure_id": departure.pk}),
            "sync": reverse("api-v1:checkin-sync", kwargs={"departure_id": departure.pk}),
        },
        "strings": _script_strings(),
        "max_token_input": MAX_TOKEN_INPUT,
        "max_order_code_input": MAX_ORDER_CODE_INPUT,
    }
    return render(request, "crm/checkin/scanner.html", context)
