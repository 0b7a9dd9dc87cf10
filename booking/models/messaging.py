"""Customer messages that marketers may reword in the Wagtail admin, per language.

A `MessageTemplate` row holds, for one kind of message and one language, the e-mail
subject, the e-mail text (the introduction above the order details for a confirmation,
the whole text for a late-payment or a ticket-refund notice) and the SMS text. Texts carry placeholders in
`{name}` form from a fixed allow-list per kind (`PLACEHOLDERS`); the admin form refuses
anything else (`MessageTemplate.clean`). Whatever is missing — no row for the kind and
language, or a blank field — falls back to the defaults written here (English msgids,
translated through gettext like every other UI string).

Rendering never raises: placeholders are replaced in one pass by a regular expression
(values are never parsed again, so a customer called "{total}" stays "{total}"), and an
unknown placeholder or stray brace that reached the database some other way is left as
it is. The HTML e-mail escapes the texts (Django's autoescape) and keeps their line
breaks.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    ORDER_CONFIRMATION = "order_confirmation", _("Order confirmation")
    LATE_PAYMENT_REFUND = "late_payment_refund", _("Late payment refunded")
    TICKET_REFUND = "ticket_refund", _("Tickets refunded")
    DEPARTURE_CANCELLED = "departure_cancelled", _("Departure cancelled")


# The values a text may use, per kind, with what each one is (shown in the admin).
PLACEHOLDER_HELP = {
    "name": _("the customer's name"),
    "order_code": _("the order code"),
    "product": _("the excursion or event"),
    "date": _("the departure date"),
    "time": _("the departure time at the pier"),
    "pier": _("the pier"),
    "total": _("the amount paid"),
    "order_url": _("the link to the order page"),
    "refund_amount": _("the amount refunded (refund notice)"),
    "tickets": _("the refunded tickets (refund notice)"),
    "reason": _("why the departure was cancelled (cancellation notice)"),
}
# What every message about an order can say.
ORDER_PLACEHOLDERS = ("name", "order_code", "product", "date", "time", "pier", "total", "order_url")
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    MessageKind.ORDER_CONFIRMATION: ORDER_PLACEHOLDERS,
    MessageKind.LATE_PAYMENT_REFUND: ORDER_PLACEHOLDERS,
    MessageKind.TICKET_REFUND: (*ORDER_PLACEHOLDERS, "refund_amount", "tickets"),
    MessageKind.DEPARTURE_CANCELLED: (*ORDER_PLACEHOLDERS, "refund_amount", "reason"),
}
# Placeholders a text must keep, so that no rewording loses what the message is for.
REQUIRED: dict[str, dict[str, tuple[str, ...]]] = {
    MessageKind.ORDER_CONFIRMATION: {
        "email_subject": ("order_code",),
        "sms_text": ("order_code", "order_url"),
    },
    MessageKind.LATE_PAYMENT_REFUND: {
        "email_subject": ("order_code",),
        "sms_text": ("order_code",),
    },
    MessageKind.TICKET_REFUND: {
        "email_subject": ("order_code",),
        "sms_text": ("order_code", "refund_amount"),
    },
    MessageKind.DEPARTURE_CANCELLED: {
        "email_subject": ("order_code",),
        "sms_text": ("order_code", "refund_amount"),
    },
}
TEXT_FIELDS = ("email_subject", "email_body", "sms_text")

DEFAULTS = {
    MessageKind.ORDER_CONFIRMATION: {
        "email_subject": _("Your tickets: order {order_code}"),
        "email_body": _(
            "Hello, {name}!\n\n"
            "Thank you for your order. We have received your payment; your tickets are "
            "attached to this e-mail as a PDF. Show the QR code of each ticket to the crew "
            "at boarding, on your phone or printed."
        ),
        "sms_text": _("Order {order_code} is paid. Tickets: {order_url}"),
    },
    MessageKind.LATE_PAYMENT_REFUND: {
        "email_subject": _("Order {order_code}: your payment is being refunded"),
        "email_body": _(
            "Hello, {name}!\n\n"
            "Your payment for order {order_code} ({product}, {date} at {time}) reached us "
            "after the places you had chosen were no longer available, so we could not "
            "issue the tickets. We are sorry.\n\n"
            "The whole amount, {total}, is being returned to the card or account you paid "
            "from. You do not need to do anything; how soon the money arrives depends on "
            "your bank."
        ),
        "sms_text": _(
            "Order {order_code}: the places were gone when the payment arrived. "
            "{total} is being refunded in full."
        ),
    },
    MessageKind.TICKET_REFUND: {
        "email_subject": _("Order {order_code}: your tickets are refunded"),
        "email_body": _(
            "Hello, {name}!\n\n"
            "These tickets of order {order_code} ({product}, {date} at {time}) have been "
            "refunded: {tickets}. They are no longer valid for boarding.\n\n"
            "{refund_amount} is being returned to the card or account you paid from. You "
            "do not need to do anything; how soon the money arrives depends on your bank."
        ),
        "sms_text": _("Order {order_code}: refund of {refund_amount}. {order_url}"),
    },
    MessageKind.DEPARTURE_CANCELLED: {
        "email_subject": _("Order {order_code}: the departure is cancelled"),
        "email_body": _(
            "Hello, {name}!\n\n"
            "We are sorry: the departure of {product} on {date} at {time} from {pier} is "
            "cancelled. {reason}\n\n"
            "Your order {order_code} is refunded in full: {refund_amount} is being returned "
            "to the card or account you paid from. You do not need to do anything; how soon "
            "the money arrives depends on your bank."
        ),
        "sms_text": _(
            "{product} {date} {time} is cancelled. Order {order_code}: {refund_amount} "
            "is being refunded in full."
        ),
    },
}

_PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

# SMS length: GSM 7-bit texts take 160 characters in one message and 153 per part of a
# longer one; anything else (Cyrillic, Chinese, "₽") is UCS-2: 70, then 67 per part.
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
MAX_SMS_PARTS = 2


def sms_parts(text: str) -> int:
    """How many SMS a text takes."""
    single, multi = (160, 153) if set(text) <= GSM7 else (70, 67)
    return 1 if len(text) <= single else -(-len(text) // multi)


def placeholder_errors(kind: str, field: str, text: str) -> list[str]:
    """What is wrong with the placeholders of `text` (empty when nothing is)."""
    allowed = PLACEHOLDERS.get(kind, ())
    errors = []
    used = _PLACEHOLDER_RE.findall(text)
    unknown = sorted({name for name in used if name not in allowed})
    for name in unknown:
        errors.append(
            _("Unknown placeholder {%(name)s}. Allowed: %(allowed)s.")
            % {"name": name, "allowed": ", ".join(f"{{{p}}}" for p in allowed)}
        )
    if "{" in _PLACEHOLDER_RE.sub("", text) or "}" in _PLACEHOLDER_RE.sub("", text):
        errors.append(
            _(
                "Curly braces may only surround a placeholder, such as {order_code}; "
                "remove the other braces."
            )
        )
    if text.strip():
        for name in REQUIRED.get(kind, {}).get(field, ()):
            if name not in used:
                errors.append(
                    _("This text must contain the placeholder {%(name)s}.") % {"name": name}
                )
    return errors


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with its known placeholders replaced; never raises."""
    return _PLACEHOLDER_RE.sub(
        lambda match: str(values.get(match.group(1), match.group(0))), str(text)
    )


class MessageTemplate(models.Model):
    kind = models.CharField(_("message"), max_length=30, choices=MessageKind.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    email_subject = models.CharField(
        _("e-mail subject"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to use the standard text. Must contain {order_code}."),
    )
    email_body = models.TextField(
        _("e-mail text"),
        blank=True,
        help_text=_(
            "Plain text; an empty line starts a new paragraph. In a confirmation it comes "
            "before the order details, tickets and price breakdown, which are always added. "
            "Leave empty to use the standard text."
        ),
    )
    sms_text = models.TextField(
        _("SMS text"),
        blank=True,
        help_text=_(
            "At most two SMS with the values filled in: about 130 characters in Russian or "
            "Chinese, 300 in Latin letters only; the link takes about 90. A longer text is "
            "replaced by the standard one. A confirmation must contain {order_code} and "
            "{order_url}. Leave empty to use the standard text."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["kind", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "language"], name="booking_messagetemplate_kind_language"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.get_language_display()}"

    def clean(self):
        super().clean()
        errors = {}
        for field in TEXT_FIELDS:
            problems = placeholder_errors(self.kind, field, getattr(self, field) or "")
            if problems:
                errors[field] = problems
        if "\n" in (self.email_subject or "") or "\r" in (self.email_subject or ""):
            errors.setdefault("email_subject", []).append(_("The subject must be a single line."))
        if errors:
            raise ValidationError(errors)


class SentMessage(models.Model):
    """One attempt to send an e-mail or an SMS about an order (or one of its refunds),
    successful or not: what the order screen's "messages sent" and the timeline show.
    `error` is a short reason (an error code or an exception's class), never the text."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    order = models.ForeignKey(
        "booking.Order",
        on_delete=models.CASCADE,
        related_name="sent_messages",
        verbose_name=_("order"),
    )
    refund = models.ForeignKey(
        "booking.Refund",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sent_messages",
        verbose_name=_("refund"),
    )
    kind = models.CharField(_("message"), max_length=30, choices=MessageKind.choices)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    ok = models.BooleanField(_("delivered to the provider"), default=False)
    error = models.CharField(_("error"), max_length=200, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    is_resend = models.BooleanField(_("resent by staff"), default=False)

    class Meta:
        verbose_name = _("message sent")
        verbose_name_plural = _("messages sent")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.order_id}/{self.kind}/{self.channel}"
