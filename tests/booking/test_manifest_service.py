"""A departure's manifest (`booking.services.manifests`): who is on it, in which state, the
counts, in a fixed number of queries; and the crew's list of today's and tomorrow's
departures."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from booking.models import Departure, Order, Ticket
from booking.services.manifests import (
    BOARDED,
    REFUNDED,
    VALID,
    departure_manifest,
    manifest_departures,
)
from tests import factories
from tests.factories import assigned_departure, general_departure, placed_order, seats_of

PIER_TIMEZONE = "Asia/Vladivostok"
# 11:00 on 7 December 2031 at the pier (UTC+10).
STARTS_AT = datetime.datetime(2031, 12, 7, 1, 0, tzinfo=datetime.UTC)
# 10:40 at the pier.
BOARDED_AT = datetime.datetime(2031, 12, 7, 0, 40, tzinfo=datetime.UTC)


@dataclass
class ManifestWorld:
    departure: Departure
    boris: Order  # 2 adults + 1 child, expected
    anna: Order  # 1 adult, boarded at 10:40 pier time
    vera: Order  # 1 adult, refunded
    unpaid: Order  # not on the manifest


def pier_product(venue=None):
    venue = venue or factories.VenueFactory(timezone=PIER_TIMEZONE)
    product = factories.ProductFactory(
        venue=venue, name="Белые ночи", name_en="White Nights", name_zh="白夜游船"
    )
    adult = factories.TicketTypeFactory(
        product=product, name="Взрослый", name_en="Adult", price=Decimal("2000.00"), sort_order=0
    )
    child = factories.TicketTypeFactory(
        product=product,
        name="Детский",
        name_en="Child",
        name_zh="儿童",
        price=Decimal("1200.00"),
        sort_order=1,
        is_child=True,
    )
    return product, adult, child


def manifest_world(*, starts_at=STARTS_AT, venue=None, capacity=30) -> ManifestWorld:
    product, adult, child = pier_product(venue)
    departure = general_departure(
        product=product,
        venue=product.venue,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=90),
        capacity=capacity,
    )
    boris = placed_order(
        departure,
        quantities={adult.pk: 2, child.pk: 1},
        paid=True,
        name="Борис Петров",
        email="boris@example.com",
        phone="+79123456789",
    )
    anna = placed_order(
        departure,
        quantities={adult.pk: 1},
        paid=True,
        name="анна Смирнова",
        email="anna@example.com",
        phone="+79215550123",
    )
    Ticket.objects.filter(order=anna).update(
        checked_in_at=starts_at - datetime.timedelta(minutes=20)
    )
    vera = placed_order(
        departure,
        quantities={adult.pk: 1},
        paid=True,
        name="Вера Иванова",
        email="vera@example.com",
    )
    Ticket.objects.filter(order=vera).update(status=Ticket.Status.REFUNDED)
    unpaid = placed_order(
        departure, quantities={adult.pk: 1}, name="Григорий Неоплатил", email="g@example.com"
    )
    departure = Departure.objects.select_related("product", "venue", "vessel").get(pk=departure.pk)
    return ManifestWorld(departure=departure, boris=boris, anna=anna, vera=vera, unpaid=unpaid)


@pytest.mark.django_db
def test_the_manifest_lists_paid_tickets_by_name_with_their_state():
    world = manifest_world()
    with translation.override("ru"):
        manifest = departure_manifest(world.departure)
    names = [row.name for row in manifest.rows]
    # Sorted by name whatever the case; the unpaid order is not a passenger.
    assert names == [
        "анна Смирнова",
        "Борис Петров",
        "Борис Петров",
        "Борис Петров",
        "Вера Иванова",
    ]
    anna = manifest.rows[0]
    assert anna.state == BOARDED
    assert anna.boarded_time == "10:40"  # the pier's clock, not Moscow's (03:40)
    assert anna.phone == "+7 921 555-01-23"
    assert anna.order_code == world.anna.code
    boris = [row for row in manifest.rows if row.order_code == world.boris.code]
    assert sorted(row.ticket_type for row in boris) == ["Взрослый", "Взрослый", "Детский"]
    assert {row.state for row in boris} == {VALID}
    assert all(row.boarded_time == "" and row.seat == "" for row in boris)
    assert manifest.rows[-1].state == REFUNDED and manifest.rows[-1].refunded
    assert manifest.local_starts_at.strftime("%H:%M") == "11:00"
    assert manifest.time_zone == PIER_TIMEZONE


@pytest.mark.django_db
def test_the_totals_count_the_headcount_against_capacity_children_and_refunds():
    world = manifest_world(capacity=30)
    totals = departure_manifest(world.departure).totals
    assert totals.capacity == 30
    assert totals.headcount == 4  # 3 of Boris + Anna; Vera refunded, the unpaid order not
    assert totals.boarded == 1
    assert totals.expected == 3
    assert totals.children == 1
    assert totals.refunded == 1
    assert totals.free == 26


@pytest.mark.django_db
def test_a_ticket_type_in_english_on_an_english_screen():
    world = manifest_world()
    with translation.override("en"):
        manifest = departure_manifest(world.departure)
    assert {row.ticket_type for row in manifest.rows} == {"Adult", "Child"}


@pytest.mark.django_db
def test_assigned_seating_shows_each_ticket_seat():
    product, _adult, _child = pier_product()
    departure = assigned_departure(
        product=product,
        venue=product.venue,
        starts_at=STARTS_AT,
        ends_at=STARTS_AT + datetime.timedelta(hours=2),
    )
    seats = seats_of(departure)[:2]
    placed_order(departure, seats=seats, paid=True, name="Дарья Морская")
    with translation.override("ru"):
        manifest = departure_manifest(departure.pk)
    assert manifest.assigned_seating
    assert sorted(row.seat for row in manifest.rows) == sorted(seat.short_label for seat in seats)
    assert all(row.seat for row in manifest.rows)


@pytest.mark.django_db
def test_the_manifest_takes_the_same_few_queries_for_many_passengers():
    world = manifest_world(capacity=60)
    with CaptureQueriesContext(connection) as few:
        departure_manifest(world.departure)
    adult = world.departure.product.ticket_types.get(is_child=False)
    for number in range(15):
        placed_order(
            world.departure,
            quantities={adult.pk: 2},
            paid=True,
            name=f"Пассажир {number}",
            email=f"p{number}@example.com",
        )
    with CaptureQueriesContext(connection) as many:
        manifest = departure_manifest(world.departure)
    assert len(manifest.rows) == 35
    assert len(few) <= 2
    assert len(many) == len(few)


@pytest.mark.django_db
def test_today_and_tomorrow_by_the_pier_calendar():
    venue = factories.VenueFactory(timezone=PIER_TIMEZONE)
    now = timezone.now()
    zone = datetime.timezone(datetime.timedelta(hours=10))
    pier_today = now.astimezone(zone).date()

    def at(day, hour):
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)

    product, adult, _child = pier_product(venue)
    today = general_departure(
        product=product,
        venue=venue,
        starts_at=at(pier_today, 23),
        ends_at=at(pier_today, 23) + datetime.timedelta(minutes=30),
    )
    tomorrow = general_departure(
        product=product,
        venue=venue,
        starts_at=at(pier_today + datetime.timedelta(days=1), 12),
        ends_at=at(pier_today + datetime.timedelta(days=1), 13),
    )
    later = general_departure(
        product=product,
        venue=venue,
        starts_at=at(pier_today + datetime.timedelta(days=2), 12),
        ends_at=at(pier_today + datetime.timedelta(days=2), 13),
    )
    placed_order(tomorrow, quantities={adult.pk: 3}, paid=True)
    listed = {item.departure.pk: item for item in manifest_departures(now=now)}
    assert listed[today.pk].day == "today"
    assert listed[tomorrow.pk].day == "tomorrow"
    assert listed[tomorrow.pk].headcount == 3 and listed[tomorrow.pk].boarded == 0
    assert later.pk not in listed
    from django.db.models import Q

    assert manifest_departures(now=now, scope=Q(venue_id=-1)) == []
