"""The customer's side of support: the contact form, their cases, attachment downloads.

- `case_new_view` (/<lang>/support/new/): the contact form, plain HTML (multipart POST,
  no JavaScript needed); the content block `SupportFormBlock` renders the same form on
  any page and posts here. A refusal re-renders the form with the reason at its field and
  nothing stored. Throttled per session and per address (`SUPPORT_CASE_RATE`,
  `SUPPORT_CASE_ADDRESS_RATE`: opened cases count) with `common.http.ClientThrottle`, as
  the booking forms are.
- `case_sent_view`: "your request S-12 is registered", only for a case opened in this
  browser session (its number is kept in the session): numbers are guessable.
- `account_cases_view`, `account_case_view` (signed-in customers): their cases, the
  conversation (the customer's messages and staff replies; internal notes never) with
  signed attachment links, and a reply form. Another customer's case is a 404.
- `attachment_view`: a file, for whoever holds a valid, unexpired signed link.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.services.customers import customer_for_user
from common.http import ClientThrottle
from support.errors import SupportError
from support.forms import CaseForm, ReplyForm, add_support_error, initial_for
from support.models import Case, CaseAttachment, CaseMessage
from support.services.attachments import INLINE_TYPES, attachment_from_token, attachment_token
from support.services.cases import (
    CaseRequest,
    case_open,
    customer_message_add,
    reopen_window_open,
)

#: Cases opened with the site's form, per browser session and (higher: NAT) per address.
CASE_THROTTLE = ClientThrottle("support-case", "SUPPORT_CASE_RATE", "SUPPORT_CASE_ADDRESS_RATE")
#: The session key of the case numbers opened in this browser (for `case_sent_view`).
SESSION_KEY = "support_cases"
SESSION_KEEP = 20


def _remember(request: HttpRequest, case: Case) -> None:
    numbers = [n for n in request.session.get(SESSION_KEY, []) if n != case.pk]
    request.session[SESSION_KEY] = [*numbers, case.pk][-SESSION_KEEP:]


@never_cache
@require_http_methods(["GET", "POST"])
def case_new_view(request: HttpRequest):
    status = 200
    if request.method != "POST":
        form = CaseForm(initial=initial_for(request))
        return render(request, "support/case_new.html", {"form": form.describe()})
    form = CaseForm(request.POST, request.FILES)
    if CASE_THROTTLE.blocked(request):
        form.is_valid()  # keeps what was typed; nothing is stored
        form.errors.clear()
        form.add_error(
            None,
            _(
                "Too many requests from this connection. Please try again in an hour or "
                "write to us by e-mail."
            ),
        )
        status = 429
    elif form.is_valid():
        data = form.cleaned_data
        try:
            case = case_open(
                request=CaseRequest(
                    channel=Case.Channel.WEB,
                    subject=data["subject"],
                    body=data["message"],
                    email=data["email"],
                    name=data["name"],
                    phone=data["phone"],
                    language=get_language(),
                    order_code=data["order_code"],
                    attachments=data["attachments"],
                )
            )
        except SupportError as error:
            add_support_error(form, error)
        else:
            _remember(request, case)
            if not request.session.session_key:
                request.session.save()  # so that this case counts for the session too
            CASE_THROTTLE.record(request)
            return redirect("support:case_sent", number=case.pk)
    if status == 200:
        status = 400
    return render(request, "support/case_new.html", {"form": form.describe()}, status=status)


@never_cache
def case_sent_view(request: HttpRequest, number: int):
    if number not in request.session.get(SESSION_KEY, []):
        raise Http404
    case = Case.objects.filter(pk=number).select_related("customer").first()
    if case is None:
        raise Http404
    own = False
    if request.user.is_authenticated:
        customer = customer_for_user(request.user)
        own = customer is not None and customer.pk == case.customer_id
    return render(request, "support/case_sent.html", {"case": case, "in_account": own})


def _customer_or_none(request: HttpRequest):
    customer = customer_for_user(request.user)
    return customer if customer is not None and customer.erased_at is None else None


@never_cache
@login_required
def account_cases_view(request: HttpRequest):
    customer = _customer_or_none(request)
    cases = (
        Case.objects.filter(customer=customer).order_by("-updated_at", "-pk")
        if customer
        else Case.objects.none()
    )
    return render(request, "support/account/cases.html", {"cases": cases})


def _conversation(case: Case) -> list[CaseMessage]:
    """What the customer may read: their messages and staff's public replies, oldest
    first, each attachment with its signed link. Internal notes never."""
    rows = list(
        case.messages.exclude(kind=CaseMessage.Kind.NOTE)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=CaseAttachment.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )
    for row in rows:
        row.files = [
            {
                "name": attachment.filename,
                "size": attachment.size,
                "url": reverse(
                    "support:attachment", kwargs={"token": attachment_token(attachment)}
                ),
            }
            for attachment in row.attachments.all()
        ]
    return rows


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_case_view(request: HttpRequest, number: int):
    customer = _customer_or_none(request)
    case = (
        Case.objects.filter(pk=number, customer=customer).select_related("customer").first()
        if customer
        else None
    )
    if case is None:
        raise Http404
    status = 200
    closed = not reopen_window_open(case)
    if request.method == "POST" and not closed:
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                customer_message_add(
                    case=case,
                    body=form.cleaned_data["message"],
                    channel=Case.Channel.WEB,
                    attachments=form.cleaned_data["attachments"],
                )
            except SupportError as error:
                if error.code == "case_closed":
                    closed = True
                else:
                    add_support_error(form, error)
            else:
                messages.success(request, _("Your message is added to the case."))
                return redirect("support:account_case", number=case.pk)
        status = 400
    else:
        form = ReplyForm()
        if request.method == "POST":
            status = 409
    return render(
        request,
        "support/account/case.html",
        {
            "case": case,
            "conversation": _conversation(case),
            "form": None if closed else form.describe(),
            "closed": closed,
            "closed_message": SupportError("case_closed").message if closed else "",
        },
        status=status,
    )


def attachment_view(request, token):
    """An attachment of a case, for whoever holds a valid, unexpired signed link (sent to
    the case's customer). Images and PDF may show inline; anything else downloads."""
    attachment = attachment_from_token(token)
    if attachment is None:
        raise Http404
    inline = attachment.content_type in INLINE_TYPES
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
