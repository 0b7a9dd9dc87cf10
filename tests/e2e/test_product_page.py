"""On a phone, the demo yacht pages in each language: the header's "Buy tickets" link
leads to the booking block, which sits right below the header. North Star's fixed time
slots (drawn by the JavaScript widget) say the boat is available, not how many places
are left; White Night, rented by the hour, shows its day's timeline and the rental form
with the price."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGES = {
    "ru": ("/ru/yachts/yacht-north-star/", "Купить билеты", "Свободна", "Осталось мест"),
    "en": ("/en/yachts/yacht-north-star/", "Buy tickets", "Available", "Places left"),
    "zh": ("/zh/yachts/yacht-north-star/", "购票", "可预订", "剩余"),
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


RENTAL = {
    "ru": ("/ru/yachts/yacht-white-night/", "Купить билеты", "Свободно", "Итого"),
    "en": ("/en/yachts/yacht-white-night/", "Buy tickets", "Free", "Total"),
    "zh": ("/zh/yachts/yacht-white-night/", "购票", "空闲", "合计"),
}


def test_the_rented_yacht_on_a_phone(tab, demo_site):
    tab.set_viewport_size({"width": 375, "height": 812})
    for path, buy, free, total in RENTAL.values():
        tab.goto(demo_site + path)
        booking = tab.locator("section.booking--rental")
        assert booking.bounding_box()["y"] < 2 * 812, path

        tab.locator("header.product-hero").get_by_role("link", name=buy).click()
        expect(booking).to_be_in_viewport()
        expect(booking.locator("[data-rental-timeline] td.is-free").first).to_contain_text(free)
        # The price of the first start and the shortest rental, from the server.
        price = booking.locator("[data-rental-price]")
        expect(price).to_be_visible()
        expect(price).to_contain_text(total)
        expect(booking.locator("[data-rental-total]")).to_have_text(re.compile(r"\d.*₽"))
        assert tab.evaluate("document.documentElement.scrollWidth") <= 375, path
