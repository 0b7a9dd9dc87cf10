"""A ticket type marked "only on departures with their own price" is offered and sold on
those departures alone: the API lists only the slot's own price, and the hold service
refuses another type whatever the client sends."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from booking.models import Hold
from booking.services.errors import BookingError
from booking.services.holds import hold_create
from tests import factories
from tests.factories import TicketPriceFactory, general_departure

pytestmark = pytest.mark.django_db


@pytest.fixture
def rental():
    """A boat whose weekday slot sells the weekday price and whose weekend slot the
    weekend one."""
    product = factories.ProductFactory(kind="rental")
    weekday = factories.TicketTypeFactory(
        product=product, price=Decimal("24000"), departures_only=True, sort_order=1
    )
    weekend = factories.TicketTypeFactory(
        product=product, price=Decimal("28000"), departures_only=True, sort_order=2
    )
    # Both slots on one local day (the listing below asks for that day), whatever the
    # hour the test runs at.
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    on_weekday = general_departure(capacity=1, product=product, starts_at=start)
    on_weekend = general_departure(
        capacity=1, product=product, starts_at=start + datetime.timedelta(hours=3)
    )
    TicketPriceFactory(ticket_type=weekday, departure=on_weekday, price=weekday.price)
    TicketPriceFactory(ticket_type=weekend, departure=on_weekend, price=weekend.price)
    return product, weekday, weekend, on_weekday, on_weekend


def test_hold_refuses_a_ticket_type_that_is_not_the_slots(rental):
    _product, weekday, _weekend, _on_weekday, on_weekend = rental

    with pytest.raises(BookingError) as error:
        hold_create(departure_id=on_weekend.pk, owner_key="a", quantities={weekday.pk: 1})

    assert error.value.code == "ticket_type_invalid"
    assert Hold.objects.count() == 0


def test_hold_accepts_the_slots_own_ticket_type(rental):
    _product, _weekday, weekend, _on_weekday, on_weekend = rental

    hold = hold_create(departure_id=on_weekend.pk, owner_key="a", quantities={weekend.pk: 1})

    assert hold.departure_id == on_weekend.pk


def test_api_refuses_the_wrong_ticket_type_for_a_slot(client, rental):
    _product, weekday, _weekend, _on_weekday, on_weekend = rental

    response = client.post(
        "/api/v1/holds",
        {
            "departure_id": on_weekend.pk,
            "quantities": [{"ticket_type_id": weekday.pk, "quantity": 1}],
        },
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["code"] == "ticket_type_invalid"
    assert Hold.objects.count() == 0


def test_each_slot_offers_only_its_own_price(client, rental):
    product, weekday, weekend, on_weekday, on_weekend = rental

    for departure, own in ((on_weekday, weekday), (on_weekend, weekend)):
        body = client.get(f"/api/v1/departures/{departure.pk}").json()
        assert [(t["id"], Decimal(str(t["price"]))) for t in body["ticket_types"]] == [
            (own.pk, own.price)
        ]
    day = timezone.localdate(on_weekday.starts_at).isoformat()
    slots = client.get(
        f"/api/v1/products/{product.pk}/departures", {"date_from": day, "date_to": day}
    ).json()
    from_prices = {s["id"]: Decimal(str(s["from_price"])) for s in slots}
    assert from_prices[on_weekday.pk] == weekday.price
    assert from_prices[on_weekend.pk] == weekend.price


def test_an_unrestricted_type_is_offered_on_every_departure(client):
    departure = general_departure()

    body = client.get(f"/api/v1/departures/{departure.pk}").json()

    assert len(body["ticket_types"]) == 2
