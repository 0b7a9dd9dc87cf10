"""The site chrome (main menu, footer) is cached per language when the "fragments" cache
is a real cache, as in production. The test settings switch that cache off, so these
tests switch it back on and check that a cached menu or footer is never wrong."""

import pytest
from django.core.cache import caches
from wagtail.models import Page, Site

from content.models import CompanySettings
from tests import factories
from tests.conftest import republish, translate
from tests.helpers import parse, path


@pytest.fixture
def fragment_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "fragments-under-test",
        },
    }
    caches["fragments"].clear()
    yield caches["fragments"]
    caches["fragments"].clear()


def menu(client, url) -> dict[str, str]:
    doc = parse(client.get(url))
    return {a.get_text(strip=True): a["href"] for a in doc.select("nav.main-nav li a")}


def current_menu_item(client, url):
    doc = parse(client.get(url))
    current = doc.select_one('nav.main-nav a[aria-current="page"]')
    return current["href"] if current else None


def footer_links(client, url) -> list[str]:
    doc = parse(client.get(url))
    return [a["href"] for a in doc.select("footer.site-footer .plain-list a")]


def test_fragment_cache_is_really_on(client, tree, fragment_cache):
    client.get(path("listing", "en"))

    assert fragment_cache._cache, "the page stored nothing in the fragments cache"


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_cached_menu_is_in_each_language(client, tree, fragment_cache, language):
    for other in ("ru", "en", "zh-hans"):
        client.get(path("standard", other))  # fill the cache in every language

    expected = {path("listing", language), path("standard", language)}
    assert set(menu(client, path("standard", language)).values()) == expected


def test_cached_menu_marks_the_current_section(client, tree, fragment_cache):
    assert current_menu_item(client, path("excursion", "ru")) == path("listing", "ru")
    assert current_menu_item(client, path("event", "ru")) == path("listing", "ru")
    assert current_menu_item(client, path("standard", "ru")) == path("standard", "ru")
    assert current_menu_item(client, path("home", "ru")) is None
    assert current_menu_item(client, "/ru/search/") is None
    assert current_menu_item(client, path("listing", "ru")) == path("listing", "ru")


def test_publishing_a_menu_page_updates_the_cached_menu(client, tree, fragment_cache):
    url = path("standard", "en")
    assert "Contacts" not in menu(client, url)

    page = republish(
        factories.StandardPageFactory(parent=tree.home["ru"], slug="contacts", show_in_menus=True)
    )
    translate(page, tree.locales["en"], title="Contacts")

    assert menu(client, url).get("Contacts") == "/en/contacts/"


def test_renaming_a_page_updates_the_cached_menu(client, tree, fragment_cache):
    url = path("excursion", "zh-hans")
    assert "游船游览" in menu(client, url)

    listing = Page.objects.get(pk=tree.listing["zh-hans"].pk).specific
    listing.title = "游船"
    listing.save_revision().publish()

    assert menu(client, url).get("游船") == path("listing", "zh-hans")


def test_unpublishing_a_page_updates_the_cached_menu(client, tree, fragment_cache):
    url = path("home", "ru")
    assert path("standard", "ru") in menu(client, url).values()

    Page.objects.get(pk=tree.standard["ru"].pk).unpublish()

    assert path("standard", "ru") not in menu(client, url).values()


def test_deleting_a_page_updates_the_cached_menu(client, tree, fragment_cache):
    page = republish(
        factories.StandardPageFactory(parent=tree.home["ru"], slug="news", show_in_menus=True)
    )
    url = path("home", "ru")
    assert "/ru/news/" in menu(client, url).values()

    Page.objects.get(pk=page.pk).delete()

    assert "/ru/news/" not in menu(client, url).values()


def test_changing_company_settings_updates_the_cached_footer(client, tree, fragment_cache):
    url = path("listing", "en")
    assert footer_links(client, url) == [path("standard", "en")]

    company = CompanySettings.for_site(Site.objects.get(is_default_site=True))
    company.privacy_policy_page = None
    company.save()

    assert footer_links(client, url) == []


def test_cached_chrome_saves_queries(client, tree, settings, django_assert_max_num_queries):
    url = path("excursion", "en")
    client.get(url)
    uncached = len_queries(client, url)

    settings.CACHES = {
        **settings.CACHES,
        "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    client.get(url)
    cached = len_queries(client, url)
    print("excursion page queries without and with the fragments cache", uncached, cached)

    assert cached < uncached


def len_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)
