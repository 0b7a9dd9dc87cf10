"""What the staff do to an order from the CRM's order console: send its confirmation
again (optionally to a corrected e-mail or phone), cancel it while it awaits payment, and
write internal notes. Each function is one transaction under the order's row lock,
refuses with a `BookingError` and writes its Wagtail audit entry (ids only in titles:
`log()` titles an entry with the order code).

A payment that still succeeds after a cancellation is refunded in full by
`orders.order_confirm_paid` (the late-payment path): a cancelled order is never revived.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from wagtail.log_actions import log

from accounts.services.notes import note_text
from booking.models import Order, OrderNote, SentMessage, WebhookEvent
from booking.services.confirmations import order_confirmation_send_again
from booking.services.errors import BookingError
from booking.services.orders import normalise_email, normalise_phone, order_end_unpaid
from booking.services.webhooks import order_payload, webhooks_emit

RESEND_ACTION = "prichal.order.resend"
CONTACT_CHANGE_ACTION = "prichal.order.contact_change"
CANCEL_ACTION = "prichal.order.cancel"
NOTE_ACTION = "prichal.order.note"
CANCEL_REASON_MAX = 500

CHANNELS = (SentMessage.Channel.EMAIL, SentMessage.Channel.SMS)


@dataclass
class ResendResult:
    """What a resend did: the order as it is now, one `SentMessage` per channel tried
    (its `ok` and `error` say how it went), and which contacts were corrected."""

    order: Order
    messages: list[SentMessage] = field(default_factory=list)
    changed: dict[str, tuple[str, str]] = field(default_factory=dict)  # field → (old, new)

    @property
    def ok(self) -> bool:
        return bool(self.messages) and all(m.ok for m in self.messages)

    @property
    def failed_channels(self) -> list[str]:
        return [m.channel for m in self.messages if not m.ok]


def _channels(channels) -> list[str]:
    if isinstance(channels, str):
        channels = [channels]
    if not isinstance(channels, Iterable):
        raise BookingError("resend_channels_invalid")
    chosen = {str(c).strip().lower() for c in channels}
    if not chosen or not chosen <= set(CHANNELS):
        raise BookingError("resend_channels_invalid")
    return [c for c in CHANNELS if c in chosen]  # e-mail first, always the same order


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def _lock(order: Order) -> Order:
    try:
        return (
            Order.objects.select_for_update(of=("self",))
            .select_related("departure__product", "departure__venue")
            .get(pk=order.pk)
        )
    except Order.DoesNotExist:
        raise BookingError("order_not_found") from None


def order_confirmation_resend(
    *, order: Order, channels, email: str = "", phone: str = "", user
) -> ResendResult:
    """Sends the confirmation of a confirmed order (paid or partly refunded) again, now,
    by "email" and/or "sms" (`channels`). A non-empty `email`/`phone` is checked and
    normalised as at checkout and, when it differs, replaces the order's contact first
    (audited as `CONTACT_CHANGE_ACTION` with old and new values). Every attempt is a
    `SentMessage` (sent_by `user`, is_resend); a failed delivery does not raise, the
    result says so. Audited as `RESEND_ACTION` with the channels and their results."""
    chosen = _channels(channels)
    new_email = normalise_email(email) if (email or "").strip() else ""
    new_phone = normalise_phone(phone) if (phone or "").strip() else ""
    actor = _user(user)
    with transaction.atomic():
        locked = _lock(order)
        if not locked.is_confirmed:
            raise BookingError("order_not_confirmed")
        changed = {}
        if new_email and new_email != locked.email:
            changed["email"] = (locked.email, new_email)
        if new_phone and new_phone != locked.phone:
            changed["phone"] = (locked.phone, new_phone)
        if changed:
            for name, (_old, new) in changed.items():
                setattr(locked, name, new)
            locked.save(update_fields=list(changed))
            log(
                instance=locked,
                action=CONTACT_CHANGE_ACTION,
                user=actor,
                data={
                    "changes": {
                        name: {"old": old, "new": new} for name, (old, new) in changed.items()
                    },
                    "reason": "resend",
                },
            )
        messages = [
            order_confirmation_send_again(locked, channel, sent_by=actor) for channel in chosen
        ]
        log(
            instance=locked,
            action=RESEND_ACTION,
            user=actor,
            data={
                "channels": chosen,
                "results": {m.channel: ("ok" if m.ok else m.error) for m in messages},
                "messages": [m.pk for m in messages],
                "contact_changed": sorted(changed),
            },
        )
    locked.refresh_from_db()
    return ResendResult(order=locked, messages=messages, changed=changed)


def order_cancellable(order: Order) -> bool:
    """Only an order still awaiting payment can be cancelled by staff."""
    return order.status == Order.Status.AWAITING_PAYMENT


def order_cancel_unpaid(*, order: Order, user, reason: str = "") -> Order:
    """Cancels an order that awaits payment: it and its tickets become cancelled and its
    hold and seat claims are released at once. Audited as `CANCEL_ACTION`."""
    reason = " ".join((reason or "").split())
    if len(reason) > CANCEL_REASON_MAX:
        raise BookingError("note_too_long", limit=CANCEL_REASON_MAX)
    with transaction.atomic():
        locked = _lock(order)
        if not order_cancellable(locked):
            raise BookingError("order_not_cancellable")
        ticket_ids = list(locked.tickets.values_list("pk", flat=True))
        order_end_unpaid(locked, Order.Status.CANCELLED)
        webhooks_emit(event=WebhookEvent.ORDER_CANCELLED, payload=lambda: order_payload(locked))
        log(
            instance=locked,
            action=CANCEL_ACTION,
            user=_user(user),
            data={"reason": reason, "tickets": ticket_ids},
        )
    return locked


def order_note_add(*, order: Order, user, text: str) -> OrderNote:
    """Adds an internal note to the order (at most `NOTE_MAX_LENGTH` characters, not
    blank). Audited as `NOTE_ACTION` (the note's id, not its text)."""
    text = note_text(text, error=BookingError)
    actor = _user(user)
    with transaction.atomic():
        locked = _lock(order)
        note = OrderNote.objects.create(order=locked, author=actor, text=text)
        log(instance=locked, action=NOTE_ACTION, user=actor, data={"note_id": note.pk})
    return note
