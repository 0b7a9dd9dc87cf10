"""Request helpers shared by the site's views and its API."""

import ipaddress

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
