"""django-allauth adapters: how customer sign-in behaves on this site.

- Messages in our own words, translated in our catalogues (allauth's own Russian and
  Chinese are uneven: "Request Code" became "Код запроса", "Incorrect code" "错误代码").
- Staff are refused here after proving the address (`accounts.signin`): they sign in at
  /admin/login/ with their password, behind the lockout.
- E-mails are sent in the active language (the page's: /ru/, /en/, /zh/), with the site's
  name in the subject; a mail server that is down gives a message, not a 500.
- After signing out: the home page in the same language."""

import logging
import smtplib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from accounts.signin import is_staff_account
from common.i18n import url_prefix

logger = logging.getLogger(__name__)

ERROR_MESSAGES = {
    "account_inactive": _("This account is blocked. Please contact us."),
    "cannot_remove_primary_email": _("You cannot remove your main e-mail address."),
    "duplicate_email": _("This e-mail address is already in your account."),
    "email_password_mismatch": _("The e-mail address or the password is wrong."),
    "email_taken": _("This e-mail address already belongs to another account."),
    "enter_current_password": _("Please type your current password."),
    "incorrect_code": _("The code is wrong. Check it in the e-mail and try again."),
    "incorrect_password": _("The password is wrong."),
    "invalid_or_expired_key": _("This link or code is wrong or has expired."),
    "invalid_login": _("The e-mail address or the password is wrong."),
    "invalid_password_reset": _("This password reset code is wrong or has expired."),
    "too_many_login_attempts": _(
        "Too many attempts. Please wait a few minutes and request a new code."
    ),
    "unknown_email": _("There is no account with this e-mail address."),
    "unverified_primary_email": _("Please confirm your e-mail address first."),
    "same_as_current": _("The new value must be different from the current one."),
    "rate_limited": _("Too many requests. Please wait a minute and try again."),
}


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {**DefaultAccountAdapter.error_messages, **ERROR_MESSAGES}

    def pre_login(self, request, user, **kwargs):
        if is_staff_account(user):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            self.add_message(
                request,
                messages.ERROR,
                message=gettext(
                    "This is a staff account: sign in on the administration's sign-in page."
                ),
            )
            return HttpResponseRedirect(reverse("account_request_login_code"))
        return super().pre_login(request, user, **kwargs)

    def get_logout_redirect_url(self, request) -> str:
        return f"/{url_prefix(get_language() or 'ru')}/"

    def format_email_subject(self, subject: str) -> str:
        return f"{gettext('Prichal')}: {force_str(subject)}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The site's public address (SITE_URL) in the e-mail, whatever host was asked.
        context = {**context, "site_url": settings.SITE_URL}
        try:
            super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError):
            logger.exception("Could not send the e-mail %s", template_prefix)
            request = allauth_context.request
            if request is not None:
                self.add_message(
                    request,
                    messages.ERROR,
                    message=gettext(
                        "We could not send the e-mail just now. Please try again in a few minutes."
                    ),
                )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """VK ID and Yandex ID: allauth's defaults (a provider's verified address signs into
    the account that has it; an unverified one gets a code first). A provider whose keys
    are not configured is not there at all: its addresses answer 404, not a 500."""

    def get_app(self, request, provider, client_id=None):
        from allauth.socialaccount.models import SocialApp

        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404 from None
