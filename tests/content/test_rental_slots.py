"""A rental's slot is the whole boat: the booking block says it is available or booked, in
the visitor's language, never how many "places" are left."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from booking.services.holds import hold_create
from tests import factories
from tests.conftest import republish, translate
from tests.factories import general_departure
from tests.helpers import PREFIX, parse, text

FREE = {"ru": "Свободна", "en": "Available", "zh-hans": "可预订"}
TAKEN = {"ru": "Занята", "en": "Booked", "zh-hans": "已被预订"}
PLACES = {"ru": "Осталось мест", "en": "Places left", "zh-hans": "剩余"}


@pytest.fixture
def yacht_page(tree):
    """A yacht page with a booking block: two 2-hour slots of one boat on the same day,
    the first free, the second booked by someone else."""
    product = factories.ProductFactory(kind="rental", code="north-star")
    ticket_type = factories.TicketTypeFactory(product=product, price=Decimal("18000"))
    day = timezone.localdate() + datetime.timedelta(days=2)
    free = general_departure(
        capacity=1, product=product, starts_at=factories.moscow_datetime(day, 12)
    )
    taken = general_departure(
        capacity=1, product=product, starts_at=factories.moscow_datetime(day, 15)
    )
    hold_create(departure_id=taken.pk, owner_key="someone", quantities={ticket_type.pk: 1})
    page = republish(
        factories.YachtPageFactory(
            parent=tree.listing["ru"],
            title="Северная звезда",
            slug="north-star",
            product=product,
            intro="Яхта на вечер.",
            body=factories.stream(("booking", {"product": product.pk, "title": ""})),
        )
    )
    translate(page, tree.locales["en"], title="North Star")
    translate(page, tree.locales["zh-hans"], title="北极星号")
    return {"free": free, "taken": taken}


def slot_states(doc) -> dict[str, str]:
    """time → what the no-JavaScript form says about the slot."""
    return {
        text(label.select_one(".booking-form__time")): text(label.select_one(".booking-form__left"))
        for label in doc.select("label.booking-form__slot")
    }


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_rental_slots_say_free_or_booked_without_javascript(client, yacht_page, language):
    doc = parse(client.get(f"/{PREFIX[language]}/excursions/north-star/"))

    assert slot_states(doc) == {"12:00": FREE[language], "15:00": TAKEN[language]}
    form = doc.select_one("form.booking-form")
    assert PLACES[language] not in text(form)


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_rental_widget_gets_its_free_and_booked_words(client, yacht_page, language):
    """The JavaScript widget reads its words from the block's template and knows the
    product is a rental (static/js/booking.js `slotState`)."""
    doc = parse(client.get(f"/{PREFIX[language]}/excursions/north-star/"))

    section = doc.select_one("section.booking")
    assert section.has_attr("data-rental")
    (strings,) = doc.find_all("template", attrs={"data-booking-i18n": True})
    # CSS selectors and get_text() skip what is inside a <template>; find_all and
    # .string do not.
    words = {span["data-k"]: str(span.string).strip() for span in strings.find_all("span")}
    assert words["boatFree"] == FREE[language]
    assert words["boatTaken"] == TAKEN[language]


def test_excursion_slots_still_count_places(client, tree):
    body = factories.stream(("booking", {"product": tree.products["excursion"].pk, "title": ""}))
    republish(
        factories.ExcursionPageFactory(
            parent=tree.listing["ru"],
            slug="counted",
            product=tree.products["excursion"],
            intro="…",
            body=body,
        )
    )

    doc = parse(client.get("/ru/excursions/counted/"))

    (state,) = slot_states(doc).values()
    assert state.startswith("Осталось мест")
    assert not doc.select_one("section.booking").has_attr("data-rental")
