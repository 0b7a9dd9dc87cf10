"""The signed-in customer's personal-data pages (/<lang>/account/privacy/…): a copy of
their data (JSON download and a printable page), their consents with a withdraw button
each, and erasure in two steps (what is erased and kept, then the typed e-mail and a
ticked box, POSTed). Every page works without JavaScript. The views parse the request
and call accounts.privacy's services; the orders are reached through the registry."""

import json
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Consent, Customer
from accounts.privacy.forms import ErasureConfirmForm
from accounts.privacy.registry import personal_data_sections
from accounts.privacy.selectors import consent_states
from accounts.privacy.services import (
    PrivacyError,
    consent_withdraw,
    erasure_blockers,
    personal_data_erase,
    personal_data_export,
)
from common.http import client_ip
from common.i18n import url_prefix


def _customer(request: HttpRequest) -> Customer | None:
    """The customer of the signed-in account, unless there is none (or it was erased)."""
    try:
        customer = request.user.customer
    except ObjectDoesNotExist:
        return None
    return None if customer.is_erased else customer


def _with_customer(view):
    """The view gets the signed-in account's customer; an account without one (or an erased
    one) is sent to the overview, which says there is nothing yet."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        customer = _customer(request)
        if customer is None:
            return redirect("account_privacy")
        return view(request, customer, *args, **kwargs)

    return wrapped


@never_cache
@login_required
def privacy_view(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    return render(
        request,
        "accounts/privacy/overview.html",
        {
            "customer": customer,
            "consents": consent_states(customer) if customer else [],
        },
    )


@never_cache
@login_required
@_with_customer
def export_json_view(request: HttpRequest, customer: Customer) -> HttpResponse:
    data = personal_data_export(customer=customer, requested_by=request.user, purpose="json")
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"prichal-personal-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@_with_customer
def report_view(request: HttpRequest, customer: Customer) -> HttpResponse:
    data = personal_data_export(customer=customer, requested_by=request.user, purpose="html")
    sections = [
        {"title": section.title, "template": section.template, "data": data.get(section.name)}
        for section in personal_data_sections()
    ]
    return render(
        request,
        "accounts/privacy/report.html",
        {"data": data, "sections": sections, "consent_kinds": dict(Consent.Kind.choices)},
    )


@require_POST
@login_required
@_with_customer
def withdraw_view(request: HttpRequest, customer: Customer) -> HttpResponse:
    kind = request.POST.get("kind", "")
    try:
        withdrawn = consent_withdraw(
            customer=customer,
            kind=kind,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
            requested_by=request.user,
        )
    except PrivacyError as error:
        messages.error(request, error.message)
        return redirect("account_privacy")
    if withdrawn is None:
        messages.info(request, _("This consent is not in force: there was nothing to withdraw."))
    elif kind == Consent.Kind.MARKETING:
        messages.success(
            request, _("Consent withdrawn: we will not send you news or offers any more.")
        )
    else:
        messages.success(
            request,
            _(
                "Consent withdrawn. We no longer use your data for anything but your paid "
                "orders and what accounting law requires. You can also erase your data below."
            ),
        )
    return redirect("account_privacy")


@never_cache
@login_required
@_with_customer
def erase_view(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Step 1: what is erased, what is kept, and whether anything must finish first."""
    return render(
        request,
        "accounts/privacy/erase.html",
        {"customer": customer, "blockers": erasure_blockers(customer=customer)},
    )


@never_cache
@login_required
@_with_customer
def erase_confirm_view(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Step 2: the typed e-mail and the ticked box, then the erasure and the sign-out."""
    account_email = request.user.email
    form = ErasureConfirmForm(
        request.POST if request.method == "POST" else None, account_email=account_email
    )
    if request.method == "POST" and form.is_valid():
        try:
            personal_data_erase(customer=customer, requested_by=request.user)
        except PrivacyError as error:
            for reason in error.reasons or [error.message]:
                messages.error(request, reason)
            return redirect("account_privacy_erase")
        logout(request)
        return redirect("account_privacy_erased")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/privacy/erase_confirm.html",
        {"customer": customer, "form": form},
        status=status,
    )


@never_cache
def erased_view(request: HttpRequest) -> HttpResponse:
    """After the erasure: the person is signed out; nothing about them is shown."""
    home_url = f"/{url_prefix(get_language() or settings.LANGUAGE_CODE)}/"
    return render(request, "accounts/privacy/erased.html", {"home_url": home_url})
