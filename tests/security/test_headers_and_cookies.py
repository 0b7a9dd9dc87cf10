"""A scripted check of the security headers and cookies of every page type, as `make test`
runs it in CI: public pages (home, listing, excursion, event, yacht, standard page,
search, 404), the booking pages (hold, checkout, order), the customer's account pages,
the admin's sign-in and the API docs.

Each answer must carry: a Content-Security-Policy (without 'unsafe-inline' or
'unsafe-eval' for scripts on every page but the Wagtail admin's, and framing refused),
X-Content-Type-Options: nosniff, a Referrer-Policy, X-Frame-Options (DENY, or SAMEORIGIN
for the admin, whose previews frame the site), a Permissions-Policy. Every cookie set
must be SameSite, the session cookie HttpOnly. With the production settings (read from
config/settings/production.py itself, in a subprocess with a production environment)
answers carry HSTS, cookies are Secure, and plain HTTP is redirected to HTTPS.

tests/config/test_security_headers.py checks the policies' directives in detail; this
one checks that nothing is missing anywhere."""

import json
import subprocess
import sys

import pytest
from django.test import Client

from booking.services.holds import hold_create
from tests.accounts.helpers import new_client, sign_in_by_code
from tests.config.test_deploy_check import BASE_DIR, production_env
from tests.factories import placed_order
from tests.helpers import PAGE_KINDS, path

pytestmark = pytest.mark.django_db

# The settings config/settings/production.py sets for transport and cookies.
PRODUCTION_SECURITY = (
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SAMESITE",
    "X_FRAME_OPTIONS",
)


def production_security() -> dict:
    script = (
        "import json, config.settings.production as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {PRODUCTION_SECURITY!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    if values["SECURE_PROXY_SSL_HEADER"]:
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    # Django's defaults where production.py leaves them alone.
    return {name: value for name, value in values.items() if value is not None}


def visitor() -> Client:
    client = Client()
    session = client.session
    session.save()
    client.cookies["sessionid"] = session.session_key
    return client


def page_requests(tree) -> list[tuple[str, Client, str, int]]:
    """(page type, client, path, expected status) for every page type."""
    anonymous = Client()
    pages = [(kind, anonymous, path(kind, "ru"), 200) for kind in PAGE_KINDS]
    pages += [
        ("search", anonymous, "/ru/search/?q=Нева", 200),
        ("404", anonymous, "/ru/no-such-page/", 404),
    ]
    holder = visitor()
    departure = tree.departures["excursion"]
    ticket_type = departure.product.ticket_types.filter(is_active=True).first()
    hold = hold_create(
        departure_id=departure.pk,
        owner_key=holder.session.session_key,
        quantities={ticket_type.pk: 1},
    )
    pages += [
        ("hold", holder, f"/ru/booking/hold/{hold.token}/", 200),
        ("checkout", holder, f"/ru/booking/checkout/{hold.token}/", 200),
    ]
    order = placed_order(tree.departures["event"], paid=True)
    pages.append(("order", anonymous, f"/ru/booking/order/{order.code}/{order.secret}/", 200))
    pages.append(("account sign-in", Client(), "/ru/account/login/code/", 200))
    customer = new_client()
    sign_in_by_code(customer, "customer@example.com")
    pages += [
        ("account", customer, "/ru/account/orders/", 200),
        ("account profile", customer, "/ru/account/profile/", 200),
        ("admin sign-in", Client(), "/admin/login/", 200),
        ("API docs", anonymous, "/api/v1/docs", 200),
    ]
    return pages


def csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.get("Content-Security-Policy", "").split(";"):
        if part.strip():
            name, *values = part.split()
            directives[name] = values
    return directives


def header_problems(kind: str, response) -> list[str]:
    problems = []
    policy = csp(response)
    admin = kind.startswith("admin")
    if not policy:
        return [f"{kind}: no Content-Security-Policy"]
    scripts = policy.get("script-src", policy.get("default-src", []))
    if not admin and {"'unsafe-inline'", "'unsafe-eval'"} & set(scripts):
        problems.append(f"{kind}: script-src {scripts}")
    if policy.get("object-src") != ["'none'"]:
        problems.append(f"{kind}: object-src {policy.get('object-src')}")
    if policy.get("frame-ancestors") != (["'self'"] if admin else ["'none'"]):
        problems.append(f"{kind}: frame-ancestors {policy.get('frame-ancestors')}")
    if response.get("X-Frame-Options") not in (("SAMEORIGIN", "DENY") if admin else ("DENY",)):
        problems.append(f"{kind}: X-Frame-Options {response.get('X-Frame-Options')}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{kind}: X-Content-Type-Options {response.get('X-Content-Type-Options')}")
    if response.get("Referrer-Policy") not in (
        "strict-origin-when-cross-origin",
        "same-origin",
        "no-referrer",
    ):
        problems.append(f"{kind}: Referrer-Policy {response.get('Referrer-Policy')}")
    if "camera=" not in response.get("Permissions-Policy", ""):
        problems.append(f"{kind}: no Permissions-Policy")
    return problems


def cookie_problems(kind: str, response, *, secure: bool) -> list[str]:
    problems = []
    for name, morsel in response.cookies.items():
        if not morsel.value:  # a deletion
            continue
        if morsel["samesite"] not in ("Lax", "Strict"):
            problems.append(f"{kind}: cookie {name} SameSite={morsel['samesite']!r}")
        if name == "sessionid" and not morsel["httponly"]:
            problems.append(f"{kind}: the session cookie is readable by scripts")
        if bool(morsel["secure"]) != secure:
            problems.append(f"{kind}: cookie {name} Secure={morsel['secure']!r}")
    return problems


def test_every_page_type_sends_the_security_headers_and_safe_cookies(tree):
    problems, cookies = [], set()
    for kind, client, url, status in page_requests(tree):
        response = client.get(url)
        assert response.status_code == status, (kind, url, response.status_code)
        problems += header_problems(kind, response)
        problems += cookie_problems(kind, response, secure=False)
        cookies |= {name for name, morsel in response.cookies.items() if morsel.value}
        assert "Strict-Transport-Security" not in response, "HSTS only in production"
    assert problems == []
    assert "csrftoken" in cookies, "the forms' pages set the CSRF cookie (checked above)"


def test_with_the_production_settings_transport_is_https_only(tree, settings):
    values = production_security()
    assert values["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    pages = page_requests(tree)  # signed in over plain HTTP, before the redirect is on
    for name, value in values.items():
        setattr(settings, name, value)
    settings.ALLOWED_HOSTS = ["prichal.example"]

    problems = []
    for kind, signed_in, url, status in pages:
        # A new client with the same cookies: Django's SecurityMiddleware reads the
        # settings once, when a client first loads the middleware.
        client = Client(**signed_in.defaults)
        client.cookies = signed_in.cookies
        # Behind the load balancer: TLS ended there, which says so (NUM_PROXIES=1).
        response = client.get(url, HTTP_HOST="prichal.example", HTTP_X_FORWARDED_PROTO="https")
        assert response.status_code == status, (kind, url, response.status_code)
        problems += header_problems(kind, response)
        problems += cookie_problems(kind, response, secure=True)
        if response.get("Strict-Transport-Security") != "max-age=31536000; includeSubDomains":
            problems.append(f"{kind}: HSTS {response.get('Strict-Transport-Security')}")
    assert problems == []

    plain = Client().get(path("home", "ru"), HTTP_HOST="prichal.example")
    assert plain.status_code == 301
    assert plain["Location"] == "https://prichal.example" + path("home", "ru")


def test_the_production_session_cookie_is_secure_httponly_and_samesite(tree, settings):
    """Asking for a sign-in code starts the session that carries the pending sign-in."""
    for name, value in production_security().items():
        setattr(settings, name, value)
    settings.ALLOWED_HOSTS = ["prichal.example"]
    client = Client()
    https = {"HTTP_HOST": "prichal.example", "HTTP_X_FORWARDED_PROTO": "https"}
    client.get("/ru/account/login/code/", **https)
    response = client.post("/ru/account/login/code/", {"email": "someone@example.com"}, **https)
    assert response.status_code == 302, response.content[:500]
    session = response.cookies["sessionid"]
    assert session.value
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
