"""The booking screens of the Wagtail admin as staff meet them: departures named in the
pier's time, save messages that agree in Russian, yes/no marks, no calls to outside
servers, and no cancelling a departure with sold tickets by editing its status."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from booking.models import Departure, Promotion
from booking.services.departures import departure_check_status_change
from booking.services.errors import BookingError
from tests import factories
from tests.factories import TicketPriceFactory, general_departure, placed_order

pytestmark = pytest.mark.django_db

# 21:45 UTC on 6 December is 00:45 on 7 December in Moscow, 07:45 in Vladivostok.
LATE_EVENING_UTC = datetime.datetime(2030, 12, 6, 21, 45, tzinfo=datetime.UTC)
DEPARTURE_URLS = "wagtailsnippets_booking_departure"


@pytest.fixture
def admin_client():
    user = get_user_model().objects.create_superuser(
        email="admin@example.com", password="x-pass-123456"
    )
    client = Client()
    client.force_login(user)
    return client


def late_departure(timezone="Europe/Moscow", **kwargs) -> Departure:
    venue = factories.VenueFactory(timezone=timezone)
    return general_departure(
        venue=venue,
        starts_at=LATE_EVENING_UTC,
        ends_at=LATE_EVENING_UTC + datetime.timedelta(minutes=90),
        **kwargs,
    )


def text(response) -> str:
    return response.content.decode()


# A8: departures are named in the pier's time zone ------------------------------------


@pytest.mark.parametrize(
    ("zone", "label"),
    [("Europe/Moscow", "2030-12-07 00:45"), ("Asia/Vladivostok", "2030-12-07 07:45")],
)
def test_a_departure_is_named_by_its_piers_wall_clock(zone, label):
    departure = late_departure(zone)
    assert str(departure) == f"{departure.product} — {label}"
    assert "21:45" not in str(departure)


def test_admin_labels_name_departures_in_pier_time(admin_client):
    departure = late_departure("Asia/Vladivostok")
    ticket_type = departure.product.ticket_types.first()
    TicketPriceFactory(ticket_type=ticket_type, departure=departure)
    label = "2030-12-07 07:45"

    chooser = reverse(Departure.snippet_viewset.chooser_viewset.get_url_name("choose_results"))
    prices = reverse("wagtailsnippets_booking_ticketprice:list")
    listing = reverse(f"{DEPARTURE_URLS}:list")
    for url in (chooser, prices):
        page = text(admin_client.get(url))
        assert label in page, url
        assert "2030-12-06 21:45" not in page, url
    assert "07:45" in text(admin_client.get(listing))

    edit = reverse(f"{DEPARTURE_URLS}:edit", args=[departure.pk])
    assert label in text(admin_client.get(edit))


# A14: save messages, yes/no marks, no outside servers --------------------------------


def _departure_form_data(departure: Departure, **changes) -> dict:
    def local(moment):
        return moment.astimezone(datetime.UTC).astimezone().strftime("%Y-%m-%d %H:%M")

    data = {
        "product": departure.product_id,
        "vessel": departure.vessel_id,
        "venue": departure.venue_id,
        "starts_at": local(departure.starts_at),
        "ends_at": local(departure.ends_at),
        "status": departure.status,
        "seating_mode": departure.seating_mode,
        "seat_map": departure.seat_map_id or "",
        "capacity": departure.capacity if departure.capacity is not None else "",
        "on_sale_from": "",
        "on_sale_until": "",
    }
    data.update(changes)
    return data


def test_the_russian_save_message_agrees_with_a_departure(admin_client):
    departure = late_departure()
    edit = reverse(f"{DEPARTURE_URLS}:edit", args=[departure.pk])
    with translation.override("ru"):
        response = admin_client.post(
            edit, _departure_form_data(departure), follow=True, HTTP_ACCEPT_LANGUAGE="ru"
        )
    page = text(response)
    assert response.status_code == 200
    assert "обновлена" not in page
    assert re.search(r"Сохранено: рейс «[^»]+ — 2030-12-07 00:45»", page), page[-3000:]


def test_promo_codes_listing_shows_a_yes_no_mark(admin_client):
    Promotion.objects.create(code="PRICHAL10", name="Скидка", kind="percent", value=10)
    page = text(admin_client.get(reverse("wagtailsnippets_booking_promotion:list")))
    assert "PRICHAL10" in page
    assert not re.search(r">\s*True\s*<", page), re.search(r".{300}>\s*True\s*<", page, re.S)
    assert "icon-check" in page and "Да" in page


def test_the_admin_calls_no_outside_servers(admin_client):
    page = text(admin_client.get(reverse("wagtailadmin_home")))
    assert "gravatar" not in page
    assert "releases.wagtail.io" not in page
    assert "data-w-upgrade" not in page


# A2: no cancelling a departure with sold tickets by editing its status -----------------


def test_a_departure_with_sold_tickets_cannot_be_cancelled_in_the_admin(admin_client):
    departure = general_departure()
    placed_order(departure, paid=True)
    edit = reverse(f"{DEPARTURE_URLS}:edit", args=[departure.pk])

    with translation.override("en"):
        response = admin_client.post(
            edit, _departure_form_data(departure, status=Departure.Status.CANCELLED)
        )

    assert response.status_code == 200  # the form again, with the error
    assert "нельзя отменить сменой статуса" in text(response)
    departure.refresh_from_db()
    assert departure.status == Departure.Status.SCHEDULED


def test_the_rule_is_the_services_not_the_forms():
    departure = general_departure()
    placed_order(departure, paid=True)
    with pytest.raises(BookingError) as refused:
        departure_check_status_change(departure=departure, status=Departure.Status.CANCELLED)
    assert refused.value.code == "departure_has_tickets"
    departure_check_status_change(departure=departure, status=Departure.Status.DEPARTED)


def test_a_departure_nobody_bought_may_still_be_cancelled(admin_client):
    departure = general_departure()
    edit = reverse(f"{DEPARTURE_URLS}:edit", args=[departure.pk])

    response = admin_client.post(
        edit, _departure_form_data(departure, status=Departure.Status.CANCELLED)
    )

    assert response.status_code == 302, text(response)[-2000:]
    departure.refresh_from_db()
    assert departure.status == Departure.Status.CANCELLED
