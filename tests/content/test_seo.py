"""sitemap.xml and robots.txt."""

import xml.etree.ElementTree as ET

import pytest
from django.conf import settings

from tests import factories
from tests.conftest import republish
from tests.helpers import LANGUAGES, PAGE_KINDS, path

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "xhtml": "http://www.w3.org/1999/xhtml",
}


def sitemap(client) -> dict[str, dict[str, str]]:
    """location → {hreflang: alternate location}."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    entries = {}
    for url in root.findall("sm:url", NS):
        location = url.findtext("sm:loc", namespaces=NS)
        assert location not in entries, f"{location} listed twice"
        entries[location] = {
            link.get("hreflang"): link.get("href")
            for link in url.findall("xhtml:link", NS)
            if link.get("rel") == "alternate"
        }
    return entries


def full(kind, language):
    return f"{settings.SITE_URL}{path(kind, language)}"


def test_sitemap_lists_every_page_in_every_language(client, tree):
    entries = sitemap(client)

    expected = {full(kind, code) for kind in PAGE_KINDS for code in LANGUAGES}
    expected.add(f"{settings.SITE_URL}/ru/only-russian/")
    assert set(entries) == expected


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_sitemap_links_each_page_to_its_translations(client, tree, kind):
    entries = sitemap(client)

    alternates = {"ru": full(kind, "ru"), "en": full(kind, "en"), "zh-Hans": full(kind, "zh-hans")}
    for code in LANGUAGES:
        assert entries[full(kind, code)] == alternates


def test_sitemap_untranslated_page_has_only_itself_as_alternate(client, tree):
    entries = sitemap(client)

    location = f"{settings.SITE_URL}/ru/only-russian/"
    assert entries[location] == {"ru": location}


def test_sitemap_leaves_out_drafts_and_private_pages(client, tree):
    draft = factories.StandardPageFactory(parent=tree.home["ru"], slug="draft", live=False)
    draft.save_revision()
    private = republish(factories.StandardPageFactory(parent=tree.home["ru"], slug="private"))
    private.view_restrictions.create(restriction_type="password", password="secret")
    tree.yacht["zh-hans"].unpublish()

    entries = sitemap(client)

    assert f"{settings.SITE_URL}/ru/draft/" not in entries
    assert f"{settings.SITE_URL}/ru/private/" not in entries
    assert full("yacht", "zh-hans") not in entries
    assert "zh-Hans" not in entries[full("yacht", "ru")]


def test_sitemap_has_lastmod(client, tree):
    response = client.get("/sitemap.xml")
    root = ET.fromstring(response.content)

    lastmods = [url.findtext("sm:lastmod", namespaces=NS) for url in root.findall("sm:url", NS)]
    assert lastmods
    assert all(lastmods)


def test_robots_txt_points_at_the_sitemap(client, db):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
    assert "User-agent: *" in lines


def test_robots_txt_sitemap_is_on_site_url_whatever_the_host(client, db, settings):
    settings.SITE_URL = "https://prichal.example"

    response = client.get("/robots.txt", headers={"Host": "127.0.0.1"})

    assert "Sitemap: https://prichal.example/sitemap.xml" in response.content.decode()
