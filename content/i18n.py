"""Which page is "the same page" in another language, and what to call each language."""

from django.conf import settings
from wagtail.models import Locale, Page, Site

from content.links import page_full_url

# BCP 47 tags for `<html lang>` and `hreflang` (Django's codes are lower-case).
HREFLANG_BY_LANGUAGE = {"ru": "ru", "en": "en", "zh-hans": "zh-Hans"}
# What the compact switcher shows; the full name is its accessible label.
SHORT_NAME_BY_LANGUAGE = {"ru": "RU", "en": "EN", "zh-hans": "中文"}


def hreflang(language_code: str) -> str:
    return HREFLANG_BY_LANGUAGE.get(language_code, language_code)


def language_alternates(request, page: Page | None) -> list[dict]:
    """For every site language: the translation of `page` if it is live, otherwise that
    language's home page. One query for all of them."""
    site = Site.find_for_request(request)
    if site is None:
        return []
    if not isinstance(page, Page):
        page = None
    keys = {site.root_page.translation_key}
    if page is not None:
        keys.add(page.translation_key)
    candidates = (
        Page.objects.live()
        .filter(translation_key__in=keys)
        .select_related("locale")
        .only("id", "url_path", "translation_key", "locale__language_code", "depth", "path")
    )
    by_language: dict[str, dict] = {}
    for candidate in candidates:
        slot = by_language.setdefault(candidate.locale.language_code, {})
        kind = (
            "page"
            if page is not None and candidate.translation_key == page.translation_key
            else "home"
        )
        slot[kind] = candidate
    alternates = []
    for code, name in settings.LANGUAGES:
        slot = by_language.get(code, {})
        target = slot.get("page") or slot.get("home")
        if target is None:
            continue
        alternates.append(
            {
                "code": code,
                "hreflang": hreflang(code),
                "name": name,
                "short_name": SHORT_NAME_BY_LANGUAGE.get(code, code),
                "url": target.get_url(request),
                "full_url": page_full_url(target, request),
                "is_translation": "page" in slot,
            }
        )
    return alternates


def active_locale_home(request) -> Page | None:
    """The home page in the active language, cached on the request."""
    if not hasattr(request, "_locale_home"):
        site = Site.find_for_request(request)
        home = None
        if site is not None:
            home = (
                Page.objects.live()
                .filter(
                    translation_key=site.root_page.translation_key,
                    locale=Locale.get_active(),
                )
                .first()
            ) or site.root_page
        request._locale_home = home
    return request._locale_home
