"""Error pages speak the visitor's language: 404 by the URL prefix (or Accept-Language
outside one), 500 without touching the database."""

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext

from content.views import server_error
from tests.helpers import HTML_LANG, parse, text


def translated(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


@pytest.mark.parametrize("language", ["ru", "zh-hans"])
def test_catalogue_translates_the_error_headings(language):
    """Without this the 404 test below could pass on untranslated English text."""
    assert translated(language, "Page not found") != "Page not found"
    assert translated(language, "Something went wrong") != "Something went wrong"


@pytest.mark.parametrize(
    ("url", "language"),
    [
        ("/ru/no-such-page/", "ru"),
        ("/en/no-such-page/", "en"),
        ("/zh/no-such-page/", "zh-hans"),
        ("/zh/excursions/no-such-trip/", "zh-hans"),
        ("/en/excursions/white-nights/nested/deeper/", "en"),
    ],
)
def test_404_is_in_the_language_of_the_url(client, tree, url, language):
    response = client.get(url, headers={"Accept-Language": "ru"})

    assert response.status_code == 404
    doc = parse(response)
    assert doc.html["lang"] == HTML_LANG[language]
    assert text(doc.h1) == translated(language, "Page not found")
    assert doc.select_one('meta[name="robots"]')["content"] == "noindex"


def test_404_heading_in_english_is_english(client, tree):
    doc = parse(client.get("/en/no-such-page/"))

    assert text(doc.h1) == "Page not found"


def test_404_in_chinese_is_chinese(client, tree):
    doc = parse(client.get("/zh/no-such-page/"))

    heading = text(doc.h1)
    assert heading != "Page not found"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in heading), heading


def test_404_in_russian_is_russian(client, tree):
    doc = parse(client.get("/ru/no-such-page/"))

    heading = text(doc.h1)
    assert any("а" <= ch.lower() <= "я" for ch in heading), heading


@pytest.mark.parametrize(
    ("accept_language", "language"), [("en", "en"), ("zh-CN", "zh-hans"), ("de", "ru")]
)
def test_404_outside_a_language_prefix_follows_accept_language(
    client, tree, accept_language, language
):
    response = client.get("/no-such-page/", headers={"Accept-Language": accept_language})

    assert response.status_code == 404
    doc = parse(response)
    assert doc.html["lang"] == HTML_LANG[language]
    assert text(doc.h1) == translated(language, "Page not found")


@pytest.mark.parametrize(("prefix", "language"), [("ru", "ru"), ("en", "en"), ("zh", "zh-hans")])
def test_404_links_home_in_its_language(client, tree, prefix, language):
    doc = parse(client.get(f"/{prefix}/no-such-page/"))

    assert doc.select_one("main a.button")["href"] == f"/{prefix}/"
    switch = {a["hreflang"]: a["href"] for a in doc.select("nav.lang-switch a")}
    assert switch == {"ru": "/ru/", "en": "/en/", "zh-Hans": "/zh/"}


def test_404_without_any_site_content(client, db):
    response = client.get("/en/no-such-page/")

    assert response.status_code == 404


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_500_handler_renders_without_the_database(language):
    """No `db` fixture: pytest-django makes any database access raise here."""
    request = RequestFactory().get("/")
    with translation.override(language):
        response = server_error(request)

    assert response.status_code == 500
    doc = parse(response)
    assert doc.html["lang"] == HTML_LANG[language]
    with translation.override(language):
        assert text(doc.h1) == gettext("Something went wrong")
    assert doc.select_one('a[href="/"]') is not None


def test_500_page_is_served_when_a_view_fails(client, tree, settings):
    settings.ROOT_URLCONF = "tests.urls"
    client.raise_request_exception = False

    response = client.get("/fail/", headers={"Accept-Language": "en"})

    assert response.status_code == 500
    doc = parse(response)
    assert doc.html["lang"] == "en"
    assert text(doc.h1) == "Something went wrong"
