"""E-mail intake: each message read from the support mailbox opens a case, joins its case,
or is recognised as automatic.

Threading, in this order:

1. `In-Reply-To` / `References` name a message of a case (a reply we sent or one the
   customer sent before): only recipients of those messages know their ids;
2. the subject carries a case's reference "[S-1042]" **and** the sender is that case's
   customer (a reference alone is guessable, so a stranger's mail opens a new case
   instead of reaching someone else's conversation).

Auto-replies and bounces never open, reopen or answer a case: about a known case they are
kept as an internal note (a bounce tells the agent the address is wrong), otherwise
dropped. A customer's message to a case that can no longer be reopened (closed, or
resolved longer ago than `SUPPORT_REOPEN_DAYS`) opens a new case that names the old one.

Each message is taken in one transaction and stored under its Message-ID (unique), so a
message read twice (two polls, two workers, a crash before it was marked as read) is
stored once.
"""

import logging
import re
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.db import IntegrityError
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import Customer
from support.errors import SupportError
from support.mailbox import InboundMessage, case_reference, mailbox_from_settings
from support.models import Case, CaseMessage
from support.services.attachments import AttachmentUpload
from support.services.cases import (
    BODY_MAX,
    SUBJECT_MAX,
    CaseRequest,
    automatic_message_note,
    case_open,
    customer_message_add,
)

logger = logging.getLogger(__name__)

_CJK = re.compile(r"[\u4e00-\u9fff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@dataclass(frozen=True)
class Intake:
    """What became of one message: `outcome` is "opened", "threaded", "automatic"
    (kept as a note on its case), "ignored" (automatic, no case; or from ourselves) or
    "duplicate" (stored before)."""

    outcome: str
    case_id: int | None = None


def _language(message: InboundMessage, customer: Customer | None) -> str:
    """The customer's language when we know them, otherwise a guess from the text."""
    if customer is not None and customer.language:
        return customer.language
    sample = f"{message.subject} {message.text[:2000]}"
    if _CYRILLIC.search(sample):
        return "ru"
    if _CJK.search(sample):
        return "zh-hans"
    return "en" if sample.strip() else settings.LANGUAGE_CODE


def _thread_case(message: InboundMessage) -> Case | None:
    ids = [mid for mid in [message.in_reply_to, *message.references] if mid]
    if ids:
        known = (
            CaseMessage.objects.filter(email_message_id__in=ids)
            .select_related("case__customer")
            .order_by("-created_at")
            .first()
        )
        if known is not None:
            return known.case
    number = case_reference(message.subject)
    if number is not None:
        case = Case.objects.select_related("customer").filter(pk=number).first()
        if case is not None and case.customer.email.lower() == message.from_address.lower():
            return case
    return None


def _uploads(message: InboundMessage) -> tuple[AttachmentUpload, ...]:
    return tuple(
        AttachmentUpload(item.filename, item.content, item.content_type)
        for item in message.attachments
    )


def _body(message: InboundMessage, language: str) -> str:
    text = (message.text or "").replace("\x00", "").strip()
    if not text:
        with translation.override(language):
            text = gettext("(The message has no text.)")
        if message.attachments:
            text += " " + ", ".join(item.filename for item in message.attachments)
    return text[:BODY_MAX]


def _subject(message: InboundMessage, language: str) -> str:
    subject = " ".join((message.subject or "").replace("\x00", "").split())
    if not subject:
        with translation.override(language):
            subject = gettext("(no subject)")
    return subject[:SUBJECT_MAX]


def _own_address(address: str) -> bool:
    ours = {parseaddr(settings.SUPPORT_FROM_EMAIL)[1].lower()}
    if settings.SUPPORT_IMAP_USER and "@" in settings.SUPPORT_IMAP_USER:
        ours.add(settings.SUPPORT_IMAP_USER.lower())
    return address.lower() in ours


def inbound_message_take(message: InboundMessage) -> Intake:
    """Stores one message read from the mailbox (see the module's docstring)."""
    if CaseMessage.objects.filter(email_message_id=message.message_id).exists():
        return Intake("duplicate")
    if not message.from_address or _own_address(message.from_address):
        # Our own mail come back (a loop) or a message without a sender.
        return Intake("ignored")
    case = _thread_case(message)
    try:
        if message.is_automatic:
            if case is None:
                logger.info(
                    "Automatic message %s dropped (%s)", message.message_id, message.auto_reason
                )
                return Intake("ignored")
            note = automatic_message_note(
                case=case,
                body=gettext("Automatic message received (%(reason)s):")
                % {"reason": message.auto_reason or "auto"}
                + "\n\n"
                + (message.text or message.subject),
                email_message_id=message.message_id,
            )
            return Intake("automatic", note.case_id)
        if case is not None:
            try:
                customer_message_add(
                    case=case,
                    body=_body(message, case.language),
                    channel=Case.Channel.EMAIL,
                    attachments=_uploads(message),
                    email_message_id=message.message_id,
                    strict_attachments=False,
                )
                return Intake("threaded", case.pk)
            except SupportError as error:
                if error.code != "case_closed":
                    raise
                previous = case
        else:
            previous = None
        customer = Customer.objects.filter(email__iexact=message.from_address).first()
        language = _language(message, customer)
        body = _body(message, language)
        if previous is not None:
            with translation.override(language):
                body = (
                    gettext("Follow-up to the closed case %(reference)s.")
                    % {"reference": previous.reference}
                    + "\n\n"
                    + body
                )[:BODY_MAX]
        opened = case_open(
            request=CaseRequest(
                channel=Case.Channel.EMAIL,
                subject=_subject(message, language),
                body=body,
                email=message.from_address,
                name=message.from_name[:150],
                language=language,
                attachments=_uploads(message),
                email_message_id=message.message_id,
            ),
            strict_attachments=False,
        )
        return Intake("opened", opened.pk)
    except IntegrityError:
        # Another worker stored the same Message-ID a moment ago (the unique constraint
        # rolled this transaction back whole).
        if CaseMessage.objects.filter(email_message_id=message.message_id).exists():
            return Intake("duplicate")
        raise


def support_mailbox_poll(*, limit: int = 50) -> dict[str, int]:
    """Reads the unseen messages of the support mailbox (settings `SUPPORT_IMAP_*`), takes
    each, and marks it as read only once it is stored: a crash in between reads it again,
    and the Message-ID keeps it from being stored twice. A message that fails is logged
    and left unread for the next poll; the others go on."""
    mailbox = mailbox_from_settings()
    counts: dict[str, int] = {}
    if mailbox is None:
        return counts
    with mailbox:
        for message in mailbox.fetch_unseen(limit=limit):
            try:
                outcome = inbound_message_take(message).outcome
            except SupportError as error:
                # Cannot be stored as a case (an invalid sender address, say): nobody can
                # fix it by reading it again.
                logger.warning("Support mail %s refused: %s", message.message_id, error.code)
                outcome = "refused"
            except Exception:
                logger.exception("Support mail %s failed; kept unread", message.message_id)
                counts["failed"] = counts.get("failed", 0) + 1
                continue
            mailbox.mark_processed(message.uid)
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts
