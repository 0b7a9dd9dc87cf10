"""One client cannot hold the whole inventory: live holds (unexpired, not ordered) and
held places are capped per session and per client address, for the API and the form
alike, and the form is throttled like the API."""

import json

import pytest
from django.test import Client
from django.utils import translation

from booking.models import Hold
from booking.services.errors import BookingError
from booking.services.holds import hold_create, hold_update
from booking.services.orders import order_create
from tests.booking import hold_pages as views
from tests.booking.hold_pages import (
    notices,
    post_form,
)
from tests.factories import checkout_details, expire, general_departure
from tests.helpers import parse, text

pytestmark = pytest.mark.django_db

# The shop of tests/booking/hold_pages.py, built once per module.
_module_shop = views._module_shop
shop = views.shop

ADDRESS = "203.0.113.9"


@pytest.fixture
def caps(settings):
    settings.BOOKING_MAX_LIVE_HOLDS_PER_SESSION = 2
    settings.BOOKING_MAX_HELD_PLACES_PER_SESSION = 5
    settings.BOOKING_MAX_LIVE_HOLDS_PER_ADDRESS = 3
    settings.BOOKING_MAX_HELD_PLACES_PER_ADDRESS = 8


def hold(departure, places=1, owner_key="", address=None):
    adult = departure.product.ticket_types.order_by("sort_order", "pk").first()
    return hold_create(
        departure_id=departure.pk,
        owner_key=owner_key,
        quantities={adult.pk: places},
        client_address=address,
    )


def refused(code, **kwargs):
    with pytest.raises(BookingError) as caught:
        hold(**kwargs)
    assert caught.value.code == code
    return caught.value


def test_a_session_has_at_most_the_capped_number_of_live_holds(caps):
    departures = [general_departure(capacity=20) for _ in range(3)]
    first = hold(departures[0], owner_key="session-a")
    second = hold(departures[1], owner_key="session-a")

    error = refused("too_many_holds", departure=departures[2], owner_key="session-a")
    assert error.params == {"limit": 2}
    assert Hold.objects.filter(owner_key="session-a").count() == 2
    # Another session is not affected.
    hold(departures[2], owner_key="session-b")
    # An expired hold and an ordered one no longer count.
    expire(first)
    third = hold(departures[2], owner_key="session-a")
    order_create(hold=second, details=checkout_details())
    hold(departures[0], owner_key="session-a")
    refused("too_many_holds", departure=departures[1], owner_key="session-a")
    assert third.pk


def test_a_session_holds_at_most_the_capped_number_of_places(caps):
    one, two = general_departure(capacity=20), general_departure(capacity=20)
    first = hold(one, places=3, owner_key="session-a")

    error = refused("too_many_places_held", departure=two, places=3, owner_key="session-a")
    assert error.params == {"limit": 5}
    second = hold(two, places=2, owner_key="session-a")
    # A change may not grow past the cap either; shrinking is always fine.
    adult = one.product.ticket_types.order_by("sort_order", "pk").first()
    with pytest.raises(BookingError) as caught:
        hold_update(hold=first, quantities={adult.pk: 4})
    assert caught.value.code == "too_many_places_held"
    assert sum(first.lines.values_list("quantity", flat=True)) == 3
    hold_update(hold=first, quantities={adult.pk: 1})
    hold_update(hold=first, quantities={adult.pk: 3})
    assert second.pk


def test_an_address_is_capped_across_sessions(caps):
    departures = [general_departure(capacity=20) for _ in range(4)]
    for i in range(3):
        hold(departures[i], owner_key=f"session-{i}", address=ADDRESS)

    refused("too_many_holds", departure=departures[3], owner_key="session-9", address=ADDRESS)
    assert Hold.objects.filter(client_ip=ADDRESS).count() == 3
    # Another address is not affected.
    hold(departures[3], owner_key="session-9", address="198.51.100.1")


def test_an_address_holds_at_most_the_capped_number_of_places(caps):
    one, two = general_departure(capacity=20), general_departure(capacity=20)
    hold(one, places=5, owner_key="session-1", address=ADDRESS)
    refused("too_many_places_held", departure=two, places=4, owner_key="s2", address=ADDRESS)
    hold(two, places=3, owner_key="session-2", address=ADDRESS)


def test_the_api_answers_the_cap_with_429_and_the_code(caps, client):
    departures = [general_departure(capacity=20) for _ in range(3)]
    statuses = []
    for departure in departures:
        adult = departure.product.ticket_types.order_by("sort_order", "pk").first()
        response = client.post(
            "/api/v1/holds",
            json.dumps(
                {
                    "departure_id": departure.pk,
                    "quantities": [{"ticket_type_id": adult.pk, "quantity": 1}],
                }
            ),
            content_type="application/json",
            headers={"X-Bind-Session": "1", "Accept-Language": "en"},
        )
        statuses.append(response.status_code)
    assert statuses == [201, 201, 429]
    with translation.override("en"):
        expected = BookingError("too_many_holds", limit=2).message
    assert response.json() == {"code": "too_many_holds", "message": expected}
    # The API's holds carry the address they came from.
    assert set(Hold.objects.values_list("client_ip", flat=True)) == {"127.0.0.1"}


# ---------------------------------------------------------------- the form


def test_the_form_refuses_a_hold_beyond_the_cap_with_a_message(caps, client, shop):
    assert post_form(client, shop, {shop.adult.pk: 2}).status_code == 302
    assert post_form(client, shop, {shop.adult.pk: 2}).status_code == 302
    response = post_form(client, shop, {shop.adult.pk: 1})
    assert response.status_code == 302
    assert response["Location"] == f"{shop.page_path}#booking"
    page = client.get(response["Location"])
    with translation.override("ru"):
        expected = BookingError("too_many_holds", limit=2).message
    assert expected in notices(page)
    assert Hold.objects.count() == 2


@pytest.mark.parametrize("language,prefix", [("ru", "ru"), ("en", "en"), ("zh-hans", "zh")])
def test_the_form_is_throttled_with_429_and_a_translated_message(settings, shop, language, prefix):
    settings.BOOKING_HOLD_RATE = "2/m"
    settings.BOOKING_MAX_LIVE_HOLDS_PER_SESSION = 10
    client = Client()
    url = f"/{prefix}/booking/hold/"
    data = {"next": f"/{prefix}/", "departure": str(shop.general.pk), f"qty-{shop.adult.pk}": "1"}

    codes = [client.post(url, data).status_code for _ in range(2)]
    response = client.post(url, data)

    assert codes == [302, 302]
    assert response.status_code == 429
    with translation.override(language):
        expected = BookingError("rate_limited").message
    assert expected in text(parse(response).select_one("main") or parse(response))
    assert Hold.objects.count() == 2
    # A new session from the same address is throttled too: the address has its budget.
    assert Client().post(url, data).status_code == 429
