"""The booking block's hold form without JavaScript: what it holds, and every bad input
answered with a message in the visitor's language and nothing held."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from booking.models import Departure, Hold
from booking.services.errors import BookingError
from booking.sessions import SESSION_HOLDS_KEY
from tests.booking import hold_pages
from tests.booking.hold_pages import (
    CREATE_URL,
    NOTHING,
    held_quantities,
    hold_url,
    notices,
    own_hold,
    post_form,
    russian,
    session_key,
)
from tests.factories import (
    row_counts,
)
from tests.helpers import parse, text

pytestmark = pytest.mark.django_db

# The shop, built once per module.
_module_shop = hold_pages._module_shop
shop = hold_pages.shop


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
