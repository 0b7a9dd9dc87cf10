"""Filters for the printable copy of a customer's data, which is rendered from the same
JSON as the download (times as ISO 8601 text, amounts as decimal text)."""

from django import template
from django.utils.dateparse import parse_datetime

from accounts.models import Consent
from common.money import format_rub

register = template.Library()


@register.filter
def as_datetime(value):
    """An ISO 8601 time from the export as an aware datetime ("" when there is none)."""
    if not value:
        return ""
    try:
        return parse_datetime(str(value)) or ""
    except ValueError:
        return ""


@register.filter
def consent_kind(value) -> str:
    try:
        return str(Consent.Kind(value).label)
    except ValueError:
        return str(value)


@register.filter
def rub_text(value) -> str:
    """An amount from the export ("2200.00") in roubles in the visitor's format."""
    return format_rub(value) if value not in (None, "") else ""
