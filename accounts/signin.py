"""Who may sign in where.

- Staff (anyone who can reach the Wagtail admin) sign in at /admin/login/ only, with their
  password, behind django-axes' lockout. The customer sign-in pages (code, password,
  VK ID, Yandex ID) refuse them (`accounts.adapters.AccountAdapter.pre_login`), so that
  an e-mailed code can never open the admin.
- A customer account never reaches the admin: it has no `wagtailadmin.access_admin`
  permission, and Wagtail sends it to its own sign-in page.
- django-axes counts failed sign-ins per account and address; `axes_username` reads the
  account from either form (the admin's "username", the customers' allauth `email=`).
"""

from django.contrib.auth.base_user import AbstractBaseUser


def is_staff_account(user: AbstractBaseUser) -> bool:
    """Staff, superusers and anyone given access to the Wagtail admin."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin"))


def axes_username(request, credentials: dict | None = None) -> str | None:
    """The account a sign-in attempt names, lower-cased: authenticate()'s `username` (the
    admin) or `email` (allauth), else the form's "username" or "login" field."""
    value = None
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    if not value and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        value = data.get("username") or data.get("login")
    if not isinstance(value, str):
        return None
    return value.strip().lower() or None


CREDENTIALS_REVOKED_ACTION = "accounts.credentials_revoked"


def revoke_unproven_credentials(*, request, email_address) -> bool:
    """Pre-account hijacking guard, run when an address is verified. Someone may start an
    account with another person's address (through VK ID, whose addresses are not
    verified, or a signup) and wait for the owner to verify it with a sign-in code; the
    owner would then share the account with them. So when a sign-in code verifies the
    account's FIRST address, whatever was attached before by someone who had not proved
    the address goes: connected services and any password. A verification inside the
    same social sign-in (the VK user confirming their own address at once) is not a
    sign-in by code and keeps them. True when something was removed."""
    from allauth.account.internal.flows.login import get_authentication_records
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount
    from django.db import transaction
    from wagtail.log_actions import log

    user = email_address.user
    if request is None or user is None:
        return False
    if EmailAddress.objects.filter(user=user, verified=True).exclude(pk=email_address.pk).exists():
        return False  # not the first address: the account was already the owner's
    records = get_authentication_records(request, user)
    if not records or records[-1].get("method") != "code":
        return False
    with transaction.atomic():
        providers = sorted(
            set(SocialAccount.objects.filter(user=user).values_list("provider", flat=True))
        )
        SocialAccount.objects.filter(user=user).delete()
        had_password = user.has_usable_password()
        if had_password:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if not providers and not had_password:
            return False
        log(
            user,
            CREDENTIALS_REVOKED_ACTION,
            user=user,
            data={"providers": providers, "password": had_password},
        )
    return True
