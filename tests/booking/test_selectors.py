"""Availability and prices as the booking block and the API read them: expired holds
count as free without any sweeper, seat statuses, the most specific price wins, and a
fixed number of queries however many departures or seats there are."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import Departure, Seat, SeatingMode, TicketPrice
from booking.selectors import (
    PriceTable,
    departure_seat_states,
    departure_slots,
    departures_with_availability,
    remaining_places,
)
from booking.services.holds import SeatRequest, hold_create
from tests import factories
from tests.factories import (
    TicketPriceFactory,
    assigned_departure,
    expire,
    general_departure,
    grid_layout,
    product_with_ticket_types,
    seat_map_with_seats,
    seats_of,
    sell_seat,
)

pytestmark = pytest.mark.django_db


def annotated(departure):
    return departures_with_availability(Departure.objects.filter(pk=departure.pk)).get()


def adult_of(departure):
    return departure.product.ticket_types.order_by("sort_order", "pk").first()


# --- remaining places ----------------------------------------------------------------


def test_general_admission_remaining_counts_unexpired_holds_only():
    departure = general_departure(capacity=10)
    adult = adult_of(departure)
    hold_create(departure_id=departure.pk, owner_key="a", quantities={adult.pk: 3})
    expired = hold_create(departure_id=departure.pk, owner_key="b", quantities={adult.pk: 2})
    expire(expired)
    # Another departure's hold is not counted here.
    other = general_departure(capacity=10, product=departure.product)
    hold_create(departure_id=other.pk, owner_key="c", quantities={adult.pk: 4})

    assert annotated(departure).held_places == 3
    assert remaining_places(annotated(departure)) == 7
    assert remaining_places(annotated(other)) == 6


def test_assigned_remaining_counts_held_and_sold_seats_but_not_expired_or_blocked():
    departure = assigned_departure(rows=2, seats_per_row=10)
    seats = seats_of(departure)
    Seat.objects.filter(pk=seats[19].pk).update(kind=Seat.Kind.BLOCKED)
    hold_create(
        departure_id=departure.pk,
        owner_key="a",
        seats=[SeatRequest(seats[0].pk), SeatRequest(seats[1].pk)],
    )
    sell_seat(departure, seats[2])
    expired = hold_create(
        departure_id=departure.pk, owner_key="b", seats=[SeatRequest(seats[3].pk)]
    )
    expire(expired)

    row = annotated(departure)

    assert row.seat_count == 19
    assert row.claimed_seats == 3
    assert remaining_places(row) == 16


def test_departure_slots_show_remaining_and_skip_cancelled_and_past_departures():
    product, _types = product_with_ticket_types()
    today = timezone.localdate()
    day = today + datetime.timedelta(days=5)
    vessel = factories.VesselFactory(seating_mode=SeatingMode.GENERAL)
    on = general_departure(
        capacity=8, product=product, vessel=vessel, starts_at=factories.moscow_datetime(day, 11)
    )
    general_departure(
        capacity=8,
        product=product,
        vessel=vessel,
        starts_at=factories.moscow_datetime(day, 13),
        status=Departure.Status.CANCELLED,
    )
    late = general_departure(
        capacity=8,
        product=product,
        vessel=vessel,
        starts_at=factories.moscow_datetime(day, 15),
        on_sale_from=timezone.now() + datetime.timedelta(days=1),
    )
    hold_create(departure_id=on.pk, owner_key="a", quantities={adult_of(on).pk: 5})

    slots = departure_slots(product=product, date_from=today, date_to=day)

    assert [(s.departure.pk, s.remaining, s.on_sale) for s in slots] == [
        (on.pk, 3, True),
        (late.pk, 8, False),
    ]
    assert slots[0].from_price == Decimal("800.00")


# --- seat statuses -------------------------------------------------------------------


def test_seat_states_free_held_sold_blocked_mine_and_expired_as_free():
    departure = assigned_departure(rows=1, seats_per_row=6)
    s = seats_of(departure)
    Seat.objects.filter(pk=s[3].pk).update(kind=Seat.Kind.BLOCKED)
    mine = hold_create(departure_id=departure.pk, owner_key="me", seats=[SeatRequest(s[0].pk)])
    hold_create(departure_id=departure.pk, owner_key="other", seats=[SeatRequest(s[1].pk)])
    sell_seat(departure, s[2])
    expired = hold_create(departure_id=departure.pk, owner_key="gone", seats=[SeatRequest(s[4].pk)])
    expire(expired)

    statuses = {
        state.seat.pk: state.status
        for state in departure_seat_states(departure=departure, own_hold_id=mine.pk)
    }
    anonymous = {
        state.seat.pk: state.status for state in departure_seat_states(departure=departure)
    }

    assert statuses == {
        s[0].pk: "mine",
        s[1].pk: "held",
        s[2].pk: "sold",
        s[3].pk: "blocked",
        s[4].pk: "free",
        s[5].pk: "free",
    }
    assert anonymous[s[0].pk] == "held"


def test_a_general_admission_departure_without_a_seat_map_has_no_seat_states():
    departure = general_departure()
    assert departure_seat_states(departure=departure) == []


# --- prices --------------------------------------------------------------------------


@pytest.fixture
def priced():
    """Ticket type 1000 ₽; zone VIP 1200; departure D1 900; VIP on D1 1500."""
    product, (adult, child) = product_with_ticket_types(prices=("1000.00", "600.00"))
    vessel = factories.VesselFactory(seating_mode=SeatingMode.ASSIGNED)
    seat_map = seat_map_with_seats(
        vessel,
        layout={
            "zones": [{"code": "vip", "name": "VIP"}],
            "sections": [
                {"name": "Front", "rows": 1, "seats_per_row": 2, "zone": "vip"},
                {"name": "Back", "rows": 1, "seats_per_row": 2},
            ],
        },
    )
    vip = seat_map.zones.get(code="vip")
    d1 = assigned_departure(product=product, vessel=vessel)
    d2 = assigned_departure(
        product=product, vessel=vessel, starts_at=d1.starts_at + datetime.timedelta(days=1)
    )
    TicketPriceFactory(ticket_type=adult, zone=vip, departure=None, price=Decimal("1200.00"))
    TicketPriceFactory(ticket_type=adult, zone=None, departure=d1, price=Decimal("900.00"))
    TicketPriceFactory(ticket_type=adult, zone=vip, departure=d1, price=Decimal("1500.00"))
    return {
        "product": product,
        "adult": adult,
        "child": child,
        "vip": vip,
        "d1": d1,
        "d2": d2,
        "front": seat_map.seats.filter(section="Front"),
        "back": seat_map.seats.filter(section="Back"),
    }


def test_price_overrides_are_resolved_most_specific_first(priced):
    adult, child, vip, d1, d2 = (priced[k] for k in ("adult", "child", "vip", "d1", "d2"))
    table = PriceTable.for_departures(priced["product"].pk, [d1.pk, d2.pk])

    assert table.price(adult.pk, d1.pk, vip.pk) == Decimal("1500.00")  # zone and departure
    assert table.price(adult.pk, d1.pk, None) == Decimal("900.00")  # departure
    assert table.price(adult.pk, d2.pk, vip.pk) == Decimal("1200.00")  # zone
    assert table.price(adult.pk, d2.pk, None) == Decimal("1000.00")  # ticket type
    assert table.price(child.pk, d1.pk, vip.pk) == Decimal("600.00")  # no override at all
    assert all(
        isinstance(table.price(t.pk, d.pk, z), Decimal)
        for t in (adult, child)
        for d in (d1, d2)
        for z in (None, vip.pk)
    )


def test_a_departure_override_beats_a_zone_override(priced):
    """Without a price for both, a departure's price wins over the zone's."""
    adult, vip, d1 = priced["adult"], priced["vip"], priced["d1"]
    TicketPrice.objects.filter(zone=vip, departure=d1).delete()
    table = PriceTable.for_departures(priced["product"].pk, [d1.pk])
    assert table.price(adult.pk, d1.pk, vip.pk) == Decimal("900.00")


def test_seat_states_carry_the_resolved_prices(priced):
    adult, child, d1, d2 = (priced[k] for k in ("adult", "child", "d1", "d2"))
    front, back = priced["front"].first(), priced["back"].first()

    def prices(departure):
        return {s.seat.pk: s.prices for s in departure_seat_states(departure=departure)}

    on_d1, on_d2 = prices(d1), prices(d2)
    assert on_d1[front.pk] == {adult.pk: Decimal("1500.00"), child.pk: Decimal("600.00")}
    assert on_d1[back.pk] == {adult.pk: Decimal("900.00"), child.pk: Decimal("600.00")}
    assert on_d2[front.pk] == {adult.pk: Decimal("1200.00"), child.pk: Decimal("600.00")}
    assert on_d2[back.pk] == {adult.pk: Decimal("1000.00"), child.pk: Decimal("600.00")}


def test_from_price_of_a_slot_is_the_cheapest_over_zones_and_types(priced):
    d1 = priced["d1"]
    slots = departure_slots(
        product=priced["product"],
        date_from=timezone.localdate(),
        date_to=timezone.localdate() + datetime.timedelta(days=10),
    )
    assert {s.departure.pk: s.from_price for s in slots} == {
        d1.pk: Decimal("600.00"),
        priced["d2"].pk: Decimal("600.00"),
    }


# --- query counts --------------------------------------------------------------------


SEATS_300 = grid_layout(15, 20, aisles_after=[10])


@pytest.fixture
def month_of_departures():
    """A product whose departures alternate between a general-admission vessel and an
    assigned-seating vessel with a 300-seat map, with holds, sold seats and price
    overrides spread over them. Returns a function that adds `n` more departures."""
    product, (adult, child) = product_with_ticket_types()
    seated = factories.VesselFactory(seating_mode=SeatingMode.ASSIGNED, capacity=300)
    seat_map = seat_map_with_seats(
        seated,
        layout={
            "zones": [{"code": "vip", "name": "VIP"}],
            "sections": [
                {"name": "Main", "rows": 10, "seats_per_row": 20, "zone": "vip"},
                {"name": "Deck", "rows": 5, "seats_per_row": 20},
            ],
        },
    )
    assert seat_map.seats.count() == 300
    vip = seat_map.zones.get()
    TicketPriceFactory(ticket_type=adult, zone=vip, departure=None, price=Decimal("2500.00"))
    general = factories.VesselFactory(seating_mode=SeatingMode.GENERAL, capacity=120)
    seats = list(seat_map.seats.order_by("pk")[:3])
    start = timezone.localdate() + datetime.timedelta(days=1)
    made = []

    def add(n):
        for _ in range(n):
            i = len(made)
            day, hour = start + datetime.timedelta(days=i // 2), 10 + (i % 2) * 6
            departure = factories.DepartureFactory(
                product=product,
                vessel=seated if i % 2 else general,
                venue=product.venue,
                starts_at=factories.moscow_datetime(day, hour),
            )
            if i % 2:
                hold_create(
                    departure_id=departure.pk,
                    owner_key=f"o{i}",
                    seats=[SeatRequest(seats[0].pk), SeatRequest(seats[1].pk)],
                )
                sell_seat(departure, seats[2])
            else:
                hold_create(departure_id=departure.pk, owner_key=f"o{i}", quantities={adult.pk: 2})
            if i % 5 == 0:
                TicketPriceFactory(ticket_type=child, departure=departure, price=Decimal("700"))
            made.append(departure)
        return made

    return product, add


def count_slot_queries(product, days=40):
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as queries:
        slots = departure_slots(
            product=product, date_from=today, date_to=today + datetime.timedelta(days=days)
        )
        # What a listing reads of each slot.
        summary = [
            (s.remaining, s.from_price, s.seating_mode, s.on_sale, s.departure.venue.name)
            for s in slots
        ]
    return len(queries), slots, summary


def test_departure_slots_for_a_month_use_a_fixed_number_of_queries(month_of_departures):
    product, add = month_of_departures
    add(10)
    few, slots, _ = count_slot_queries(product)
    assert len(slots) == 10
    add(50)
    many, slots, summary = count_slot_queries(product)
    assert len(slots) == 60

    print(f"departure_slots: {few} queries for 10 departures, {many} for 60")
    assert few == many
    assert many <= 4
    # And the figures are right: 300 seats minus 2 held and 1 sold; 120 places minus 2.
    assert {remaining for remaining, *_rest in summary} == {297, 118}


def test_departure_seat_states_use_a_fixed_number_of_queries():
    small = assigned_departure(rows=3, seats_per_row=10)
    large = assigned_departure(rows=15, seats_per_row=20)
    for departure in (small, large):
        seats = seats_of(departure)
        hold_create(
            departure_id=departure.pk,
            owner_key="a",
            seats=[SeatRequest(seats[0].pk), SeatRequest(seats[1].pk)],
        )
        sell_seat(departure, seats[2])

    counts = {}
    for name, departure in (("small", small), ("large", large)):
        departure = Departure.objects.get(pk=departure.pk)
        with CaptureQueriesContext(connection) as queries:
            states = departure_seat_states(departure=departure)
            labels = [(s.status, s.seat.zone, s.prices) for s in states]
        counts[name] = len(queries)
        assert len(labels) == (30 if name == "small" else 300)

    print(
        f"departure_seat_states: {counts['small']} queries for 30 seats, {counts['large']} for 300"
    )
    assert counts["small"] == counts["large"] <= 5
