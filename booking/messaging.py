"""Rendering customer messages: a marketer's template for the kind and language where one
is written (booking.models.messaging), the default text otherwise, placeholders filled."""

from dataclasses import dataclass

from django.utils import translation

from booking.models.messaging import (
    DEFAULTS,
    MAX_SMS_PARTS,
    TEXT_FIELDS,
    MessageTemplate,
    fill,
    placeholder_errors,
    sms_parts,
)


@dataclass(frozen=True)
class RenderedMessage:
    email_subject: str
    email_body: str
    sms_text: str


def _template_texts(kind: str, language: str) -> dict[str, str]:
    """The raw texts for `kind` in `language`: the marketer's where written, the
    default otherwise (the caller has `language` active)."""
    row = MessageTemplate.objects.filter(kind=kind, language=language).first()
    texts = {}
    for field in TEXT_FIELDS:
        custom = (getattr(row, field, "") or "").strip() if row else ""
        if custom and placeholder_errors(kind, field, custom):
            custom = ""  # saved past the form somehow: the default is safer
        texts[field] = custom or str(DEFAULTS[kind][field])
    return texts


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _sms(text: str) -> str:
    # No-break spaces (prices, dates) would force UCS-2 and take room; a space does.
    return _one_line(text.replace("\u00a0", " ").replace("\u202f", " "))


def render_message(kind: str, language: str, values: dict[str, str]) -> RenderedMessage:
    """The texts of a message of `kind` in `language` with `values` filled in. An SMS
    that would take more than `MAX_SMS_PARTS` messages falls back to the default text."""
    with translation.override(language):
        texts = _template_texts(kind, language)
        sms = _sms(fill(texts["sms_text"], values))
        if sms_parts(sms) > MAX_SMS_PARTS:
            default = _sms(fill(str(DEFAULTS[kind]["sms_text"]), values))
            if sms_parts(default) < sms_parts(sms):
                sms = default
        return RenderedMessage(
            email_subject=_one_line(fill(texts["email_subject"], values)),
            email_body=fill(texts["email_body"], values).strip(),
            sms_text=sms,
        )
