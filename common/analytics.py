"""Yandex Metrica, optional (README, "Analytics (Yandex Metrica)").

Off unless `settings.YANDEX_METRICA_COUNTER_ID` is set. When on, every public page
carries the same consent banner and the static loader (static/js/analytics.js), which
loads Metrica's tag only once the visitor has accepted analytics cookies in this
browser; the Content-Security-Policy of public pages then admits Metrica's origins
(`metrica_directives`), and only then. The counter id is read from Django settings; the
banner is also behind the `analytics_banner` feature flag (common.flags), read from
waffle's cache, so a page costs at most one query for it when the cache is cold."""

from django.conf import settings
from django.http import HttpRequest

from common.flags import ANALYTICS_BANNER, flag_active

# Where Metrica's tag comes from and what it talks to: Yandex's list for sites with a
# CSP (yandex.ru/support/metrica/code/install-counter-csp) names regional mirrors too;
# visitors of a Russian site use the .ru and .com hosts, and yastatic.net serves parts
# of the tag. Session replay (Webvisor) stays off, so no wss:/blob: sources are needed.
METRICA_HOSTS = ("https://mc.yandex.ru", "https://mc.yandex.com")
METRICA_SCRIPT_HOSTS = (*METRICA_HOSTS, "https://yastatic.net")
# The consent the visitor gave or refused, kept in this first-party cookie for a year
# (set and read only by the loader in the browser; the server never looks at it, so the
# cached pages stay the same for everybody).
CONSENT_COOKIE = "prichal_analytics"


def metrica_counter_id() -> str:
    """The configured counter id ("" when Metrica is off)."""
    return getattr(settings, "YANDEX_METRICA_COUNTER_ID", "") or ""


def metrica_directives() -> dict[str, list[str]]:
    """What the public pages' Content-Security-Policy adds for Metrica: nothing when it
    is off."""
    if not metrica_counter_id():
        return {}
    return {
        "script-src": list(METRICA_SCRIPT_HOSTS),
        "img-src": list(METRICA_HOSTS),
        "connect-src": list(METRICA_HOSTS),
    }


def metrica_frame_sources() -> list[str]:
    """frame-src of public pages with Metrica on (the tag may open a frame on its own
    host to sync its cookie across Yandex's domains); None of it when off."""
    return list(METRICA_HOSTS) if metrica_counter_id() else []


def context_processor(request: HttpRequest) -> dict:
    """`metrica_counter_id` for the base template and the order page: "" (no banner, no
    loader) while the `analytics_banner` flag is off, even with a counter id set."""
    counter_id = metrica_counter_id()
    if counter_id and not flag_active(request, ANALYTICS_BANNER):
        counter_id = ""
    return {"metrica_counter_id": counter_id}
