"""The site works in Chromium under its Content-Security-Policy and Permissions-Policy:
every e2e test watches its pages for violations (tests/e2e/conftest.py,
`watch_policies`); this module makes sure the watch really catches one, and walks the
screens no other browser test visits: the Wagtail admin and the API's Swagger UI.

The booking flow (home, product page, seat map, hold), the checkout up to the payment
emulator and back, and the check-in scanner are covered by test_booking.py,
test_purchase.py and tests/crm/checkin/test_browser.py under the same watch."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import watch_policies

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def editor(site, django_user_model):
    """A superuser, committed before Playwright starts (see `tab` in conftest.py)."""
    django_user_model.objects.create_superuser(email="editor@example.com", password="ed-pass-1")
    from wagtail.models import Page

    home = Page.objects.get(depth=2, locale__language_code="ru")
    product = Page.objects.get(slug="rivers-and-canals")
    return {
        "explorer": reverse("wagtailadmin_explore", args=[home.pk]),
        "edit": reverse("wagtailadmin_pages:edit", args=[product.pk]),
        "snippets": reverse("wagtailsnippets_booking_venue:list"),
    }


@pytest.fixture
def watched(chromium):
    """A tab and the list of the policy violations its context meets."""
    context = chromium.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    violations = watch_policies(context)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page, violations
    context.close()
    assert errors == []


def test_the_watch_catches_an_inline_script_and_an_inline_style(site, watched):
    tab, violations = watched
    tab.goto(site.url + site.seated_path)
    tab.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.head.append(script);
            const style = document.createElement("div");
            style.setAttribute("style", "color: red");
            document.body.append(style);
        }"""
    )
    tab.wait_for_timeout(300)
    assert tab.evaluate("window.injected") is None
    assert any(v.startswith("script-src-elem: inline") for v in violations), violations
    assert any(v.startswith("style-src-attr: inline") for v in violations), violations


def test_the_wagtail_admin_works_under_its_policy(site, editor, watched):
    tab, violations = watched
    tab.goto(site.url + "/admin/login/")
    tab.locator("input[name=username]").fill("editor@example.com")
    tab.locator("input[name=password]").fill("ed-pass-1")
    tab.locator("form button[type=submit]").first.click()
    expect(tab.locator("main")).to_be_visible()
    expect(tab).to_have_url(re.compile(r"/admin/$"))

    tab.goto(site.url + editor["explorer"])
    expect(tab.get_by_role("link", name="Экскурсии").first).to_be_visible()

    tab.goto(site.url + editor["edit"])
    title = tab.locator("#id_title")
    expect(title).to_have_value("Реки и каналы")
    # The StreamField (Wagtail's own scripts) is drawn: the booking block is there.
    expect(tab.locator("[data-streamfield-stream-container]").first).to_be_visible()
    title.fill("Реки и каналы Петербурга")
    tab.get_by_role("button", name=re.compile("Сохранить черновик|Save draft")).click()
    expect(tab.locator(".messages")).to_contain_text("Реки и каналы Петербурга")

    tab.goto(site.url + editor["snippets"])
    expect(tab.locator("table.listing")).to_contain_text("Дворцовая пристань")
    tab.wait_for_timeout(300)
    assert violations == []


def test_the_api_docs_work_under_their_policy(live_server, watched):
    tab, violations = watched
    tab.goto(live_server.url + "/api/v1/docs")
    expect(tab.locator(".swagger-ui .info .title")).to_contain_text("Prichal API")
    expect(tab.locator(".opblock").first).to_be_visible()
    tab.wait_for_timeout(300)
    assert violations == []
