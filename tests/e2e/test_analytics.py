"""Yandex Metrica in Chromium, with a counter configured: the consent banner shows until
the visitor chooses; refusing sets the cookie and loads nothing from Yandex, also after a
reload; "Cookie settings" in the footer reopens the banner, which works from the keyboard;
accepting inserts Metrica's tag; the paid order's purchase reaches Metrica's data layer
once. Without a counter there is no banner. Requests to Yandex's hosts never leave the
machine: the tests answer them with an empty script and record them.

With E2E_SCREENSHOTS set, the banner is photographed on a desktop and a phone in Russian
and Chinese (to look at, not kept)."""

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.conftest import republish, translate
from tests.e2e.conftest import PHONE, SCREENSHOTS, watch_policies
from tests.factories import placed_order

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

COUNTER = "98765432"
YANDEX = re.compile(r"^https://(mc\.yandex\.(ru|com)|yastatic\.net)/")


@pytest.fixture
def metrica_on(settings):
    settings.YANDEX_METRICA_COUNTER_ID = COUNTER


@pytest.fixture
def paid_order(site):
    """Committed before Playwright starts (see `tab` in conftest.py)."""
    order = placed_order(site.general, quantities={site.adult.pk: 2}, paid=True)
    return f"/ru/booking/order/{order.code}/{order.secret}/", order.code


@pytest.fixture
def privacy_policy(site):
    """The privacy policy in Russian and Chinese, chosen in the company's details (the
    banner links to it); committed before Playwright starts."""
    from wagtail.models import Locale, Page
    from wagtail.models import Site as WagtailSite

    from content.models import CompanySettings

    home = Page.objects.get(depth=2, locale__language_code="ru")
    zh = Locale.objects.get(language_code="zh-hans")
    if home.get_translation_or_none(zh) is None:
        translate(home, zh)
    page = republish(
        factories.StandardPageFactory(
            parent=home, title="Политика обработки персональных данных", slug="privacy"
        )
    )
    translate(page, zh, title="个人数据处理政策")
    company = CompanySettings.for_site(WagtailSite.objects.get(is_default_site=True))
    company.privacy_policy_page = page
    company.save()


@pytest.fixture
def visitor(chromium):
    """Opens a watched tab (page errors and policy violations fail the test) whose
    requests to Yandex are answered here with an empty script and recorded."""
    contexts, errors, violations, requests = [], [], [], []

    def open_tab(**options):
        context = chromium.new_context(
            **{"locale": "ru-RU", "viewport": {"width": 1280, "height": 900}, **options}
        )
        context.set_default_timeout(15_000)
        violations.append(watch_policies(context))

        def answer(route):
            requests.append(route.request.url)
            route.fulfill(status=200, content_type="application/javascript", body="")

        context.route(YANDEX, answer)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_tab, requests
    for context in contexts:
        context.close()
    assert errors == []
    assert [v for found in violations for v in found] == []


def choice_cookie(page):
    return {c["name"]: c for c in page.context.cookies()}.get("prichal_analytics")


def test_refusing_loads_nothing_and_is_remembered_accepting_loads_metrica(
    site, metrica_on, visitor
):
    open_tab, requests = visitor
    tab = open_tab()
    tab.goto(site.url + site.seated_path)
    banner = tab.locator("#analytics-consent")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Яндекс Метрику")
    accept = banner.get_by_role("button", name="Принять")
    refuse = banner.get_by_role("button", name="Отказаться")
    # As easy to refuse as to accept: the same size, side by side.
    accept_box, refuse_box = accept.bounding_box(), refuse.bounding_box()
    assert (round(accept_box["width"]), round(accept_box["height"])) == (
        round(refuse_box["width"]),
        round(refuse_box["height"]),
    )
    assert accept_box["y"] == refuse_box["y"]

    refuse.click()
    expect(banner).to_be_hidden()
    cookie = choice_cookie(tab)
    assert cookie["value"] == "denied"
    assert cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert cookie["expires"] > time.time() + 364 * 24 * 3600
    tab.reload()
    expect(tab.locator("footer [data-consent-open]")).to_be_visible()
    expect(banner).to_be_hidden()
    tab.wait_for_timeout(300)
    assert tab.locator("#metrica-tag").count() == 0
    assert tab.evaluate("typeof window.ym") == "undefined"
    assert requests == []

    # "Cookie settings" reopens the banner; the choice can be changed from the keyboard.
    tab.locator("footer [data-consent-open]").click()
    expect(banner).to_be_visible()
    expect(banner.locator(".consent__title")).to_be_focused()
    for _link_summary_then_button in range(4):
        tab.keyboard.press("Tab")
        if accept.evaluate("(button) => button === document.activeElement"):
            break
    expect(accept).to_be_focused()
    tab.keyboard.press("Enter")
    expect(banner).to_be_hidden()
    expect(tab.locator("footer [data-consent-open]")).to_be_focused()
    assert choice_cookie(tab)["value"] == "granted"
    expect(tab.locator("script#metrica-tag")).to_have_attribute(
        "src", "https://mc.yandex.ru/metrika/tag.js"
    )
    tab.wait_for_function("() => document.getElementById('metrica-tag') !== null")
    tab.wait_for_timeout(300)
    assert requests == ["https://mc.yandex.ru/metrika/tag.js"]
    init = tab.evaluate("window.ym.a.map((call) => Array.from(call))")
    assert init[0][:2] == [int(COUNTER), "init"]
    assert init[0][2]["webvisor"] is False and init[0][2]["ecommerce"] == "dataLayer"

    # Remembered: the next page loads Metrica without asking.
    tab.reload()
    expect(tab.locator("script#metrica-tag")).to_have_count(1)
    expect(banner).to_be_hidden()

    # Refusing after accepting: Metrica's cookies go and the page starts afresh without it.
    tab.context.add_cookies(
        [
            {"name": "_ym_uid", "value": "1", "url": site.url},
            {"name": "_ym_d", "value": "1", "url": site.url},
        ]
    )
    tab.locator("footer [data-consent-open]").click()
    with tab.expect_navigation():
        refuse.click()
    expect(banner).to_be_hidden()
    assert tab.locator("#metrica-tag").count() == 0
    names = {c["name"] for c in tab.context.cookies()}
    assert "_ym_uid" not in names and "_ym_d" not in names
    assert choice_cookie(tab)["value"] == "denied"


def test_the_paid_order_reaches_metricas_data_layer_once(site, paid_order, metrica_on, visitor):
    path, code = paid_order
    open_tab, requests = visitor
    tab = open_tab()
    tab.context.add_cookies([{"name": "prichal_analytics", "value": "granted", "url": site.url}])
    tab.goto(site.url + path)
    expect(tab.locator("#analytics-consent")).to_be_hidden()
    expect(tab.locator("script#metrica-tag")).to_have_count(1)
    layer = tab.evaluate("window.dataLayer")
    assert len(layer) == 1
    purchase = layer[0]["ecommerce"]["purchase"]
    assert layer[0]["ecommerce"]["currencyCode"] == "RUB"
    assert purchase["actionField"]["id"] == code
    assert purchase["products"] == [
        {
            "id": str(site.general.product_id),
            "name": "Развод мостов",
            "variant": "Взрослый",
            "price": 2200,
            "quantity": 2,
        }
    ]
    goals = tab.evaluate(
        "window.ym.a.map((call) => Array.from(call)).filter((c) => c[1] === 'reachGoal')"
    )
    assert [goal[2] for goal in goals] == ["purchase"]
    # Opening the order again does not count the sale twice.
    tab.reload()
    expect(tab.locator("script#metrica-tag")).to_have_count(1)
    assert tab.evaluate("window.dataLayer") == []
    assert set(requests) == {"https://mc.yandex.ru/metrika/tag.js"}


def test_a_refused_visitor_reports_no_purchase(site, paid_order, metrica_on, visitor):
    path, _code = paid_order
    open_tab, requests = visitor
    tab = open_tab()
    tab.context.add_cookies([{"name": "prichal_analytics", "value": "denied", "url": site.url}])
    tab.goto(site.url + path)
    expect(tab.locator("[data-metrica-purchase]")).to_have_count(1)
    tab.wait_for_timeout(300)
    expect(tab.locator("#analytics-consent")).to_be_hidden()
    assert tab.evaluate("window.dataLayer === undefined && window.ym === undefined")
    assert requests == []


def test_without_a_counter_there_is_no_banner(site, visitor):
    open_tab, requests = visitor
    tab = open_tab()
    tab.goto(site.url + site.seated_path)
    expect(tab.locator("h1")).to_be_visible()
    assert tab.locator("#analytics-consent").count() == 0
    assert tab.locator("[data-consent-open]").count() == 0
    assert tab.locator('script[src*="analytics"]').count() == 0
    assert requests == []


@pytest.mark.parametrize("language", ["ru", "zh"])
def test_the_banner_fits_a_desktop_and_a_phone(site, privacy_policy, metrica_on, visitor, language):
    """Visible with its policy link, and on a phone it leaves most of the page to read;
    with E2E_SCREENSHOTS set, each is photographed there too (to look at, not compared)."""
    open_tab, _requests = visitor
    path = site.seated_path if language == "ru" else "/zh/"
    locale = "ru-RU" if language == "ru" else "zh-CN"
    for device, options in (
        ("desktop", {"viewport": {"width": 1280, "height": 800}}),
        ("phone", {**PHONE, "viewport": {"width": 360, "height": 740}}),
    ):
        tab = open_tab(**{**options, "locale": locale})
        tab.goto(site.url + path)
        banner = tab.locator("#analytics-consent")
        expect(banner).to_be_visible()
        expect(banner.locator("a")).to_have_count(1)
        box = banner.bounding_box()
        viewport = options["viewport"]
        assert box["height"] < viewport["height"] * 0.5, (device, box)
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=f"{SCREENSHOTS}/consent-{language}-{device}.png")
        banner.locator("summary").click()
        expect(banner.locator("details")).to_have_attribute("open", "")
        if SCREENSHOTS:
            tab.screenshot(path=f"{SCREENSHOTS}/consent-{language}-{device}-details.png")
