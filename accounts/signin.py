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
