"""A vessel is never in two places at once: every departure holds its vessel's time in the
occupancy table, and on PostgreSQL an exclusion constraint refuses two overlapping
`[starts_at, ends_at)` stretches of one vessel, whatever races."""

import datetime
import importlib
import logging

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from booking.models import Departure, VesselOccupancy
from booking.models.inventory import OCCUPANCY_NO_OVERLAP
from booking.services.departures import departures_create_recurring
from booking.services.errors import BookingError, violated_constraint
from tests import factories
from tests.concurrency import race

pytestmark = pytest.mark.django_db

DEPARTURES_URLS = "wagtailsnippets_booking_departure"


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return factories.moscow_datetime(datetime.date(2031, 6, day), hour) + datetime.timedelta(
        minutes=minute
    )


def departure(vessel, starts_at, minutes=90, **kwargs):
    return factories.DepartureFactory(
        vessel=vessel,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=minutes),
        **kwargs,
    )


def rows(vessel):
    return list(
        VesselOccupancy.objects.filter(vessel=vessel)
        .order_by("starts_at")
        .values_list("departure_id", "starts_at", "ends_at", "kind")
    )


def test_the_database_is_postgresql():
    assert connection.vendor == "postgresql"


def test_a_departure_holds_its_vessels_time():
    vessel = factories.VesselFactory()
    first = departure(vessel, at(1, 11))
    assert rows(vessel) == [(first.pk, at(1, 11), at(1, 12, 30), "departure")]


def test_an_overlapping_departure_on_the_same_vessel_is_refused():
    vessel = factories.VesselFactory(name="Москва-1")
    departure(vessel, at(1, 11))
    with pytest.raises(BookingError) as refused:
        departure(vessel, at(1, 12))
    assert refused.value.code == "vessel_busy"
    assert isinstance(refused.value.__cause__, IntegrityError)  # the constraint said no
    assert "Москва-1" in refused.value.message
    assert "2031-06-01 11:00" in refused.value.message
    assert "2031-06-01 12:30" in refused.value.message
    assert Departure.objects.filter(vessel=vessel).count() == 1
    assert len(rows(vessel)) == 1


def test_touching_departures_and_another_vessel_are_allowed():
    vessel, other = factories.VesselFactory(), factories.VesselFactory()
    departure(vessel, at(1, 11))
    departure(vessel, at(1, 12, 30))  # starts when the first ends: [) ranges
    departure(vessel, at(1, 9, 30))  # ends when the first starts
    departure(other, at(1, 11, 30))
    assert len(rows(vessel)) == 3
    assert len(rows(other)) == 1


def test_rescheduling_moves_the_row_and_changing_the_vessel_frees_the_old_one():
    vessel, other = factories.VesselFactory(), factories.VesselFactory()
    moving = departure(vessel, at(1, 11))
    moving.starts_at, moving.ends_at = at(2, 15), at(2, 17)
    moving.save()
    assert rows(vessel) == [(moving.pk, at(2, 15), at(2, 17), "departure")]
    departure(vessel, at(1, 11))  # the old time is free again
    moving.vessel = other
    moving.save()
    assert rows(other) == [(moving.pk, at(2, 15), at(2, 17), "departure")]
    assert [r[0] for r in rows(vessel)] != [moving.pk]


def test_rescheduling_into_busy_time_is_refused_and_nothing_changes():
    vessel = factories.VesselFactory()
    departure(vessel, at(1, 11))
    later = departure(vessel, at(1, 15))
    later.starts_at, later.ends_at = at(1, 12), at(1, 13)
    with pytest.raises(BookingError) as refused, transaction.atomic():
        later.save()
    assert refused.value.code == "vessel_busy"
    later.refresh_from_db()
    assert later.starts_at == at(1, 15)
    assert (later.pk, at(1, 15), at(1, 16, 30), "departure") in rows(vessel)


def test_cancelling_frees_the_vessel():
    vessel = factories.VesselFactory()
    cancelled = departure(vessel, at(1, 11))
    cancelled.status = Departure.Status.CANCELLED
    cancelled.save(update_fields=["status"])
    assert rows(vessel) == []
    replacement = departure(vessel, at(1, 11, 30))
    assert [r[0] for r in rows(vessel)] == [replacement.pk]


def test_a_departure_across_midnight_blocks_the_next_morning():
    vessel = factories.VesselFactory()
    night = departure(vessel, at(1, 22), minutes=4 * 60)  # 22:00 → 02:00
    with pytest.raises(BookingError):
        departure(vessel, at(2, 0) + datetime.timedelta(hours=1))
    early = departure(vessel, at(2, 0) + datetime.timedelta(hours=2))  # 02:00, touching
    assert [r[0] for r in rows(vessel)] == [night.pk, early.pk]
    assert rows(vessel)[0][2] - rows(vessel)[0][1] == datetime.timedelta(hours=4)


def test_the_constraint_refuses_a_raw_overlapping_row():
    vessel = factories.VesselFactory()
    departure(vessel, at(1, 11))
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        VesselOccupancy.objects.create(
            vessel=vessel, starts_at=at(1, 12), ends_at=at(1, 14), kind="rental"
        )
    assert violated_constraint(refused.value) == OCCUPANCY_NO_OVERLAP


def test_season_generation_skips_busy_times_and_its_own_overlaps():
    vessel = factories.VesselFactory()
    venue = factories.VenueFactory(timezone="Europe/Moscow")
    product = factories.ProductFactory(venue=venue, duration_minutes=90)
    other_product = factories.ProductFactory(venue=venue)
    departure(vessel, at(2, 13), product=other_product)  # 13:00–14:30 on 2 June
    created = departures_create_recurring(
        product=product,
        vessel=vessel,
        venue=venue,
        date_from=datetime.date(2031, 6, 1),
        date_to=datetime.date(2031, 6, 3),
        # 11:30 overlaps the schedule's own 11:00 departure; 13:00 on 2 June is busy.
        times=[datetime.time(11), datetime.time(11, 30), datetime.time(13)],
        weekdays=set(range(7)),
        duration_minutes=90,
    )
    starts = sorted(d.starts_at for d in created)
    assert starts == [at(1, 11), at(1, 13), at(2, 11), at(3, 11), at(3, 13)]
    other = Departure.objects.get(product=other_product)
    assert {r[0] for r in rows(vessel)} == {d.pk for d in created} | {other.pk}


# The CRM departure editor ----------------------------------------------------------


def form_data(vessel, product, venue, starts, ends) -> dict:
    def local(moment):
        return moment.astimezone(datetime.UTC).astimezone().strftime("%Y-%m-%d %H:%M")

    return {
        "product": product.pk,
        "vessel": vessel.pk,
        "venue": venue.pk,
        "starts_at": local(starts),
        "ends_at": local(ends),
        "status": Departure.Status.SCHEDULED,
        "seating_mode": "",
        "seat_map": "",
        "capacity": "",
        "on_sale_from": "",
        "on_sale_until": "",
    }


def test_the_crm_editor_shows_a_busy_vessel_as_a_form_error(admin_client):
    vessel = factories.VesselFactory(name="Ласточка")
    existing = departure(vessel, at(1, 11))
    product, venue = existing.product, existing.venue
    add = reverse(f"{DEPARTURES_URLS}:add")
    response = admin_client.post(add, form_data(vessel, product, venue, at(1, 12), at(1, 13)))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ласточка" in page and "2031-06-01 11:00" in page, page[-3000:]
    assert Departure.objects.filter(vessel=vessel).count() == 1

    later = departure(vessel, at(1, 15))
    edit = reverse(f"{DEPARTURES_URLS}:edit", args=[later.pk])
    response = admin_client.post(
        edit, form_data(vessel, later.product, later.venue, at(1, 12), at(1, 13))
    )
    assert response.status_code == 200
    later.refresh_from_db()
    assert later.starts_at == at(1, 15)

    response = admin_client.post(
        edit, form_data(vessel, later.product, later.venue, at(1, 12, 30), at(1, 14))
    )
    assert response.status_code == 302
    later.refresh_from_db()
    assert later.starts_at == at(1, 12, 30)
    assert (later.pk, at(1, 12, 30), at(1, 14), "departure") in rows(vessel)


# Races -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_overlapping_departures_one_wins():
    vessel = factories.VesselFactory()
    product = factories.ProductFactory()
    venue = factories.VenueFactory()
    # The Python look-up is not what refuses on PostgreSQL: only the constraint does.
    assert connection.vendor == "postgresql"

    def attempt(i):
        starts = at(1, 11, i)  # 20 different, all overlapping, starts
        try:
            Departure.objects.create(
                product=product,
                vessel=vessel,
                venue=venue,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=1),
            )
        except BookingError as error:
            assert isinstance(error.__cause__, IntegrityError)
            assert violated_constraint(error.__cause__) == OCCUPANCY_NO_OVERLAP
            raise
        return "won"

    results = race(attempt, 20, expected=(BookingError,))
    assert sorted(results.values()).count("won") == 1
    assert sorted(results.values()).count("vessel_busy") == 19
    assert Departure.objects.filter(vessel=vessel).count() == 1
    assert VesselOccupancy.objects.filter(vessel=vessel).count() == 1


# The migration's fill of existing departures ------------------------------------------


def test_the_migration_fill_keeps_the_earliest_of_overlapping_old_departures(caplog):
    from django.apps import apps

    migration = importlib.import_module("booking.migrations.0022_vessel_occupancy")
    vessel = factories.VesselFactory()
    first = departure(vessel, at(1, 11))
    clash = departure(vessel, at(1, 15))
    cancelled = departure(vessel, at(1, 18))
    later = departure(vessel, at(1, 20))
    # Old data from before the table existed: overlaps written past the occupancy rows.
    Departure.objects.filter(pk=clash.pk).update(starts_at=at(1, 12), ends_at=at(1, 13))
    Departure.objects.filter(pk=cancelled.pk).update(
        starts_at=at(1, 11, 30), status=Departure.Status.CANCELLED
    )
    VesselOccupancy.objects.all().delete()
    with caplog.at_level(logging.WARNING, logger="booking.migrations"):
        migration.fill_occupancy(apps, connection.schema_editor())
    assert [r[0] for r in rows(vessel)] == [first.pk, later.pk]
    assert f"no occupancy row: {clash.pk}" in caplog.text
