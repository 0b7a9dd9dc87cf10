"""On a phone, a demo yacht page in each language: the header's "Buy tickets" link
leads to the booking block, which sits right below the header, and the rental's time
slots (drawn by the JavaScript widget) say the boat is available, not how many places
are left."""

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGES = {
    "ru": ("/ru/yachts/yacht-white-night/", "Купить билеты", "Свободна", "Осталось мест"),
    "en": ("/en/yachts/yacht-white-night/", "Buy tickets", "Available", "Places left"),
    "zh": ("/zh/yachts/yacht-white-night/", "购票", "可预订", "剩余"),
}


def test_yacht_page_on_a_phone(tab, demo_site):
    tab.set_viewport_size({"width": 390, "height": 844})
    for path, buy, free, places in PAGES.values():
        tab.goto(demo_site + path)
        booking = tab.locator("section.booking")
        # Right after the header: within two screens of the top, not after the FAQ.
        assert booking.bounding_box()["y"] < 2 * 844, path

        tab.locator("header.product-hero").get_by_role("link", name=buy).click()
        expect(booking).to_be_in_viewport()

        slots = tab.locator(".bw-slot__left")
        expect(slots.first).to_have_text(free)
        assert places not in tab.locator("[data-booking-app]").inner_text(), path
