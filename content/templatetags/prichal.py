import json

from django import template
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail.models import Page

from booking.templatetags.booking_format import html_lang, localized, rub
from content.i18n import active_locale_home, language_alternates
from content.links import absolute_url
from content.models import CompanySettings

register = template.Library()
# The pages show prices, booking records' texts and their language as booking's own
# templates do (booking_format).
register.filter("rub", rub)
register.filter("localized", localized)
register.simple_tag(html_lang, name="html_lang")


@register.filter
def absolute(url) -> str:
    """A root-relative URL on the public site (SITE_URL), for links that leave the page:
    Open Graph, robots.txt."""
    return absolute_url(str(url)) if url else ""


@register.simple_tag(takes_context=True)
def alternates(context, page=None):
    return language_alternates(context["request"], page)


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
    """The legal documents in the active language, in tree order, in one query; the
    privacy policy among them says so (`is_privacy_policy`: the analytics consent banner
    links to it)."""
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
        .annotate(
            is_privacy_policy=Exists(
                Page.objects.filter(
                    pk=company.privacy_policy_page_id or 0,
                    translation_key=OuterRef("translation_key"),
                )
            )
        )
        .order_by("path")
    )


@register.simple_tag(takes_context=True)
def json_ld(context, page):
    data = page.get_json_ld(context["request"]) if isinstance(page, Page) else None
    if not data:
        return ""
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # nosec B308  # JSON with every < escaped: cannot close the script element


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
