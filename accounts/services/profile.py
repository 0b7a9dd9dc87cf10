"""The customer's profile: name, phone, preferred language and marketing consent, as the
profile page and `PATCH /api/v1/me/profile` change them (one rule for both).

- The preferred language (ru, en, zh-hans) is the customer record's: e-mails, SMS and PDF
  tickets of the account's future orders are in it (checkout copies it onto the order).
- Marketing consent is on or off; every change is a new `Consent` row (kind marketing,
  granted or withdrawn, the wording's version, address and browser), never an edit, so
  that the history of consents stays whole (152-FZ). Withdrawing is one unticked box,
  exactly as easy as giving.
- Each change is logged (Wagtail's audit log) with the names of the fields changed, never
  their values."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from wagtail.log_actions import log

from accounts.errors import AccountError
from accounts.models import Consent, Customer
from accounts.phones import phone_e164
from accounts.services.customers import customer_for_user

PROFILE_UPDATE_ACTION = "accounts.profile_update"
NAME_MAX = 150


@dataclass(frozen=True)
class Profile:
    """What the profile shows: the account's address and its customer record's fields."""

    email: str
    name: str
    phone: str
    language: str
    marketing: bool


def normalise_name(raw) -> str:
    """Spaces collapsed; empty is allowed (the profile may be filled in later)."""
    if not isinstance(raw, str):
        raise AccountError("name_invalid")
    name = " ".join(raw.split())
    if len(name) > NAME_MAX or any(ord(c) < 32 for c in name):
        raise AccountError("name_invalid")
    return name


def normalise_phone(raw) -> str:
    """E.164, or "" for no phone (`accounts.phones`, the checkout's reader)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ""
    phone = phone_e164(raw)
    if phone is None:
        raise AccountError("phone_invalid")
    return phone


def normalise_language(raw) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    if not isinstance(raw, str) or raw.strip().lower() not in codes:
        raise AccountError("language_invalid")
    return raw.strip().lower()


def profile_get(*, user: AbstractBaseUser) -> Profile:
    """The account's profile; `email_unverified` when it has no customer record (no
    verified address) yet."""
    customer = customer_for_user(user)
    if customer is None:
        raise AccountError("email_unverified")
    return _profile(customer)


def _profile(customer: Customer) -> Profile:
    return Profile(
        email=customer.email,
        name=customer.name,
        phone=customer.phone,
        language=customer.language,
        marketing=customer.marketing_consent,
    )


def profile_update(
    *,
    user: AbstractBaseUser,
    name=None,
    phone=None,
    language=None,
    marketing=None,
    ip: str | None = None,
    user_agent: str = "",
    document_url: str = "",
) -> Profile:
    """Changes the fields given (None leaves one as it is), in one transaction. Refuses
    with `AccountError` and changes nothing when any value is wrong."""
    values = {}
    if name is not None:
        values["name"] = normalise_name(name)
    if phone is not None:
        values["phone"] = normalise_phone(phone)
    if language is not None:
        values["language"] = normalise_language(language)
    if marketing is not None and not isinstance(marketing, bool):
        raise AccountError("marketing_invalid")
    with transaction.atomic():
        customer = Customer.objects.select_for_update().filter(user=user).first()
        if customer is None:
            raise AccountError("email_unverified")
        changed = [field for field, value in values.items() if getattr(customer, field) != value]
        for field in changed:
            setattr(customer, field, values[field])
        if marketing is not None and marketing != customer.marketing_consent:
            customer.marketing_consent = marketing
            changed.append("marketing_consent")
            Consent.objects.create(
                customer=customer,
                kind=Consent.Kind.MARKETING,
                granted=marketing,
                document_url=(document_url or "")[:500],
                document_version=settings.BOOKING_MARKETING_CONSENT_VERSION,
                ip_address=ip,
                user_agent=(user_agent or "")[:300],
            )
        if changed:
            customer.save(update_fields=[*changed, "updated_at"])
            data = {"fields": changed}
            if "marketing_consent" in changed:
                data["marketing"] = customer.marketing_consent
            log(customer, PROFILE_UPDATE_ACTION, user=user, data=data)
    return _profile(customer)
