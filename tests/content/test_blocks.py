"""The StreamField blocks as visitors see them, in each language, and when what they
point at has been deleted."""

import pytest

from tests import factories
from tests.conftest import republish, translate
from tests.helpers import parse, text


@pytest.fixture(scope="module")
def _module_rich_page(_module_tree, django_db_blocker):
    """Built once, inside the module's transaction (see `_module_tree`)."""
    with django_db_blocker.unblock():
        return build_rich_page(_module_tree)


@pytest.fixture
def rich_page(_module_rich_page, tree):
    return _module_rich_page


def build_rich_page(tree):
    """A page with one block of each type, translated into English and Chinese."""
    product = factories.ProductFactory(name="Салют", name_en="Fireworks", name_zh="烟花")
    factories.TicketTypeFactory(product=product, price=1500)
    image = factories.ImageFactory(title="Мост")
    body = factories.stream(
        (
            "hero",
            {
                "title": "Белые ночи",
                "subtitle": "Прогулки",
                "image": image.pk,
                "button_label": "Выбрать",
                "button_link": tree.listing["ru"].pk,
            },
        ),
        ("text", "<p>Абзац текста</p>"),
        factories.gallery([image, factories.ImageFactory(title="Нева")]),
        (
            "faq",
            {"title": "Вопросы", "questions": [{"question": "С детьми?", "answer": "<p>Да</p>"}]},
        ),
        (
            "highlights",
            {"title": "", "items": [{"icon": "clock", "title": "90 минут", "text": ""}]},
        ),
        ("route", {"title": "Маршрут", "pier": tree.piers["a"].pk, "stops": ["Эрмитаж"]}),
        (
            "call_to_action",
            {
                "title": "Подарите прогулку",
                "text": "",
                "button_label": "Подробнее",
                "link": {"page": tree.standard["ru"].pk, "url": ""},
            },
        ),
        ("booking", {"product": product.pk, "title": ""}),
    )
    page = republish(factories.StandardPageFactory(parent=tree.home["ru"], slug="rich", body=body))
    return {
        "ru": page,
        "en": translate(page, tree.locales["en"]),
        "zh-hans": translate(page, tree.locales["zh-hans"]),
    }


@pytest.mark.parametrize(("language", "prefix"), [("ru", "ru"), ("en", "en"), ("zh-hans", "zh")])
def test_every_block_renders(client, rich_page, language, prefix):
    response = client.get(f"/{prefix}/rich/")

    assert response.status_code == 200
    doc = parse(response)
    for selector in (
        "section.hero",
        ".prose",
        "section.gallery",
        "section.faq details",
        "section.highlights",
        "section.route",
        "section.cta",
        "section.booking",
    ):
        assert doc.select_one(selector) is not None, selector
    assert len(doc.select("section.gallery picture")) == 2


@pytest.mark.parametrize(("language", "prefix"), [("ru", "ru"), ("en", "en"), ("zh-hans", "zh")])
def test_block_links_go_to_the_page_in_the_visitors_language(client, rich_page, language, prefix):
    doc = parse(client.get(f"/{prefix}/rich/"))

    assert doc.select_one("section.hero a.button")["href"] == f"/{prefix}/excursions/"
    assert doc.select_one("section.cta a.button")["href"] == f"/{prefix}/about/"


@pytest.mark.parametrize(
    ("prefix", "name", "address", "price"),
    [
        ("ru", "Салют", "Дворцовая набережная, 38", "1\u00a0500\u00a0₽"),
        ("en", "Fireworks", "38 Dvortsovaya Embankment", "1,500\u00a0₽"),
        ("zh", "烟花", "宫殿堤岸38号", "1,500\u00a0₽"),
    ],
)
def test_booking_and_route_blocks_speak_the_visitors_language(
    client, tree, rich_page, prefix, name, address, price
):
    doc = parse(client.get(f"/{prefix}/rich/"))

    booking = doc.select_one("section.booking")
    assert text(booking.select_one(".booking__product")) == name
    assert price in booking.select_one(".booking__price").get_text()
    route = doc.select_one("section.route")
    assert address in text(route)
    assert route.select_one('a[href^="https://yandex.ru/maps/"]') is not None


def test_blocks_survive_deleted_targets(client, tree):
    """A product, pier or image that a block points at is deleted later: the page still
    renders, without that block's content."""
    product = factories.ProductFactory()
    pier = factories.VenueFactory()
    image = factories.ImageFactory()
    body = factories.stream(
        ("booking", {"product": product.pk, "title": ""}),
        ("route", {"title": "Маршрут", "pier": pier.pk, "stops": []}),
        factories.gallery([image]),
    )
    republish(factories.StandardPageFactory(parent=tree.home["ru"], slug="orphans", body=body))
    product.delete()
    product.venue.delete()
    pier.delete()
    image.delete()

    response = client.get("/ru/orphans/")

    assert response.status_code == 200
    doc = parse(response)
    assert doc.select("section.booking") == []
    assert doc.select("section.route .route__pier") == []
