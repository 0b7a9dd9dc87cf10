"""With the whole-page cache on, as in production: a cached yacht page (the second visit
is a hit) gets its live booking block from the uncached fragment and the widgets work as
on an uncached page, in each language, without script errors or policy violations."""

import pytest
from django.core.cache import caches
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FIXED = {
    "ru": ("/ru/yachts/yacht-north-star/", "Свободна"),
    "en": ("/en/yachts/yacht-north-star/", "Available"),
    "zh": ("/zh/yachts/yacht-north-star/", "可预订"),
}
RENTAL = {
    "ru": ("/ru/yachts/yacht-white-night/", "Итого"),
    "en": ("/en/yachts/yacht-white-night/", "Total"),
    "zh": ("/zh/yachts/yacht-white-night/", "合计"),
}


@pytest.fixture
def cached_site(settings, demo_site):
    settings.PAGE_CACHE_ENABLED = True
    caches["pages"].clear()
    yield demo_site
    caches["pages"].clear()


def visit_twice(tab, url) -> None:
    """The first visit fills the cache outside the browser (the browser would keep the
    page for max-age itself); the tab's visit, as a new visitor, is then a hit."""
    tab.context.clear_cookies()
    tab.request.get(url)
    response = tab.goto(url)
    assert response.headers.get("x-page-cache") == "hit", url


def test_cached_pages_get_the_live_booking_block(tab, cached_site):
    for path, free in FIXED.values():
        visit_twice(tab, cached_site + path)
        booking = tab.locator("section.booking[data-booking]")
        expect(booking.locator(".bw-slot__left").first).to_have_text(free)
        expect(tab.locator("[data-booking-fragment]")).to_have_count(0)

    for path, total in RENTAL.values():
        visit_twice(tab, cached_site + path)
        booking = tab.locator("section.booking--rental")
        price = booking.locator("[data-rental-price]")
        expect(price).to_be_visible()
        expect(price).to_contain_text(total)
