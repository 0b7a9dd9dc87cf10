"""The reports' fixture (tests/crm/test_reports.py, tests/crm/api/test_reports_api.py): May
2026 at two piers, sold through the real checkout and payment services, then dated.

- D1: "Закат" from a Moscow pier, Friday 15 May 19:00 MSK, capacity 10, VAT 22 %; adult
  1500.00, child 800.00.
- D2: "Белые ночи" from Vladivostok (UTC+10), Tuesday 26 May 06:00 local, capacity 20,
  no VAT; adult 2000.00.
- D3: "Белые ночи" from Vladivostok, 6 May 09:00 local, cancelled for the weather.
A service fee of 150.00 per order; the promo code SUMMER takes 10 % off the tickets.

| order | departure | tickets | paid at (UTC) → pier's date | gross | discount | fees | paid | refunded |
|---|---|---|---|---|---|---|---|---|
| O5 | D3 | 1 adult | 5 May 03:00 → 5 May | 2000 | 0 | 150 | 2150 | 2150 (cancelled, weather; 6 May 00:00 UTC, after the start) |
| O1 | D1 | 2 adults, 1 child | 10 May 12:00 → 10 May | 3800 | 0 | 150 | 3950 | 800 (child, customer; 12 May 10:00 UTC, 3 d 6 h before) |
| O2 | D1 | 2 adults, SUMMER | 10 May 22:30 → 11 May (MSK) | 3000 | 300 | 150 | 2850 | — (a pending refund, not counted) |
| O4 | D2 | 1 adult | 20 May 10:00 → 20 May | 2000 | 0 | 150 | 2150 | 2000 (customer; 25 May 10:00 UTC, 10 h before) |
| O3 | D2 | 2 adults | 31 May 15:00 → 1 June (Vladivostok) | 4000 | 0 | 150 | 4150 | — |
| O6 | D1 | 1 adult, unpaid | — | | | | | |

May: 7 tickets, gross 10 800.00, discounts 300.00, fees 600.00, paid 11 100.00, refunds
4 950.00, net 6 150.00; VAT 22 % on D1's net 6 000.00 = 1 081.97.
Boarded: three of D1's four standing tickets.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from booking.models import Departure, Order, Payment, Refund, Ticket
from booking.models.inventory import CancelReason
from booking.services.pricing import product_taxes
from tests import factories
from tests.booking.refunds.helpers import order_fee, pier_departure, promotion
from tests.factories import general_departure, placed_order, product_with_ticket_types

UTC = datetime.UTC


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


@dataclass
class World:
    d1: Departure
    d2: Departure
    d3: Departure
    orders: dict[str, Order]


def _refund(order: Order, tickets: list[Ticket], amount: str, reason, created_at, status=None):
    payment = Payment.objects.get(order=order, status=Payment.Status.SUCCEEDED)
    refund = Refund.objects.create(
        payment=payment,
        idempotence_key=f"test-refund-{order.code}-{tickets[0].pk}",
        amount=Decimal(amount),
        reason=reason,
        status=status or Refund.Status.SUCCEEDED,
    )
    refund.tickets.add(*tickets)
    Refund.objects.filter(pk=refund.pk).update(created_at=created_at)
    if status is None:
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(status=Ticket.Status.REFUNDED)
    return refund


def build_world() -> World:
    order_fee("150.00")
    promotion(min_order_amount="0", code="SUMMER")
    product, (adult, child) = product_with_ticket_types(prices=("1500.00", "800.00"), name="Закат")
    child.name = "Детский"
    child.save()
    taxes = product_taxes(product.pk)
    taxes.vat_code = 11
    taxes.save()
    d1 = general_departure(capacity=10, product=product, venue=product.venue)
    d2 = pier_departure()
    d3 = factories.DepartureFactory(
        product=d2.product,
        vessel=d2.vessel,
        venue=d2.venue,
        capacity=20,
        starts_at=d2.starts_at + datetime.timedelta(days=1),
    )
    white_adult = d2.product.ticket_types.order_by("sort_order").first()

    orders = {
        "O5": placed_order(d3, quantities={white_adult.pk: 1}, paid=True),
        "O1": placed_order(d1, quantities={adult.pk: 2, child.pk: 1}, paid=True),
        "O2": placed_order(d1, quantities={adult.pk: 2}, paid=True, promo_code="SUMMER"),
        "O4": placed_order(d2, quantities={white_adult.pk: 1}, paid=True),
        "O3": placed_order(d2, quantities={white_adult.pk: 2}, paid=True),
        "O6": placed_order(d1, quantities={adult.pk: 1}),
    }
    for name, moment in (
        ("O5", at(2026, 5, 5, 3)),
        ("O1", at(2026, 5, 10, 12)),
        ("O2", at(2026, 5, 10, 22, 30)),
        ("O4", at(2026, 5, 20, 10)),
        ("O3", at(2026, 5, 31, 15)),
    ):
        Order.objects.filter(pk=orders[name].pk).update(paid_at=moment)
    Departure.objects.filter(pk=d1.pk).update(starts_at=at(2026, 5, 15, 16))
    Departure.objects.filter(pk=d2.pk).update(starts_at=at(2026, 5, 25, 20))
    Departure.objects.filter(pk=d3.pk).update(
        starts_at=at(2026, 5, 5, 23),
        status=Departure.Status.CANCELLED,
        cancel_reason=CancelReason.WEATHER,
    )
    o1_child = orders["O1"].tickets.get(ticket_type=child)
    _refund(orders["O1"], [o1_child], "800.00", Refund.Reason.CUSTOMER, at(2026, 5, 12, 10))
    _refund(
        orders["O4"],
        list(orders["O4"].tickets.all()),
        "2000.00",
        Refund.Reason.CUSTOMER,
        at(2026, 5, 25, 10),
    )
    _refund(
        orders["O5"],
        list(orders["O5"].tickets.all()),
        "2150.00",
        Refund.Reason.DEPARTURE_CANCELLED,
        at(2026, 5, 6, 0),
    )
    _refund(
        orders["O2"],
        list(orders["O2"].tickets.all()[:1]),
        "1000.00",
        Refund.Reason.CUSTOMER,
        at(2026, 5, 13, 10),
        status=Refund.Status.PENDING,
    )
    standing = Ticket.objects.filter(departure=d1, status=Ticket.Status.VALID).order_by("pk")
    Ticket.objects.filter(pk__in=[t.pk for t in standing[:3]]).update(
        checked_in_at=at(2026, 5, 15, 15, 50)
    )
    for departure in (d1, d2, d3):
        departure.refresh_from_db()
    for order in orders.values():
        order.refresh_from_db()
    return World(d1, d2, d3, orders)
