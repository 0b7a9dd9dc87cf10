"""Staff-only middleware; customers (users who may not use the admin) pass untouched.

`StaffIdleTimeoutMiddleware`: a staff session unused for `STAFF_SESSION_IDLE_MINUTES`
is signed out on its next request; an admin request then goes to the admin's sign-in page
with a message. `StaffTwoFactorMiddleware`: in the admin (/admin/), a staff user who needs
a second factor (`two_factor.two_factor_needed`) and has not given it in this session
reaches only the enrolment, verification and sign-out pages. Both go after Django's
AuthenticationMiddleware and MessageMiddleware and django-otp's OTPMiddleware."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.staff.audit import (
    SESSION_EXPIRED_ACTION,
    SKIP_SIGN_OUT_ATTRIBUTE,
    STAFF_SESSION_KEY,
    audit_log,
)
from accounts.staff.two_factor import (
    is_staff_user,
    two_factor_enrolled,
    two_factor_pending,
)

LAST_SEEN_KEY = "staff_last_seen"
# The session is written at most this often (seconds) just to say the user is active.
TOUCH_EVERY = 60


def _admin_path(request) -> bool:
    return request.path.startswith(reverse("wagtailadmin_home"))


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and request.session.get(STAFF_SESSION_KEY)
            and user.is_authenticated
            and is_staff_user(user)
        ):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            idle = settings.STAFF_SESSION_IDLE_MINUTES * 60
            if isinstance(last_seen, int) and now - last_seen > idle:
                return self._expire(request, user)
            if not isinstance(last_seen, int) or now - last_seen >= TOUCH_EVERY:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)

    def _expire(self, request, user):
        audit_log(
            instance=user,
            action=SESSION_EXPIRED_ACTION,
            user=user,
            data={"user_id": user.pk, "minutes": settings.STAFF_SESSION_IDLE_MINUTES},
        )
        setattr(request, SKIP_SIGN_OUT_ATTRIBUTE, True)
        logout(request)
        if _admin_path(request):
            messages.info(
                request,
                _("You were signed out after %(minutes)s minutes without activity.")
                % {"minutes": settings.STAFF_SESSION_IDLE_MINUTES},
            )
            return redirect_to_login(
                request.get_full_path(), login_url=reverse("wagtailadmin_login")
            )
        return self.get_response(request)


OPEN_URL_NAMES = ("staff_two_factor:enrol", "staff_two_factor:verify", "wagtailadmin_logout")


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and _admin_path(request)
            and two_factor_pending(user)
            and request.path not in {reverse(name) for name in OPEN_URL_NAMES}
            and not request.path.startswith(reverse("wagtailadmin_login"))
        ):
            name = "verify" if two_factor_enrolled(user) else "enrol"
            target = reverse(f"staff_two_factor:{name}")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
