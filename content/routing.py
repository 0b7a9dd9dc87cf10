"""Finding the page a public URL names in two queries, instead of Wagtail's walk.

Wagtail's `serve` finds /excursions/rivers-and-canals/ by reading the active locale and
the home page's translation in it, then asking the home page for its child "excursions"
and that page for its child "rivers-and-canals": a query per path segment and another for
each page's specific type. Every page's `url_path` already holds its ancestors' slugs,
so the page is the one whose `url_path` is the localized home page's plus the path: one
query finds it, a second reads it as its specific type with what its template shows
(`content.models.BasePage.serving_queryset`). The localized home page's `url_path` comes
from Wagtail's cached site root paths.

`PageRouteMiddleware` stores the result where `Page.route_for_request` keeps its own, so
`wagtail.views.serve` then runs unchanged: its hooks (view restrictions, the page
cache), `serve`, a 404 for an unknown or unpublished page, and the redirects middleware
after that 404. Where Wagtail's walk could answer differently — a page type with its own
`route` (e.g. routable pages), a site root that is not in the cached root paths — the
middleware does nothing and Wagtail walks as usual."""

import functools

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Q
from django.utils import translation
from wagtail import views as wagtail_views
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page, PageViewRestriction, Site, get_page_models
from wagtail.models.pages import RouteResult


@functools.cache
def url_path_is_enough() -> bool:
    """Whether every page type routes as Wagtail's `Page.route` does (exact child slugs
    down to a live page): then `url_path` names the same page."""
    return all(model.route is Page.route for model in get_page_models())


def _localized_root_paths(request, site: Site) -> tuple[str, str] | None:
    """The site root page's `url_path` and its translation's in the active language
    (the same when there is none), from Wagtail's cached site root paths (kept on the
    request, where the page's links read them again)."""
    root_path = site.root_page.url_path
    paths = {
        entry.language_code: entry.root_path
        # Wagtail's own per-request copy of Site.get_site_root_paths() (private API).
        for entry in site.root_page._get_site_root_paths(request)
        if entry.site_id == site.pk
    }
    if root_path not in paths.values():
        return None  # the cache does not know this root yet: let Wagtail walk
    try:
        language = get_supported_content_language_variant(translation.get_language())
    except LookupError:  # as Locale.get_active: the default language's
        language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    return root_path, paths.get(language, root_path)


def find_route(request, path: str) -> RouteResult | bool | None:
    """The page `path` names below the site's localized home page, as Wagtail's walk
    would find it: a `RouteResult`, None for a 404, or False when only the walk can tell."""
    if not url_path_is_enough():
        return False
    site = Site.find_for_request(request)
    if site is None:
        return None
    roots = _localized_root_paths(request, site)
    if roots is None:
        return False
    root_path, localized_root_path = roots
    suffix = "".join(f"{component}/" for component in path.split("/") if component)
    wanted = {localized_root_path + suffix, root_path + suffix, localized_root_path, root_path}
    # With them, in the same query, the live translations of the page and of the home
    # page: the language switcher's and hreflang links (content.i18n).
    rows = list(
        Page.objects.filter(
            Q(url_path__in=wanted)
            | Q(
                live=True,
                translation_key__in=Page.objects.filter(url_path__in=wanted).values(
                    "translation_key"
                ),
            )
        )
        .select_related("locale")
        .order_by("-path")  # should a url_path ever repeat, the first in the tree wins
        .only(
            "id",
            "content_type_id",
            "live",
            "url_path",
            "translation_key",
            "depth",
            "path",
            "locale__language_code",
        )
    )
    found = {row.url_path: row for row in rows if row.url_path in wanted}
    # `site.root_page.localized`: the translation when it is live, else the root itself.
    localized_root = found.get(localized_root_path)
    home = localized_root if localized_root is not None and localized_root.live else None
    home = home or found.get(root_path)
    if home is None:
        return False
    page = found.get(home.url_path + suffix)
    if page is None or not page.live:
        return None
    model = ContentType.objects.get_for_id(page.content_type_id).model_class()
    if model is None:
        return False
    queryset = (
        model.serving_queryset() if hasattr(model, "serving_queryset") else model.objects.all()
    )
    # Whether any page of any site is private, in the same statement: on a site without
    # view restrictions the privacy check need not look for them (BasePage).
    specific = (
        queryset.filter(pk=page.pk)
        .annotate(any_view_restrictions=Exists(PageViewRestriction.objects.all()))
        .first()
    )
    if specific is None:
        return False
    keys = {page.translation_key, site.root_page.translation_key}
    specific.alternate_candidates = [
        row for row in rows if row.live and row.translation_key in keys
    ]
    return RouteResult(specific)


class PageRouteMiddleware:
    """Routes a request for Wagtail's `serve` view by `url_path` (`find_route`) before
    the view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is not wagtail_views.serve or hasattr(request, "_wagtail_route_for_request"):
            return None
        path = view_kwargs.get("path", view_args[0] if view_args else "")
        route = find_route(request, path)
        if route is not False:
            request._wagtail_route_for_request = route
        return None
