import json

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail.models import Page

from booking.i18n import localized_value
from common.money import format_rub
from content.i18n import active_locale_home, hreflang, language_alternates
from content.links import absolute_url
from content.models import CompanySettings

register = template.Library()


@register.filter
def rub(amount) -> str:
    """A price in roubles in the visitor's number format: "2 500 ₽"."""
    return format_rub(amount)


@register.filter
def absolute(url) -> str:
    """A root-relative URL on the public site (SITE_URL), for links that leave the page:
    Open Graph, robots.txt."""
    return absolute_url(str(url)) if url else ""


@register.simple_tag(takes_context=True)
def alternates(context, page=None):
    return language_alternates(context["request"], page)


@register.simple_tag
def html_lang() -> str:
    return hreflang(get_language() or "ru")


@register.simple_tag(takes_context=True)
def locale_home(context):
    return active_locale_home(context["request"])


@register.simple_tag(takes_context=True)
def main_menu(context, page=None):
    home = active_locale_home(context["request"])
    if home is None:
        return []
    items = list(
        home.get_children()
        .live()
        .in_menu()
        .only("id", "title", "url_path", "path", "depth", "locale_id")
    )
    for item in items:
        item.is_current = isinstance(page, Page) and page.path.startswith(item.path)
    return items


@register.simple_tag(takes_context=True)
def footer_documents(context):
    """The legal documents in the active language, in tree order, in one query."""
    request = context["request"]
    company = CompanySettings.for_request(request)
    ids = [pk for pk in company.legal_pages if pk]
    home = active_locale_home(request)
    if not ids or home is None:
        return []
    return list(
        Page.objects.live()
        .filter(
            locale_id=home.locale_id,
            translation_key__in=Page.objects.filter(pk__in=ids).values("translation_key"),
        )
        .order_by("path")
    )


@register.simple_tag(takes_context=True)
def json_ld(context, page):
    data = page.get_json_ld(context["request"]) if isinstance(page, Page) else None
    if not data:
        return ""
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.filter
def localized(obj, field: str) -> str:
    return localized_value(obj, field) if obj is not None else ""


@register.filter
def localized_page(page):
    """A chosen page's translation in the visitor's language (prefetched by
    `LocalizedPageChooserBlock`, else looked up)."""
    return getattr(page, "localized_version", None) or page.localized


OG_LOCALE_BY_LANGUAGE = {"ru": "ru_RU", "en": "en_US", "zh-hans": "zh_CN"}


@register.simple_tag
def og_locale() -> str:
    return OG_LOCALE_BY_LANGUAGE.get(get_language() or "ru", "ru_RU")


@register.simple_tag
def cache_key_section(page=None) -> str:
    """Which top-level section a page is in (the menu marks it): part of the menu's cache
    key."""
    return page.path[:12] if isinstance(page, Page) else ""


@register.simple_tag
def fragment_cache_seconds() -> int:
    return settings.FRAGMENT_CACHE_SECONDS
