"""The staff screens in `crm` render from their own templates and meet the domain's rules:
a second default seat map is refused with a message an editor can act on (editor and
import), an imported layout's zone rules come from the seat-map service, and price
overrides are saved through `ticket_price_save`."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from booking.models import SeatMap, TicketPrice
from tests import factories
from tests.factories import SeatMapFactory, general_departure, grid_layout

pytestmark = pytest.mark.django_db

SEAT_MAP_URLS = "wagtailsnippets_booking_seatmap"
PRICE_URLS = "wagtailsnippets_booking_ticketprice"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def admin_client():
    user = get_user_model().objects.create_superuser(
        email="admin@example.com", password="x-pass-123456"
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def template_names(response) -> set[str]:
    return {t.name for t in response.templates if t.name}


@pytest.mark.parametrize(
    ("url", "template"),
    [
        (lambda: reverse(f"{SEAT_MAP_URLS}:add"), "crm/admin/seat_map_create.html"),
        (lambda: reverse(f"{SEAT_MAP_URLS}:import"), "crm/admin/seat_map_import.html"),
        (lambda: reverse("booking_departure_schedule:create"), "crm/admin/departure_schedule.html"),
        (lambda: reverse("checkin:index"), "crm/checkin/index.html"),
    ],
)
def test_staff_screens_render_from_crm_templates(admin_client, url, template):
    response = admin_client.get(url())

    assert response.status_code == 200
    assert template in template_names(response)


def editor_post(vessel, name, is_default=True) -> dict:
    return {
        "vessel": vessel.pk,
        "name": name,
        "is_default": "on" if is_default else "",
        "zones-TOTAL_FORMS": "0",
        "zones-INITIAL_FORMS": "0",
        "zones-MIN_NUM_FORMS": "0",
        "zones-MAX_NUM_FORMS": "20",
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "0",
        "sections-MIN_NUM_FORMS": "1",
        "sections-MAX_NUM_FORMS": "30",
        "sections-0-name": "Main",
        "sections-0-rows": "2",
        "sections-0-seats_per_row": "3",
        "sections-0-row_labels": "numbers",
        "sections-0-aisles_after": "",
        "sections-0-gaps_after_row": "",
        "sections-0-zone": "",
        "sections-0-seats": "",
    }


def test_the_editor_refuses_a_second_default_seat_map_naming_the_default(admin_client):
    first = SeatMapFactory(name="Main deck", is_default=True)

    response = admin_client.post(
        reverse(f"{SEAT_MAP_URLS}:add"), editor_post(first.vessel, "Second")
    )

    assert response.status_code == 200
    assert "“Main deck” is already the default seat map of" in response.content.decode()
    assert "untick it on that seat map first" in response.content.decode()
    assert SeatMap.objects.filter(vessel=first.vessel).count() == 1

    response = admin_client.post(
        reverse(f"{SEAT_MAP_URLS}:add"), editor_post(first.vessel, "Spare", is_default=False)
    )
    assert response.status_code == 302
    assert SeatMap.objects.get(name="Spare").seats.count() == 6


def import_post(vessel, layout, name="Imported", is_default=True) -> dict:
    return {
        "vessel": vessel.pk,
        "name": name,
        "is_default": "on" if is_default else "",
        "text": json.dumps(layout),
    }


def test_the_import_screen_refuses_a_second_default_seat_map(admin_client):
    first = SeatMapFactory(name="Main deck", is_default=True)

    response = admin_client.post(
        reverse(f"{SEAT_MAP_URLS}:import"), import_post(first.vessel, grid_layout(1, 2))
    )

    assert response.status_code == 200
    assert "“Main deck” is already the default seat map of" in response.content.decode()
    assert SeatMap.objects.filter(vessel=first.vessel).count() == 1


def test_the_import_screen_shows_the_services_zone_rules(admin_client):
    vessel = factories.VesselFactory()
    layout = {"zones": [{"code": "VIP зона", "name": "VIP", "color": "red"}]}
    layout.update(grid_layout(1, 2))

    response = admin_client.post(reverse(f"{SEAT_MAP_URLS}:import"), import_post(vessel, layout))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Zone code “VIP зона”: use up to 30 Latin letters" in body
    assert "the colour must look like #2f7ab8." in body
    assert not SeatMap.objects.exists()


def test_the_import_screen_creates_a_seat_map(admin_client):
    vessel = factories.VesselFactory()

    response = admin_client.post(
        reverse(f"{SEAT_MAP_URLS}:import"), import_post(vessel, grid_layout(2, 2))
    )

    seat_map = SeatMap.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(f"{SEAT_MAP_URLS}:edit", args=[seat_map.pk])
    assert seat_map.seats.count() == 4


def test_price_overrides_are_saved_through_the_service_with_one_message_per_problem(
    admin_client,
):
    ticket_type = factories.TicketTypeFactory()
    departure = general_departure(product=ticket_type.product)
    url = reverse(f"{PRICE_URLS}:add")

    response = admin_client.post(
        url, {"ticket_type": ticket_type.pk, "departure": departure.pk, "price": "500"}
    )
    assert response.status_code == 302
    assert TicketPrice.objects.count() == 1

    response = admin_client.post(
        url, {"ticket_type": ticket_type.pk, "departure": departure.pk, "price": "600"}
    )
    body = response.content.decode()
    assert body.count("This ticket type already has a price for this zone and departure.") == 1

    response = admin_client.post(url, {"ticket_type": ticket_type.pk, "price": "600"})
    body = response.content.decode()
    assert body.count("Choose a price zone, a departure or both") == 1
    assert "booking_ticketprice_has_scope" not in body

    response = admin_client.post(
        url, {"ticket_type": ticket_type.pk, "departure": general_departure().pk, "price": "1"}
    )
    assert "This departure is of another product than the ticket type." in response.content.decode()
    assert TicketPrice.objects.count() == 1
