"""Database queries per page view: a small fixed number for each page type, and the
same number however much content a page shows (cards, gallery images, blocks, results).

Each page is rendered once first, so that one-off work (image renditions, the site
root paths cache, the company settings row) is not counted."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from tests.conftest import republish, translate
from tests.helpers import LANGUAGES, card_links, parse, path

# Measured on Wagtail 8.0 / Django 5.2 with the `tree` fixture, the same in every
# language: the page is found by its url_path (content.routing) in two queries with
# what its template shows. Tests render the menu and footer (the fragment cache is off).
MAX_QUERIES = {
    "home": 11,
    "listing": 14,  # one more for the kinds its type filter offers
    "excursion": 8,
    "event": 8,
    "yacht": 8,
    "standard": 7,
}


def count_queries(client, url, status=200) -> int:
    assert client.get(url).status_code == status  # warm-up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == status
    return len(queries)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(MAX_QUERIES))
def test_page_view_query_count(client, tree, django_assert_max_num_queries, kind, language):
    url = path(kind, language)
    print(kind, language, count_queries(client, url))

    with django_assert_max_num_queries(MAX_QUERIES[kind]):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("url", "status", "maximum"),
    [
        ("/ru/search/?q=Kronverk", 200, 13),
        ("/sitemap.xml", 200, 5),
        ("/en/no-such-page/", 404, 8),
        ("/robots.txt", 200, 0),
        ("/", 302, 0),
    ],
)
def test_other_views_query_count(client, tree, django_assert_max_num_queries, url, status, maximum):
    print(url, count_queries(client, url, status))

    with django_assert_max_num_queries(maximum):
        assert client.get(url).status_code == status


def add_product_pages(parent, pier, count, prefix):
    """Product pages as marketers make them: an image, a product with two prices and a
    departure."""
    for n in range(count):
        product = factories.ProductFactory(venue=pier)
        factories.TicketTypeFactory(product=product, price=1000 + n)
        factories.TicketTypeFactory(product=product, price=700 + n)
        factories.DepartureFactory(product=product)
        page_factory = (
            factories.ExcursionPageFactory,
            factories.EventPageFactory,
            factories.YachtPageFactory,
        )[n % 3]
        republish(
            page_factory(
                parent=parent,
                title=f"{prefix} {n}",
                slug=f"{prefix}-{n}",
                product=product,
                image=factories.ImageFactory(),
            )
        )


def test_listing_queries_do_not_grow_with_cards(client, tree):
    counts = {}
    for size in (3, 12):
        listing = republish(
            factories.ListingPageFactory(
                parent=tree.home["ru"], slug=f"listing-{size}", page_size=20
            )
        )
        add_product_pages(listing, tree.piers["a"], size, f"card{size}")
        url = f"/ru/listing-{size}/"
        assert len(card_links(parse(client.get(url)))) == size
        counts[size] = count_queries(client, url)
        counts[f"{size} filtered"] = count_queries(client, f"{url}?pier=dvortsovaya&kind=event")
    print("listing queries", counts)

    assert counts[3] == counts[12]
    assert counts["3 filtered"] == counts["12 filtered"]


def test_home_queries_do_not_grow_with_featured_cards(client, tree):
    before = count_queries(client, "/ru/")
    add_product_pages(tree.listing["ru"], tree.piers["a"], 3, "more")
    after = count_queries(client, "/ru/")
    print("home queries with 3 and 6 cards", before, after)

    doc = parse(client.get("/ru/"))
    assert len(card_links(doc)) == 6
    assert before == after


def test_gallery_queries_do_not_grow_with_images(client, tree):
    counts = {}
    for size in (2, 8):
        images = [factories.ImageFactory() for _ in range(size)]
        page = factories.StandardPageFactory(
            parent=tree.home["ru"],
            slug=f"gallery-{size}",
            body=factories.stream(factories.gallery(images)),
        )
        republish(page)
        url = f"/ru/gallery-{size}/"
        assert len(parse(client.get(url)).select(".gallery picture")) == size
        counts[size] = count_queries(client, url)
    print("gallery queries", counts)

    assert counts[2] == counts[8]


def test_booking_block_queries_do_not_grow_with_blocks(client, tree):
    counts = {}
    for size in (1, 4):
        products = []
        for _ in range(size):
            product = factories.ProductFactory()
            factories.TicketTypeFactory(product=product)
            factories.TicketTypeFactory(product=product, price=900)
            for day in (1, 2):
                factories.DepartureFactory(
                    product=product,
                    starts_at=factories.moscow_datetime(
                        timezone.localdate() + datetime.timedelta(days=day)
                    ),
                )
            products.append(product)
        page = factories.StandardPageFactory(
            parent=tree.home["ru"],
            slug=f"booking-{size}",
            body=factories.stream(*[("booking", {"product": p.pk, "title": ""}) for p in products]),
        )
        republish(page)
        url = f"/ru/booking-{size}/"
        doc = parse(client.get(url))
        assert len(doc.select("section.booking .booking__price")) == size
        print("departure choices shown", len(doc.select("section.booking input[name=departure]")))
        counts[size] = count_queries(client, url)
    print("booking block queries", counts)

    assert counts[1] == counts[4]


def rich_body(tree, copies: int) -> list[dict]:
    """Every block type, `copies` times each (the hero at most once)."""
    blocks = []
    for n in range(copies):
        product = factories.ProductFactory(venue=tree.piers["a"])
        factories.TicketTypeFactory(product=product)
        image = factories.ImageFactory()
        if n == 0:
            blocks.append(
                (
                    "hero",
                    {
                        "title": "Белые ночи",
                        "subtitle": "",
                        "image": image.pk,
                        "button_label": "Выбрать",
                        "button_link": tree.listing["ru"].pk,
                    },
                )
            )
        blocks += [
            ("text", f"<p>Абзац {n}</p>"),
            factories.gallery([image]),
            ("faq", {"title": "", "questions": [{"question": "Можно?", "answer": "<p>Да</p>"}]}),
            (
                "highlights",
                {"title": "", "items": [{"icon": "clock", "title": "90 минут", "text": ""}]},
            ),
            ("route", {"title": "", "pier": tree.piers["b"].pk, "stops": ["Эрмитаж"]}),
            (
                "call_to_action",
                {
                    "title": "Подарите прогулку",
                    "text": "",
                    "button_label": "Выбрать",
                    "link": {"page": tree.standard["ru"].pk, "url": ""},
                },
            ),
            ("booking", {"product": product.pk, "title": ""}),
        ]
    return factories.stream(*blocks)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_body_queries_do_not_grow_with_blocks(client, tree, language):
    counts = {}
    for copies in (1, 4):
        page = factories.StandardPageFactory(
            parent=tree.home["ru"], slug=f"rich-{copies}", body=rich_body(tree, copies)
        )
        page = republish(page)
        if language != "ru":
            page = translate(page, tree.locales[language])
        url = f"/{language}/rich-{copies}/"
        assert len(parse(client.get(url)).select("section.cta")) == copies
        counts[copies] = count_queries(client, url)
    print(f"body queries ({language}) with 1 and 4 of each block", counts)

    assert counts[1] == counts[4]


def test_search_queries_do_not_grow_with_results(client, tree):
    counts = {}
    for size in (3, 12):
        listing = republish(
            factories.ListingPageFactory(parent=tree.home["ru"], slug=f"found-{size}")
        )
        add_product_pages(listing, tree.piers["a"], size, f"Находка{size}")
        url = f"/ru/search/?q=Находка{size}"
        assert len(parse(client.get(url)).select("ol.search-results li")) == min(size, 10)
        counts[size] = count_queries(client, url)
    print("search queries", counts)

    assert counts[3] == counts[12]


def test_sitemap_queries_do_not_grow_with_pages(client, tree):
    before = count_queries(client, "/sitemap.xml")
    add_product_pages(tree.listing["ru"], tree.piers["a"], 6, "extra")
    after = count_queries(client, "/sitemap.xml")
    print("sitemap queries", before, after)

    assert before == after


def test_menu_queries_do_not_grow_with_menu_items(client, tree):
    before = count_queries(client, "/ru/about/")
    for n in range(5):
        republish(
            factories.StandardPageFactory(
                parent=tree.home["ru"], slug=f"menu-{n}", show_in_menus=True
            )
        )
    after = count_queries(client, "/ru/about/")
    print("menu queries", before, after)

    assert len(parse(client.get("/ru/about/")).select("nav.main-nav li")) == 7
    assert before == after
