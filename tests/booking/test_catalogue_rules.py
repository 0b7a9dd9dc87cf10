"""Catalogue rules that the staff screens used to decide, now the domain's: a second
caller (a service call, the ORM) meets them as the admin does. One default seat map per
vessel, zone codes and colours of a layout, seat-map import, and one consistent price
override per ticket type × zone × departure."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from booking.models import PriceZone, Seat, SeatMap, TicketPrice
from booking.services.errors import BookingError
from booking.services.seatmaps import LayoutError, plan_seats, seat_map_apply, seat_map_import
from booking.services.ticket_prices import ticket_price_save
from tests import factories
from tests.factories import SeatMapFactory, general_departure, grid_layout

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def zoned(code="vip", color="#2f7ab8") -> dict:
    return {"zones": [{"code": code, "name": "VIP", "color": color}], **grid_layout(2, 3)}


# One default seat map per vessel -------------------------------------------------------


def test_the_database_refuses_a_second_default_seat_map():
    first = SeatMapFactory(is_default=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        SeatMap.objects.create(vessel=first.vessel, name="Second", is_default=True)

    SeatMap.objects.create(vessel=first.vessel, name="Spare", is_default=False)
    assert list(SeatMap.objects.filter(vessel=first.vessel, is_default=True)) == [first]


def test_importing_a_second_default_seat_map_is_refused_naming_the_default():
    first = SeatMapFactory(name="Main deck", is_default=True)

    with pytest.raises(BookingError) as refused:
        seat_map_import(vessel=first.vessel, name="Second", is_default=True, layout=zoned())

    assert refused.value.code == "seat_map_default_taken"
    assert "“Main deck” is already the default seat map" in refused.value.message
    assert SeatMap.objects.filter(vessel=first.vessel).count() == 1
    assert not Seat.objects.exists()


def test_import_creates_a_seat_map_with_its_seats_and_zones():
    vessel = factories.VesselFactory()

    seat_map, counts = seat_map_import(vessel=vessel, name="Deck", is_default=True, layout=zoned())

    assert counts == {"created": 6, "updated": 0, "deleted": 0}
    assert (seat_map.vessel, seat_map.name, seat_map.is_default) == (vessel, "Deck", True)
    assert seat_map.seats.count() == 6
    assert list(seat_map.zones.values_list("code", flat=True)) == ["vip"]


def test_import_into_an_existing_seat_map_replaces_its_layout():
    seat_map = SeatMapFactory()
    seat_map_apply(seat_map=seat_map, layout=grid_layout(1, 2))

    same, counts = seat_map_import(seat_map=seat_map, layout=grid_layout(2, 2))

    assert same == seat_map
    assert counts == {"created": 2, "updated": 2, "deleted": 0}


def test_an_invalid_import_creates_nothing():
    vessel = factories.VesselFactory()

    with pytest.raises(LayoutError):
        seat_map_import(vessel=vessel, name="Broken", layout={"sections": []})

    assert not SeatMap.objects.exists()


# Zone codes and colours of a layout ----------------------------------------------------


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        (zoned(code="VIP зона"), "Zone code “VIP зона”: use up to 30 Latin letters"),
        (zoned(code="x" * 31), "use up to 30 Latin letters"),
        (zoned(color="red"), "Zone “vip”: the colour must look like #2f7ab8."),
        (zoned(color="#12345"), "the colour must look like #2f7ab8."),
    ],
)
def test_applying_a_layout_checks_zone_codes_and_colours(layout, message):
    seat_map = SeatMapFactory()

    with pytest.raises(LayoutError) as refused:
        seat_map_apply(seat_map=seat_map, layout=layout)

    assert any(message in text for text in refused.value.messages)
    assert not PriceZone.objects.exists()
    assert not Seat.objects.exists()
    with pytest.raises(LayoutError):
        plan_seats(layout)


def test_a_zone_without_a_colour_is_fine():
    seat_map = SeatMapFactory()
    layout = {"zones": [{"code": "deck-2_b", "name": "Deck"}], **grid_layout(1, 2)}

    seat_map_apply(seat_map=seat_map, layout=layout)

    assert seat_map.zones.get().color == "#2f7ab8"


# Price overrides -----------------------------------------------------------------------


def test_one_price_per_ticket_type_and_departure_whoever_saves():
    ticket_type = factories.TicketTypeFactory()
    departure = general_departure(product=ticket_type.product)
    ticket_price_save(
        ticket_price=TicketPrice(ticket_type=ticket_type, departure=departure, price=500)
    )

    with pytest.raises(BookingError) as refused:
        ticket_price_save(
            ticket_price=TicketPrice(ticket_type=ticket_type, departure=departure, price=600)
        )
    assert refused.value.code == "ticket_price_exists"
    # The empty zone counts as a value (NULLS NOT DISTINCT): the ORM cannot add one either.
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketPrice.objects.create(ticket_type=ticket_type, departure=departure, price=700)

    assert list(TicketPrice.objects.values_list("price", flat=True)) == [Decimal("500.00")]


def test_one_price_per_ticket_type_and_zone_whoever_saves():
    ticket_type = factories.TicketTypeFactory()
    zone = PriceZone.objects.create(seat_map=SeatMapFactory(), code="vip", name="VIP")
    TicketPrice.objects.create(ticket_type=ticket_type, zone=zone, price=500)

    with pytest.raises(BookingError) as refused:
        ticket_price_save(ticket_price=TicketPrice(ticket_type=ticket_type, zone=zone, price=1))

    assert refused.value.code == "ticket_price_exists"
    assert TicketPrice.objects.count() == 1


def test_a_price_for_a_departure_of_another_product_is_refused():
    ticket_type = factories.TicketTypeFactory()
    other = general_departure()

    with pytest.raises(BookingError) as refused:
        ticket_price_save(
            ticket_price=TicketPrice(ticket_type=ticket_type, departure=other, price=500)
        )

    assert refused.value.code == "ticket_price_departure_product"
    assert not TicketPrice.objects.exists()


def test_a_price_without_a_zone_or_departure_is_refused():
    ticket_type = factories.TicketTypeFactory()

    with pytest.raises(BookingError) as refused:
        ticket_price_save(ticket_price=TicketPrice(ticket_type=ticket_type, price=500))

    assert refused.value.code == "ticket_price_no_scope"
    assert not TicketPrice.objects.exists()


def test_saving_an_override_again_is_not_a_clash():
    ticket_type = factories.TicketTypeFactory()
    departure = general_departure(product=ticket_type.product)
    price = ticket_price_save(
        ticket_price=TicketPrice(ticket_type=ticket_type, departure=departure, price=500)
    )

    price.price = Decimal("550.00")
    ticket_price_save(ticket_price=price)

    assert TicketPrice.objects.get().price == Decimal("550.00")
