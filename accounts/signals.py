"""Where accounts meet allauth's events (connected in `AccountsConfig.ready`):

- an `EmailAddress` saved as verified (the sign-in or verification code confirmed it, or
  a provider such as Yandex vouched for it at a social sign-up): the customer record of
  that address, with its orders, becomes the account's;
- a sign-in: the same, as a catch-up for addresses verified some other way (an
  administrator's bulk update, an account from before this rule);
- allauth's `email_confirmed` (a code verified an address): the pre-account hijacking
  guard (`accounts.signin.revoke_unproven_credentials`).

allauth's `email_confirmed` fires too on code verification, right after the save below
has done the work; listening to the save covers the social sign-up, which sends none."""

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save

from accounts.services.customers import customer_claim, customers_claim_verified
from accounts.signin import revoke_unproven_credentials


def claim_on_verified_address(sender, instance: EmailAddress, **kwargs):
    # In the verification's own transaction (when it has one): a verification rolled back
    # takes its claim with it.
    if instance.verified and instance.user_id:
        customer_claim(user=instance.user, email=instance.email)


def guard_first_verification(sender, request, email_address, **kwargs):
    revoke_unproven_credentials(request=request, email_address=email_address)


def claim_on_sign_in(sender, request, user, **kwargs):
    customers_claim_verified(user=user)


def connect():
    post_save.connect(
        claim_on_verified_address, sender=EmailAddress, dispatch_uid="accounts.claim_verified"
    )
    user_logged_in.connect(claim_on_sign_in, dispatch_uid="accounts.claim_on_sign_in")
    email_confirmed.connect(guard_first_verification, dispatch_uid="accounts.guard_verification")
