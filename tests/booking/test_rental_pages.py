"""The booking block of a yacht with a rental plan: the day's timeline of free and busy
time in the visitor's language, the choices, the price as JSON, the hold form and every
bad input answered with a message, the choices kept and nothing held."""

import datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from booking.models import Departure, Hold, RentalBooking, VesselOccupancy
from booking.rental_widget import START_FORMAT
from tests import factories
from tests.conftest import republish, translate
from tests.factories import next_weekday, rental_plan
from tests.helpers import PREFIX, parse, text

pytestmark = pytest.mark.django_db

BUSY = {"ru": "Занято", "en": "Busy", "zh-hans": "已占用"}
FREE = {"ru": "Свободно", "en": "Free", "zh-hans": "空闲"}
BOOK = {"ru": "Забронировать яхту", "en": "Book the vessel", "zh-hans": "预订船只"}
PAGE = "/{prefix}/excursions/white-night/"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def yacht(tree):
    """A yacht page whose booking block sells the rental plan; on a Tuesday two days or
    more ahead a departure of another product keeps the vessel busy 15:00–17:00."""
    plan = rental_plan(code="white-night", hourly=("9000", "11000"))
    day = next_weekday(1, timezone.localdate())
    other = factories.ProductFactory(kind="excursion")
    departure = factories.general_departure(
        capacity=1,
        product=other,
        vessel=plan.vessel,
        venue=plan.venue,
        starts_at=factories.moscow_datetime(day, 15),
    )
    departure.ends_at = departure.starts_at + datetime.timedelta(hours=2)
    departure.save()
    page = republish(
        factories.YachtPageFactory(
            parent=tree.listing["ru"],
            title="Белая ночь",
            slug="white-night",
            product=plan.product,
            intro="Парусная яхта на вечер.",
            body=factories.stream(("booking", {"product": plan.product.pk, "title": ""})),
        )
    )
    translate(page, tree.locales["en"], title="White Night")
    translate(page, tree.locales["zh-hans"], title="白夜号")
    return {"plan": plan, "day": day, "page": page}


def page_of(client, yacht, language="ru", **query):
    url = PAGE.format(prefix=PREFIX[language])
    response = client.get(url, query)
    assert response.status_code == 200
    return parse(response)


def blocks(doc) -> list[tuple[str, str]]:
    return [
        (cell["data-kind"], text(cell))
        for cell in doc.select("[data-rental-timeline] td.rental-timeline__block")
    ]


def start_value(day: datetime.date, hour: int) -> str:
    return factories.moscow_datetime(day, hour).strftime(START_FORMAT)


# ---------------------------------------------------------------- the block


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_the_timeline_shows_free_and_busy_time_in_words(client, yacht, language):
    doc = page_of(client, yacht, language, rental_date=yacht["day"].isoformat())

    section = doc.select_one("section.booking--rental")
    assert section is not None
    # The departures' slot list of a rental without a plan is not there.
    assert doc.select_one("form[data-booking-form]") is None
    assert blocks(doc) == [
        ("free", f"{FREE[language]} 10:00–15:00"),
        ("busy", f"{BUSY[language]} 15:00–17:00"),
        ("free", f"{FREE[language]} 17:00–23:00"),
    ]
    headers = [text(th) for th in doc.select("[data-rental-timeline] thead th")]
    assert headers[0] == "10:00" and headers[-1] == "22:00"
    assert text(doc.select_one("form[data-rental-form] button[type=submit]")) == BOOK[language]


def test_the_starts_fit_around_the_busy_time_and_durations_say_what_fits(client, yacht):
    doc = page_of(client, yacht, "en", rental_date=yacht["day"].isoformat())

    starts = {
        option.text.strip(): int(option["data-max"])
        for option in doc.select("select[name=start] option")
    }
    # Nothing starts while the departure keeps the vessel busy; the first start after it
    # is 17:00, and a start before it allows only what ends (with the buffer) before 15:00.
    assert not {"14:00", "15:00", "16:00"} & set(starts)
    assert "17:00" in starts and "10:00" in starts
    assert starts["10:00"] in (240, 300)
    selected = doc.select_one("select[name=start] option[selected]")
    assert selected.text.strip() == "10:00"
    for option in doc.select("select[name=minutes] option"):
        too_long = int(option["value"]) > starts["10:00"]
        hours = int(option["value"]) // 60
        expected = f"{hours} h — not available from this start" if too_long else f"{hours} h"
        assert option.text.strip() == expected
    guests = [option["value"] for option in doc.select("select[name=guests] option")]
    assert guests == [str(n) for n in range(1, 11)]
    extras = [text(label) for label in doc.select(".rental-form__options label")]
    assert extras == ["Photographer 3,000 ₽ per hour", "Welcome drink 1,500 ₽ once"]
    # The skipper is included: no checkbox.
    assert doc.select_one("input[name=skipper]") is None


def test_a_turnaround_after_a_rental_shows_as_busy(client, yacht):
    """A rental 11:00–13:00 keeps the vessel busy to 13:30 (its buffer)."""
    plan, day = yacht["plan"], yacht["day"]
    rental = factories.general_departure(
        capacity=1,
        product=plan.product,
        vessel=plan.vessel,
        venue=plan.venue,
        starts_at=factories.moscow_datetime(day, 11),
    )
    rental.ends_at = rental.starts_at + datetime.timedelta(hours=2)
    rental.save()
    assert VesselOccupancy.objects.get(departure=rental).ends_at == factories.moscow_datetime(
        day, 13
    ) + datetime.timedelta(minutes=30)

    doc = page_of(client, yacht, "en", rental_date=day.isoformat())

    assert blocks(doc)[:3] == [
        ("free", "Free 10:00–11:00"),
        ("busy", "Busy 11:00–13:30"),
        ("free", "Free 13:30–15:00"),
    ]


def test_friday_runs_past_midnight(client, yacht):
    friday = next_weekday(4, timezone.localdate())
    doc = page_of(client, yacht, "en", rental_date=friday.isoformat())

    assert blocks(doc) == [("free", "Free 10:00–01:00")]
    labels = [option.text.strip() for option in doc.select("select[name=start] option")]
    assert labels[-1] == "23:00 (next day)" or labels[-1] == "23:00"
    assert "23:00" in labels[-1]


@pytest.mark.parametrize(
    "garbage", ["yesterday", "2020-01-01", "9999-99-99", "2026-02-30", "x" * 500]
)
def test_a_garbage_date_shows_the_first_free_day(client, yacht, garbage):
    doc = page_of(client, yacht, "en", rental_date=garbage)

    assert doc.select("select[name=start] option")
    assert "This date cannot be booked" in text(doc.select_one("section.booking--rental"))


def test_the_first_free_day_is_the_default(client, yacht):
    doc = page_of(client, yacht, "en")

    value = doc.select_one("form[data-rental-day] input[name=rental_date]")["value"]
    assert value >= timezone.localdate().isoformat()
    assert doc.select("select[name=start] option")


def test_a_rental_product_without_a_plan_keeps_its_slots(client, tree):
    product = factories.ProductFactory(kind="rental")
    factories.TicketTypeFactory(product=product, price=Decimal("18000"))
    factories.general_departure(capacity=1, product=product)
    republish(
        factories.YachtPageFactory(
            parent=tree.listing["ru"],
            slug="old-yacht",
            product=product,
            intro="…",
            body=factories.stream(("booking", {"product": product.pk, "title": ""})),
        )
    )

    doc = parse(client.get("/ru/excursions/old-yacht/"))

    assert doc.select_one("section.booking[data-rental]") is not None
    assert doc.select_one("section.booking--rental") is None


# ---------------------------------------------------------------- the price


def quote(client, yacht, language="en", **params):
    url = reverse("booking:rental-quote", kwargs={"product_id": yacht["plan"].product_id})
    with translation.override(language):
        url = reverse("booking:rental-quote", kwargs={"product_id": yacht["plan"].product_id})
    return client.get(url, params)


def test_the_quote_prices_the_choice(client, yacht):
    day = yacht["day"]
    photographer = yacht["plan"].options.get(name_en="Photographer")

    response = quote(
        client,
        yacht,
        start=start_value(day, 18),
        minutes="180",
        guests="6",
        option=[str(photographer.pk)],
    )

    assert response.status_code == 200, response.content
    data = response.json()
    # Tuesday: 3 h × 9 000 + 2 000 fixed + photographer 3 h × 3 000.
    assert Decimal(data["total"]) == Decimal("38000")
    assert data["total_text"] == "38,000\u00a0₽"
    assert data["time"] == "18:00–21:00"
    assert data["lines"]


@pytest.mark.parametrize(
    "params",
    [
        {"start": "tomorrow", "minutes": "180", "guests": "2"},
        {"start": "2026-13-45T99:99", "minutes": "180", "guests": "2"},
        {"minutes": "180", "guests": "2"},
        {"start": "START", "minutes": "three", "guests": "2"},
        {"start": "START", "minutes": "180", "guests": "-1"},
        {"start": "START", "minutes": "180", "guests": "99"},
        {"start": "START", "minutes": "90", "guests": "2"},
        {"start": "START", "minutes": "180", "guests": "2", "option": "abc"},
        {"start": "START", "minutes": "180", "guests": "2", "option": "999999"},
    ],
)
def test_a_bad_quote_is_a_message_not_an_error(client, yacht, params):
    params = {
        key: (start_value(yacht["day"], 18) if value == "START" else value)
        for key, value in params.items()
    }

    response = quote(client, yacht, **params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"].startswith("rental_") and body["message"]


def test_the_quote_of_an_unknown_product_is_404(client, db):
    response = client.get(reverse("booking:rental-quote", kwargs={"product_id": 999999}))
    assert response.status_code == 404
    assert response.json()["code"] == "rental_not_found"


@override_settings(BOOKING_RENTAL_QUOTE_RATE="3/m")
def test_the_quote_is_throttled(client, yacht):
    params = {"start": start_value(yacht["day"], 18), "minutes": "180", "guests": "2"}
    answers = [quote(client, yacht, **params).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    assert quote(client, yacht, **params).json()["code"] == "rate_limited"


# ---------------------------------------------------------------- the hold


def hold_url(yacht) -> str:
    return reverse("booking:rental-hold", kwargs={"product_id": yacht["plan"].product_id})


def form_data(yacht, **overrides) -> dict:
    data = {
        "next": PAGE.format(prefix="ru"),
        "rental_date": yacht["day"].isoformat(),
        "start": start_value(yacht["day"], 18),
        "minutes": "180",
        "guests": "6",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_form_holds_the_rental_and_goes_to_the_hold_page(yacht):
    client = Client(enforce_csrf_checks=True)
    doc = page_of(client, yacht, "ru", rental_date=yacht["day"].isoformat())
    form = doc.select_one("form[data-rental-form]")
    assert form["action"] == hold_url(yacht)
    drink = yacht["plan"].options.get(name_en="Welcome drink")
    data = form_data(
        yacht,
        csrfmiddlewaretoken=form.select_one("input[name=csrfmiddlewaretoken]")["value"],
        option=[str(drink.pk)],
    )

    response = client.post(hold_url(yacht), data)

    assert response.status_code == 302, response.content
    hold = Hold.objects.get()
    assert response.url == reverse("booking:hold", kwargs={"token": hold.token})
    departure = hold.departure
    assert departure.product_id == yacht["plan"].product_id
    assert departure.starts_at == factories.moscow_datetime(yacht["day"], 18)
    assert departure.ends_at == factories.moscow_datetime(yacht["day"], 21)
    booking = RentalBooking.objects.get(departure=departure)
    assert booking.guests == 6
    # The hold page shows the rental's end, guests and the extra.
    page = parse(client.get(response.url))
    facts = text(page.select_one(".hold-facts"))
    assert "21:00" in facts and "3 ч" in facts
    assert "Приветственный напиток" in facts


def test_a_refusal_comes_back_with_the_message_and_the_choices(client, yacht):
    before = Departure.objects.count()

    response = client.post(hold_url(yacht), form_data(yacht, minutes="90", guests="4"))

    assert response.status_code == 302
    assert Hold.objects.count() == 0 and Departure.objects.count() == before
    url = urlsplit(response.url)
    assert url.path == PAGE.format(prefix="ru") and url.fragment == "booking"
    query = parse_qs(url.query)
    assert query["rental_guests"] == ["4"] and query["rental_minutes"] == ["90"]
    doc = parse(client.get(f"{url.path}?{url.query}"))
    notice = doc.select_one("section.booking--rental .booking-notice--error")
    assert notice is not None and text(notice)
    selected = doc.select_one("select[name=guests] option[selected]")
    assert selected["value"] == "4"
    assert doc.select_one("select[name=start] option[selected]")["value"] == start_value(
        yacht["day"], 18
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"start": "garbage"},
        {"start": None},
        {"start": "2026-12-08T25:00"},
        {"minutes": "x"},
        {"minutes": "100000000000000"},
        {"guests": ""},
        {"guests": "11"},
        {"option": ["1", "oops"]},
    ],
)
def test_bad_input_holds_nothing(client, yacht, overrides):
    response = client.post(hold_url(yacht), form_data(yacht, **overrides))

    assert response.status_code == 302
    assert Hold.objects.count() == 0
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages
    assert urlsplit(response.url).path == PAGE.format(prefix="ru")


@pytest.mark.parametrize(
    "overrides", [{"rental_date": "<script>"}, {"next": "https://evil.example/"}]
)
def test_garbage_around_a_good_choice_still_holds_and_stays_on_the_site(client, yacht, overrides):
    response = client.post(hold_url(yacht), form_data(yacht, **overrides))

    assert response.status_code == 302
    hold = Hold.objects.get()
    assert response.url == reverse("booking:hold", kwargs={"token": hold.token})


def test_a_refusal_never_sends_the_visitor_off_the_site(client, yacht):
    response = client.post(
        hold_url(yacht), form_data(yacht, next="https://evil.example/x", minutes="x")
    )

    assert response.status_code == 302
    assert urlsplit(response.url).netloc == ""
    assert Hold.objects.count() == 0


def test_a_taken_time_is_refused(client, yacht):
    """Someone else holds 18:00–21:00; 20:00 for two hours overlaps it."""
    other = Client()
    assert other.post(hold_url(yacht), form_data(yacht)).status_code == 302
    assert Hold.objects.count() == 1

    response = client.post(
        hold_url(yacht), form_data(yacht, start=start_value(yacht["day"], 20), minutes="120")
    )

    assert Hold.objects.count() == 1
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages


def test_an_unknown_product_is_404(client, db):
    response = client.post(
        reverse("booking:rental-hold", kwargs={"product_id": 999999}), {"start": "x"}
    )
    assert response.status_code == 404


@override_settings(BOOKING_HOLD_RATE="2/m")
def test_the_hold_form_is_throttled(client, yacht):
    answers = [
        client.post(hold_url(yacht), form_data(yacht, minutes="90")).status_code for _ in range(3)
    ]

    assert answers == [302, 302, 429]
