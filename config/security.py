"""Security headers of every response: Content-Security-Policy (django-csp) and
Permissions-Policy.

Three content policies, chosen by path:

- public pages (everything not named below): `settings.CONTENT_SECURITY_POLICY`. Scripts
  and styles only from our own static files (no inline script, no inline style), no
  plugins, no framing; forms may post to the site itself and to the payment service's
  confirmation page, because the checkout's POST is answered with a redirect there and
  browsers apply form-action to that redirect too; with Yandex Metrica configured
  (common.analytics), its hosts too, for scripts, images, requests and frames;
- the Wagtail admin (/admin/, including the page previews it frames): Wagtail's own
  templates still carry inline scripts and style attributes, so scripts and styles may
  be inline there (`ADMIN_DIRECTIVES`); the admin is only reachable by staff;
- the API's Swagger UI (/api/v1/docs): our static scripts only, but Swagger UI sets
  style attributes as it renders (`DOCS_DIRECTIVES`).

Permissions-Policy switches off every powerful browser feature the site does not use;
the boarding check-in pages (URL namespace "checkin") may use the camera to read QR
codes, every other page may not."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import NoReverseMatch, reverse

from common.analytics import metrica_directives, metrica_frame_sources
from common.http import origin

ADMIN_DIRECTIVES = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    # Thumbnails of embedded videos come from their hosts.
    "img-src": [SELF, "data:", "blob:", "https:"],
    # Wagtail's release check is off (settings), so the admin talks to us only.
    "connect-src": [SELF],
    # The live preview frames the previewed page from the admin itself.
    "frame-src": [SELF],
    "frame-ancestors": [SELF],
    "form-action": [SELF],
}
DOCS_DIRECTIVES = {
    "style-src": [SELF, UNSAFE_INLINE],
}

# Features no page uses: denied to the page and to anything it could embed.
DENIED_FEATURES = (
    "accelerometer",
    "display-capture",
    "encrypted-media",
    "geolocation",
    "gyroscope",
    "hid",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
CAMERA_NAMESPACES = {"checkin"}


def payment_form_targets() -> list[str]:
    """Where a checkout form may end up: YooKassa's confirmation pages
    (`YOOKASSA_CONFIRMATION_ORIGINS`) and the origin of the API the shop talks to (the
    emulator of development and tests serves its confirmation page there)."""
    origins = list(getattr(settings, "YOOKASSA_CONFIRMATION_ORIGINS", []))
    api_origin = origin(settings.YOOKASSA_API_URL)
    if api_origin and api_origin not in origins:
        origins.append(api_origin)
    return origins


def _prefix(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the policy chosen by path (see the module docstring)."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        path = request.path_info
        admin = _prefix("wagtailadmin_home")
        docs = _prefix("api-v1:openapi-view")
        if admin and path.startswith(admin):
            parts.replace = {**ADMIN_DIRECTIVES, **(parts.replace or {})}
            # A nonce in script-src would make browsers ignore 'unsafe-inline'.
            parts.nonce = None
        else:
            if docs and path.startswith(docs):
                parts.replace = {**DOCS_DIRECTIVES, **(parts.replace or {})}
            parts.update = {
                **(parts.update or {}),
                **metrica_directives(),
                "form-action": payment_form_targets(),
            }
            frames = metrica_frame_sources()
            if frames:
                # Replaced, not added to: the default is 'none', which admits nothing
                # beside it.
                parts.replace = {**(parts.replace or {}), "frame-src": frames}
        return parts


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy header (camera only on the check-in pages)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "Permissions-Policy" not in response:
            match = getattr(request, "resolver_match", None)
            camera = "(self)" if match and match.namespace in CAMERA_NAMESPACES else "()"
            features = [f"camera={camera}", *(f"{name}=()" for name in DENIED_FEATURES)]
            response["Permissions-Policy"] = ", ".join(features)
        return response
