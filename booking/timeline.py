"""An order's whole story for the CRM's order screen, newest first: the order placed and
paid, its payments and refunds with their YooKassa ids, the notifications YooKassa sent
about them, the messages sent to the customer, the consents given at checkout, the
staff's notes, the boardings of its tickets and the Wagtail audit entries of the order
and its tickets (with the formatter's message and the client address when recorded).

`order_timeline` reads all of it in a fixed number of queries, whatever the order's size.
Texts are for the staff, in the active language; titles carry no personal data (the
details may: the screen showing them is permission-checked).
"""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import ModelLogEntry

from accounts.models import Consent
from booking.models import (
    Order,
    OrderNote,
    Payment,
    PaymentNotification,
    Refund,
    SentMessage,
    Ticket,
)
from booking.services.checkin import CHECK_IN_ACTION
from common.money import format_rub


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: (
        str  # order | payment | refund | notification | message | consent | note | check_in | audit
    )
    title: str
    detail: str = ""
    actor: str = ""  # the staff member's name, "" for the customer or the system
    client_address: str = ""


# What YooKassa's notifications say, as the staff read it.
NOTIFICATION_EVENTS = {
    "payment.waiting_for_capture": gettext_lazy("the payment awaits capture"),
    "payment.succeeded": gettext_lazy("the payment went through"),
    "payment.canceled": gettext_lazy("the payment was cancelled"),
    "refund.succeeded": gettext_lazy("the refund went through"),
    "refund.canceled": gettext_lazy("the refund was cancelled"),
}


def _lower_first(text: str) -> str:
    """ "Nothing to change" → "nothing to change" after a dash; "YooKassa …", "API …"
    keep their capitals."""
    if len(text) > 1 and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def order_timeline(order: Order) -> list[TimelineEntry]:
    """Every event of `order`, newest first (ties: the later-recorded first)."""
    entries: list[TimelineEntry] = [
        TimelineEntry(
            at=order.created_at,
            kind="order",
            title=_("Order %(code)s placed") % {"code": order.code},
            detail=_("Total %(total)s") % {"total": format_rub(order.total)},
        )
    ]
    if order.paid_at:
        entries.append(TimelineEntry(at=order.paid_at, kind="order", title=_("Order paid")))

    payments = list(Payment.objects.filter(order_id=order.pk).order_by("pk"))
    refunds = list(Refund.objects.filter(payment__order_id=order.pk).order_by("pk"))
    for payment in payments:
        entries.append(
            TimelineEntry(
                at=payment.created_at,
                kind="payment",
                title=_("Payment %(amount)s: %(status)s")
                % {"amount": format_rub(payment.amount), "status": payment.get_status_display()},
                detail=_("YooKassa id: %(id)s") % {"id": payment.provider_id or "—"},
            )
        )
    for refund in refunds:
        entries.append(
            TimelineEntry(
                at=refund.created_at,
                kind="refund",
                title=_("Refund #%(id)s of %(amount)s: %(status)s")
                % {
                    "id": refund.pk,
                    "amount": format_rub(refund.amount),
                    "status": refund.get_status_display(),
                },
                detail=_("%(reason)s; YooKassa id: %(id)s")
                % {"reason": refund.get_reason_display(), "id": refund.provider_id or "—"},
            )
        )

    provider_ids = [p.provider_id for p in payments if p.provider_id] + [
        r.provider_id for r in refunds if r.provider_id
    ]
    if provider_ids:
        for note in PaymentNotification.objects.filter(object_id__in=provider_ids):
            entries.append(
                TimelineEntry(
                    at=note.received_at,
                    kind="notification",
                    title=_("YooKassa reported: %(event)s — %(outcome)s")
                    % {
                        "event": NOTIFICATION_EVENTS.get(note.event, note.event),
                        "outcome": _lower_first(str(note.get_outcome_display())),
                    },
                    detail=note.object_id,
                    client_address=note.remote_addr or "",
                )
            )

    for message in SentMessage.objects.filter(order_id=order.pk).select_related("sent_by"):
        result = _("sent") if message.ok else _("not sent (%(error)s)") % {"error": message.error}
        title = (
            _("%(kind)s sent again by %(channel)s: %(result)s")
            if message.is_resend
            else _("%(kind)s by %(channel)s: %(result)s")
        )
        entries.append(
            TimelineEntry(
                at=message.created_at,
                kind="message",
                title=title
                % {
                    "kind": message.get_kind_display(),
                    "channel": message.get_channel_display(),
                    "result": result,
                },
                detail=message.recipient,
                actor=_name(message.sent_by),
            )
        )

    for consent in Consent.objects.filter(order_id=order.pk):
        entries.append(
            TimelineEntry(
                at=consent.created_at,
                kind="consent",
                title=(
                    _("Consent given: %(kind)s")
                    if consent.granted
                    else _("Consent withdrawn: %(kind)s")
                )
                % {"kind": consent.get_kind_display()},
                detail=_("Document version %(version)s") % {"version": consent.document_version},
                client_address=consent.ip_address or "",
            )
        )

    for note in OrderNote.objects.filter(order_id=order.pk).select_related("author"):
        entries.append(
            TimelineEntry(
                at=note.created_at,
                kind="note",
                title=_("Note"),
                detail=note.text,
                actor=_name(note.author),
            )
        )

    tickets = list(
        Ticket.objects.filter(order_id=order.pk).select_related("checked_in_by").order_by("pk")
    )
    order_type = ContentType.objects.get_for_model(Order)
    ticket_type = ContentType.objects.get_for_model(Ticket)
    logs = list(
        ModelLogEntry.objects.filter(
            Q(content_type=order_type, object_id=str(order.pk))
            | Q(content_type=ticket_type, object_id__in=[str(t.pk) for t in tickets])
        ).select_related("user")
    )
    logged_boardings = {
        entry.object_id
        for entry in logs
        if entry.content_type_id == ticket_type.pk and entry.action == CHECK_IN_ACTION
    }
    for ticket in tickets:
        if ticket.checked_in_at and str(ticket.pk) not in logged_boardings:
            entries.append(
                TimelineEntry(
                    at=ticket.checked_in_at,
                    kind="check_in",
                    title=_("Ticket #%(id)s boarded") % {"id": ticket.pk},
                    actor=_name(ticket.checked_in_by),
                )
            )
    for entry in logs:
        data = entry.data if isinstance(entry.data, dict) else {}
        formatter = log_action_registry.get_formatter(entry)
        label = str(formatter.label) if formatter is not None else entry.action
        if entry.content_type_id == ticket_type.pk:
            label = _("Ticket #%(id)s: %(action)s") % {"id": entry.object_id, "action": label}
        entries.append(
            TimelineEntry(
                at=entry.timestamp,
                kind="audit",
                title=label,
                detail=str(entry.message),
                actor=_name(entry.user),
                client_address=str(data.get("client_address") or ""),
            )
        )

    entries.sort(key=lambda e: e.at, reverse=True)
    return entries
