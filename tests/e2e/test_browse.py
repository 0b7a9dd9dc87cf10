"""A visitor browses the demo site in a real browser: lands on `/`, switches languages
with the switcher, opens an excursion from the listing, switches language on it, and
searches from the menu. One test, because seeding the demo takes tens of seconds and a
live-server test starts from an empty database."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_browse_the_demo_site(tab, demo_site):
    def at(path):
        return re.compile("^" + re.escape(demo_site + path) + "$")

    html = tab.locator("html")
    switcher = tab.locator("nav.lang-switch")

    # A Russian browser lands on the Russian home page.
    tab.goto(f"{demo_site}/")
    expect(tab).to_have_url(at("/ru/"))
    expect(html).to_have_attribute("lang", "ru")

    # The language switcher.
    switcher.get_by_role("link", name="English").click()
    expect(tab).to_have_url(at("/en/"))
    expect(html).to_have_attribute("lang", "en")

    switcher.get_by_role("link", name="简体中文").click()
    expect(tab).to_have_url(at("/zh/"))
    expect(html).to_have_attribute("lang", "zh-Hans")

    # An excursion from the listing.
    response = tab.goto(f"{demo_site}/zh/excursions/")
    assert response is not None and response.status == 200
    card = tab.locator("li.card a.card__link").first
    title = card.locator(".card__title").inner_text().strip()
    href = card.get_attribute("href")
    assert href.startswith("/zh/excursions/")
    card.click()
    expect(tab).to_have_url(at(href))
    heading = tab.locator("main h1").first
    expect(heading).to_be_visible()
    expect(heading).to_have_text(title)

    # Switching language on it stays on the same excursion.
    switcher.get_by_role("link", name="Русский").click()
    expect(tab).to_have_url(at(href.replace("/zh/", "/ru/", 1)))
    expect(html).to_have_attribute("lang", "ru")
    expect(tab.locator("main h1").first).to_be_visible()

    # On a phone-sized screen the menu and the search box are behind the menu button.
    menu_button = tab.locator("header button.nav-toggle, header details.nav-toggle > summary")
    tab.set_viewport_size({"width": 390, "height": 844})
    tab.goto(f"{demo_site}/en/")
    search = tab.locator("#nav-search-q")
    expect(search).to_be_hidden()
    menu_button.click()
    expect(tab.locator("nav.main-nav a").first).to_be_visible()
    search.fill("pier")
    search.press("Enter")
    expect(tab).to_have_url(at("/en/search/?q=pier"))
    expect(tab.locator("main h1")).to_be_visible()

    # On a desktop-sized screen the menu is on show, with no menu button, and so is a
    # way to search.
    tab.set_viewport_size({"width": 1280, "height": 900})
    tab.goto(f"{demo_site}/en/")
    expect(menu_button).to_be_hidden()
    expect(tab.locator("nav.main-nav a").first).to_be_visible()
    expect(tab.locator("#nav-search-q:visible, a.search-link:visible").first).to_be_visible()
