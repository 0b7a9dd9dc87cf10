"""The hold page: only its owner sees it; it can be extended once and released; an
expired hold's page says so (410); no response is ever a 500."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from booking.models import Hold
from booking.services.holds import SeatRequest, hold_create
from tests.booking import hold_pages
from tests.booking.hold_pages import (
    CREATE_URL,
    NOTHING,
    hold_url,
    notices,
    own_hold,
    post_form,
    russian,
    session_key,
)
from tests.factories import (
    expire,
    row_counts,
    seats_of,
)
from tests.helpers import parse, text

pytestmark = pytest.mark.django_db

# The shop, built once per module.
_module_shop = hold_pages._module_shop
shop = hold_pages.shop


# ---------------------------------------------------------------- the hold page


def test_someone_elses_hold_page_is_not_found(client, shop):
    hold = own_hold(client, shop)
    stranger = Client()
    stranger.get(shop.page_path)  # a visitor with a session of their own
    stranger.post(CREATE_URL, {"departure": "999999"})

    for other in (stranger, Client()):
        page = other.get(hold_url(hold.token))
        assert page.status_code == 404
        assert text(parse(page).select_one("main h1")) == "Бронь не найдена"
        assert other.post(hold_url(hold.token, "extend")).status_code == 404
        assert other.post(hold_url(hold.token, "release")).status_code == 404

    hold.refresh_from_db()
    assert not hold.extended
    assert client.get(hold_url(hold.token)).status_code == 200


def test_a_hold_of_an_api_client_is_not_shown_to_a_browser(client, shop):
    """A hold made through the API without a session has no owner; it is still nobody's
    hold page."""
    hold = hold_create(departure_id=shop.general.pk, owner_key="", quantities={shop.adult.pk: 1})
    client.get(shop.page_path)
    client.post(CREATE_URL, {"departure": "999999"})  # the visitor now has a session
    assert client.get(hold_url(hold.token)).status_code == 404


TOKENS = {
    "short": "x",
    "words": "not-a-token",
    "well-formed": "A" * 43,
    "longest": "A" * 64,
    "too long": "A" * 300,
    "NUL": "%00",
    "dots": "..",
    "Cyrillic": "Ж" * 43,
}


@pytest.mark.parametrize("token", TOKENS.values(), ids=TOKENS)
def test_unknown_tokens_are_not_found(client, shop, token):
    own_hold(client, shop)
    for response in (
        client.get(hold_url(token)),
        client.post(hold_url(token, "extend")),
        client.post(hold_url(token, "release")),
    ):
        assert response.status_code == 404
    assert Hold.objects.count() == 1


def test_a_hold_can_be_extended_once(client, shop):
    hold = own_hold(client, shop)
    # Some minutes have passed.
    soon = timezone.now() + datetime.timedelta(minutes=2)
    Hold.objects.filter(pk=hold.pk).update(expires_at=soon)

    response = client.post(hold_url(hold.token, "extend"))

    assert response.status_code == 302
    assert response["Location"] == hold_url(hold.token)
    hold.refresh_from_db()
    assert hold.extended
    lifetime = datetime.timedelta(minutes=settings.BOOKING_HOLD_MINUTES)
    assert hold.expires_at > timezone.now() + lifetime - datetime.timedelta(minutes=1)
    page = client.get(response["Location"])
    doc = parse(page)
    assert notices(page) == ["Готово: места забронированы на дольше."]
    assert doc.select_one(f'form[action="{hold_url(hold.token, "extend")}"]') is None
    clock = text(doc.select_one("[data-booking-countdown] [data-clock]"))
    assert re.fullmatch(r"1[45]:[0-5]\d", clock), clock

    expires_at = hold.expires_at
    again = client.post(hold_url(hold.token, "extend"))

    assert again.status_code == 302
    assert again["Location"] == hold_url(hold.token)
    hold.refresh_from_db()
    assert hold.expires_at == expires_at
    assert notices(client.get(hold_url(hold.token))) == [russian("hold_already_extended")]


def test_a_hold_can_be_released_once(client, shop):
    hold = own_hold(client, shop)

    response = client.post(hold_url(hold.token, "release"))

    assert response.status_code == 302
    assert response["Location"] == f"{shop.page_path}#booking"
    assert row_counts() == NOTHING
    assert notices(client.get(response["Location"])) == ["Бронь отменена, места освобождены."]
    # The places are free again: all 8 can be held.
    assert post_form(client, shop, {shop.adult.pk: 8}).status_code == 302
    assert Hold.objects.get().lines.get().quantity == 8

    again = client.post(hold_url(hold.token, "release"))
    assert again.status_code == 404
    assert client.get(hold_url(hold.token)).status_code == 404
    assert Hold.objects.count() == 1


def test_an_expired_hold_says_that_time_is_up(client, shop):
    hold = own_hold(client, shop)
    expire(hold)

    page = client.get(hold_url(hold.token))

    assert page.status_code == 410
    doc = parse(page)
    assert text(doc.select_one("main h1")) == "Время вышло"
    assert russian("hold_expired") in text(doc.select_one("main"))
    assert doc.select_one(f'main a[href="{shop.page_path}#booking"]') is not None
    assert client.post(hold_url(hold.token, "extend")).status_code == 410
    assert client.post(hold_url(hold.token, "release")).status_code == 410
    hold.refresh_from_db()
    assert not hold.extended
    # Its places count as free even though the sweeper has not run (on PostgreSQL the
    # new hold takes them back: a writer that finds the counter full deletes the expired
    # holds in its way).
    assert post_form(client, shop, {shop.adult.pk: 8}).status_code == 302
    assert Hold.objects.exclude(pk=hold.pk).count() == 1


def test_an_expired_hold_of_someone_else_is_not_found(client, shop):
    hold = own_hold(client, shop)
    expire(hold)
    assert Client().get(hold_url(hold.token)).status_code == 404


def test_the_hold_page_names_each_held_seat_once(client, shop):
    """A hold of seats (made with the seat map) lists each seat as "section, row, seat"."""
    client.post(CREATE_URL, {"departure": "999999"})  # the visitor gets a session
    seats = seats_of(shop.assigned)[:2]
    assert [(seat.row, seat.number) for seat in seats] == [("1", "1"), ("1", "2")]
    hold = hold_create(
        departure_id=shop.assigned.pk,
        owner_key=session_key(client),
        seats=[SeatRequest(seat.pk) for seat in seats],
    )

    page = client.get(hold_url(hold.token))

    assert page.status_code == 200
    doc = parse(page)
    names = sorted(text(cell) for cell in doc.select("table tbody .hold-lines__seat"))
    # booking/views.py `_seat_name` puts the section before `Seat.short_label`, which
    # already starts with it: "Main, Main, ряд 1, место 1".
    assert names == ["Main, ряд 1, место 1", "Main, ряд 1, место 2"]
    assert [text(cell) for cell in doc.select("table tbody td:first-of-type")] == ["1", "1"]


def test_the_hold_page_in_english(client, shop):
    client.post(
        "/en/booking/hold/",
        {"next": "/en/", "departure": str(shop.general.pk), f"qty-{shop.adult.pk}": "1"},
    )
    hold = Hold.objects.get()
    page = client.get(f"/en/booking/hold/{hold.token}/")
    assert page.status_code == 200
    doc = parse(page)
    assert text(doc.select_one("main h1")) == "Your booking"
    assert text(doc.select_one("table tbody th")) == "Adult"
    assert text(doc.select_one("table tfoot td")) == "2,200 ₽"
    assert hold.lines.get().ticket_type.price == Decimal("2200.00")
