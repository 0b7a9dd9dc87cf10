"""The customer's rights over their personal data (152-FZ): a copy of everything we hold,
withdrawal of a consent, and erasure.

- `personal_data_export` gathers the account, the customer record, the consents, the
  sign-in records and every registered section (accounts.privacy.registry; booking adds
  the orders) into one JSON-ready dict.
- `personal_data_erase` anonymises the person everywhere in one transaction: first every
  registered section, then accounts' own steps (accounts.privacy.erasure.ERASE_STEPS).
  Amounts, tickets, receipts and order codes stay: accounting law keeps them, without
  the person. Irreversible; erasing an erased customer does nothing.
- `consent_withdraw` records a withdrawal as a new consent row (consents are never
  edited); withdrawing marketing, or the processing of personal data, turns marketing off.

Every action is written to Wagtail's log with the customer's id only: a log entry must
not become a copy of the data it records the erasure of.
"""

import json
from datetime import datetime
from functools import reduce
from operator import or_

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from accounts.models import Consent, Customer, User
from accounts.privacy import erasure as erasure_steps
from accounts.privacy.erasure import Erasure, Identifiers, placeholder_email
from accounts.privacy.registry import personal_data_sections
from common.errors import CodedError

EXPORT_FORMAT = "prichal-personal-data/1"
EXPORT_ACTION = "accounts.personal_data.export"
ERASE_ACTION = "accounts.personal_data.erase"
CONSENT_WITHDRAW_ACTION = "accounts.consent.withdraw"

# Consents a customer can withdraw. Accepting the offer is the contract itself: it ends
# by a refund, not a withdrawal.
WITHDRAWABLE = (Consent.Kind.PERSONAL_DATA, Consent.Kind.MARKETING)

MESSAGES = {
    "customer_erased": _("The personal data of this customer has already been erased."),
    "consent_not_withdrawable": _(
        "Accepting the offer is part of the purchase contract and cannot be withdrawn; "
        "to cancel a purchase, refund its tickets."
    ),
    "erasure_blocked": _("Your data cannot be erased right now."),
    "staff_account": _(
        "This is a staff account: staff accounts are closed by an administrator, not here."
    ),
}


class PrivacyError(CodedError):
    """A refused personal-data action, with a reason code (tests assert it) and, for
    `erasure_blocked`, the translated reasons."""

    MESSAGES = MESSAGES

    def __init__(self, code: str, reasons: list | tuple = ()):
        super().__init__(code)
        self.reasons = list(reasons)


def _account(customer: Customer) -> User | None:
    try:
        return customer.user
    except ObjectDoesNotExist:
        return None


def _log(customer: Customer, action: str, requested_by, **data) -> None:
    # The title is the id, never str(customer) (which is the name and the e-mail).
    log(
        instance=customer,
        action=action,
        user=requested_by,
        title=f"Customer #{customer.pk}",
        data={"customer_id": customer.pk, **data},
    )


# --- export ------------------------------------------------------------------------


def _customer_data(customer: Customer) -> dict:
    return {
        "id": customer.pk,
        "email": customer.email,
        "name": customer.name,
        "phone": customer.phone,
        "language": customer.language,
        "marketing_consent": customer.marketing_consent,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
        "erased_at": customer.erased_at,
    }


def _account_data(user: User | None) -> dict | None:
    if user is None:
        return None
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "is_active": user.is_active,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }
    # django-allauth's records, when it is installed (it sits beside accounts).
    if apps.is_installed("allauth.account"):
        EmailAddress = apps.get_model("account", "EmailAddress")
        data["email_addresses"] = [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("pk")
        ]
    if apps.is_installed("allauth.socialaccount"):
        SocialAccount = apps.get_model("socialaccount", "SocialAccount")
        data["social_accounts"] = [
            {
                "provider": a.provider,
                "uid": a.uid,
                "date_joined": a.date_joined,
                "last_login": a.last_login,
                "profile": a.extra_data,
            }
            for a in SocialAccount.objects.filter(user=user).order_by("pk")
        ]
    return data


def _consents_data(customer: Customer) -> list[dict]:
    return [
        {
            "kind": consent.kind,
            "granted": consent.granted,
            "document_url": consent.document_url,
            "document_version": consent.document_version,
            "given_at": consent.created_at,
            "ip_address": consent.ip_address,
            "user_agent": consent.user_agent,
            "order_id": consent.order_id,
        }
        for consent in customer.consents.order_by("created_at", "pk")
    ]


def _sign_in_data(customer: Customer, user: User | None) -> list[dict]:
    """Sign-ins recorded under the person's e-mail (django-axes)."""
    from axes.models import AccessFailureLog, AccessLog

    emails = {customer.email, *([user.email] if user else [])}
    person = reduce(or_, (Q(username__iexact=email) for email in emails))
    rows = [
        {
            "at": entry.attempt_time,
            "succeeded": True,
            "ip_address": entry.ip_address,
            "user_agent": entry.user_agent,
        }
        for entry in AccessLog.objects.filter(person)
    ]
    rows += [
        {
            "at": entry.attempt_time,
            "succeeded": False,
            "ip_address": entry.ip_address,
            "user_agent": entry.user_agent,
        }
        for entry in AccessFailureLog.objects.filter(person)
    ]
    return sorted(rows, key=lambda row: row["at"])


def _as_json(data):
    """Plain JSON: Decimal → "1500.00", datetime → ISO 8601 with its offset."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def personal_data_export(*, customer: Customer, requested_by=None, purpose: str = "json") -> dict:
    """Everything we hold about the customer, JSON-serialisable: `customer`, `account`
    (None without a site account), `consents`, `sign_in_attempts`, and one key per
    registered section (booking: `orders`). `purpose` only says, in the audit log, what
    the copy was made for ("json" download, "html" page, "staff")."""
    customer = Customer.objects.select_related("user").get(pk=customer.pk)
    user = _account(customer)
    data = {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now(),
        "customer": _customer_data(customer),
        "account": _account_data(user),
        "consents": _consents_data(customer),
        "sign_in_attempts": _sign_in_data(customer, user),
    }
    for section in personal_data_sections():
        data[section.name] = section.export(customer)
    data = _as_json(data)
    _log(customer, EXPORT_ACTION, requested_by, purpose=purpose)
    return data


# --- erasure -----------------------------------------------------------------------


def erasure_blockers(*, customer: Customer) -> list[str]:
    """Why the customer's data cannot be erased now (translated), or []."""
    user = _account(customer)
    if user is not None and (user.is_staff or user.is_superuser):
        return [str(MESSAGES["staff_account"])]
    reasons = []
    for section in personal_data_sections():
        if section.erasure_blockers is not None:
            reasons += [str(reason) for reason in section.erasure_blockers(customer)]
    return reasons


def _identifiers(customer: Customer, user: User | None) -> Identifiers:
    values = [customer.email, customer.name, customer.phone]
    if user is not None:
        values += [user.email, user.first_name, user.last_name, user.phone]
        values.append(f"{user.first_name} {user.last_name}")
        if apps.is_installed("allauth.account"):
            EmailAddress = apps.get_model("account", "EmailAddress")
            values += EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    for section in personal_data_sections():
        if section.identifiers is not None:
            values += list(section.identifiers(customer))
    return Identifiers(values)


def personal_data_erase(
    *, customer: Customer, requested_by=None, now: datetime | None = None
) -> None:
    """Erases the customer's personal data everywhere, in one transaction; irreversible.
    Raises PrivacyError("erasure_blocked", reasons) while something must finish first
    (an order awaiting payment) or for a staff account. Erasing an erased customer does
    nothing (and logs nothing)."""
    now = now or timezone.now()
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if customer.is_erased:
            return
        user = (
            User.objects.select_for_update().get(pk=customer.user_id) if customer.user_id else None
        )
        customer.user = user
        reasons = erasure_blockers(customer=customer)
        if reasons:
            raise PrivacyError("erasure_blocked", reasons)
        erasure = Erasure(
            customer=customer,
            user=user,
            now=now,
            identifiers=_identifiers(customer, user),
            email=placeholder_email(customer),
        )
        for section in personal_data_sections():
            section.erase(erasure)
        for step in erasure_steps.ERASE_STEPS:
            step(erasure)
        _log(customer, ERASE_ACTION, requested_by)


# --- consents ----------------------------------------------------------------------


def consent_current(customer: Customer, kind: str) -> Consent | None:
    """The customer's latest consent row of this kind (given or withdrawn), or None."""
    return customer.consents.filter(kind=kind).order_by("-created_at", "-pk").first()


def consent_withdraw(
    *, customer: Customer, kind: str, ip, user_agent: str, requested_by=None
) -> Consent | None:
    """Records the withdrawal of the customer's consent of `kind` as a new row and
    returns it; None when there was nothing to withdraw (never given, or withdrawn
    already: a second click records nothing). Withdrawing marketing turns marketing off;
    withdrawing the processing of personal data withdraws marketing too (it needs it).
    The data needed for paid contracts and accounting is kept (152-FZ art. 6 p. 1 (5),
    the accounting and tax laws); the page offers erasure of the rest."""
    if kind not in WITHDRAWABLE:
        raise PrivacyError("consent_not_withdrawable")
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if customer.is_erased:
            raise PrivacyError("customer_erased")
        withdrawn = _withdraw(customer, kind, ip, user_agent)
        rows = [withdrawn]
        if kind == Consent.Kind.PERSONAL_DATA:
            rows.append(_withdraw(customer, Consent.Kind.MARKETING, ip, user_agent))
        if customer.marketing_consent:
            customer.marketing_consent = False
            customer.save(update_fields=["marketing_consent", "updated_at"])
        for row in rows:
            if row is not None:
                _log(customer, CONSENT_WITHDRAW_ACTION, requested_by, kind=row.kind)
    return withdrawn


def _withdraw(customer: Customer, kind: str, ip, user_agent: str) -> Consent | None:
    current = consent_current(customer, kind)
    given = current.granted if current is not None else False
    if kind == Consent.Kind.MARKETING:
        # The flag is what marketing reads; it may be on without a row (older data).
        given = given or customer.marketing_consent
    if not given:
        return None
    return Consent.objects.create(
        customer=customer,
        kind=kind,
        granted=False,
        document_url=current.document_url if current else "",
        document_version=current.document_version if current else "",
        ip_address=ip or None,
        user_agent=(user_agent or "")[:300],
    )
