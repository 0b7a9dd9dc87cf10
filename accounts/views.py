"""Customer account pages of the accounts app.

- `RequestLoginCodeView`: allauth's "send me a sign-in code" page, where an address that
  has no account yet gets one: allauth's own signup form (the e-mail is its only field,
  ACCOUNT_SIGNUP_FIELDS) creates it with an unverified address, and the sign-in code
  that follows verifies it. So a newcomer and a returning customer do the same thing:
  type the address, type the code. Nothing is linked before the code is entered
  (accounts.services.customers claims on verification only).
- `profile_view`: name, phone, preferred language, marketing consent
  (`accounts.services.profile.profile_update`).
- `account_home`: /<lang>/account/ leads to the orders.
"""

from allauth.account import app_settings as allauth_settings
from allauth.account import signals as allauth_signals
from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm
from allauth.account.views import RequestLoginCodeView as AllauthRequestLoginCodeView
from allauth.utils import get_form_class
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.errors import AccountError
from accounts.forms import ProfileForm
from accounts.services.profile import profile_get, profile_update
from common.http import client_ip


class RedirectSeeOther(HttpResponseRedirect):
    status_code = 303


class RequestLoginCodeView(AllauthRequestLoginCodeView):
    def form_valid(self, form):
        email = form.cleaned_data.get("email")
        if email and form._user is None:
            form._user = signup_by_email(self.request, email)
        return super().form_valid(form)


def signup_by_email(request: HttpRequest, email: str):
    """A new account for `email` through allauth's signup form (e-mail only, no
    password), or None when signing up is closed or the address cannot sign up (then
    allauth answers as for an unknown address, revealing nothing)."""
    adapter = get_adapter(request)
    if not adapter.is_open_for_signup(request):
        return None
    form_class = get_form_class(allauth_settings.FORMS, "signup", SignupForm)
    form = form_class(data={"email": email})
    if not form.is_valid() or getattr(form, "account_already_exists", False):
        return None
    try:
        with transaction.atomic():
            user = form.save(request)
    except IntegrityError:
        # The same address signed up in another tab at the same moment: that account.
        from allauth.account.utils import filter_users_by_email

        users = filter_users_by_email(email, is_active=True)
        return users[0] if users else None
    allauth_signals.user_signed_up.send(sender=user.__class__, request=request, user=user)
    return user


request_login_code = RequestLoginCodeView.as_view()


@login_required
def account_home(request: HttpRequest):
    return redirect("account_orders")


def _user_agent(request: HttpRequest) -> str:
    agent = request.META.get("HTTP_USER_AGENT") or ""
    return "".join(c for c in agent if c >= " ")[:300]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile_view(request: HttpRequest):
    try:
        profile = profile_get(user=request.user)
    except AccountError as error:
        return render(
            request, "accounts/profile.html", {"form": None, "refusal": error.message}, status=403
        )
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                profile_update(
                    user=request.user,
                    name=data["name"],
                    phone=data["phone"],
                    language=data["language"],
                    marketing=data["marketing"],
                    ip=client_ip(request),
                    user_agent=_user_agent(request),
                    document_url=request.build_absolute_uri(reverse("account_profile")),
                )
            except AccountError as error:
                form.add_account_error(error)
            else:
                messages.success(request, _("Your profile is saved."))
                return RedirectSeeOther(reverse("account_profile"))
        status = 400
    else:
        form = ProfileForm(
            initial={
                "name": profile.name,
                "phone": profile.phone,
                "language": profile.language,
                "marketing": profile.marketing,
            }
        )
        status = 200
    return render(
        request, "accounts/profile.html", {"form": form, "profile": profile}, status=status
    )
