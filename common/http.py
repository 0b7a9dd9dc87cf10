"""Request helpers shared by the site's views and its API: the client's address, and
`ClientThrottle`, the rate limit of plain Django views (per address and per session, in
the default cache)."""

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import AnonRateThrottle


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address: REMOTE_ADDR, or behind `NUM_PROXIES` trusted proxies the
    address they saw (the rule the API's throttles use); None when it is not an address."""
    raw = AnonRateThrottle("1/s").get_ident(request) or ""
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


def origin(url: str) -> str | None:
    """`scheme://host[:port]` of an absolute URL; None for a relative one."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


RATE_PATTERN = re.compile(r"(\d+)/(\d*)([smhd])")
RATE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "10/10m" → (10, 600): a number of requests per a number of seconds/minutes/hours/
    days (the API throttles' syntax, with an optional multiplier)."""
    match = RATE_PATTERN.fullmatch(rate.strip())
    if match is None:
        raise ValueError(f"not a rate: {rate!r}")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * RATE_UNITS[unit]


@dataclass(frozen=True)
class ClientThrottle:
    """Counts a kind of request (`scope`) per client address (`client_ip`) and per session
    in the default cache, so that with a shared cache (Redis) every worker counts together.

    `rate` and `address_rate` name settings ("10/10m"); the address gets its own, usually
    larger, budget because one address can be a whole office behind NAT. A request is
    `blocked` once any of its counters has reached its limit; `record` counts one. Views
    that count every request use `allow`; views that count only failures (guesses) check
    `blocked` first and `record` a failure."""

    scope: str
    rate: str
    address_rate: str | None = None

    def _counters(self, request: HttpRequest) -> list[tuple[str, int, int]]:
        counters = []
        session_key = getattr(getattr(request, "session", None), "session_key", None)
        if session_key:
            count, seconds = parse_rate(getattr(settings, self.rate))
            counters.append((f"throttle:{self.scope}:session:{session_key}", count, seconds))
        address = client_ip(request)
        if address:
            count, seconds = parse_rate(getattr(settings, self.address_rate or self.rate))
            counters.append((f"throttle:{self.scope}:address:{address}", count, seconds))
        return counters

    def blocked(self, request: HttpRequest) -> bool:
        counters = self._counters(request)
        values = cache.get_many([key for key, _, _ in counters])
        return any(values.get(key, 0) >= limit for key, limit, _ in counters)

    def record(self, request: HttpRequest) -> None:
        for key, _, seconds in self._counters(request):
            # The window starts with its first request; `incr` keeps the key's expiry.
            if not cache.add(key, 1, timeout=seconds):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.add(key, 1, timeout=seconds)

    def allow(self, request: HttpRequest) -> bool:
        if self.blocked(request):
            return False
        self.record(request)
        return True
