"""The listing page: filters by kind, pier and date, paging, and bad input."""

import datetime

import pytest
from django.utils import timezone

from booking.models import Departure
from tests import factories
from tests.conftest import republish
from tests.helpers import card_links, parse, path, text

LISTING = path("listing", "ru")
ALL = {path(k, "ru") for k in ("excursion", "event", "yacht")}


def cards(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return set(card_links(parse(response)))


def day(offset: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=offset)).isoformat()


def test_listing_shows_every_product_page_below_it(client, tree):
    assert cards(client, LISTING) == ALL


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_listing_shows_the_cards_of_its_own_language(client, tree, language):
    expected = {path(k, language) for k in ("excursion", "event", "yacht")}
    assert cards(client, path("listing", language)) == expected


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("excursion", "excursion"), ("event", "event"), ("rental", "yacht")],
)
def test_filter_by_kind(client, tree, kind, expected):
    assert cards(client, LISTING, kind=kind) == {path(expected, "ru")}


@pytest.mark.parametrize(
    ("pier", "expected"),
    [("dvortsovaya", {"excursion", "yacht"}), ("letniy-sad", {"event"})],
)
def test_filter_by_pier(client, tree, pier, expected):
    assert cards(client, LISTING, pier=pier) == {path(k, "ru") for k in expected}


def test_filter_by_date_keeps_products_with_a_scheduled_departure_that_day(client, tree):
    assert cards(client, LISTING, date=day(3)) == {path("excursion", "ru")}
    assert cards(client, LISTING, date=day(5)) == {path("event", "ru")}
    assert cards(client, LISTING, date=day(4)) == set()


def test_filter_by_date_uses_the_moscow_day(client, tree):
    """A departure at 00:30 Moscow time is on that Moscow day, although it is still the
    previous day in UTC."""
    start = factories.moscow_datetime(timezone.localdate() + datetime.timedelta(days=9), 0)
    start += datetime.timedelta(minutes=30)
    factories.DepartureFactory(product=tree.products["yacht"], starts_at=start)

    assert cards(client, LISTING, date=day(9)) == {path("yacht", "ru")}
    assert cards(client, LISTING, date=day(8)) == set()


def test_filter_by_date_ignores_cancelled_departures(client, tree):
    factories.DepartureFactory(
        product=tree.products["yacht"],
        starts_at=factories.moscow_datetime(timezone.localdate() + datetime.timedelta(days=7)),
        status=Departure.Status.CANCELLED,
    )

    assert cards(client, LISTING, date=day(7)) == set()


def test_filter_by_date_lists_a_product_once_however_many_departures(client, tree):
    for hour in (10, 12, 14):
        factories.DepartureFactory(
            product=tree.products["excursion"],
            starts_at=factories.moscow_datetime(
                timezone.localdate() + datetime.timedelta(days=3), hour
            ),
        )
    doc = parse(client.get(LISTING, {"date": day(3)}))

    assert card_links(doc) == [path("excursion", "ru")]
    assert "1" in text(doc.select_one(".result-count"))


def test_filters_combine(client, tree):
    assert cards(client, LISTING, kind="excursion", pier="dvortsovaya") == {path("excursion", "ru")}
    assert cards(client, LISTING, kind="event", pier="dvortsovaya") == set()
    assert cards(client, LISTING, kind="event", pier="letniy-sad", date=day(5)) == {
        path("event", "ru")
    }


def test_empty_result_says_so(client, tree):
    doc = parse(client.get(LISTING, {"kind": "event", "pier": "dvortsovaya"}))

    assert doc.select_one("p.empty") is not None
    assert doc.select("li.card") == []


def test_filter_form_keeps_the_chosen_values(client, tree):
    doc = parse(client.get(LISTING, {"kind": "event", "pier": "letniy-sad", "date": day(5)}))

    assert doc.select_one("#f-kind option[selected]")["value"] == "event"
    assert doc.select_one("#f-pier option[selected]")["value"] == "letniy-sad"
    assert doc.select_one("#f-date")["value"] == day(5)


def test_pier_names_are_in_the_visitors_language(client, tree):
    doc = parse(client.get(path("listing", "en")))

    options = {o.get_text(strip=True) for o in doc.select("#f-pier option") if o["value"]}
    assert options == {tree.piers["a"].name_en, tree.piers["b"].name_en}


def test_cards_show_the_from_price(client, tree):
    doc = parse(client.get(LISTING))

    prices = {
        card.select_one("a.card__link")["href"]: card.select_one(".card__price").get_text()
        for card in doc.select("li.card")
    }
    assert "1\u00a0500\u00a0₽" in prices[path("excursion", "ru")]
    assert "2\u00a0800,50\u00a0₽" in prices[path("event", "ru")]
    assert "18\u00a0000\u00a0₽" in prices[path("yacht", "ru")]


@pytest.fixture(scope="module")
def _module_long_listing(_module_tree, django_db_blocker):
    """Built once, inside the module's transaction (see `_module_tree`)."""
    with django_db_blocker.unblock():
        return build_long_listing(_module_tree)


@pytest.fixture
def long_listing(_module_long_listing, tree):
    return _module_long_listing


def build_long_listing(tree):
    """A listing of seven excursions, three to a page."""
    listing = republish(
        factories.ListingPageFactory(
            parent=tree.home["ru"], title="Все рейсы", slug="all", page_size=3
        )
    )
    pier = tree.piers["a"]
    pages = []
    for n in range(7):
        product = factories.ProductFactory(venue=pier)
        factories.TicketTypeFactory(product=product)
        page = factories.ExcursionPageFactory(
            parent=listing, title=f"Рейс {n}", slug=f"trip-{n}", product=product
        )
        pages.append(f"/ru/all/trip-{n}/")
        republish(page)
    return pages


def page_of(client, **params):
    response = client.get("/ru/all/", params)
    assert response.status_code == 200
    return parse(response)


def test_paging(client, long_listing):
    first, second, last = (page_of(client, page=n) for n in (1, 2, 3))

    assert card_links(first) == long_listing[0:3]
    assert card_links(second) == long_listing[3:6]
    assert card_links(last) == long_listing[6:7]
    assert "7" in text(first.select_one(".result-count"))
    assert second.select_one('nav.pagination [aria-current="page"]').get_text() == "2"
    assert second.select_one('nav.pagination a[rel="prev"]')["href"] == "?page=1"
    assert second.select_one('nav.pagination a[rel="next"]')["href"] == "?page=3"
    assert last.select_one('nav.pagination a[rel="next"]') is None


def test_paging_keeps_the_filters(client, long_listing):
    doc = page_of(client, pier="dvortsovaya", kind="excursion")

    assert doc.select_one('nav.pagination a[rel="next"]')["href"] == (
        "?kind=excursion&pier=dvortsovaya&page=2"
    )


@pytest.mark.parametrize(
    ("value", "expected_page"),
    [("abc", 1), ("0", 3), ("-1", 3), ("999", 3), ("2.5", 1), ("", 1), ("１", 1)],
)
def test_malformed_page_numbers_show_a_page_rather_than_an_error(
    client, long_listing, value, expected_page
):
    doc = page_of(client, page=value)

    current = doc.select_one('nav.pagination [aria-current="page"]').get_text()
    assert current == str(expected_page)


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "999"},
        {"page": "99999999999999999999999999"},
        {"date": "garbage"},
        {"date": "2025-02-30"},
        {"date": "20250101"},
        {"date": "9999-12-31"},
        {"date": "0001-01-01"},
        {"kind": "evil"},
        {"kind": "<script>alert(1)</script>"},
        {"pier": "no-such-pier"},
        {"pier": "x" * 5000},
        {"pier": "'; drop table booking_venue; --"},
        {"kind": ["excursion", "event"]},
        {"date": "\x00"},
        {"pier": "\x00"},
        {"pier": "dvortsovaya\x00"},
    ],
)
def test_malformed_filters_are_ignored(client, tree, params):
    response = client.get(LISTING, params)

    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


@pytest.mark.parametrize(
    "params", [{"kind": "evil"}, {"pier": "no-such-pier"}, {"date": "garbage"}]
)
def test_ignored_filter_shows_everything(client, tree, params):
    doc = parse(client.get(LISTING, params))

    assert set(card_links(doc)) == ALL
    assert doc.select_one("a.button--ghost") is None  # nothing to reset


def kind_options(client, url) -> set[str]:
    doc = parse(client.get(url))
    return {o["value"] for o in doc.select("#f-kind option") if o["value"]}


def test_type_filter_offers_the_kinds_the_listing_contains(client, tree):
    assert kind_options(client, LISTING) == {"excursion", "event", "rental"}


def test_type_filter_leaves_out_kinds_the_listing_does_not_contain(client, tree):
    excursions = republish(
        factories.ListingPageFactory(parent=tree.home["ru"], slug="excursions-only")
    )
    for n, kind in enumerate(["excursion", "event"]):
        republish(
            factories.ExcursionPageFactory(
                parent=excursions,
                slug=f"only-{n}",
                product=factories.ProductFactory(venue=tree.piers["a"], kind=kind),
            )
        )
    # A rental elsewhere on the site is not a reason to offer "Rental" here.
    assert kind_options(client, "/ru/excursions-only/") == {"excursion", "event"}
