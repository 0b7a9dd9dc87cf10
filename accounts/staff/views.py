"""Enrolling in and giving the second factor of the admin's sign-in (TOTP)."""

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token

from accounts.staff.audit import (
    TWO_FACTOR_ENROL_ACTION,
    TWO_FACTOR_FAILED_ACTION,
    TWO_FACTOR_LOCKED_ACTION,
    audit_log,
)
from accounts.staff.forms import CodeForm
from accounts.staff.two_factor import (
    code_attempts_locked,
    code_failure_record,
    code_failures_reset,
    enrolment_device,
    is_staff_user,
    session_verified,
    two_factor_enrolled,
)


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("wagtailadmin_home")


def _staff_only(view):
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
        if not is_staff_user(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return never_cache(wrapper)


def _locked_message() -> str:
    return _("Too many wrong codes. Try again in %(minutes)s minutes.") % {
        "minutes": settings.STAFF_TWO_FACTOR_LOCK_MINUTES
    }


def _check_code(request, form, check) -> object | None:
    """Run `check(code)` (a device or None) under the throttle; adds the form's error and
    writes the audit entries of a wrong code. Returns the device when the code is right."""
    user = request.user
    if code_attempts_locked(user):
        form.add_error(None, _locked_message())
        return None
    if not form.is_valid():
        return None
    device = check(form.cleaned_data["code"])
    if device is not None:
        code_failures_reset(user)
        return device
    audit_log(instance=user, action=TWO_FACTOR_FAILED_ACTION, user=user, data={"user_id": user.pk})
    if code_failure_record(user):
        audit_log(
            instance=user, action=TWO_FACTOR_LOCKED_ACTION, user=user, data={"user_id": user.pk}
        )
        form.add_error(None, _locked_message())
    else:
        form.add_error(
            "code", _("The code is not right. Check the time on the phone and try again.")
        )
    return None


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@_staff_only
def enrol(request):
    """Scan a QR code into an authenticator app, then type its code to confirm."""
    user = request.user
    if two_factor_enrolled(user):
        if not session_verified(user):
            return redirect(f"{reverse('staff_two_factor:verify')}?{request.GET.urlencode()}")
        return render(request, "accounts/staff/enrolled.html", {})
    device = enrolment_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST":

        def confirm(code):
            return device if device.verify_token(code) else None

        if _check_code(request, form, confirm) is not None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_log(
                instance=user,
                action=TWO_FACTOR_ENROL_ACTION,
                user=user,
                data={"user_id": user.pk, "device_id": device.pk},
            )
            return redirect(_next_url(request))
    context = {
        "form": form,
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # nosec B308  # our own SVG, no input in it
        "secret": device.config_url.split("secret=", 1)[1].split("&", 1)[0],
        "next": _next_url(request),
    }
    return render(request, "accounts/staff/enrol.html", context)


@_staff_only
def verify(request):
    """Type the current code of the enrolled authenticator app."""
    user = request.user
    if not two_factor_enrolled(user):
        return redirect(f"{reverse('staff_two_factor:enrol')}?{request.GET.urlencode()}")
    if session_verified(user):
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        device = _check_code(request, form, lambda code: match_token(user, code))
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
    return render(request, "accounts/staff/verify.html", {"form": form, "next": _next_url(request)})
