"""Who must and who may sign in to the admin with a second factor (TOTP, django-otp).

- Staff: anyone who may use the admin (`is_staff`, a superuser, or the Wagtail admin
  access permission through a role).
- Required (`STAFF_TWO_FACTOR_REQUIRED`, on by default): superusers and members of the
  Administrator and Manager groups must enrol before doing anything in the admin.
- Every other staff member may enrol from their account menu; once enrolled, every
  sign-in of theirs needs a code too.
- Wrong codes are counted per user: after `STAFF_TWO_FACTOR_MAX_FAILURES` the user is
  locked out of code entry for `STAFF_TWO_FACTOR_LOCK_MINUTES` (django-axes guards the
  password form).
"""

from django.conf import settings
from django.core.cache import cache
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

ADMIN_ACCESS = "wagtailadmin.access_admin"
# The role groups (crm.roles) for which two-factor sign-in is required; names are data.
REQUIRED_GROUPS = ("Administrator", "Manager")
DEVICE_NAME = "authenticator"


def is_staff_user(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser or user.has_perm(ADMIN_ACCESS))
    )


def two_factor_required(user) -> bool:
    """Must `user` use a second factor even before enrolling?"""
    if not settings.STAFF_TWO_FACTOR_REQUIRED or not is_staff_user(user):
        return False
    return user.is_superuser or user.groups.filter(name__in=REQUIRED_GROUPS).exists()


def two_factor_enrolled(user) -> bool:
    return user.is_authenticated and any(devices_for_user(user, confirmed=True))


def two_factor_needed(user) -> bool:
    """Does this staff user's session need a verified second factor?"""
    return is_staff_user(user) and (two_factor_required(user) or two_factor_enrolled(user))


def session_verified(user) -> bool:
    return getattr(user, "otp_device", None) is not None


def two_factor_pending(user) -> bool:
    """Must this session still give the second factor before staff work?"""
    return (
        user is not None
        and user.is_authenticated
        and not session_verified(user)
        and two_factor_needed(user)
    )


def enrolment_device(user) -> TOTPDevice:
    """The user's unconfirmed TOTP device being enrolled (a new secret each time the
    enrolment starts over)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


# The throttle of wrong codes ---------------------------------------------------------


def _key(user) -> str:
    return f"staff-2fa-failures:{user.pk}"


def _lock_seconds() -> int:
    return settings.STAFF_TWO_FACTOR_LOCK_MINUTES * 60


def code_attempts_locked(user) -> bool:
    return cache.get(_key(user), 0) >= settings.STAFF_TWO_FACTOR_MAX_FAILURES


def code_failure_record(user) -> bool:
    """Count a wrong code; returns whether the user is now locked out. The count lives
    `STAFF_TWO_FACTOR_LOCK_MINUTES` after the last wrong code."""
    failures = cache.get(_key(user), 0) + 1
    cache.set(_key(user), failures, _lock_seconds())
    return failures >= settings.STAFF_TWO_FACTOR_MAX_FAILURES


def code_failures_reset(user) -> None:
    cache.delete(_key(user))
