"""Absolute links (canonical, hreflang, og:url, og:image, JSON-LD, sitemap) start with
`SITE_URL`, whatever host the Wagtail Site record or the request names."""

import pytest
from django.test import override_settings
from wagtail.models import Site

from demo.seed import Seeder
from tests.content.test_seo import sitemap
from tests.helpers import LANGUAGES, PAGE_KINDS, alternate_links, json_ld, parse, path

SITE_URL = "https://prichal.example"


@pytest.fixture
def site_url():
    with override_settings(SITE_URL=SITE_URL):
        yield SITE_URL


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_head_links_start_with_site_url(client, tree, site_url, kind, language):
    doc = parse(client.get(path(kind, language)))

    assert doc.select_one('link[rel="canonical"]')["href"] == site_url + path(kind, language)
    assert doc.select_one('meta[property="og:url"]')["content"] == site_url + path(kind, language)
    alternates = alternate_links(doc)
    assert alternates, "hreflang alternates"
    for href in alternates.values():
        assert href.startswith(site_url + "/"), href


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["home", "excursion", "event", "yacht"])
def test_json_ld_urls_start_with_site_url(client, tree, site_url, kind, language):
    (data,) = json_ld(parse(client.get(path(kind, language))))

    assert data["url"] == site_url + path(kind, language)
    if "offers" in data:
        assert data["offers"]["url"] == site_url + path(kind, language)
    if "image" in data:
        assert data["image"].startswith(site_url + "/"), data["image"]


def test_og_image_starts_with_site_url(client, tree, site_url):
    doc = parse(client.get(path("excursion", "ru")))

    assert doc.select_one('meta[property="og:image"]')["content"].startswith(site_url + "/")


def test_sitemap_locations_start_with_site_url(client, tree, site_url):
    entries = sitemap(client)

    assert entries
    for location, alternates in entries.items():
        assert location.startswith(site_url + "/"), location
        for href in alternates.values():
            assert href.startswith(site_url + "/"), href


def test_a_request_to_another_host_still_links_to_site_url(client, tree, site_url):
    doc = parse(client.get(path("excursion", "en"), HTTP_HOST="127.0.0.1"))

    assert doc.select_one('link[rel="canonical"]')["href"] == site_url + path("excursion", "en")


@pytest.mark.parametrize(
    ("site_url", "hostname", "port"),
    [
        ("https://prichal.example", "prichal.example", 443),
        ("http://127.0.0.1:8000", "127.0.0.1", 8000),
        ("http://tickets.example", "tickets.example", 80),
    ],
)
def test_demo_site_matches_site_url(db, site_url, hostname, port):
    with override_settings(SITE_URL=site_url):
        Seeder(days=1).ensure_locales_and_site()

    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == (hostname, port)
    assert site.root_url == site_url
    assert Site.objects.count() == 1
