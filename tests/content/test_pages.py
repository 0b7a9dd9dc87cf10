"""Every page type in every language: status, language, titles, the language switcher,
hreflang alternates, JSON-LD and prices."""

import datetime

import pytest
from wagtail.models import Page

from tests import factories
from tests.conftest import republish
from tests.helpers import (
    HTML_LANG,
    LANGUAGE_NAMES,
    LANGUAGES,
    PAGE_KINDS,
    TITLES,
    accessible_text,
    alternate_links,
    json_ld,
    parse,
    path,
    switcher_links,
    text,
)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_renders_in_its_language(client, tree, kind, language):
    response = client.get(path(kind, language))

    assert response.status_code == 200
    doc = parse(response)
    assert doc.html["lang"] == HTML_LANG[language]
    assert response["Content-Language"] == language
    assert text(doc.title).startswith(TITLES[kind][language])
    if kind != "home":
        assert text(doc.h1) == TITLES[kind][language]
    # Nothing of another language's copy of the page leaks in.
    for other in LANGUAGES:
        if other != language and TITLES[kind][other] != TITLES[kind][language]:
            assert TITLES[kind][other] not in text(doc.find("main"))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_urls_carry_the_language_prefix(tree, kind, language):
    assert tree.pages(kind)[language].get_url() == path(kind, language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_language_switcher_points_at_the_same_page_in_each_language(client, tree, kind, language):
    doc = parse(client.get(path(kind, language)))

    links = doc.select("nav.lang-switch a")
    assert [accessible_text(a) for a in links] == [LANGUAGE_NAMES[c] for c in LANGUAGES]
    assert switcher_links(doc) == {HTML_LANG[c]: path(kind, c) for c in LANGUAGES}
    for a in links:
        # Each name is written in its own language, for screen readers too.
        assert a["lang"] == a["hreflang"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_switcher_marks_the_current_language(client, tree, language):
    doc = parse(client.get(path("excursion", language)))

    current = [a["hreflang"] for a in doc.select("nav.lang-switch a[aria-current]")]
    assert current == [HTML_LANG[language]]


def test_untranslated_page_switches_to_the_other_languages_home(client, tree):
    response = client.get("/ru/only-russian/")

    assert response.status_code == 200
    doc = parse(response)
    assert switcher_links(doc) == {"ru": "/ru/only-russian/", "en": "/en/", "zh-Hans": "/zh/"}
    # Search engines hear only of the Russian page: there is no translation to point at.
    alternates = alternate_links(doc)
    assert set(alternates) == {"ru", "x-default"}
    assert alternates["ru"].endswith("/ru/only-russian/")


def test_draft_translation_is_not_offered(client, tree):
    page = factories.StandardPageFactory(parent=tree.home["ru"], title="Правила", slug="rules")
    page = republish(page)
    draft = page.copy_for_translation(tree.locales["en"])
    assert not draft.live

    doc = parse(client.get("/ru/rules/"))

    assert switcher_links(doc)["en"] == "/en/"
    assert "en" not in alternate_links(doc)
    assert client.get("/en/rules/").status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_hreflang_alternates_list_every_translation(client, tree, kind, language):
    doc = parse(client.get(path(kind, language)))

    alternates = alternate_links(doc)
    assert set(alternates) == {"ru", "en", "zh-Hans", "x-default"}
    for code in LANGUAGES:
        href = alternates[HTML_LANG[code]]
        assert href.startswith(("http://", "https://")), "hreflang needs absolute URLs"
        assert href.endswith(path(kind, code))
    assert alternates["x-default"] == alternates["ru"]
    canonical = doc.select_one('link[rel="canonical"]')["href"]
    assert canonical == alternates[HTML_LANG[language]]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("kind", "schema_type"),
    [
        ("home", "TravelAgency"),
        ("excursion", "TouristTrip"),
        ("event", "Event"),
        ("yacht", "Product"),
    ],
)
def test_json_ld_describes_the_page(client, tree, kind, schema_type, language):
    doc = parse(client.get(path(kind, language)))

    (data,) = json_ld(doc)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == schema_type
    assert data["name"] == TITLES[kind][language]
    assert data["url"].endswith(path(kind, language))


@pytest.mark.parametrize("language", LANGUAGES)
def test_json_ld_of_an_excursion_offers_the_lowest_active_price(client, tree, language):
    (data,) = json_ld(parse(client.get(path("excursion", language))))

    assert data["offers"]["@type"] == "AggregateOffer"
    assert data["offers"]["lowPrice"] == "1500.00"  # 500 is not on sale
    assert data["offers"]["priceCurrency"] == "RUB"
    assert data["image"].startswith("http")


@pytest.mark.parametrize("language", LANGUAGES)
def test_json_ld_of_an_event_has_its_next_departure(client, tree, language):
    (data,) = json_ld(parse(client.get(path("event", language))))

    departure = tree.departures["event"]
    start = datetime.datetime.fromisoformat(data["startDate"])
    assert start == departure.starts_at
    assert start.utcoffset() == datetime.timedelta(hours=3), "in the pier's time zone"
    assert datetime.datetime.fromisoformat(data["endDate"]) == departure.ends_at
    assert data["location"]["@type"] == "Place"
    assert data["offers"]["@type"] == "Offer"
    assert data["offers"]["price"] == "2800.50"


def test_json_ld_cannot_be_broken_out_of(client, tree):
    page = tree.excursion["ru"]
    page.title = "Ночь </script><script>alert(1)</script>"
    page.save_revision().publish()

    response = client.get(path("excursion", "ru"))

    assert b"<script>alert(1)" not in response.content
    (data,) = json_ld(parse(response))
    assert data["name"] == "Ночь </script><script>alert(1)</script>"


@pytest.mark.parametrize(
    ("language", "og_locale"), [("ru", "ru_RU"), ("en", "en_US"), ("zh-hans", "zh_CN")]
)
def test_open_graph_locale_matches_the_language(client, tree, language, og_locale):
    doc = parse(client.get(path("excursion", language)))

    assert doc.select_one('meta[property="og:locale"]')["content"] == og_locale


@pytest.mark.parametrize(
    ("kind", "language", "price"),
    [
        ("excursion", "ru", "1\u00a0500\u00a0₽"),
        ("excursion", "en", "1,500\u00a0₽"),
        ("excursion", "zh-hans", "1,500\u00a0₽"),
        ("event", "ru", "2\u00a0800,50\u00a0₽"),
        ("event", "en", "2,800.50\u00a0₽"),
        ("yacht", "ru", "18\u00a0000\u00a0₽"),
    ],
)
def test_product_page_shows_the_from_price_in_roubles(client, tree, kind, language, price):
    doc = parse(client.get(path(kind, language)))

    shown = doc.select_one(".facts__price").get_text()
    assert price in shown
    assert shown.count("₽") == 1


@pytest.mark.parametrize(
    ("kind", "badge"),
    [("excursion", "excursion"), ("event", "event"), ("yacht", "rental")],
)
def test_product_page_shows_its_facts(client, tree, kind, badge):
    doc = parse(client.get(path(kind, "ru")))

    assert doc.select_one(f".product-hero .badge--{badge}") is not None
    facts = text(doc.select_one("dl.facts"))
    assert "90" in facts  # duration in minutes
    assert tree.products[kind].venue.name in facts


def test_product_page_shows_the_next_departure_in_the_piers_time(client, tree):
    doc = parse(client.get(path("excursion", "ru")))

    shown = doc.select_one("dl.facts time")["datetime"]
    assert datetime.datetime.fromisoformat(shown) == tree.departures["excursion"].starts_at
    assert shown.endswith("21:00:00+03:00")


def test_product_page_without_product_or_price_still_renders(client, tree):
    page = factories.ExcursionPageFactory(
        parent=tree.listing["ru"], title="Скоро", slug="soon", product=None
    )
    republish(page)

    response = client.get("/ru/excursions/soon/")

    assert response.status_code == 200
    doc = parse(response)
    assert doc.select_one(".facts__price") is None
    (data,) = json_ld(doc)
    assert "offers" not in data


def test_home_page_features_product_pages_of_its_language(client, tree):
    doc = parse(client.get("/en/"))

    cards = [a["href"] for a in doc.select("li.card a.card__link")]
    assert sorted(cards) == sorted(path(k, "en") for k in ("excursion", "event", "yacht"))


def test_main_menu_lists_the_pages_of_the_active_language(client, tree):
    doc = parse(client.get("/zh/about/"))

    menu = {a.get_text(strip=True): a["href"] for a in doc.select("nav.main-nav li a")}
    assert menu == {"游船游览": "/zh/excursions/", "关于我们": "/zh/about/"}
    assert doc.select_one('nav.main-nav a[aria-current="page"]')["href"] == "/zh/about/"


def test_footer_links_legal_documents_in_the_active_language(client, tree):
    doc = parse(client.get("/en/excursions/"))

    footer_links = [a["href"] for a in doc.select("footer.site-footer .plain-list a")]
    assert footer_links == ["/en/about/"]


def test_unpublished_page_is_not_served(client, tree):
    page = Page.objects.get(pk=tree.yacht["en"].pk)
    page.unpublish()

    assert client.get(path("yacht", "en")).status_code == 404
    assert client.get(path("yacht", "ru")).status_code == 200
    doc = parse(client.get(path("yacht", "ru")))
    assert switcher_links(doc)["en"] == "/en/"


@pytest.mark.parametrize("prefix", ["zh-hans", "ZH", "de"])
def test_other_language_prefixes_are_not_served(client, tree, prefix):
    assert client.get(f"/{prefix}/excursions/").status_code == 404
