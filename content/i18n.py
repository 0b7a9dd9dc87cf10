"""Which page is "the same page" in another language, and what to call each language."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from wagtail.models import Locale, Page, Site

from common.i18n import hreflang
from content.links import absolute_url, page_full_url

# Wagtail's catch-all view: its pages are matched by translation key, not by URL.
WAGTAIL_SERVE = "wagtail_serve"

# What the compact switcher shows; the full name is its accessible label.
SHORT_NAME_BY_LANGUAGE = {"ru": "RU", "en": "EN", "zh-hans": "中文"}


def _with_query(request, url: str) -> str:
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


def same_view_urls(request) -> dict[str, str] | None:
    """The URL of the view being shown (search, hold, checkout, order…) in each
    language, or None when the request is not one of the site's own language-prefixed
    views (a Wagtail page, an error page)."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name == WAGTAIL_SERVE or not match.view_name:
        return None
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            try:
                urls[code] = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:
                return None
    # Only views under the language prefix (one URL per language) exist in every language.
    if len(set(urls.values())) < len(urls):
        return None
    return urls


def language_alternates(request, page: Page | None) -> list[dict]:
    """For every site language: the translation of `page` if it is live, otherwise that
    language's home page; a view that is not a Wagtail page (search, hold, checkout,
    order) is the same view in the other language. The switcher's `url` keeps the query
    string (a listing's or the search's filters) wherever the page is the same;
    `full_url` (hreflang) never has one. One query for all of them."""
    site = Site.find_for_request(request)
    if site is None:
        return []
    if not isinstance(page, Page):
        page = None
    keys = {site.root_page.translation_key}
    if page is not None:
        keys.add(page.translation_key)
    # Read with the page when content.routing found it.
    candidates = getattr(page, "alternate_candidates", None)
    if candidates is None:
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
    view_urls = (same_view_urls(request) if page is None else None) or {}
    for code, name in settings.LANGUAGES:
        slot = by_language.get(code, {})
        view_url = view_urls.get(code)
        target = slot.get("page") or slot.get("home")
        if view_url is not None:
            url, full_url, same = view_url, absolute_url(view_url), True
        elif target is not None:
            url, full_url = target.get_url(request), page_full_url(target, request)
            same = "page" in slot
        else:
            continue
        if same:
            # The switcher keeps the filters; hreflang names the page itself.
            url = _with_query(request, url)
        alternates.append(
            {
                "code": code,
                "hreflang": hreflang(code),
                "name": name,
                "short_name": SHORT_NAME_BY_LANGUAGE.get(code, code),
                "url": url,
                "full_url": full_url,
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
