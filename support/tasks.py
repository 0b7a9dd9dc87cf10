"""django-q2 entry points of the support app (scheduled by support's migrations or queued
with `common.tasks.enqueue`). They take ids and call services."""

import logging

from django.utils import timezone

from support.models import Case, CaseMessage, SlaAlert
from support.services.escalation import alert_email, escalate
from support.services.intake import support_mailbox_poll
from support.services.mail import acknowledgement_email, reply_email

logger = logging.getLogger(__name__)


def _send(message_row: CaseMessage | None, email) -> bool:
    try:
        email.send()
    except Exception as error:
        if message_row is not None:
            CaseMessage.objects.filter(pk=message_row.pk).update(
                sent_ok=False, send_error=type(error).__name__[:200]
            )
        raise
    if message_row is not None:
        CaseMessage.objects.filter(pk=message_row.pk).update(sent_ok=True, send_error="")
    return True


def send_case_acknowledgement(case_id: int) -> bool:
    """The e-mail that confirms a new case to its customer."""
    case = Case.objects.select_related("customer").get(pk=case_id)
    if not case.customer.email or case.customer.erased_at:
        return False
    return _send(None, acknowledgement_email(case))


def send_case_reply(message_id: int) -> bool:
    """A staff reply to the customer, at most once (a retry after success sends nothing)."""
    message = CaseMessage.objects.select_related("case__customer", "author").get(pk=message_id)
    if message.sent_ok:
        return False
    return _send(message, reply_email(message))


def poll_support_mailbox() -> dict[str, int]:
    """Reads the support mailbox over IMAP (scheduled every 2 minutes; nothing to do when
    SUPPORT_IMAP_HOST is empty)."""
    return support_mailbox_poll()


def escalate_cases() -> int:
    """The SLA schedule (every minute): warnings at 80 %, breaches at 100 %, once each."""
    return len(escalate())


def send_sla_alert(alert_id: int) -> bool:
    """An SLA warning or breach e-mailed to its recipient, at most once (a retry after
    success sends nothing)."""
    alert = SlaAlert.objects.select_related("case__queue", "case__assignee", "recipient").get(
        pk=alert_id
    )
    if alert.emailed_at is not None or not alert.recipient.email:
        return False
    alert_email(alert).send()
    SlaAlert.objects.filter(pk=alert.pk).update(emailed_at=timezone.now())
    return True
