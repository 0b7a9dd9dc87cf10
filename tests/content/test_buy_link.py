"""The booking block is near the top of the demo's product pages, and a product page's
header links to it ("Buy tickets") whenever the page has one."""

import pytest

from demo import pages
from tests import factories
from tests.conftest import republish, translate
from tests.helpers import PREFIX, parse, text

BUY = {"ru": "Купить билеты", "en": "Buy tickets", "zh-hans": "购票"}


def test_demo_product_pages_put_the_booking_block_right_after_the_introduction():
    product_pages = [spec for spec in pages.PAGES if spec.product]
    assert len(product_pages) >= 9
    for spec in product_pages:
        types = [block["type"] for block in spec.body]
        # The page's introduction is the header's lead; the body starts with the booking.
        assert types[0] == "booking", (spec.key, types)
        assert types.count("booking") == 1, spec.key


@pytest.fixture
def booked_page(tree):
    body = factories.stream(
        ("text", "<p>О прогулке</p>"),
        ("booking", {"product": tree.products["excursion"].pk, "title": ""}),
    )
    page = republish(
        factories.ExcursionPageFactory(
            parent=tree.listing["ru"],
            title="Ночные мосты",
            slug="night-bridges",
            product=tree.products["excursion"],
            intro="Развод мостов с воды.",
            body=body,
        )
    )
    return {
        "ru": page,
        "en": translate(page, tree.locales["en"], title="Night bridges"),
        "zh-hans": translate(page, tree.locales["zh-hans"], title="夜游开桥"),
    }


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_product_page_header_links_to_its_booking_block(client, booked_page, language):
    doc = parse(client.get(f"/{PREFIX[language]}/excursions/night-bridges/"))

    link = doc.select_one("header.product-hero a[href^='#']")
    assert link is not None
    assert text(link) == BUY[language]
    target = doc.select_one(link["href"])
    assert target is not None and "booking" in target["class"]


@pytest.mark.parametrize("kind", ["excursion", "event", "yacht"])
def test_product_page_without_a_booking_block_has_no_buy_link(client, tree, kind):
    page = tree.pages(kind)["ru"]
    doc = parse(client.get(page.url))

    assert doc.select("section.booking") == []
    assert doc.select("header.product-hero a[href^='#']") == []
    assert BUY["ru"] not in doc.get_text()


def test_no_buy_link_when_the_blocks_product_is_gone(client, tree):
    product = factories.ProductFactory()
    factories.TicketTypeFactory(product=product)
    body = factories.stream(("booking", {"product": product.pk, "title": ""}))
    republish(
        factories.ExcursionPageFactory(
            parent=tree.listing["ru"], slug="gone", product=None, intro="…", body=body
        )
    )
    product.delete()

    doc = parse(client.get("/ru/excursions/gone/"))

    assert doc.select("section.booking") == []
    assert doc.select("header.product-hero a[href^='#']") == []
