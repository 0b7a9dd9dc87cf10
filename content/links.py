"""Absolute links to the public site.

Every absolute URL the pages hand out (canonical, hreflang alternates, Open Graph,
JSON-LD, the sitemap) starts with `settings.SITE_URL`: the address customers and search
engines use, whatever host the request came in by or the Wagtail Site record names.
Only SITE_URL's scheme, host and port count; paths come from Wagtail and Django, which
already carry any script prefix.
"""

from urllib.parse import urlsplit

from django.conf import settings
from wagtail.models import Page

from common.http import origin


def site_origin() -> str:
    """`scheme://host[:port]` of SITE_URL."""
    return origin(settings.SITE_URL) or ""


def absolute_url(url: str) -> str:
    """A root-relative path (or a URL that is already absolute, e.g. media on a CDN) as
    an absolute URL on the public site."""
    if urlsplit(url).scheme:
        return url
    return site_origin() + url


def page_full_url(page: Page, request=None) -> str | None:
    """The page's absolute URL on the public site; None when it is not routable."""
    parts = page.get_url_parts(request)
    if parts is None:
        return None
    return absolute_url(parts[2])
