"""Whole-page cache for anonymous visitors (README, "Page cache").

A public Wagtail page requested by a visitor without a session (GET or HEAD, no query
string but the listing's filters and paging) is served from the "pages" cache without a
single SQL query. The cached HTML is the same for everybody: what changes per visitor or
per minute (places left, the visitor's hold, the CSRF token of the booking form) is left
out of it — the booking block renders as a shell that fetches its live part from an
uncached fragment (content.views.booking_block).

Invalidation is exact and safe against a render that races a change: every cached entry
carries the "version" token of its page and of the site's chrome as they were *before*
the page was rendered; purging a page gives it a new token (after the change commits), so
every entry of that page — any language variant, any filter, GET or HEAD — stops matching
at once. `purge_pages` also asks a reverse proxy or CDN to drop the pages' URLs through
Wagtail's frontend cache module when WAGTAILFRONTENDCACHE is set."""

import hashlib
import logging
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from common.analytics import metrica_counter_id

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
SITE = "site"
# The listing's filters and paging (content.models.ListingPage.parse_filters): the only
# query parameters a cached page may carry. Anything else (a campaign tag, rental_date,
# a cache-buster) is rendered afresh and not stored, so strangers cannot fill the cache.
CACHEABLE_PARAMS = frozenset({"kind", "pier", "date", "page"})
MAX_QUERY_LENGTH = 200
SKIP_HEADERS = frozenset({"set-cookie"})


def page_cache():
    return caches[CACHE_ALIAS]


def _version_key(scope) -> str:
    return f"pagever:{scope}"


def is_candidate(request) -> bool:
    """Whether this request may be answered from (and stored in) the page cache: an
    anonymous GET/HEAD without a session or pending messages, with no query parameters
    but the listing's known ones."""
    if not getattr(settings, "PAGE_CACHE_ENABLED", False):
        return False
    if request.method not in ("GET", "HEAD"):
        return False
    # A session cookie exists only once something was stored in it (a hold, a sign-in,
    # a language choice): such a visitor gets the page rendered for them.
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    query = request.META.get("QUERY_STRING", "")
    if query:
        if len(query) > MAX_QUERY_LENGTH:
            return False
        if any(key not in CACHEABLE_PARAMS for key in request.GET):
            return False
    return True


def cache_key(request) -> str:
    query = "&".join(f"{k}={v}" for k, v in sorted(request.GET.items())) if request.GET else ""
    # Pages with and without Metrica (its banner and loader) differ: a deploy that turns
    # it on or off must not be answered with the other kind of page.
    raw = f"{request.get_host()}|{request.path}|{query}|{metrica_counter_id()}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def current_versions(page_id: int) -> tuple[str, str]:
    """The tokens of the page and of the site's chrome, made when missing (a fresh cache,
    or one that evicted them) so that an entry always records real tokens."""
    cache = page_cache()
    keys = [_version_key(page_id), _version_key(SITE)]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            token = uuid.uuid4().hex
            cache.add(key, token, None)
            found[key] = cache.get(key) or token
    return found[keys[0]], found[keys[1]]


def lookup(request) -> HttpResponse | None:
    cache = page_cache()
    entry = cache.get(cache_key(request))
    if entry is None:
        return None
    page_id, page_version, site_version, status, headers, content = entry
    current = cache.get_many([_version_key(page_id), _version_key(SITE)])
    if (
        current.get(_version_key(page_id)) != page_version
        or current.get(_version_key(SITE)) != site_version
    ):
        return None
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response.headers[name] = value
    response.headers["X-Page-Cache"] = "hit"
    return response


def store(request, response) -> None:
    marker = getattr(request, "page_cache", None)
    if marker is None or response.status_code != 200 or response.streaming:
        return
    if response.cookies or response.has_header("Set-Cookie"):
        return  # something was written for this visitor: not for everyone
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:
        return
    if hasattr(response, "render") and not response.is_rendered:
        return
    page_id, page_version, site_version = marker
    patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_MAX_AGE)
    headers = [
        (name, value) for name, value in response.items() if name.lower() not in SKIP_HEADERS
    ]
    entry = (page_id, page_version, site_version, 200, headers, response.content)
    page_cache().set(cache_key(request), entry, settings.PAGE_CACHE_SECONDS)
    response.headers["X-Page-Cache"] = "miss"


class PageCacheMiddleware:
    """Answers cache hits before the session, authentication or the URL resolver run (so
    a hit costs no SQL query) and stores the Wagtail pages that `mark_page` marked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        candidate = is_candidate(request)
        request.page_cache_candidate = candidate
        if candidate:
            cached = lookup(request)
            if cached is not None:
                return cached
        response = self.get_response(request)
        if candidate:
            store(request, response)
        elif getattr(request, "page_cache_page", False) and not response.has_header(
            "Cache-Control"
        ):
            # A page rendered for one visitor: no shared cache may keep it.
            patch_cache_control(response, private=True, no_cache=True)
        return response


def mark_page(page, request) -> None:
    """`before_serve_page` hook: a public page for a cache candidate is rendered as the
    shared version (the booking blocks as shells) and stored. The tokens are read before
    the page renders: a purge during the render makes the entry stale at once."""
    request.page_cache_page = True
    if not getattr(request, "page_cache_candidate", False):
        return
    if getattr(request, "is_preview", False) or page.get_view_restrictions().exists():
        return
    page_version, site_version = current_versions(page.pk)
    request.page_cache = (page.pk, page_version, site_version)
    request.page_cache_shell = True


# ---------------------------------------------------------------- invalidation


def purge_pages(page_ids, *, site: bool = False) -> None:
    """Stale every cached entry of these pages (or of every page with `site`), once the
    current transaction commits; then the reverse proxy's copies, if one is configured."""
    page_ids = {int(pk) for pk in page_ids if pk is not None}
    if not page_ids and not site:
        return

    def run():
        cache = page_cache()
        scopes = [SITE] if site else sorted(page_ids)
        cache.set_many({_version_key(scope): uuid.uuid4().hex for scope in scopes}, None)
        if getattr(settings, "WAGTAILFRONTENDCACHE", None):
            _purge_frontend(None if site else page_ids)

    transaction.on_commit(run)


def _purge_frontend(page_ids) -> None:
    from wagtail.contrib.frontend_cache.utils import purge_pages_from_cache
    from wagtail.models import Page

    pages = Page.objects.live().public().specific()
    if page_ids is not None:
        pages = pages.filter(pk__in=page_ids)
    try:
        purge_pages_from_cache(pages)
    except Exception:  # a proxy that is down must not undo the editor's change
        logger.exception("frontend cache purge failed")
