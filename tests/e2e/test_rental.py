"""A yacht rented for three hours on a 375-px phone, in Chromium against the live server
and the YooKassa emulator:

the yacht page → a date (the date field reloads the day) → the timeline shows the busy
time → a start and 3 hours → the price from the server → «Забронировать яхту» → the hold
page with the rental's end → checkout → the emulator's "Pay" → the paid order with the
rental's times, one ticket for the whole boat."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from booking.models import Order, RentalBooking, Ticket, VesselOccupancy
from content.models import ListingPage
from tests import factories
from tests.conftest import republish
from tests.e2e.conftest import PHONE, snap, watched_tab
from tests.e2e.test_booking import db
from tests.e2e.test_purchase import fill_checkout, pay_button, shop
from tests.factories import next_weekday, rental_plan

__all__ = ["shop"]  # the purchase tests' fixture: the site with the emulator notifying it

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PATH = "/ru/excursions/white-night/"


@pytest.fixture
def yacht(site):
    """The booking tests' site with a yacht rented by the hour; on a Tuesday ahead an
    excursion keeps the vessel busy 14:00–16:00 (committed before Playwright starts)."""
    plan = rental_plan(code="white-night", hourly=("9000", "11000"))
    day = next_weekday(1, timezone.localdate())
    other = factories.ProductFactory(kind="excursion")
    departure = factories.general_departure(
        product=other,
        vessel=plan.vessel,
        venue=plan.venue,
        starts_at=factories.moscow_datetime(day, 14),
    )
    departure.ends_at = departure.starts_at + datetime.timedelta(hours=2)
    departure.save()
    listing = ListingPage.objects.get(slug="excursions", locale__language_code="ru")
    republish(
        factories.YachtPageFactory(
            parent=listing,
            title="Белая ночь",
            slug="white-night",
            product=plan.product,
            intro="Парусная яхта на вечер.",
            body=factories.stream(("booking", {"product": plan.product.pk, "title": ""})),
        )
    )
    return {"plan": plan, "day": day}


@pytest.fixture
def phone(site, chromium):
    """A 375-px phone of a Russian-speaking visitor; page errors and policy violations
    fail the test."""
    yield from watched_tab(chromium.new_context(viewport={"width": 375, "height": 812}, **PHONE))


def test_a_yacht_is_rented_for_three_hours_on_a_phone_and_paid(site, shop, yacht, phone):
    tab = phone
    day = yacht["day"]
    tab.goto(site.url + PATH)
    booking = tab.locator("section.booking--rental")
    expect(booking.get_by_role("heading", level=2)).to_be_visible()

    # The date field: choosing a day reloads the page with that day's timeline.
    booking.get_by_label("Дата").fill(day.isoformat())
    expect(tab).to_have_url(re.compile(rf"rental_date={day.isoformat()}"))
    booking = tab.locator("section.booking--rental")
    timeline = booking.locator("[data-rental-timeline]")
    expect(timeline.locator("td.is-busy")).to_have_text(re.compile(r"Занято\s*14:00–16:00"))
    expect(timeline.locator("td.is-free").first).to_contain_text("Свободно")
    # The page itself never scrolls sideways on the phone: the timeline scrolls inside.
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    snap(tab, "1-day")

    form = booking.locator("form[data-rental-form]")
    form.get_by_label("Начало").select_option(label="18:00")
    form.get_by_label("Продолжительность").select_option("180")
    form.get_by_label("Гостей").select_option("6")
    # Tuesday: 3 h × 9 000 ₽ + the fixed 2 000 ₽.
    total = form.locator("[data-rental-total]")
    expect(total).to_have_text(re.compile(r"^29\s000\s₽$"))
    # An extra changes the price: the welcome drink, once.
    form.get_by_label(re.compile("Приветственный напиток")).check()
    expect(total).to_have_text(re.compile(r"^30\s500\s₽$"))
    snap(tab, "2-price")
    form.get_by_role("button", name="Забронировать яхту").click()

    expect(tab).to_have_url(re.compile(r"/ru/booking/hold/[\w-]+/$"))
    facts = tab.locator(".hold-facts")
    expect(facts).to_contain_text("18:00")
    expect(facts).to_contain_text("21:00")
    expect(tab.locator("main")).to_contain_text(re.compile(r"30\s500"))
    snap(tab, "3-hold")
    tab.locator(".hold-checkout a").click()
    expect(tab).to_have_url(re.compile(r"/ru/booking/checkout/[\w-]+/$"))
    form = fill_checkout(tab)
    pay_button(form).click()

    expect(tab).to_have_url(re.compile(rf"^{re.escape(shop.url)}/checkout/"))
    expect(tab.locator(".amount")).to_have_text("30500.00 ₽")
    tab.get_by_role("button", name="Оплатить · Pay").click()
    expect(tab).to_have_url(re.compile(r"/ru/booking/order/[A-Z0-9]{8}/[\w-]+/$"))
    expect(tab.locator("h1")).to_have_text(re.compile("Оплачено"), timeout=20_000)
    order_facts = tab.locator(".hold-facts")
    expect(order_facts).to_contain_text("18:00")
    expect(order_facts).to_contain_text("21:00")
    snap(tab, "4-order")

    def sold():
        order = Order.objects.get()
        departure = order.departure
        rental = RentalBooking.objects.get(departure=departure)
        occupancy = VesselOccupancy.objects.get(departure=departure)
        return (
            order.status,
            order.total,
            Ticket.objects.filter(order=order).count(),
            timezone.localtime(departure.starts_at).strftime("%H:%M"),
            timezone.localtime(departure.ends_at).strftime("%H:%M"),
            rental.guests,
            timezone.localtime(occupancy.ends_at).strftime("%H:%M"),
        )

    status, paid, tickets, starts, ends, guests, busy_until = db(sold)
    assert (status, tickets, starts, ends, guests) == ("paid", 1, "18:00", "21:00", 6)
    assert paid == 30500
    assert busy_until == "21:30"
