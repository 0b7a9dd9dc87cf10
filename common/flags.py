"""Feature flags (django-waffle), README "Operations: change safely".

Every flag the code asks about is named here with the answer it gives when the flag row
is missing (a fresh database before the data migration, a test database flushed by a
transactional test): the code's default is today's behaviour, so a missing row never
switches a feature off by surprise.

Flags are edited in the Wagtail admin (Settings → Feature flags, content.flags), each
change written to the audit log. A flag is on for everyone, off for everyone, or decided
per request: staff only, or a percentage of visitors (waffle remembers the visitor's
draw in a cookie).

Page HTML kept in the whole-page cache is the same for every anonymous visitor: while a
page is rendered for that cache (`request.page_cache`, set by content.page_cache) only
the flag's "everyone" setting counts; a percentage or staff-only flag is off there.
Everything else — staff and visitors with a session, who bypass the cache, and the
uncached live fragments such as the booking block — gets the per-request answer."""

from django.http import HttpRequest
from waffle import get_waffle_flag_model

RENTALS_BY_THE_HOUR = "rentals_by_the_hour"
ANALYTICS_BANNER = "analytics_banner"

# The answer when the flag's row does not exist.
DEFAULTS: dict[str, bool] = {
    RENTALS_BY_THE_HOUR: True,
    ANALYTICS_BANNER: True,
}
# Flags that change the HTML of cached public pages: saving one of them purges the whole
# page cache (content.flags).
PAGE_FLAGS = frozenset({ANALYTICS_BANNER})


def flag_active(request: HttpRequest | None, name: str) -> bool:
    """Whether flag `name` is on for this request (waffle's cached lookup: no query once
    the flag is in the default cache)."""
    flag = get_waffle_flag_model().get(name)
    if flag.pk is None:
        return DEFAULTS.get(name, False)
    if request is None or getattr(request, "page_cache", None) is not None:
        return flag.everyone is True
    return bool(flag.is_active(request))
