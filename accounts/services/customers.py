"""A verified e-mail address owns the customer record of that address, and with it every
order ever placed with it (guest orders before the account existed included): booking's
orders point at `accounts.Customer`, and an account's orders are those of the customer
linked to it (`Customer.user`). Only a verified address links: a user whose address is
not verified sees nothing.

When it runs (accounts/signals.py): whenever allauth saves an `EmailAddress` as verified
(the sign-in code or the verification code confirms it, a provider such as Yandex
vouches for it at a social sign-up), and at every sign-in as a catch-up.

One address per account (ACCOUNT_CHANGE_EMAIL): when an account verifies a new address
- and nobody has bought with it, the account's customer record takes the new address
  (its orders stay the account's);
- and a customer record of that address exists, that one is linked; the account's
  previous record (of the old address, which the person no longer proves to hold) is
  unlinked and its orders go with the old address. `Customer.user` is one-to-one.

Never imports booking (layers): it only reads and links customers."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import translation
from wagtail.log_actions import log

from accounts.models import Customer

CLAIM_ACTION = "accounts.customer_claim"
RELEASE_ACTION = "accounts.customer_release"


def _normalise(email: str) -> str:
    return (email or "").strip().lower()


def _language() -> str:
    code = translation.get_language() or settings.LANGUAGE_CODE
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def customer_for_user(user: AbstractBaseUser) -> Customer | None:
    """The customer record linked to the account, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Customer.objects.filter(user=user).first()


def customer_claim(*, user: AbstractBaseUser, email: str) -> Customer:
    """Links the customer record of `email`, an address the caller has seen VERIFIED for
    `user`, to the account (creating it when nobody has bought with it yet). Idempotent:
    a second call changes nothing and logs nothing."""
    email = _normalise(email)
    if not email:
        raise ValueError("an e-mail address is required")
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return _claim(user, email)
        except IntegrityError:
            # A checkout created the record of this address at the same moment: again,
            # now finding it.
            continue
    return _claim(user, email)


def _claim(user: AbstractBaseUser, email: str) -> Customer:
    customer = Customer.objects.select_for_update().filter(email=email).first()
    mine = Customer.objects.select_for_update().filter(user=user).first()
    if customer is not None and customer.user_id == user.pk:
        return customer
    if customer is None:
        if mine is None:
            customer = Customer.objects.create(
                email=email, name=user.get_full_name(), language=_language(), user=user
            )
            log(customer, CLAIM_ACTION, user=user, data={"created": True})
            return customer
        # The account's address changed and nobody has bought with the new one: the
        # record follows the person.
        mine.email = email
        mine.save(update_fields=["email", "updated_at"])
        log(mine, CLAIM_ACTION, user=user, data={"address_changed": True})
        return mine
    previous_owner = customer.user_id
    if mine is not None:
        mine.user = None
        mine.save(update_fields=["user", "updated_at"])
        log(mine, RELEASE_ACTION, user=user, data={"reason": "address_changed"})
    customer.user = user
    customer.save(update_fields=["user", "updated_at"])
    log(
        customer,
        CLAIM_ACTION,
        user=user,
        data={"created": False, "taken_from_another_account": previous_owner is not None},
    )
    return customer


def customers_claim_verified(*, user: AbstractBaseUser) -> Customer | None:
    """Claims for every verified address of the account (one, normally); the catch-up at
    sign-in. None when the account has no verified address."""
    from allauth.account.models import EmailAddress

    emails = list(
        EmailAddress.objects.filter(user=user, verified=True)
        .order_by("-primary", "pk")
        .values_list("email", flat=True)
    )
    customer = None
    for email in reversed(emails):  # the primary one last: it wins the one-to-one link
        customer = customer_claim(user=user, email=email)
    return customer
