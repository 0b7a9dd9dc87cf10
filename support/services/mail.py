"""The e-mails a case sends its customer: the acknowledgement of a new case and staff
replies, in the case's language, from the support mailbox (so that answers come back to
it), threaded with Message-ID / In-Reply-To / References and carrying the case's
reference in the subject ("[S-1042]"), which is how `support.services.intake` finds the
case of an answer. Each attempt is recorded on the message (`sent_ok`, `send_error`)."""

from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from support.models import Case, CaseMessage
from support.services.attachments import attachment_token


def case_subject(case: Case) -> str:
    return f"[{case.reference}] {case.subject}"


def _domain() -> str:
    address = parseaddr(settings.SUPPORT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "prichal.local"


def _thread_ids(case: Case) -> list[str]:
    return [
        f"<{mid}>"
        for mid in case.messages.exclude(email_message_id="")
        .exclude(kind=CaseMessage.Kind.NOTE)
        .order_by("created_at", "pk")
        .values_list("email_message_id", flat=True)
    ]


def _case_url(case: Case) -> str:
    """The case in the customer's account (signed-in customers reply there too)."""
    with translation.override(case.language):
        return settings.SITE_URL + reverse("support:account_case", kwargs={"number": case.pk})


def _headers(case: Case, message_id: str) -> dict:
    """Its own Message-ID, and the thread before it (a message never answers itself)."""
    thread = [mid for mid in _thread_ids(case) if mid != f"<{message_id}>"]
    headers = {
        "Message-ID": f"<{message_id}>",
        "Content-Language": "zh-Hans" if case.language == "zh-hans" else case.language,
    }
    if thread:
        headers["In-Reply-To"] = thread[-1]
        headers["References"] = " ".join(thread[-20:])
    return headers


def _render(template: str, case: Case, **context) -> str:
    context = {"case": case, "case_url": _case_url(case), **context}
    with translation.override(case.language):
        return render_to_string(f"support/email/{template}.txt", context).strip() + "\n"


def acknowledgement_email(case: Case) -> EmailMessage:
    """ "We have your request [S-1042]": marked as automatic (RFC 3834), so that the
    customer's own auto-responder does not answer it."""
    message_id = make_msgid(domain=_domain())[1:-1]
    first = case.messages.filter(kind=CaseMessage.Kind.CUSTOMER).first()
    email = EmailMessage(
        subject=case_subject(case),
        body=_render("acknowledgement", case, first=first),
        from_email=settings.SUPPORT_FROM_EMAIL,
        to=[case.customer.email],
        headers={**_headers(case, message_id), "Auto-Submitted": "auto-replied"},
    )
    return email


def reply_email(message: CaseMessage) -> EmailMessage:
    """A staff member's public reply, with its attachments as files and a note of
    attachments the customer sent being kept."""
    case = message.case
    if not message.email_message_id:
        message.email_message_id = make_msgid(domain=_domain())[1:-1]
        message.save(update_fields=["email_message_id"])
    headers = _headers(case, message.email_message_id)
    email = EmailMessage(
        subject=f"Re: {case_subject(case)}",
        body=_render("reply", case, message=message),
        from_email=settings.SUPPORT_FROM_EMAIL,
        to=[case.customer.email],
        headers=headers,
    )
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as file:
            email.attach(attachment.filename, file.read(), attachment.content_type)
    return email


def customer_attachment_url(attachment) -> str:
    """The signed, expiring link a customer downloads an attachment of their case with."""
    return settings.SITE_URL + reverse(
        "support:attachment", kwargs={"token": attachment_token(attachment)}
    )
