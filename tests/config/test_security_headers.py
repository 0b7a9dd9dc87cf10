"""Every page type sends a Content-Security-Policy and a Permissions-Policy: public pages
allow no inline script or style, no plugins and no framing, and let forms go only to the
site and to the payment service's confirmation page; the Wagtail admin has its own,
looser policy; only the check-in pages may use the camera. (That the pages really work
under these policies is shown in Chromium: tests/e2e/test_security_headers.py and every
other e2e test, whose tabs fail on any policy violation.)"""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from guardian.shortcuts import assign_perm

from booking.services.holds import hold_create
from tests import factories
from tests.factories import check_in_group, make_user, placed_order
from tests.helpers import path

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def permissions(response) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))


def assert_public_policy(response):
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"], "no inline script, no eval, no other host"
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"][0] == "'self'"
    assert "https://yoomoney.ru" in csp["form-action"]
    assert not any("unsafe" in value for values in csp.values() for value in values)
    features = permissions(response)
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature


def visitor() -> tuple[Client, str]:
    client = Client()
    session = client.session
    session.save()
    client.cookies["sessionid"] = session.session_key
    return client, session.session_key


def a_hold(tree, owner_key):
    departure = tree.departures["excursion"]
    ticket_type = departure.product.ticket_types.filter(is_active=True).first()
    return hold_create(
        departure_id=departure.pk, owner_key=owner_key, quantities={ticket_type.pk: 1}
    )


@pytest.mark.parametrize("kind", ["home", "listing", "excursion", "event", "yacht", "standard"])
def test_content_pages_send_the_public_policies(tree, client, kind):
    response = client.get(path(kind, "ru"))
    assert response.status_code == 200
    assert_public_policy(response)


def test_search_and_the_404_page_send_the_public_policies(tree, client):
    search = client.get("/ru/search/?q=Нева")
    assert search.status_code == 200
    assert_public_policy(search)
    missing = client.get("/ru/no-such-page/")
    assert missing.status_code == 404
    assert_public_policy(missing)


def test_hold_checkout_and_order_pages_send_the_public_policies(tree):
    client, key = visitor()
    hold = a_hold(tree, key)
    for url in (f"/ru/booking/hold/{hold.token}/", f"/ru/booking/checkout/{hold.token}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_public_policy(response)
    order = placed_order(tree.departures["event"], paid=True)
    response = Client().get(f"/ru/booking/order/{order.code}/{order.secret}/")
    assert response.status_code == 200
    assert_public_policy(response)


def test_forms_may_go_to_the_configured_payment_page_and_to_the_api_origin(tree, settings):
    settings.YOOKASSA_API_URL = "http://127.0.0.1:8001/v3"
    settings.YOOKASSA_CONFIRMATION_ORIGINS = ["https://yoomoney.ru", "https://pay.example"]
    csp = policy(Client().get(path("home", "ru")))
    assert csp["form-action"] == [
        "'self'",
        "https://yoomoney.ru",
        "https://pay.example",
        "http://127.0.0.1:8001",
    ]


def test_only_the_check_in_pages_may_use_the_camera(tree):
    crew = make_user("crew@example.com")
    crew.groups.add(check_in_group())
    client = Client()
    client.force_login(crew)
    departure = factories.DepartureFactory(
        product=tree.products["excursion"],
        starts_at=timezone.now() + datetime.timedelta(hours=2),
    )
    assign_perm("booking.assigned_to_venue", crew, departure.venue)  # crew board their pier's
    for url in ("/ru/staff/check-in/", f"/ru/staff/check-in/{departure.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert permissions(response)["camera"] == "(self)"
        assert permissions(response)["microphone"] == "()"
        csp = policy(response)
        assert csp["script-src"] == ["'self'"]
        assert csp["frame-ancestors"] == ["'none'"]
    assert permissions(client.get(path("home", "ru")))["camera"] == "()"


def test_the_api_docs_run_only_our_scripts(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    csp = policy(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert permissions(response)["camera"] == "()"


def test_the_wagtail_admin_has_its_own_policy(tree, django_user_model):
    admin = django_user_model.objects.create_superuser(email="boss@example.com", password="x")
    client = Client()
    client.force_login(admin)
    for url in ("/admin/", "/admin/login/", f"/admin/pages/{tree.home['ru'].pk}/"):
        response = client.get(url)
        assert response.status_code in (200, 302), url
        csp = policy(response)
        # Wagtail's own templates still carry inline scripts and styles.
        assert csp["script-src"] == ["'self'", "'unsafe-inline'"]
        assert not any(value.startswith("'nonce-") for value in csp["script-src"])
        assert csp["object-src"] == ["'none'"]
        assert csp["base-uri"] == ["'self'"]
        assert csp["frame-ancestors"] == ["'self'"]  # the page preview frames the admin
        assert permissions(response)["camera"] == "()"
