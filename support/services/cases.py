"""Support cases: opening, the customer's messages, staff replies and notes, status,
priority, queue, assignee and tags. One transaction each; every change by staff is in the
audit trail (Wagtail's log, `support.case.*`), with ids and codes, never message text.

Status rules (README "Support cases"):

- a case opens as `new`; a staff member's first public reply stamps the first response and
  moves it to `waiting_customer` unless another status is chosen;
- `waiting_customer` pauses the SLA clock (a `CasePause`), any other status resumes it;
- a customer's message moves an active case to `open`, reopens a `resolved` case within
  `SUPPORT_REOPEN_DAYS` of its resolution (`closed` cases and older resolutions never
  reopen: the message opens a new case that refers to the old one);
- `resolved` stamps the resolution time, `closed` the closing time.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from accounts.models import Customer
from accounts.phones import phone_e164
from booking.models import Order, WebhookEvent
from booking.services.webhooks import webhooks_emit
from common.tasks import enqueue
from support.errors import SupportError
from support.models import Case, CaseMessage, CasePause, Macro, Queue
from support.services.attachments import AttachmentUpload, attachments_check, attachments_save
from support.services.sla import due_times_refresh, policy_apply, policy_for

OPEN_ACTION = "support.case.open"
MESSAGE_ACTION = "support.case.message"
REPLY_ACTION = "support.case.reply"
NOTE_ACTION = "support.case.note"
CHANGE_ACTION = "support.case.change"

SUBJECT_MAX = 200
BODY_MAX = 20_000


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def _text(raw, *, limit: int, code: str) -> str:
    if not isinstance(raw, str):
        raise SupportError(code)
    text = raw.replace("\r\n", "\n").strip()
    if not text or len(text) > limit or "\x00" in text:
        raise SupportError(code)
    return text


def _subject(raw) -> str:
    return " ".join(_text(raw, limit=SUBJECT_MAX, code="subject_invalid").split())


def _email(raw) -> str:
    email = (raw or "").strip().lower() if isinstance(raw, str) else ""
    try:
        validate_email(email)
    except Exception:
        raise SupportError("email_invalid") from None
    return email


def _language(raw) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return raw if raw in codes else settings.LANGUAGE_CODE


def order_matching(*, code: str, email: str) -> Order | None:
    """The order with this code bought with this e-mail address, or None: an order is
    linked to a case only when the writer shows both (no probing of other people's
    orders by code alone)."""
    code = (code or "").strip().upper()
    if not code:
        return None
    return Order.objects.filter(code=code, email__iexact=email).select_related("departure").first()


def _customer(*, email: str, name: str, phone: str, language: str) -> Customer:
    customer, created = Customer.objects.select_for_update().get_or_create(
        email=email, defaults={"name": name, "phone": phone, "language": language}
    )
    if not created and customer.erased_at is None:
        changed = []
        if name and not customer.name:
            customer.name = name
            changed.append("name")
        if phone and not customer.phone:
            customer.phone = phone
            changed.append("phone")
        if changed:
            customer.save(update_fields=[*changed, "updated_at"])
    return customer


def may_work_in(user, queue: Queue) -> bool:
    """Whether the staff member works on the cases of `queue`: every queue with
    `support.handle_any_queue`, otherwise the queues they (or a group of theirs) hold
    `support.work_in_queue` on (django-guardian)."""
    if user is None or not user.is_active:
        return False
    return user.has_perm("support.handle_any_queue") or user.has_perm(
        "support.work_in_queue", queue
    )


def default_queue() -> Queue:
    queue = Queue.objects.filter(is_default=True).first() or Queue.objects.first()
    if queue is None:
        raise SupportError("no_default_queue")
    return queue


@dataclass(frozen=True)
class CaseRequest:
    """What a customer wrote (site form, e-mail) or what an agent took down on the phone."""

    channel: str
    subject: str
    body: str
    email: str
    name: str = ""
    phone: str = ""
    language: str = "ru"
    order_code: str = ""
    attachments: tuple[AttachmentUpload, ...] = ()
    email_message_id: str = ""


def case_open(
    *,
    request: CaseRequest,
    user=None,
    queue: Queue | None = None,
    priority: int | None = None,
    order: Order | None = None,
    strict_attachments: bool = True,
) -> Case:
    """Opens a case and stores its first message. `user`: the staff member who took it
    down (a phone call), None when the customer wrote. `order`: an order staff chose on
    its screen; otherwise `request.order_code` links one only if it matches the e-mail
    (`order_not_matched` when it does not). `strict_attachments`: refuse files of other
    types (the site's form) or skip them (e-mail, where the customer cannot fix them)."""
    subject = _subject(request.subject)
    body = _text(request.body, limit=BODY_MAX, code="body_invalid")
    email = _email(request.email)
    name = " ".join((request.name or "").split())
    if len(name) > 150:
        raise SupportError("name_invalid")
    phone = ""
    if (request.phone or "").strip():
        phone = phone_e164(request.phone) or ""
        if not phone:
            raise SupportError("phone_invalid")
    if order is None and request.order_code.strip():
        order = order_matching(code=request.order_code, email=email)
        if order is None:
            raise SupportError("order_not_matched")
    uploads = attachments_check(request.attachments, strict=strict_attachments)
    if priority is not None and priority not in Case.Priority.values:
        raise SupportError("priority_invalid")
    staff = _user(user)
    with transaction.atomic():
        customer = _customer(
            email=email, name=name, phone=phone, language=_language(request.language)
        )
        case = Case(
            subject=subject,
            customer=customer,
            order=order,
            departure=order.departure if order else None,
            channel=request.channel,
            priority=priority or Case.Priority.P3,
            queue=queue or default_queue(),
            language=_language(request.language),
            created_by=staff,
            updated_by=staff,
        )
        policy_apply(
            case, policy_for(priority=case.priority, queue_id=case.queue.pk, channel=case.channel)
        )
        case.save()
        message = CaseMessage.objects.create(
            case=case,
            kind=CaseMessage.Kind.CUSTOMER,
            channel=request.channel,
            author=staff,
            body=body,
            email_message_id=request.email_message_id,
        )
        attachments_save(message, uploads)
        case.last_customer_message_at = message.created_at
        due_times_refresh(case)
        case.save()
        log(
            instance=case,
            action=OPEN_ACTION,
            user=staff,
            data={"channel": case.channel, "order_id": order.pk if order else None},
        )
        if staff is None:
            enqueue("support.tasks.send_case_acknowledgement", case.pk)
        webhooks_emit(event=WebhookEvent.CASE_CREATED, payload=lambda: case_webhook_data(case))
    return case


def case_webhook_data(case: Case) -> dict:
    """The `case.created` webhook's data: references, no subject, text or contact details."""
    return {
        "case": {
            "id": case.pk,
            "reference": case.reference,
            "channel": case.channel,
            "priority": case.priority,
            "queue": case.queue.slug,
            "language": case.language,
            "order_code": case.order.code if case.order_id else None,
            "departure_id": case.departure_id,
            "created_at": case.created_at.isoformat(),
        }
    }


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _pause(case: Case, now) -> None:
    CasePause.objects.get_or_create(case=case, ended_at=None, defaults={"began_at": now})


def _resume(case: Case, now) -> None:
    CasePause.objects.filter(case=case, ended_at=None).update(ended_at=now)


def _set_status(case: Case, status: str, now) -> None:
    """Moves the (locked) case to `status` with the stamps and pauses that go with it."""
    if status not in Case.Status.values:
        raise SupportError("status_invalid")
    if status == Case.Status.WAITING_CUSTOMER:
        _pause(case, now)
    else:
        _resume(case, now)
    if status == Case.Status.RESOLVED and case.resolved_at is None:
        case.resolved_at = now
    if status == Case.Status.CLOSED and case.closed_at is None:
        case.closed_at = now
        case.resolved_at = case.resolved_at or now
    if status in Case.ACTIVE:
        case.resolved_at = case.closed_at = None
    case.status = status
    due_times_refresh(case)


def reopen_window_open(case: Case, now=None) -> bool:
    """Whether a customer's message may still reopen this case."""
    now = now or timezone.now()
    if case.status == Case.Status.CLOSED:
        return False
    if case.status != Case.Status.RESOLVED:
        return True
    return now - case.resolved_at <= timedelta(days=settings.SUPPORT_REOPEN_DAYS)


def customer_message_add(
    *,
    case: Case,
    body: str,
    channel: str,
    attachments: tuple[AttachmentUpload, ...] = (),
    email_message_id: str = "",
    strict_attachments: bool = True,
) -> CaseMessage:
    """The customer wrote again (site, e-mail): the message joins the case, which is
    (re)opened. Refused with `case_closed` when the case can no longer be reopened (the
    caller opens a new case then)."""
    body = _text(body, limit=BODY_MAX, code="body_invalid")
    uploads = attachments_check(attachments, strict=strict_attachments)
    with transaction.atomic():
        locked = _lock(case)
        now = timezone.now()
        if not reopen_window_open(locked, now):
            raise SupportError("case_closed")
        message = CaseMessage.objects.create(
            case=locked,
            kind=CaseMessage.Kind.CUSTOMER,
            channel=channel,
            body=body,
            email_message_id=email_message_id,
        )
        attachments_save(message, uploads)
        previous = locked.status
        if locked.status != Case.Status.NEW:
            _set_status(locked, Case.Status.OPEN, now)
        locked.last_customer_message_at = message.created_at
        locked.save()
        log(
            instance=locked,
            action=MESSAGE_ACTION,
            user=None,
            data={"message_id": message.pk, "channel": channel, "previous_status": previous},
        )
    return message


def automatic_message_note(*, case: Case, body: str, email_message_id: str) -> CaseMessage:
    """An auto-reply or a bounce about the case: kept as an internal note for the agents
    (a bounce means the address is wrong), without reopening or answering anything."""
    with transaction.atomic():
        locked = _lock(case)
        return CaseMessage.objects.create(
            case=locked,
            kind=CaseMessage.Kind.NOTE,
            channel=Case.Channel.EMAIL,
            body=body[:BODY_MAX],
            email_message_id=email_message_id,
        )


def macro_text(macro: Macro, case: Case, user) -> str:
    """The macro's text in the case's language, placeholders filled."""
    values = {
        "customer_name": case.customer.name or "",
        "case_reference": case.reference,
        "agent_name": (user.get_full_name() or user.get_username()) if user else "",
    }
    text = macro.body_for(case.language)
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def reply_add(
    *,
    case: Case,
    user,
    body: str,
    status: str | None = None,
    macro: Macro | None = None,
    attachments: tuple[AttachmentUpload, ...] = (),
) -> CaseMessage:
    """A staff member's public reply, e-mailed to the customer in the case's language.
    The first one stamps the first response. The case then takes `status`, the macro's
    status, or `waiting_customer`; a macro may also set the priority."""
    body = _text(body, limit=BODY_MAX, code="body_invalid")
    uploads = attachments_check(attachments, strict=False)
    staff = _user(user)
    with transaction.atomic():
        locked = _lock(case)
        if locked.status == Case.Status.CLOSED:
            raise SupportError("case_closed")
        if not locked.customer.email or locked.customer.erased_at:
            raise SupportError("no_email")
        now = timezone.now()
        message = CaseMessage.objects.create(
            case=locked,
            kind=CaseMessage.Kind.REPLY,
            channel=Case.Channel.EMAIL,
            author=staff,
            body=body,
        )
        attachments_save(message, uploads)
        if locked.first_responded_at is None:
            locked.first_responded_at = now
        target = status or (macro.set_status if macro else "") or Case.Status.WAITING_CUSTOMER
        previous = {"status": locked.status, "priority": locked.priority}
        _set_status(locked, target, now)
        if macro and macro.set_priority:
            locked.priority = macro.set_priority
        locked.updated_by = staff
        locked.save()
        log(
            instance=locked,
            action=REPLY_ACTION,
            user=staff,
            data={
                "message_id": message.pk,
                "macro_id": macro.pk if macro else None,
                "status": [previous["status"], locked.status],
                "priority": [previous["priority"], locked.priority],
            },
        )
        enqueue("support.tasks.send_case_reply", message.pk)
    return message


def note_add(*, case: Case, user, body: str) -> CaseMessage:
    """An internal note: staff only, never e-mailed, no effect on the clock."""
    body = _text(body, limit=BODY_MAX, code="body_invalid")
    staff = _user(user)
    with transaction.atomic():
        locked = _lock(case)
        message = CaseMessage.objects.create(
            case=locked,
            kind=CaseMessage.Kind.NOTE,
            channel=locked.channel,
            author=staff,
            body=body,
        )
        log(instance=locked, action=NOTE_ACTION, user=staff, data={"message_id": message.pk})
    return message


_UNSET = object()


def case_update(
    *,
    case: Case,
    user,
    status: str | None = None,
    priority: int | None = None,
    queue: Queue | None = None,
    assignee=_UNSET,
    tags: list[str] | None = None,
) -> Case:
    """Changes what staff may change on a case; only what is given. `assignee=None`
    unassigns. The assignee (a new one, or the one kept when the case moves to another
    queue) must work in the case's queue (`assignee_invalid`). Audited with every field's
    old and new value."""
    staff = _user(user)
    with transaction.atomic():
        locked = _lock(case)
        now = timezone.now()
        changes = {}
        if status is not None and status != locked.status:
            changes["status"] = [locked.status, status]
            _set_status(locked, status, now)
        if priority is not None and priority != locked.priority:
            if priority not in Case.Priority.values:
                raise SupportError("priority_invalid")
            changes["priority"] = [locked.priority, priority]
            locked.priority = priority
        if queue is not None and queue.pk != locked.queue_id:
            changes["queue"] = [locked.queue_id, queue.pk]
            locked.queue = queue
        if assignee is not _UNSET:
            new_id = assignee.pk if assignee is not None else None
            if new_id != locked.assignee_id:
                changes["assignee"] = [locked.assignee_id, new_id]
                locked.assignee = assignee
        moved = "queue" in changes or "assignee" in changes
        if moved and locked.assignee is not None and not may_work_in(locked.assignee, locked.queue):
            raise SupportError("assignee_invalid")
        if tags is not None:
            old = sorted(locked.tags.names())
            new = sorted({tag.strip()[:100] for tag in tags if tag.strip()})
            if old != new:
                changes["tags"] = [old, new]
                locked.tags.set(new)
        if not changes:
            return locked
        locked.updated_by = staff
        locked.save()
        log(instance=locked, action=CHANGE_ACTION, user=staff, data=changes)
    return locked


def cases_assign(*, cases, user, assignee) -> tuple[int, list[Case]]:
    """Bulk assignment from the inbox: each case in its own transaction, so a refused
    case (the assignee does not work in its queue) neither undoes nor stops the others.
    Returns how many changed and the cases refused."""
    changed, refused = 0, []
    for case in cases:
        before = case.assignee_id
        try:
            after = case_update(case=case, user=user, assignee=assignee)
        except SupportError:
            refused.append(case)
            continue
        changed += after.assignee_id != before
    return changed, refused
