"""How the booking pages, e-mails and tickets show prices, translated fields and their
language. booking's templates load this library, not the pages' `prichal` (booking sits
below content); `prichal` registers the same filters for the pages."""

from django import template
from django.utils.translation import get_language

from booking.i18n import localized_value
from common.i18n import hreflang
from common.money import format_rub

register = template.Library()


@register.filter
def rub(amount) -> str:
    """A price in roubles in the visitor's number format: "2 500 ₽"."""
    return format_rub(amount)


@register.filter
def localized(obj, field: str) -> str:
    """A booking record's text in the visitor's language (`booking.i18n`)."""
    return localized_value(obj, field) if obj is not None else ""


@register.simple_tag
def html_lang() -> str:
    """`<html lang>` for the active language."""
    return hreflang(get_language() or "ru")
