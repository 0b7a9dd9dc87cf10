"""Seat maps: the layout the editor produces, its validation, and materialising it into
seat rows without ever dropping a seat that is held or sold."""

import pytest
from django.utils import translation

from booking.models import HoldLine, PriceZone, Seat, SeatClaim, SeatingMode
from booking.services.holds import SeatRequest, hold_create
from booking.services.seatmaps import (
    MAX_SEATS,
    ROW_LETTERS,
    SEAT_PITCH,
    SECTION_GAP,
    LayoutError,
    plan_seats,
    seat_map_apply,
)
from tests import factories
from tests.factories import SeatMapFactory, expire, product_with_ticket_types, sell_seat


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def two_sections(**first):
    return {
        "zones": [{"code": "vip", "name": "VIP"}, {"code": "deck", "name": "Палуба"}],
        "sections": [
            {"name": "Salon", "rows": 3, "seats_per_row": 4, **first},
            {"name": "Deck", "rows": 2, "seats_per_row": 5, "zone": "deck"},
        ],
    }


def by_place(seats):
    return {(s.section, s.row, s.number): s for s in seats}


# --- plan_seats ----------------------------------------------------------------------


def test_sections_times_rows_times_seats():
    seats, zones = plan_seats(two_sections())

    assert len(seats) == 3 * 4 + 2 * 5
    assert [z["code"] for z in zones] == ["vip", "deck"]
    places = by_place(seats)
    assert len(places) == len(seats)
    assert {s.row for s in seats if s.section == "Salon"} == {"1", "2", "3"}
    assert {s.number for s in seats if s.section == "Deck"} == {"1", "2", "3", "4", "5"}
    assert {s.zone_code for s in seats} == {None, "deck"}
    assert {s.kind for s in seats} == {Seat.Kind.STANDARD}


def test_aisles_shift_x_and_gaps_shift_y():
    seats = by_place(plan_seats(two_sections(aisles_after=[2], gaps_after_row=[1]))[0])

    assert [seats[("Salon", "1", str(n))].x for n in range(1, 5)] == [
        0,
        SEAT_PITCH,
        3 * SEAT_PITCH,
        4 * SEAT_PITCH,
    ]
    assert [seats[("Salon", str(r), "1")].y for r in range(1, 4)] == [
        0,
        2 * SEAT_PITCH,
        3 * SEAT_PITCH,
    ]
    # The next section starts below the last row of the first one.
    assert seats[("Deck", "1", "1")].y == 4 * SEAT_PITCH + SECTION_GAP
    assert seats[("Deck", "2", "1")].y == 5 * SEAT_PITCH + SECTION_GAP
    assert seats[("Deck", "1", "5")].x == 4 * SEAT_PITCH


def test_without_aisles_and_gaps_seats_are_evenly_spaced():
    seats = by_place(plan_seats(two_sections())[0])
    assert [seats[("Salon", "1", str(n))].x for n in range(1, 5)] == [0, 30, 60, 90]
    assert [seats[("Salon", str(r), "1")].y for r in range(1, 4)] == [0, 30, 60]


def test_row_letters_skip_i_and_o():
    layout = {"sections": [{"name": "S", "rows": 24, "seats_per_row": 1, "row_labels": "letters"}]}
    rows = [s.row for s in plan_seats(layout)[0]]

    assert rows == list(ROW_LETTERS)
    assert rows[:10] == ["A", "B", "C", "D", "E", "F", "G", "H", "J", "K"]
    assert "I" not in rows and "O" not in rows
    assert len(set(rows)) == 24


def test_overrides_set_kind_and_zone():
    layout = two_sections(
        row_labels="letters",
        zone="vip",
        seats={
            "A-1": {"kind": "wheelchair"},
            "A-2": {"kind": "companion", "zone": "deck"},
            "C-4": {"kind": "blocked"},
        },
    )
    seats = by_place(plan_seats(layout)[0])

    assert (seats[("Salon", "A", "1")].kind, seats[("Salon", "A", "1")].zone_code) == (
        "wheelchair",
        "vip",
    )
    assert (seats[("Salon", "A", "2")].kind, seats[("Salon", "A", "2")].zone_code) == (
        "companion",
        "deck",
    )
    assert seats[("Salon", "C", "4")].kind == "blocked"
    assert seats[("Salon", "B", "1")].kind == "standard"
    assert seats[("Salon", "B", "1")].zone_code == "vip"


def section(**fields):
    return {"name": "S", "rows": 2, "seats_per_row": 2, **fields}


INVALID_LAYOUTS = [
    ("not an object", ["sections"], "must be a JSON object"),
    ("no sections", {"sections": []}, "at least one section"),
    ("sections not a list", {"sections": "S"}, "at least one section"),
    ("zones not a list", {"zones": "vip", "sections": [section()]}, "“zones” must be a list"),
    ("zone without name", {"zones": [{"code": "vip"}], "sections": [section()]}, "code and a name"),
    ("section not an object", {"sections": [5]}, "Section 1 is not an object"),
    ("section without name", {"sections": [section(name="  ")]}, "Section 1 needs a name"),
    ("two sections one name", {"sections": [section(), section()]}, "Two sections are called"),
    ("rows as a string", {"sections": [section(rows="3")]}, "Rows must be a whole number"),
    ("rows as a bool", {"sections": [section(rows=True)]}, "Rows must be a whole number"),
    ("rows zero", {"sections": [section(rows=0)]}, "Rows must be a whole number from 1 to 100"),
    ("rows float", {"sections": [section(rows=2.5)]}, "Rows must be a whole number"),
    (
        "seats per row too many",
        {"sections": [section(seats_per_row=101)]},
        "Seats per row must be a whole number from 1 to 100",
    ),
    (
        "aisle outside the row",
        {"sections": [section(aisles_after=[3])]},
        "Aisles after seat must be a list",
    ),
    ("aisles not a list", {"sections": [section(aisles_after="1")]}, "Aisles after seat"),
    ("gap outside", {"sections": [section(gaps_after_row=[0])]}, "Gaps after row must be a list"),
    ("row labels", {"sections": [section(row_labels="roman")]}, "Row labels are either"),
    ("unknown zone", {"sections": [section(zone="gold")]}, "Unknown zone “gold”"),
    ("seats not a map", {"sections": [section(seats=[1])]}, "must map “row-seat”"),
    ("seat settings", {"sections": [section(seats={"1-1": "x"})]}, "settings must be an object"),
    ("seat kind", {"sections": [section(seats={"1-1": {"kind": "vip"}})]}, "1-1: unknown kind"),
    ("seat zone", {"sections": [section(seats={"1-1": {"zone": "gold"}})]}, "1-1: unknown zone"),
    (
        "too many seats",
        {"sections": [section(name=str(n), rows=30, seats_per_row=30) for n in range(3)]},
        f"at most {MAX_SEATS} seats",
    ),
]


@pytest.mark.parametrize(
    ("layout", "message"),
    [(layout, message) for _name, layout, message in INVALID_LAYOUTS],
    ids=[name for name, *_rest in INVALID_LAYOUTS],
)
def test_invalid_layouts_are_refused_with_a_message(layout, message):
    with pytest.raises(LayoutError) as refused:
        plan_seats(layout)
    assert any(message in m for m in refused.value.messages), refused.value.messages


def test_every_problem_is_reported_at_once():
    layout = {"sections": [section(rows=0, seats_per_row="x", zone="gold")]}
    with pytest.raises(LayoutError) as refused:
        plan_seats(layout)
    assert len(refused.value.messages) == 3


def test_the_seat_limit_is_inclusive():
    layout = {"sections": [section(name=str(n), rows=20, seats_per_row=50) for n in range(2)]}
    assert len(plan_seats(layout)[0]) == MAX_SEATS


# --- seat_map_apply ------------------------------------------------------------------


@pytest.fixture
def seat_map(db):
    vessel = factories.VesselFactory(seating_mode=SeatingMode.ASSIGNED)
    seat_map = SeatMapFactory(vessel=vessel)
    seat_map_apply(seat_map=seat_map, layout=two_sections())
    return seat_map


def snapshot(seat_map):
    seat_map.refresh_from_db()
    return (
        sorted(seat_map.seats.values_list("pk", "section", "row", "number", "x", "y", "kind")),
        sorted(PriceZone.objects.filter(seat_map=seat_map).values_list("code", "name")),
        seat_map.layout,
    )


@pytest.mark.django_db
def test_apply_creates_seats_and_zones(seat_map):
    seats = by_place(seat_map.seats.select_related("zone"))

    assert len(seats) == 22
    assert sorted(seat_map.zones.values_list("code", flat=True)) == ["deck", "vip"]
    assert seats[("Deck", "1", "1")].zone.code == "deck"
    assert seats[("Salon", "1", "1")].zone is None
    assert seat_map.layout == two_sections()


@pytest.mark.django_db
def test_apply_updates_positions_kinds_and_zones_in_place(seat_map):
    before = {key: s.pk for key, s in by_place(seat_map.seats.all()).items()}
    layout = two_sections(aisles_after=[2], zone="vip", seats={"1-1": {"kind": "wheelchair"}})

    result = seat_map_apply(seat_map=seat_map, layout=layout)

    assert result == {"created": 0, "updated": 22, "deleted": 0}
    after = by_place(seat_map.seats.select_related("zone"))
    assert {key: s.pk for key, s in after.items()} == before
    assert after[("Salon", "1", "3")].x == 3 * SEAT_PITCH
    assert after[("Salon", "1", "1")].kind == "wheelchair"
    assert after[("Salon", "2", "2")].zone.code == "vip"


@pytest.mark.django_db
def test_apply_creates_new_and_deletes_removed_seats(seat_map):
    layout = two_sections(seats_per_row=3)
    layout["sections"][1]["rows"] = 3
    layout["zones"] = [{"code": "deck", "name": "Палуба"}]

    result = seat_map_apply(seat_map=seat_map, layout=layout)

    assert result == {"created": 5, "updated": 19, "deleted": 3}
    places = set(by_place(seat_map.seats.all()))
    assert ("Salon", "1", "4") not in places
    assert ("Deck", "3", "5") in places
    assert seat_map.seats.count() == 3 * 3 + 3 * 5
    assert list(seat_map.zones.values_list("code", flat=True)) == ["deck"]


def _assigned_departure_on(seat_map):
    product, _types = product_with_ticket_types()
    return factories.DepartureFactory(product=product, vessel=seat_map.vessel)


def _dropping_layout():
    """Drops seat 4 of every Salon row and moves the rest (an aisle)."""
    return two_sections(seats_per_row=3, aisles_after=[1])


@pytest.mark.django_db
def test_apply_refuses_to_drop_a_held_seat_and_changes_nothing(seat_map):
    departure = _assigned_departure_on(seat_map)
    seat = seat_map.seats.get(section="Salon", row="2", number="4")
    hold = hold_create(departure_id=departure.pk, owner_key="a", seats=[SeatRequest(seat.pk)])
    before = snapshot(seat_map)

    with pytest.raises(LayoutError) as refused:
        seat_map_apply(seat_map=seat_map, layout=_dropping_layout())

    assert "Salon 2-4" in refused.value.messages[0]
    assert "held or sold" in refused.value.messages[0]
    assert snapshot(seat_map) == before
    assert SeatClaim.objects.filter(hold=hold, seat=seat).exists()


@pytest.mark.django_db
def test_apply_refuses_to_drop_a_sold_seat_and_changes_nothing(seat_map):
    departure = _assigned_departure_on(seat_map)
    seat = seat_map.seats.get(section="Salon", row="3", number="4")
    sell_seat(departure, seat)
    before = snapshot(seat_map)

    with pytest.raises(LayoutError) as refused:
        seat_map_apply(seat_map=seat_map, layout=_dropping_layout())

    assert "Salon 3-4" in refused.value.messages[0]
    assert snapshot(seat_map) == before
    assert SeatClaim.objects.filter(seat=seat, expires_at__isnull=True).exists()


@pytest.mark.django_db
def test_apply_drops_a_seat_whose_only_claim_has_expired(seat_map):
    """The hold ran out (no sweeper yet): its seat is free, so the editor may remove it."""
    departure = _assigned_departure_on(seat_map)
    seat = seat_map.seats.get(section="Salon", row="1", number="4")
    kept = seat_map.seats.get(section="Salon", row="1", number="1")
    hold = hold_create(
        departure_id=departure.pk,
        owner_key="a",
        seats=[SeatRequest(seat.pk), SeatRequest(kept.pk)],
    )
    expire(hold)

    result = seat_map_apply(seat_map=seat_map, layout=_dropping_layout())

    assert result["deleted"] == 3
    assert not Seat.objects.filter(pk=seat.pk).exists()
    assert not SeatClaim.objects.filter(seat_id=seat.pk).exists()
    assert not HoldLine.objects.filter(seat_id=seat.pk).exists()


@pytest.mark.django_db
def test_an_invalid_layout_changes_nothing(seat_map):
    before = snapshot(seat_map)
    with pytest.raises(LayoutError):
        seat_map_apply(seat_map=seat_map, layout={"sections": [section(rows=0)]})
    assert snapshot(seat_map) == before
