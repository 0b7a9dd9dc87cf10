"""Who may call the CRM API: a staff member with a personal API token.

Tokens are Wagtail's (`wagtail.models.APIToken`: staff create and revoke them in the admin
under Settings → Users → API tokens; only a digest is stored). A request carries one as
`Authorization: Bearer <token>`. It gets through only when the token exists, is not
revoked, and belongs to an active user who may enter the Wagtail admin; anything else is
401. A session cookie authenticates nothing here (`request.user` is always the token's
user, or anonymous), so there is no CSRF to check.

Each token has its own rate limit (`CRM_API_RATE`, django-ninja's syntax, default
300 per minute), counted in the default cache."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from ninja.throttling import SimpleRateThrottle
from wagtail.api.v3.auth import BearerTokenAuth
from wagtail.models import APIToken

ADMIN_ACCESS = "wagtailadmin.access_admin"
DEFAULT_RATE = "300/m"


class StaffTokenAuth(BearerTokenAuth):
    """Wagtail's bearer-token authentication, for staff only (`request.auth` is the
    `APIToken`, `request.user` its user)."""

    openapi_description = "A staff member's personal API token (Wagtail admin: API tokens)."

    def authenticate(self, request, token: str):
        # A string that cannot be a token costs no query.
        if not isinstance(token, str) or not APIToken.validate_token_format(token):
            request.user = AnonymousUser()
            return None
        api_token = super().authenticate(request, token)
        if api_token is None or not request.user.has_perm(ADMIN_ACCESS):
            request.user = AnonymousUser()
            return None
        return api_token


def _rate() -> str:
    return getattr(settings, "CRM_API_RATE", DEFAULT_RATE)


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per API token (after authentication, so `request.auth` is the token)."""

    scope = "crm_api"

    def __init__(self):
        super().__init__(_rate())

    def allow_request(self, request):
        # The rate is a setting; follow it if it changes (tests, a reloaded config).
        if self.rate != _rate():
            self.rate = _rate()
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request):
        token = getattr(request, "auth", None)
        ident = f"token-{token.pk}" if isinstance(token, APIToken) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
