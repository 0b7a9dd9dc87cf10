"""The booking pages without JavaScript: the booking block's form posts a departure and
a number of tickets per ticket type to `booking:hold-create`, which holds them for the
visitor's session and shows the hold page; bad input goes back to the form with a
message in the visitor's language and changes nothing. The hold page is its owner's
only; it can be extended once and released; an expired hold's page says so (410).
No response is ever a 500."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from booking.models import Departure, Hold
from booking.services.errors import BookingError
from booking.services.holds import SeatRequest, hold_create
from booking.sessions import SESSION_HOLDS_KEY
from tests import factories
from tests.conftest import make_home, make_locales, republish
from tests.factories import (
    assigned_departure,
    expire,
    general_departure,
    product_with_ticket_types,
    row_counts,
    seats_of,
)
from tests.helpers import parse, text

pytestmark = pytest.mark.django_db

CREATE_URL = "/ru/booking/hold/"
NOTHING = {"holds": 0, "lines": 0, "claims": 0}


def hold_url(token: str, action: str = "") -> str:
    return f"/ru/booking/hold/{token}/" + (f"{action}/" if action else "")


def russian(code: str, **params) -> str:
    """A booking error's message as a Russian visitor reads it; it must be translated."""
    with translation.override("ru"):
        message = BookingError(code, **params).message
    with translation.override("en"):
        english = BookingError(code, **params).message
    assert message != english, f"{code} is not translated into Russian"
    return message


def product_page(home, product, slug):
    body = factories.stream(("booking", {"product": product.pk, "title": ""}))
    return republish(
        factories.ExcursionPageFactory(parent=home, slug=slug, product=product, body=body)
    )


class Shop:
    """A general-admission excursion (adult and child tickets, 8 places a departure)
    and an assigned-seating one, each on its own page with a booking block."""

    def __init__(self, home):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        self.product, (self.adult, self.child) = product_with_ticket_types(
            prices=("2200.00", "1500.00")
        )
        self.adult.name, self.adult.name_en = "Взрослый", "Adult"
        self.adult.save()
        self.child.name, self.child.name_en = "Детский", "Child"
        self.child.save()
        self.general = general_departure(
            capacity=8,
            product=self.product,
            starts_at=factories.moscow_datetime(tomorrow, 12),
        )
        self.page = product_page(home, self.product, "river-walk")
        self.seated_product, _types = product_with_ticket_types()
        self.assigned = assigned_departure(
            product=self.seated_product, starts_at=factories.moscow_datetime(tomorrow, 15)
        )
        self.seated_page = product_page(home, self.seated_product, "seated-walk")

    @property
    def page_path(self) -> str:
        return "/ru/river-walk/"


@pytest.fixture(scope="module")
def _module_shop(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back at the end; each
    test runs in a savepoint inside it (like `tree` in tests/conftest.py)."""
    with django_db_blocker.unblock(), transaction.atomic():
        cache.clear()
        make_locales()
        yield Shop(make_home())
        transaction.set_rollback(True)
    cache.clear()


@pytest.fixture
def shop(_module_shop, db):
    return _module_shop


def session_key(client: Client) -> str:
    return client.session.session_key


def held_quantities(hold: Hold) -> dict[int, int]:
    return {line.ticket_type_id: line.quantity for line in hold.lines.all()}


def post_form(client, shop, quantities, departure=None, **extra):
    data = {"next": shop.page_path, "departure": str(departure or shop.general.pk), **extra}
    data.update({f"qty-{pk}": str(q) for pk, q in quantities.items()})
    response = client.post(CREATE_URL, data, headers={"referer": "http://testserver/ru/"})
    assert response.status_code < 500
    return response


def notices(response) -> list[str]:
    return [text(p) for p in parse(response).select(".booking-notice")]


def own_hold(client, shop) -> Hold:
    response = post_form(client, shop, {shop.adult.pk: 2, shop.child.pk: 1})
    assert response.status_code == 302, response.content[:300]
    return Hold.objects.get(owner_key=session_key(client))


# ---------------------------------------------------------------- the form


def test_the_booking_block_form_holds_tickets_without_javascript(shop):
    """The fields the form renders are the fields the view reads, CSRF token included."""
    client = Client(enforce_csrf_checks=True)
    page = client.get(shop.page_path)
    assert page.status_code == 200
    form = parse(page).select_one("section.booking form[data-booking-form]")
    assert form is not None and form["action"] == CREATE_URL
    assert form["method"] == "post"
    data = {
        field["name"]: field.get("value", "")
        for field in form.select("input[name]")
        if field.get("type") != "radio" or field.has_attr("checked")
    }
    assert data["departure"] == str(shop.general.pk)
    assert data["next"] == shop.page_path
    assert data["csrfmiddlewaretoken"]
    assert {f"qty-{shop.adult.pk}", f"qty-{shop.child.pk}"} <= set(data)
    data[f"qty-{shop.adult.pk}"] = "2"
    data[f"qty-{shop.child.pk}"] = "1"

    response = client.post(form["action"], data)

    hold = Hold.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("booking:hold", kwargs={"token": hold.token})
    assert response["Location"] == hold_url(hold.token)
    assert hold.departure_id == shop.general.pk
    assert hold.owner_key == session_key(client)
    assert held_quantities(hold) == {shop.adult.pk: 2, shop.child.pk: 1}
    assert hold.lines.filter(seat__isnull=False).count() == 0
    assert client.session[SESSION_HOLDS_KEY] == [hold.token]
    lifetime = hold.expires_at - timezone.now()
    assert datetime.timedelta(minutes=settings.BOOKING_HOLD_MINUTES - 1) < lifetime
    assert lifetime <= datetime.timedelta(minutes=settings.BOOKING_HOLD_MINUTES)

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page["Cache-Control"] and "no-cache" in page["Cache-Control"]
    doc = parse(page)
    # (`text` folds the no-break spaces of prices into plain spaces.)
    rows = [[text(cell) for cell in row.select("th, td")] for row in doc.select("table tbody tr")]
    assert rows == [
        ["Взрослый", "2", "2 200 ₽", "4 400 ₽"],
        ["Детский", "1", "1 500 ₽", "1 500 ₽"],
    ]
    assert text(doc.select_one("table tfoot td")) == "5 900 ₽"
    clock = text(doc.select_one("[data-booking-countdown] [data-clock]"))
    assert re.fullmatch(r"1[45]:[0-5]\d", clock), clock
    assert doc.select_one(f'form[action="{hold_url(hold.token, "release")}"]') is not None
    # The hold page's own forms carry their CSRF token too.
    extend = doc.select_one(f'form[action="{hold_url(hold.token, "extend")}"]')
    assert extend is not None and extend["method"] == "post"
    token = extend.select_one('input[name="csrfmiddlewaretoken"]')["value"]
    response = client.post(extend["action"], {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.extended


def test_the_form_without_a_csrf_token_is_refused(shop):
    client = Client(enforce_csrf_checks=True)
    response = client.post(CREATE_URL, {"departure": shop.general.pk, f"qty-{shop.adult.pk}": "1"})
    assert response.status_code == 403
    assert row_counts() == NOTHING


def test_a_second_booking_of_the_same_session_is_remembered_too(client, shop):
    first = own_hold(client, shop)
    post_form(client, shop, {shop.child.pk: 1})
    second = Hold.objects.exclude(pk=first.pk).get()
    assert second.owner_key == first.owner_key
    assert client.session[SESSION_HOLDS_KEY] == [first.token, second.token]


def test_empty_quantity_fields_count_as_zero(client, shop):
    response = post_form(client, shop, {shop.adult.pk: 3, shop.child.pk: ""})
    hold = Hold.objects.get()
    assert response["Location"] == hold_url(hold.token)
    assert held_quantities(hold) == {shop.adult.pk: 3}


BAD_INPUT = {
    "words": ({"adult": "два"}, "quantity_invalid", {"limit": 10}),
    "fraction": ({"adult": "1.5"}, "quantity_invalid", {"limit": 10}),
    "negative": ({"adult": "-1", "child": "2"}, "quantity_invalid", {"limit": 10}),
    "huge": ({"adult": "9" * 40}, "quantity_invalid", {"limit": 10}),
    "too many of one": ({"adult": "11"}, "quantity_invalid", {"limit": 10}),
    "too many in all": ({"adult": "6", "child": "5"}, "too_many_tickets", {"limit": 10}),
    "nothing": ({"adult": "0", "child": "0"}, "no_tickets", {}),
    "no fields": ({}, "no_tickets", {}),
    "more than are left": ({"adult": "5", "child": "4"}, "not_enough_places", {"remaining": 8}),
    "unknown ticket type": ({"999999": "1"}, "ticket_type_invalid", {}),
    "ticket type that is not a number": ({"abc": "1"}, "ticket_type_invalid", {}),
}


@pytest.mark.parametrize(("fields", "code", "params"), BAD_INPUT.values(), ids=BAD_INPUT)
def test_bad_quantities_go_back_to_the_form_with_a_message(client, shop, fields, code, params):
    ids = {"adult": shop.adult.pk, "child": shop.child.pk}
    data = {"next": shop.page_path, "departure": str(shop.general.pk)}
    data.update({f"qty-{ids.get(key, key)}": value for key, value in fields.items()})

    response = client.post(CREATE_URL, data)

    assert response.status_code == 302
    assert response["Location"] == f"{shop.page_path}#booking"
    assert row_counts() == NOTHING
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert notices(page) == [russian(code, **params)]
    # The message is shown once.
    assert notices(client.get(shop.page_path)) == []


def test_too_many_quantity_fields_are_refused(client, shop):
    data = {"next": shop.page_path, "departure": str(shop.general.pk)}
    data.update({f"qty-{n}": "0" for n in range(1, 60)})
    response = client.post(CREATE_URL, data)
    assert response.status_code == 302
    assert row_counts() == NOTHING


@pytest.mark.parametrize(
    ("departure", "code"),
    [
        ("999999", "departure_not_found"),
        ("abc", "departure_not_found"),
        ("-1", "departure_not_found"),
        ("", "departure_not_found"),
        ("1" * 40, "departure_not_found"),
        (None, "departure_not_found"),
    ],
)
def test_an_unknown_departure_goes_back_with_a_message(client, shop, departure, code):
    data = {"next": shop.page_path, f"qty-{shop.adult.pk}": "1"}
    if departure is not None:
        data["departure"] = departure
    response = client.post(CREATE_URL, data)
    assert response.status_code == 302
    assert response["Location"] == f"{shop.page_path}#booking"
    assert row_counts() == NOTHING
    assert notices(client.get(response["Location"])) == [russian(code)]


def test_an_assigned_seating_departure_needs_the_seat_map(client, shop):
    """Without JavaScript there is no seat map: a number of tickets for a seated
    departure is refused with a message that says to choose seats."""
    response = client.post(
        CREATE_URL,
        {
            "next": "/ru/seated-walk/",
            "departure": str(shop.assigned.pk),
            f"qty-{shop.seated_product.ticket_types.first().pk}": "2",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/ru/seated-walk/#booking"
    assert row_counts() == NOTHING
    assert notices(client.get(response["Location"])) == [russian("seats_required")]


def test_the_form_of_a_seated_departure_offers_no_quantities(client, shop):
    doc = parse(client.get("/ru/seated-walk/"))
    radio = doc.select_one(f'input[name="departure"][value="{shop.assigned.pk}"]')
    assert radio is not None and radio.has_attr("disabled")
    assert doc.select('input[name^="qty-"]') == []


def test_ticket_types_of_another_product_are_refused(client, shop):
    other = shop.seated_product.ticket_types.first()
    response = post_form(client, shop, {other.pk: 1})
    assert response.status_code == 302
    assert row_counts() == NOTHING
    assert notices(client.get(response["Location"])) == [russian("ticket_type_invalid")]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"status": Departure.Status.CANCELLED}, "departure_cancelled"),
        ({"status": Departure.Status.DEPARTED}, "departure_past"),
        ({"on_sale_until": timezone.now() - datetime.timedelta(hours=1)}, "departure_not_on_sale"),
    ],
)
def test_a_departure_that_is_not_on_sale_is_refused(client, shop, change, code):
    Departure.objects.filter(pk=shop.general.pk).update(**change)
    response = post_form(client, shop, {shop.adult.pk: 1})
    assert response.status_code == 302
    assert row_counts() == NOTHING
    assert notices(client.get(response["Location"])) == [russian(code)]


@pytest.mark.parametrize(
    ("next_url", "referer", "back"),
    [
        ("https://evil.example/", None, "/ru/#booking"),
        ("//evil.example/ru/", None, "/ru/#booking"),
        (None, "https://evil.example/ru/", "/ru/#booking"),
        (None, "http://testserver/ru/river-walk/", "http://testserver/ru/river-walk/#booking"),
        ("/ru/river-walk/#tickets", None, "/ru/river-walk/#tickets"),
    ],
)
def test_a_refused_form_goes_back_only_to_this_site(client, shop, next_url, referer, back):
    data = {"departure": "999999", f"qty-{shop.adult.pk}": "1"}
    if next_url is not None:
        data["next"] = next_url
    headers = {"referer": referer} if referer else {}
    response = client.post(CREATE_URL, data, headers=headers)
    assert response.status_code == 302
    assert response["Location"] == back


def test_the_booking_urls_refuse_get_where_they_change_something(client, shop):
    hold = own_hold(client, shop)
    for url in (CREATE_URL, hold_url(hold.token, "extend"), hold_url(hold.token, "release")):
        assert client.get(url).status_code == 405
    assert Hold.objects.filter(pk=hold.pk, extended=False).exists()


def test_the_messages_speak_the_visitors_language(client, shop):
    response = client.post(
        "/en/booking/hold/",
        {"next": "/en/", "departure": str(shop.general.pk), f"qty-{shop.adult.pk}": "x"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/#booking"
    with translation.override("en"):
        english = BookingError("quantity_invalid", limit=10).message
    assert [str(m) for m in get_messages(response.wsgi_request)] == [english]
    assert row_counts() == NOTHING


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
    # Its places count as free even though the sweeper has not run.
    assert post_form(client, shop, {shop.adult.pk: 8}).status_code == 302
    assert Hold.objects.count() == 2


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
