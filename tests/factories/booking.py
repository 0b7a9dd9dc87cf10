"""Factories and builders for seat maps, assigned-seating and general-admission
departures, holds and orders, on top of the catalogue factories in `catalogue.py`."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from booking.models import (
    Departure,
    Hold,
    HoldLine,
    PriceZone,
    SeatClaim,
    SeatingMode,
    SeatMap,
    TicketPrice,
)
from booking.services.seatmaps import seat_map_apply
from tests.factories import catalogue as factories


class SeatMapFactory(DjangoModelFactory):
    class Meta:
        model = SeatMap

    vessel = factory.SubFactory(factories.VesselFactory, seating_mode=SeatingMode.ASSIGNED)
    name = factory.Sequence(lambda n: f"Main deck {n}")
    is_default = True


class PriceZoneFactory(DjangoModelFactory):
    class Meta:
        model = PriceZone

    seat_map = factory.SubFactory(SeatMapFactory)
    code = factory.Sequence(lambda n: f"zone-{n}")
    name = factory.Sequence(lambda n: f"Зона {n}")


class TicketPriceFactory(DjangoModelFactory):
    class Meta:
        model = TicketPrice

    ticket_type = factory.SubFactory(factories.TicketTypeFactory)
    price = Decimal("1000.00")


def grid_layout(rows: int, seats_per_row: int, **section) -> dict:
    return {
        "sections": [
            {"name": "Main", "rows": rows, "seats_per_row": seats_per_row, **section},
        ]
    }


def seat_map_with_seats(vessel=None, rows: int = 2, seats_per_row: int = 10, layout=None):
    """A default seat map of a vessel, materialised through the real service."""
    vessel = vessel or factories.VesselFactory(seating_mode=SeatingMode.ASSIGNED)
    seat_map = SeatMapFactory(vessel=vessel)
    seat_map_apply(seat_map=seat_map, layout=layout or grid_layout(rows, seats_per_row))
    return seat_map


def product_with_ticket_types(prices=("1500.00", "800.00"), **kwargs):
    product = factories.ProductFactory(**kwargs)
    ticket_types = [
        factories.TicketTypeFactory(product=product, price=Decimal(p), sort_order=order)
        for order, p in enumerate(prices)
    ]
    return product, ticket_types


def general_departure(capacity: int = 10, product=None, **kwargs) -> Departure:
    if product is None:
        product, _types = product_with_ticket_types()
    vessel = kwargs.pop("vessel", None) or factories.VesselFactory(
        seating_mode=SeatingMode.GENERAL, capacity=80
    )
    return factories.DepartureFactory(product=product, vessel=vessel, capacity=capacity, **kwargs)


def assigned_departure(rows: int = 2, seats_per_row: int = 10, product=None, **kwargs):
    """A departure on a vessel with assigned seating and a default seat map."""
    if product is None:
        product, _types = product_with_ticket_types()
    vessel = kwargs.pop("vessel", None)
    if vessel is None:
        vessel = factories.VesselFactory(seating_mode=SeatingMode.ASSIGNED, capacity=500)
        seat_map_with_seats(vessel, rows, seats_per_row)
    return factories.DepartureFactory(product=product, vessel=vessel, **kwargs)


def seats_of(departure: Departure):
    return list(departure.vessel.seat_maps.get(is_default=True).seats.order_by("pk"))


def sell_seat(departure: Departure, seat) -> SeatClaim:
    """A sold seat: a claim without an expiry (what a ticket will leave behind)."""
    return SeatClaim.objects.create(departure=departure, seat=seat, hold=None, expires_at=None)


def expire(hold: Hold, ago: datetime.timedelta = datetime.timedelta(seconds=1)) -> None:
    """What the clock does to a hold: the hold and its seat claims run out together."""
    past = timezone.now() - ago
    Hold.objects.filter(pk=hold.pk).update(expires_at=past)
    SeatClaim.objects.filter(hold=hold).update(expires_at=past)


def row_counts() -> dict[str, int]:
    return {
        "holds": Hold.objects.count(),
        "lines": HoldLine.objects.count(),
        "claims": SeatClaim.objects.count(),
    }


def checkout_details(**overrides):
    """What a customer types at checkout, all valid."""
    from booking.services.orders import CheckoutDetails, ConsentDocument

    values = {
        "name": "Анна Смирнова",
        "email": "anna@example.com",
        "phone": "+7 912 345-67-89",
        "language": "ru",
        "personal_data_consent": True,
        "offer_accepted": True,
        "ip_address": "203.0.113.7",
        "user_agent": "pytest",
        "personal_data_document": ConsentDocument("/ru/consent/", "12.34"),
        "offer_document": ConsentDocument("/ru/offer/", "12.35"),
    }
    values.update(overrides)
    return CheckoutDetails(**values)


def placed_order(departure=None, *, quantities=None, seats=None, paid=False, **details):
    """An order made through the real services: hold → order (→ a succeeded payment
    confirming it when `paid`). General admission by default: 2 of the first ticket type."""
    from booking.services.holds import SeatRequest, hold_create
    from booking.services.orders import order_create

    departure = departure or general_departure()
    if seats is None and quantities is None:
        first_type = departure.product.ticket_types.order_by("sort_order", "pk").first()
        quantities = {first_type.pk: 2}
    hold = hold_create(
        departure_id=departure.pk,
        owner_key="test-owner",
        seats=[SeatRequest(s.pk) for s in seats] if seats else None,
        quantities=quantities,
    )
    order = order_create(hold=hold, details=checkout_details(**details))
    return order_paid(order) if paid else order


def order_paid(order):
    """The order confirmed by a succeeded payment, the way the payment notification does
    it (`order_confirm_paid` with the order locked)."""
    from django.db import transaction

    from booking.models import Payment
    from booking.services.orders import order_confirm_paid

    with transaction.atomic():
        payment = Payment.objects.create(
            order=order,
            idempotence_key=f"test-{order.code}",
            provider_id=f"test-payment-{order.code}",
            status=Payment.Status.SUCCEEDED,
            amount=order.total,
            succeeded_at=timezone.now(),
        )
        locked = type(order).objects.select_for_update().get(pk=order.pk)
        assert order_confirm_paid(order=locked, payment=payment) == "paid"
    order.refresh_from_db()
    return order
