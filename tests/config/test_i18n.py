"""`/` sends visitors to their language; URLs carry /ru/, /en/ or /zh/."""

import pytest
from django.urls import reverse
from django.utils import translation


@pytest.mark.parametrize(
    ("accept_language", "location"),
    [
        ("en-US,en;q=0.9", "/en/"),
        ("en", "/en/"),
        ("zh-CN,zh;q=0.9", "/zh/"),
        ("zh-Hans", "/zh/"),
        ("zh", "/zh/"),
        ("ru-RU,ru;q=0.9,en;q=0.8", "/ru/"),
        ("de", "/ru/"),
        ("de-DE,fr;q=0.8", "/ru/"),
        ("fr;q=0.9,en;q=0.5", "/en/"),
        ("*", "/ru/"),
        ("garbage;;;q=x", "/ru/"),
        (None, "/ru/"),
    ],
)
def test_root_redirects_by_accept_language(client, accept_language, location):
    headers = {"Accept-Language": accept_language} if accept_language else {}

    response = client.get("/", headers=headers)

    assert response.status_code == 302
    assert response["Location"] == location
    vary = {v.strip().lower() for v in response["Vary"].split(",")}
    assert "accept-language" in vary, "caches must not serve one language to everybody"


def test_root_redirect_prefers_the_language_cookie(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = client.get("/", headers={"Accept-Language": "en"})

    assert response["Location"] == "/zh/"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "/ru/search/"), ("en", "/en/search/"), ("zh-hans", "/zh/search/")],
)
def test_urls_reverse_with_the_short_prefix(language, expected):
    with translation.override(language):
        assert reverse("search") == expected


@pytest.mark.parametrize(
    ("url", "language"), [("/ru/search/", "ru"), ("/en/search/", "en"), ("/zh/search/", "zh-hans")]
)
def test_url_prefix_sets_the_language(client, db, url, language):
    response = client.get(url, headers={"Accept-Language": "de"})

    assert response.status_code == 200
    assert response["Content-Language"] == language


def test_admin_language_follows_accept_language(client, db):
    response = client.get("/admin/login/", headers={"Accept-Language": "en"})

    assert response.status_code == 200
    assert response["Content-Language"] == "en"
