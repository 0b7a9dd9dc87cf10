"""What a customer receives about an order: the confirmation e-mail with the PDF tickets
and the confirmation SMS once it is paid, a notice that a late payment is being
refunded when the places were gone, or a notice that tickets were refunded (one per
`Refund` of tickets: which tickets and how much; `Refund.email_sent_at`/`sms_sent_at`
record it the way the order's two fields record the others).

Each message is sent by its own django-q2 task in `booking.tasks`, queued by
`order_confirmations_enqueue`, `late_payment_notice_enqueue` and `refund_notice_enqueue`
through `common.tasks.enqueue` (so a failure is retried); the tasks call the functions
here.
Tasks are idempotent: an order records when its e-mail (`confirmation_sent_at`) and its
SMS (`sms_sent_at`) went out and a message is sent at most once, under the order's row
lock, the time recorded in the same transaction. An order whose payment was refunded for
lateness is never confirmed, so the same two fields record its notice. A failure to send
raises inside the task (and is retried later) and never changes the order's status.

Texts come from `booking.messaging` (marketer-editable per language, defaults in code);
the order details, tickets and price breakdown are always added by the templates under
`booking/templates/booking/email/`.
"""

import logging
from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation

from booking.gateways.sms import SmsError, send_sms
from booking.i18n import localized_value
from booking.messaging import RenderedMessage, render_message
from booking.models import Order, Refund, SentMessage, Ticket
from booking.models.messaging import MessageKind
from booking.selectors import breakdown_display
from booking.services.pricing import Breakdown
from booking.tickets.pdf import OrderSummary, TicketView, render_tickets_pdf
from booking.tickets.tokens import ticket_token
from common.formats import date_time
from common.money import format_rub
from common.tasks import enqueue

logger = logging.getLogger(__name__)

EMAIL_TEMPLATES = {
    MessageKind.ORDER_CONFIRMATION: "booking/email/order_confirmation",
    MessageKind.LATE_PAYMENT_REFUND: "booking/email/late_payment_refund",
    MessageKind.TICKET_REFUND: "booking/email/ticket_refund",
    MessageKind.DEPARTURE_CANCELLED: "booking/email/departure_cancelled",
}


class MessageNotSent(RuntimeError):
    """A message the provider did not accept; the task is retried. `code`: the
    provider's short error code, if any."""

    def __init__(self, message: str, code: str = ""):
        self.code = code
        super().__init__(message)


def order_page_url(order: Order) -> str:
    """The absolute link to the order's status page (tickets, PDF), in its language."""
    with translation.override(order.language):
        path = reverse("booking:order", kwargs={"code": order.code, "secret": order.secret})
    return f"{settings.SITE_URL}{path}"


def order_for_messages(order_id: int) -> Order:
    """The order with what every message about it shows (its departure's product and
    pier), read afresh: tasks get ids, not objects."""
    return Order.objects.select_related("departure__product", "departure__venue").get(pk=order_id)


# --- what the messages show ---------------------------------------------------------


@dataclass(frozen=True)
class OrderFacts:
    """An order's departure as the messages show it, in the order's language and the
    venue's time zone."""

    product: str
    date: str
    when: str  # the date and the time in the language's format (common.formats)
    weekday: str
    time: str
    pier: str
    address: str
    boarding_instructions: str
    map_url: str


def order_facts(order: Order) -> OrderFacts:
    departure = order.departure
    venue = departure.venue
    language = order.language
    local = departure.local_starts_at
    with translation.override(language):
        return OrderFacts(
            product=localized_value(departure.product, "name", language),
            date=formats.date_format(local, "DATE_FORMAT"),
            when=date_time(local),
            weekday=formats.date_format(local, "l").capitalize(),
            time=local.strftime("%H:%M"),
            pier=localized_value(venue, "name", language),
            address=localized_value(venue, "address", language),
            boarding_instructions=localized_value(venue, "boarding_instructions", language),
            map_url=venue.map_url,
        )


def message_values(order: Order, facts: OrderFacts | None = None) -> dict[str, str]:
    """The placeholder values of `booking.messaging` for this order."""
    facts = facts or order_facts(order)
    with translation.override(order.language):
        total = format_rub(order.total)
    return {
        "name": order.name,
        "order_code": order.code,
        "product": facts.product,
        "date": facts.date,
        "time": facts.time,
        "pier": facts.pier,
        "total": total,
        "order_url": order_page_url(order),
    }


def order_breakdown(order: Order) -> dict:
    """The order's price breakdown as the customer accepted it, for display."""
    return breakdown_display(
        Breakdown.from_json(order.breakdown), departure=order.departure, language=order.language
    )


def order_ticket_views(order: Order, ticket_ids: list[int] | None = None) -> list[TicketView]:
    """The order's valid tickets as the PDF shows them, in the order's language (only
    those of `ticket_ids` when given)."""
    language = order.language
    tickets = (
        order.tickets.filter(status=Ticket.Status.VALID)
        .select_related("ticket_type", "seat", "departure__product", "departure__venue")
        .order_by("pk")
    )
    if ticket_ids is not None:
        tickets = tickets.filter(pk__in=ticket_ids)
    views = []
    for ticket in tickets:
        departure = ticket.departure
        venue = departure.venue
        views.append(
            TicketView(
                product_name=localized_value(departure.product, "name", language),
                starts_at=departure.starts_at,
                time_zone=venue.timezone,
                pier_name=localized_value(venue, "name", language),
                pier_address=localized_value(venue, "address", language),
                boarding_instructions=localized_value(venue, "boarding_instructions", language),
                ticket_type=localized_value(ticket.ticket_type, "name", language),
                seat_label=_seat_label(ticket, language),
                paid=ticket.paid_amount,
                token=ticket_token(ticket.secret, departure.pk),
            )
        )
    return views


def _seat_label(ticket: Ticket, language: str) -> str:
    if not ticket.seat_id:
        return ""
    with translation.override(language):
        return ticket.seat.short_label


def order_tickets_pdf(order: Order) -> bytes:
    """The order's PDF: a page per valid ticket with its QR code, then the order's
    price breakdown. `ValueError` when the order has no valid ticket."""
    facts = order_facts(order)
    summary = OrderSummary(
        product_name=facts.product,
        when=facts.when,
        pier_name=facts.pier,
        breakdown=order_breakdown(order),
    )
    return render_tickets_pdf(
        language=order.language,
        order_code=order.code,
        tickets=order_ticket_views(order),
        summary=summary,
    )


def ticket_pdf(order: Order, ticket: Ticket) -> bytes:
    """One valid ticket of the order as a one-page PDF (the account page's per-ticket
    download). `ValueError` when the ticket is not valid."""
    return render_tickets_pdf(
        language=order.language,
        order_code=order.code,
        tickets=order_ticket_views(order, ticket_ids=[ticket.pk]),
    )


def pdf_filename(order: Order) -> str:
    return f"prichal-{order.code}.pdf"


def order_email_message(
    order: Order, kind: str, *, with_tickets: bool, values=None, extra=None
) -> EmailMultiAlternatives:
    """The e-mail of message `kind` about `order` (not sent), in the order's language:
    the message template's texts with the order's `message_values` (and `values` on top),
    the tickets' PDF attached when `with_tickets`; `extra` goes to the e-mail template."""
    facts = order_facts(order)
    values = {**message_values(order, facts), **(values or {})}
    message: RenderedMessage = render_message(kind, order.language, values)
    context = {
        **(extra or {}),
        "order": order,
        "message": message,
        "paragraphs": [p.strip() for p in message.email_body.split("\n\n") if p.strip()],
        "facts": facts,
        "order_url": order_page_url(order),
        "breakdown": order_breakdown(order) if with_tickets else None,
        "ticket_count": order.tickets.filter(status=Ticket.Status.VALID).count(),
        "language": order.language,
        "filename": pdf_filename(order),
    }
    template = EMAIL_TEMPLATES[kind]
    with translation.override(order.language):
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    email = EmailMultiAlternatives(
        subject=message.email_subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[order.email],
        headers={"Content-Language": "zh-Hans" if order.language == "zh-hans" else order.language},
    )
    email.attach_alternative(html, "text/html")
    if with_tickets:
        email.attach(pdf_filename(order), order_tickets_pdf(order), "application/pdf")
    return email


def order_confirmation_message(order: Order) -> EmailMultiAlternatives:
    """The confirmation e-mail of a paid order (not sent), with the PDF attached."""
    return order_email_message(order, MessageKind.ORDER_CONFIRMATION, with_tickets=True)


def late_payment_refund_message(order: Order) -> EmailMultiAlternatives:
    return order_email_message(order, MessageKind.LATE_PAYMENT_REFUND, with_tickets=False)


def order_confirmation_sms_text(order: Order) -> str:
    return render_message(
        MessageKind.ORDER_CONFIRMATION, order.language, message_values(order)
    ).sms_text


def late_payment_refund_sms_text(order: Order) -> str:
    return render_message(
        MessageKind.LATE_PAYMENT_REFUND, order.language, message_values(order)
    ).sms_text


# --- sending, once ------------------------------------------------------------------


def _is_confirmable(order: Order) -> bool:
    return order.is_confirmed and order.paid_at is not None


def _is_late_refund(order: Order) -> bool:
    return (
        order.status == Order.Status.CANCELLED
        and Refund.objects.filter(payment__order=order, reason=Refund.Reason.LATE_PAYMENT).exists()
    )


@dataclass(frozen=True)
class Outgoing:
    """One message about to be sent, as `SentMessage` records the attempt."""

    order_id: int
    kind: str
    channel: str
    recipient: str
    refund_id: int | None = None
    sent_by_id: int | None = None
    is_resend: bool = False


def outgoing_message(
    order: Order, kind: str, channel: str, refund: Refund | None = None
) -> Outgoing:
    """What `send_once_locked` records of one message to the order's customer."""
    recipient = order.email if channel == SentMessage.Channel.EMAIL else order.phone
    return Outgoing(
        order_id=order.pk,
        kind=kind,
        channel=channel,
        recipient=recipient,
        refund_id=refund.pk if refund is not None else None,
    )


def error_text(error: BaseException) -> str:
    """What `SentMessage.error` keeps of a failure: its class and code, never a text
    that could carry the message or an address."""
    code = getattr(error, "code", "") or getattr(error, "error_code", "") or ""
    return f"{type(error).__name__}: {code}"[:200] if code else type(error).__name__[:200]


def record_attempt(outgoing: Outgoing, *, ok: bool, error: str = "") -> SentMessage:
    return SentMessage.objects.create(
        order_id=outgoing.order_id,
        refund_id=outgoing.refund_id,
        kind=outgoing.kind,
        channel=outgoing.channel,
        recipient=outgoing.recipient[:254],
        ok=ok,
        error="" if ok else (error or "unknown")[:200],
        sent_by_id=outgoing.sent_by_id,
        is_resend=outgoing.is_resend,
    )


class _Refused(Exception):
    """A message no retry can send (`SmsError`): recorded, not retried."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


def send_once_locked(model, pk: int, field: str, eligible, send, outgoing: Outgoing) -> bool:
    """Calls `send()` and records the time in `field` of the `model` row `pk`, unless
    `field` is set already or the row is not `eligible`; all under the row's lock, so
    that two runs of a task never both send. Every attempt (sent, refused or failed) is
    recorded as a `SentMessage`; the time is recorded only when it was sent. A failure
    is raised again after the attempt's record is committed (the task is retried)."""
    failure = None
    with transaction.atomic():
        row = model.objects.select_for_update().get(pk=pk)
        if getattr(row, field) is not None or not eligible(row):
            return False
        try:
            send()
        except _Refused as refused:
            record_attempt(outgoing, ok=False, error=f"SmsError: {refused.code}")
            return False
        except Exception as error:
            # Nothing was written before the send, so the transaction stays usable.
            record_attempt(outgoing, ok=False, error=error_text(error))
            failure = error
        else:
            model.objects.filter(pk=pk).update(**{field: timezone.now()})
            record_attempt(outgoing, ok=True)
    if failure is not None:
        raise failure
    return True


def _send_once(order_id: int, field: str, eligible, send, outgoing: Outgoing) -> bool:
    """`send_once_locked` for a message recorded on the order."""
    return send_once_locked(Order, order_id, field, eligible, send, outgoing)


def send_email_or_raise(email: EmailMultiAlternatives) -> None:
    """Sends `email`; raises when it was not sent (for `send_once_locked`)."""
    # Raises on an SMTP failure (fail_silently=False): the task is retried.
    if email.send(fail_silently=False) != 1:
        raise MessageNotSent("The e-mail backend sent nothing.")


def send_order_sms(order: Order, text: str) -> None:
    """Sends `text` to the order's phone; raises when it was not sent, as a refusal no
    retry can change for a bad number or text (for `send_once_locked`)."""
    try:
        result = send_sms(order.phone, text)
    except SmsError as error:
        # Nothing can make this number or text sendable: no retry, the order is fine.
        logger.error("Order %s: SMS not sent (%s)", order.code, error.code)
        raise _Refused(error.code) from error
    if not result.ok:
        raise MessageNotSent(
            f"SMS for order {order.code} not sent: {result.error_code} {result.detail}",
            code=result.error_code or "",
        )


def order_confirmation_email(order_id: int) -> bool:
    """The confirmation e-mail of a paid order with its PDF tickets. Sends nothing
    when it went out already or the order is not paid. True when it sent it."""
    order = order_for_messages(order_id)
    if order.confirmation_sent_at is not None or not _is_confirmable(order):
        return False
    # The PDF is rendered before the row lock is taken (it takes a while).
    email = order_confirmation_message(order)
    outgoing = outgoing_message(order, MessageKind.ORDER_CONFIRMATION, SentMessage.Channel.EMAIL)
    return _send_once(
        order_id,
        "confirmation_sent_at",
        _is_confirmable,
        lambda: send_email_or_raise(email),
        outgoing,
    )


def order_confirmation_sms(order_id: int) -> bool:
    """The confirmation SMS of a paid order (code and link), at most once."""
    order = order_for_messages(order_id)
    if order.sms_sent_at is not None or not _is_confirmable(order):
        return False
    text = order_confirmation_sms_text(order)
    outgoing = outgoing_message(order, MessageKind.ORDER_CONFIRMATION, SentMessage.Channel.SMS)
    return _send_once(
        order_id, "sms_sent_at", _is_confirmable, lambda: send_order_sms(order, text), outgoing
    )


def order_confirmation_send_again(order: Order, channel: str, *, sent_by=None) -> SentMessage:
    """Sends the confirmation of a confirmed order once more, now, by `channel` ("email"
    or "sms"), to the order's current contact, whatever was sent before (a staff resend);
    the caller checks that the order is confirmed. The attempt is recorded and returned
    (`ok`, `error`); a failed delivery never raises. When the first confirmation by that
    channel had not gone out yet, its time is recorded too, so the queued task does not
    send it a second time."""
    outgoing = replace(
        outgoing_message(order, MessageKind.ORDER_CONFIRMATION, channel),
        sent_by_id=getattr(sent_by, "pk", None),
        is_resend=True,
    )
    field = "confirmation_sent_at" if channel == SentMessage.Channel.EMAIL else "sms_sent_at"
    try:
        if channel == SentMessage.Channel.EMAIL:
            send_email_or_raise(order_confirmation_message(order))
        else:
            send_order_sms(order, order_confirmation_sms_text(order))
    except _Refused as refused:
        return record_attempt(outgoing, ok=False, error=f"SmsError: {refused.code}")
    except Exception as error:
        logger.warning("Order %s: confirmation not sent again (%s)", order.code, error_text(error))
        return record_attempt(outgoing, ok=False, error=error_text(error))
    Order.objects.filter(pk=order.pk, **{f"{field}__isnull": True}).update(
        **{field: timezone.now()}
    )
    return record_attempt(outgoing, ok=True)


def order_confirmations_enqueue(order: Order) -> None:
    """After an order became paid: queue its e-mail and its SMS (each retried on its
    own), once the current transaction commits."""
    enqueue("booking.tasks.send_order_confirmation_email", order.pk)
    enqueue("booking.tasks.send_order_confirmation_sms", order.pk)


def late_payment_refund_notice(order_id: int) -> dict[str, bool]:
    """Tells the customer (e-mail and SMS) that the payment came after the places
    were gone and is being refunded in full. Each message at most once; when one fails
    the other is still tried, then the task raises so that a retry sends what is left."""
    order = order_for_messages(order_id)
    if not _is_late_refund(order):
        return {"email": False, "sms": False}
    sent = {"email": False, "sms": False}
    failure = None
    if order.confirmation_sent_at is None:
        try:
            email = late_payment_refund_message(order)
            sent["email"] = _send_once(
                order_id,
                "confirmation_sent_at",
                _is_late_refund,
                lambda: send_email_or_raise(email),
                outgoing_message(order, MessageKind.LATE_PAYMENT_REFUND, SentMessage.Channel.EMAIL),
            )
        except Exception as error:
            failure = error
    if order.sms_sent_at is None:
        text = late_payment_refund_sms_text(order)
        try:
            sent["sms"] = _send_once(
                order_id,
                "sms_sent_at",
                _is_late_refund,
                lambda: send_order_sms(order, text),
                outgoing_message(order, MessageKind.LATE_PAYMENT_REFUND, SentMessage.Channel.SMS),
            )
        except Exception as error:
            failure = failure or error
    if failure is not None:
        raise failure
    return sent


def late_payment_notice_enqueue(order: Order) -> None:
    """After a late payment was refunded: queue the notice to the customer."""
    enqueue("booking.tasks.send_late_payment_refund_notice", order.pk)


# --- tickets refunded -----------------------------------------------------------------


@dataclass(frozen=True)
class RefundedTicket:
    label: str  # the ticket type, and the seat when it has one
    amount: Decimal  # returned for it
    fee_kept: Decimal


def refunded_tickets(refund: Refund, language: str) -> list[RefundedTicket]:
    """The refund's tickets as the notice shows them, in `language`. Each returns its
    paid amount, less its fee share when the refund kept the fees."""
    tickets = refund.tickets.select_related("ticket_type", "seat").order_by("pk")
    rows = []
    for ticket in tickets:
        label = localized_value(ticket.ticket_type, "name", language)
        seat = _seat_label(ticket, language)
        fee_kept = Decimal("0") if refund.fees_refunded else ticket.fee
        rows.append(
            RefundedTicket(
                label=f"{label}, {seat}" if seat else label,
                amount=ticket.paid_amount - fee_kept,
                fee_kept=fee_kept,
            )
        )
    return rows


def _refund_values(refund: Refund, rows: list[RefundedTicket], language: str) -> dict:
    with translation.override(language):
        return {
            "refund_amount": format_rub(refund.amount),
            "tickets": "; ".join(r.label for r in rows),
        }


def ticket_refund_message(refund: Refund) -> EmailMultiAlternatives:
    """The e-mail telling the customer which tickets were refunded and how much."""
    order = order_for_messages(refund.payment.order_id)
    rows = refunded_tickets(refund, order.language)
    return order_email_message(
        order,
        MessageKind.TICKET_REFUND,
        with_tickets=False,
        values=_refund_values(refund, rows, order.language),
        extra={
            "refund": refund,
            "refunded": rows,
            "fee_kept": sum((r.fee_kept for r in rows), Decimal("0")),
        },
    )


def ticket_refund_sms_text(refund: Refund) -> str:
    order = order_for_messages(refund.payment.order_id)
    rows = refunded_tickets(refund, order.language)
    values = {**message_values(order), **_refund_values(refund, rows, order.language)}
    return render_message(MessageKind.TICKET_REFUND, order.language, values).sms_text


def _has_tickets(refund: Refund) -> bool:
    return refund.tickets.exists()


def _send_refund_once(refund_id: int, field: str, send, outgoing: Outgoing) -> bool:
    """`send_once_locked` for a refund's notice: under the refund's row lock, at most once."""
    return send_once_locked(
        Refund, refund_id, field, lambda refund: _has_tickets(refund), send, outgoing
    )


def ticket_refund_notice(refund_id: int) -> dict[str, bool]:
    """Tells the customer (e-mail and SMS, in the order's language) which tickets were
    refunded and how much is on its way back. Each message at most once; when one fails
    the other is still tried, then the task raises so that a retry sends what is left.
    Refunds without tickets (a late or duplicate payment) have notices of their own."""
    refund = Refund.objects.select_related("payment__order").get(pk=refund_id)
    sent = {"email": False, "sms": False}
    if not _has_tickets(refund):
        return sent
    order = order_for_messages(refund.payment.order_id)
    failure = None
    if refund.email_sent_at is None:
        try:
            email = ticket_refund_message(refund)
            sent["email"] = _send_refund_once(
                refund_id,
                "email_sent_at",
                lambda: send_email_or_raise(email),
                outgoing_message(
                    order, MessageKind.TICKET_REFUND, SentMessage.Channel.EMAIL, refund
                ),
            )
        except Exception as error:
            failure = error
    if refund.sms_sent_at is None:
        try:
            text = ticket_refund_sms_text(refund)
            sent["sms"] = _send_refund_once(
                refund_id,
                "sms_sent_at",
                lambda: send_order_sms(order, text),
                outgoing_message(order, MessageKind.TICKET_REFUND, SentMessage.Channel.SMS, refund),
            )
        except Exception as error:
            failure = failure or error
    if failure is not None:
        raise failure
    return sent


def refund_notice_enqueue(refund: Refund) -> None:
    """After tickets were refunded: queue the customer's notice (once the current
    transaction commits)."""
    enqueue("booking.tasks.send_ticket_refund_notice", refund.pk)
