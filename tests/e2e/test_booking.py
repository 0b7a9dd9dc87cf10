"""Customers book in a real browser (Debian's Chromium through Playwright) against the
live server: a date in the calendar, a time, then two seats on the SVG seat map with the
countdown running, while a second browser (other cookies, other session) sees those
seats as taken and cannot have them; and a general-admission purchase of 2 adults and
1 child with the steppers, held in the database and shown on the hold page.

The demo (`seed_demo`) takes well over a minute to seed and a live-server test starts
from an empty database, so each test builds the little it needs: the site in Russian,
an assigned-seating excursion with a seat map and a general-admission one, each on its
page with a booking block and with departures tomorrow and the day after."""

import datetime
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect

from booking.models import Hold, SeatClaim, SeatingMode
from tests import factories
from tests.conftest import make_home, make_locales, republish
from tests.factories import seat_map_with_seats

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SEAT_LAYOUT = {
    "sections": [
        {
            "name": "Салон",
            "rows": 3,
            "seats_per_row": 8,
            "aisles_after": [4],
            "seats": {"1-1": {"kind": "wheelchair"}, "3-8": {"kind": "blocked"}},
        }
    ]
}
COUNTDOWN = re.compile(r"^1[45]:[0-5]\d$")  # a fresh 15-minute hold


@dataclass
class Site:
    url: str
    seated_path: str
    general_path: str
    seated: object  # the departure the tests book, day after tomorrow at 15:00
    general: object  # the departure the tests book, day after tomorrow at 12:00
    adult: object
    child: object
    day: datetime.date  # the day after tomorrow, in the piers' time zone


def ticket_types(product, *types):
    return [
        factories.TicketTypeFactory(
            product=product, name=name, name_en=name_en, price=Decimal(price), sort_order=n
        )
        for n, (name, name_en, price) in enumerate(types)
    ]


def departures(product, vessel, capacity=None):
    """12:00 and 15:00 tomorrow and the day after; returns the ones of the day after
    tomorrow, at 15:00 and at 12:00."""
    today = timezone.localdate()
    made = {
        (days, hour): factories.DepartureFactory(
            product=product,
            vessel=vessel,
            capacity=capacity,
            starts_at=factories.moscow_datetime(today + datetime.timedelta(days=days), hour),
        )
        for days in (1, 2)
        for hour in (12, 15)
    }
    return made[2, 15], made[2, 12]


def product_page(parent, product, slug, title):
    body = factories.stream(("booking", {"product": product.pk, "title": ""}))
    page = factories.ExcursionPageFactory(
        parent=parent, slug=slug, title=title, product=product, body=body
    )
    return republish(page)


@pytest.fixture
def site(live_server):
    """Committed before Playwright starts (see `tab` in conftest.py)."""
    make_locales()
    home = make_home()
    listing = republish(
        factories.ListingPageFactory(parent=home, title="Экскурсии", slug="excursions")
    )
    pier = factories.VenueFactory(name="Дворцовая пристань")

    seated = factories.ProductFactory(name="Реки и каналы", venue=pier)
    ticket_types(seated, ("Взрослый", "Adult", "1800"), ("Детский", "Child", "1200"))
    vessel = factories.VesselFactory(seating_mode=SeatingMode.ASSIGNED, capacity=24)
    seat_map_with_seats(vessel, layout=SEAT_LAYOUT)
    seated_departure, _noon = departures(seated, vessel)
    product_page(listing, seated, "rivers-and-canals", "Реки и каналы")

    general = factories.ProductFactory(name="Развод мостов", venue=pier)
    adult, child = ticket_types(
        general, ("Взрослый", "Adult", "2200"), ("Детский", "Child", "1500")
    )
    boat = factories.VesselFactory(seating_mode=SeatingMode.GENERAL, capacity=40)
    _afternoon, general_noon = departures(general, boat, capacity=30)
    product_page(listing, general, "night-bridges", "Развод мостов")

    return Site(
        url=live_server.url,
        seated_path="/ru/excursions/rivers-and-canals/",
        general_path="/ru/excursions/night-bridges/",
        seated=seated_departure,
        general=general_noon,
        adult=adult,
        child=child,
        day=timezone.localdate() + datetime.timedelta(days=2),
    )


@pytest.fixture
def customers(site, chromium):
    """Opens tabs, each in its own browser context (own cookies, own session) of a
    Russian-speaking visitor in Saint Petersburg; page errors and policy violations
    fail the test."""
    from tests.e2e.conftest import watch_policies

    contexts, errors, violations = [], [], []

    def open_tab(init_script=None):
        context = chromium.new_context(
            locale="ru-RU",
            timezone_id="Europe/Moscow",
            viewport={"width": 1280, "height": 900},
            # No smooth scrolling: a click lands where the element is.
            reduced_motion="reduce",
        )
        context.set_default_timeout(15_000)
        if init_script:
            context.add_init_script(init_script)
        violations.append(watch_policies(context))
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_tab
    for context in contexts:
        context.close()
    assert errors == []
    assert [v for found in violations for v in found] == []


def db(query):
    """Runs ORM code in a thread of its own and closes its connection there. The test
    thread runs Playwright's event loop, and a connection opened from it would outlive
    the test and block the flush."""

    def run():
        try:
            return query()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def choose_departure(tab, site, path, time):
    """Opens a product page, picks the day after tomorrow in the calendar and a time."""
    tab.goto(site.url + path)
    booking = tab.locator("section.booking")
    expect(booking.locator("[data-booking-app]")).to_be_visible()
    expect(booking.locator("form[data-booking-form]")).to_be_hidden()
    expect(booking.get_by_role("heading", name="Выберите дату")).to_be_visible()
    day = booking.locator(f'button.bw-day[data-date="{site.day.isoformat()}"]')
    if not day.count():  # tomorrow and the day after are in different months
        booking.get_by_role("button", name="Следующий месяц").click()
    expect(day).to_be_enabled()
    day.click()
    expect(day).to_have_attribute("aria-pressed", "true")
    slot = booking.locator("button.bw-slot", has_text=time)
    expect(slot).to_have_count(1)
    slot.click()
    expect(slot).to_have_attribute("aria-pressed", "true")
    return booking


def seat(booking, row, number):
    return booking.get_by_role("checkbox", name=re.compile(rf"^Ряд {row}, место {number},"))


def owner_of(tab) -> str | None:
    """The session key of a tab's browser (what its holds are bound to), if any yet."""
    keys = [c["value"] for c in tab.context.cookies() if c["name"] == "sessionid"]
    return keys[0] if keys else None


# The second browser's map is refreshed every 30 seconds; switched off, its map is sure
# to be stale when the test wants it to be.
NO_SEAT_POLL = """
(() => {
  const setInterval = window.setInterval;
  window.setInterval = function (fn, ms, ...rest) {
    return ms === 30000 ? 0 : setInterval.call(window, fn, ms, ...rest);
  };
})();
"""


def test_two_seats_on_the_map_are_held_and_taken_for_everyone_else(site, customers):
    a = customers()
    booking = choose_departure(a, site, site.seated_path, "15:00")
    expect(booking.get_by_role("heading", name="Выберите места")).to_be_visible()
    expect(booking.locator("svg.bw-map__svg")).to_be_visible()
    seats = booking.locator("svg.bw-map__svg g.bw-seat")
    # 24 seats, one of them blocked (not for sale) and one a wheelchair space.
    expect(seats).to_have_count(24)
    expect(booking.locator("svg.bw-map__svg g.bw-seat.is-free")).to_have_count(23)
    expect(booking.locator("svg.bw-map__svg g.bw-seat.is-wheelchair")).to_have_count(1)
    expect(booking.locator("svg.bw-map__svg g.bw-seat.is-blocked")).to_have_count(1)
    expect(booking.get_by_text("Пока ничего не выбрано.")).to_be_visible()

    first, second = seat(booking, 2, 3), seat(booking, 2, 4)
    expect(first).to_have_attribute("aria-label", "Ряд 2, место 3, Взрослый 1\u00a0800\u00a0₽")
    first.click()
    second.click()

    for chosen in (first, second):
        expect(chosen).to_have_attribute("aria-checked", "true")
        expect(chosen).to_have_class(re.compile(r"\bis-selected\b"))
    lines = booking.locator(".bw-lines > li")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_contain_text("Ряд 2, место 3")
    expect(lines.nth(1)).to_contain_text("Ряд 2, место 4")
    expect(booking.locator(".bw-total")).to_have_text(re.compile(r"Итого\s*3\s600\s₽"))
    timer = booking.get_by_role("timer")
    expect(timer).to_contain_text("Забронировано для вас ещё")
    clock = timer.locator(".bw-timer__clock")
    expect(clock).to_have_text(COUNTDOWN)
    shown = clock.inner_text()
    expect(clock).not_to_have_text(shown, timeout=5_000)  # it counts down
    expect(booking.locator(".bw-summary")).not_to_have_attribute("aria-busy", "true")

    def held():
        holds = list(Hold.objects.filter(departure=site.seated).prefetch_related("lines__seat"))
        return [
            (
                hold.owner_key,
                sorted(
                    (line.seat.row, line.seat.number, line.quantity) for line in hold.lines.all()
                ),
                SeatClaim.objects.filter(hold=hold).count(),
            )
            for hold in holds
        ]

    assert db(held) == [(owner_of(a), [("2", "3", 1), ("2", "4", 1)], 2)]

    # A second customer, in another browser, opens the same departure.
    b = customers(init_script=NO_SEAT_POLL)
    other = choose_departure(b, site, site.seated_path, "15:00")
    for number in (3, 4):
        taken = seat(other, 2, number)
        expect(taken).to_have_attribute(
            "aria-label", f"Ряд 2, место {number}, Забронировано другим покупателем"
        )
        expect(taken).to_have_class(re.compile(r"\bis-held\b"))
        expect(taken).to_have_attribute("aria-disabled", "true")
        expect(taken).to_have_attribute("aria-checked", "false")
    expect(other.locator("svg.bw-map__svg g.bw-seat.is-held")).to_have_count(2)

    # Tapping a taken seat, or choosing it with the keyboard, does not choose it: the
    # widget only says what the seat is.
    announced = other.locator("[data-booking-app] > [role=status]")
    seat(other, 2, 3).scroll_into_view_if_needed()
    seat(other, 2, 3).click(force=True)  # `aria-disabled` would make Playwright wait
    expect(announced).to_have_text("Ряд 2, место 3, Забронировано другим покупателем")
    seat(other, 2, 4).press("Enter")
    expect(announced).to_have_text("Ряд 2, место 4, Забронировано другим покупателем")
    for number in (3, 4):
        expect(seat(other, 2, number)).to_have_attribute("aria-checked", "false")
        expect(seat(other, 2, number)).to_have_class(re.compile(r"\bis-held\b"))
    expect(other.get_by_text("Пока ничего не выбрано.")).to_be_visible()
    expect(other.locator(".bw-lines > li")).to_have_count(0)
    assert db(held) == [(owner_of(a), [("2", "3", 1), ("2", "4", 1)], 2)]

    # The first customer takes one more seat while the second one's map still shows it
    # free; the second one tries it and is told that someone has just taken it.
    stale = seat(other, 2, 5)
    expect(stale).to_have_class(re.compile(r"\bis-free\b"))
    seat(booking, 2, 5).click()
    expect(lines).to_have_count(3)
    expect(booking.locator(".bw-summary")).not_to_have_attribute("aria-busy", "true")
    stale.click()
    expect(other.locator(".bw__alert .booking-notice--error")).to_have_text(
        re.compile(r"^Извините, только что заняли: .*2.*5.*\. Выберите другие места\.$")
    )
    expect(stale).to_have_class(re.compile(r"\bis-held\b"))
    expect(stale).to_have_attribute("aria-checked", "false")
    expect(other.get_by_text("Пока ничего не выбрано.")).to_be_visible()

    assert db(held) == [(owner_of(a), [("2", "3", 1), ("2", "4", 1), ("2", "5", 1)], 3)]
    assert owner_of(b) != owner_of(a)


def test_general_admission_two_adults_and_a_child_get_a_hold(site, customers):
    tab = customers()
    booking = choose_departure(tab, site, site.general_path, "12:00")
    expect(booking.get_by_role("heading", name="Выберите билеты")).to_be_visible()
    expect(booking.locator(".bw-qty__left")).to_have_text("Осталось мест: 30")

    more_adults = booking.get_by_role("button", name="На один билет больше: Взрослый")
    more_children = booking.get_by_role("button", name="На один билет больше: Детский")
    more_adults.click()
    more_adults.click()
    more_children.click()

    rows = booking.locator(".bw-qty__row")
    expect(rows.filter(has_text="Взрослый").locator("input")).to_have_value("2")
    expect(rows.filter(has_text="Детский").locator("input")).to_have_value("1")
    lines = booking.locator(".bw-lines > li")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_have_text(re.compile(r"^Взрослый × 2\s*4\s400\s₽$"))
    expect(lines.nth(1)).to_have_text(re.compile(r"^Детский × 1\s*1\s500\s₽$"))
    expect(booking.locator(".bw-total")).to_have_text(re.compile(r"Итого\s*5\s900\s₽"))
    expect(booking.get_by_role("timer").locator(".bw-timer__clock")).to_have_text(COUNTDOWN)
    expect(booking.locator(".bw-summary")).not_to_have_attribute("aria-busy", "true")
    expect(booking.locator(".bw-qty__left")).to_have_text("Осталось мест: 27")

    def held():
        return [
            (
                hold.owner_key,
                hold.token,
                sorted((line.ticket_type_id, line.quantity) for line in hold.lines.all()),
            )
            for hold in Hold.objects.filter(departure=site.general).prefetch_related("lines")
        ]

    ((owner, token, quantities),) = db(held)
    assert owner == owner_of(tab)
    assert quantities == sorted([(site.adult.pk, 2), (site.child.pk, 1)])

    # "Continue" leads to the hold page.
    booking.get_by_role("link", name="Продолжить").click()
    expect(tab).to_have_url(f"{site.url}/ru/booking/hold/{token}/")
    main = tab.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Ваша бронь")
    expect(main.locator(".hold-card__product")).to_have_text("Развод мостов")
    table = main.locator("table.hold-lines")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("th, td")).to_have_text(["Взрослый", "2", "2 200 ₽", "4 400 ₽"])
    expect(rows.nth(1).locator("th, td")).to_have_text(["Детский", "1", "1 500 ₽", "1 500 ₽"])
    expect(table.locator("tfoot")).to_have_text(re.compile(r"Итого\s*5\s900\s₽"))
    clock = main.get_by_role("timer").locator("[data-clock]")
    expect(clock).to_have_text(COUNTDOWN)
    shown = clock.inner_text()
    expect(clock).not_to_have_text(shown, timeout=5_000)
