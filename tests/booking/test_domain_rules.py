"""Rules decided once in the domain, that a page, the API or a second service cannot
bypass: who owns a hold (`hold_get` with an owner rule), which orders are confirmed
(`Order.CONFIRMED_STATUSES`), and which places are taken (`booking.selectors`'
`places_held`/`places_sold`/`seats_claimed`, counted by the availability and by the hold
service alike)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from booking import checkout_views
from booking.models import Departure, Hold, Order
from booking.selectors import (
    departure_seat_states,
    departures_with_availability,
    remaining_places,
    seats_claimed,
)
from booking.services.confirmations import order_confirmation_email
from booking.services.errors import BookingError
from booking.services.holds import (
    OwnerRule,
    SeatRequest,
    general_admission_taken,
    hold_create,
    hold_get,
    hold_owned_by,
)
from booking.services.pricing import PROMOTION_USING_STATUSES
from booking.services.receipts import settlement_receipts_due
from tests.booking import hold_pages
from tests.booking.hold_pages import hold_url, session_key
from tests.factories import (
    assigned_departure,
    expire,
    general_departure,
    placed_order,
    seats_of,
)

# The booking pages' shop (a product page with departures), built once per module.
_module_shop = hold_pages._module_shop
shop = hold_pages.shop


def api_url(token: str, action: str = "") -> str:
    return f"/api/v1/holds/{token}" + (f"/{action}" if action else "")


# --- hold ownership ----------------------------------------------------------------------


def test_a_sessions_hold_is_refused_to_other_sessions_by_the_pages_and_the_api(shop):
    owner, other, anonymous = Client(), Client(), Client()
    hold = hold_create(
        departure_id=shop.general.pk, owner_key=session_key(owner), quantities={shop.adult.pk: 1}
    )
    session_key(other)  # a session of its own

    for client in (other, anonymous):
        assert client.get(hold_url(hold.token)).status_code == 404
        assert client.post(hold_url(hold.token, "extend")).status_code == 404
        assert client.get(api_url(hold.token)).status_code == 404
        assert client.post(api_url(hold.token, "extend")).status_code == 404
        assert client.delete(api_url(hold.token)).status_code == 404
    assert Hold.objects.get(pk=hold.pk).expires_at == hold.expires_at

    assert owner.get(hold_url(hold.token)).status_code == 200
    assert owner.get(api_url(hold.token)).status_code == 200


def test_an_unbound_hold_is_its_token_holders_in_the_api_and_nobodys_page(shop):
    hold = hold_create(departure_id=shop.general.pk, owner_key="", quantities={shop.adult.pk: 1})
    with_session = Client()
    session_key(with_session)

    for client in (Client(), with_session):
        assert client.get(api_url(hold.token)).status_code == 200
        assert client.get(hold_url(hold.token)).status_code == 404


@pytest.mark.django_db
def test_hold_get_applies_the_owner_rule():
    departure = general_departure(capacity=10)
    adult = departure.product.ticket_types.order_by("sort_order", "pk").first()
    bound = hold_create(departure_id=departure.pk, owner_key="session-a", quantities={adult.pk: 1})
    unbound = hold_create(departure_id=departure.pk, owner_key="", quantities={adult.pk: 1})
    page, api = OwnerRule.SESSION, OwnerRule.SESSION_OR_UNBOUND

    for rule in (page, api):
        assert hold_get(token=bound.token, owner_rule=rule, session_key="session-a") == bound
        for stranger in ("session-b", "", None, "session-a "):
            with pytest.raises(BookingError) as refused:
                hold_get(token=bound.token, owner_rule=rule, session_key=stranger)
            assert refused.value.code == "hold_not_found"
    assert hold_get(token=unbound.token, owner_rule=api, session_key="session-b") == unbound
    assert hold_get(token=unbound.token, owner_rule=api, session_key=None) == unbound
    for key in ("session-b", "", None):
        with pytest.raises(BookingError):
            hold_get(token=unbound.token, owner_rule=page, session_key=key)
    with pytest.raises(ValueError):
        hold_owned_by(bound, owner_rule="anyone", session_key="session-a")


# --- confirmed orders --------------------------------------------------------------------


@pytest.mark.django_db
def test_every_caller_counts_the_same_orders_as_confirmed():
    assert set(Order.CONFIRMED_STATUSES) == {Order.Status.PAID, Order.Status.PARTLY_REFUNDED}
    assert checkout_views.PDF_STATUSES == Order.CONFIRMED_STATUSES
    assert set(Order.CONFIRMED_STATUSES) <= set(PROMOTION_USING_STATUSES)

    departure = general_departure(capacity=40)
    orders = {}
    for status in Order.Status.values:
        order = placed_order(departure, paid=True, email=f"{status}@example.com")
        Order.objects.filter(pk=order.pk).update(status=status)
        orders[status] = order
    Departure.objects.filter(pk=departure.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    due = set(settlement_receipts_due())

    for status, order in orders.items():
        order.refresh_from_db()
        confirmed = status in Order.CONFIRMED_STATUSES
        assert order.is_confirmed is confirmed, status
        assert (order.pk in due) is confirmed, status
        assert order_confirmation_email(order.pk) is confirmed, status


# --- places taken ------------------------------------------------------------------------


@pytest.mark.django_db
def test_availability_and_the_hold_service_count_the_same_places():
    departure = general_departure(capacity=12)
    adult = departure.product.ticket_types.order_by("sort_order", "pk").first()
    placed_order(departure, paid=True)  # 2 sold
    awaiting = placed_order(departure, quantities={adult.pk: 3}, email="late@example.com")
    hold_create(departure_id=departure.pk, owner_key="live", quantities={adult.pk: 1})
    gone = hold_create(departure_id=departure.pk, owner_key="gone", quantities={adult.pk: 4})
    expire(gone)
    unpaid = placed_order(departure, quantities={adult.pk: 2}, email="gone@example.com")
    expire(Hold.objects.get(order=unpaid))
    assert awaiting.status == Order.Status.AWAITING_PAYMENT

    now = timezone.now()
    shown = remaining_places(
        departures_with_availability(Departure.objects.filter(pk=departure.pk)).get()
    )
    assert shown == 12 - general_admission_taken(departure.pk, now) == 12 - (2 + 3 + 1)

    with pytest.raises(BookingError) as refused:
        hold_create(departure_id=departure.pk, owner_key="x", quantities={adult.pk: shown + 1})
    assert refused.value.code == "not_enough_places"
    hold_create(departure_id=departure.pk, owner_key="y", quantities={adult.pk: shown})
    assert (
        remaining_places(
            departures_with_availability(Departure.objects.filter(pk=departure.pk)).get()
        )
        == 0
    )


@pytest.mark.django_db
def test_seat_states_and_the_hold_service_agree_on_taken_seats():
    departure = assigned_departure(rows=1, seats_per_row=4)
    sold, held, lapsed, free = seats_of(departure)
    placed_order(departure, seats=[sold], paid=True)
    hold_create(departure_id=departure.pk, owner_key="a", seats=[SeatRequest(held.pk)])
    old = hold_create(departure_id=departure.pk, owner_key="b", seats=[SeatRequest(lapsed.pk)])
    expire(old)

    states = {s.seat.pk: s.status for s in departure_seat_states(departure=departure)}
    taken = set(
        seats_claimed(timezone.now()).filter(departure=departure).values_list("seat_id", flat=True)
    )
    assert taken == {sold.pk, held.pk}
    assert {pk for pk, status in states.items() if status in ("sold", "held")} == taken
    for seat in (sold, held):
        with pytest.raises(BookingError) as refused:
            hold_create(departure_id=departure.pk, owner_key="c", seats=[SeatRequest(seat.pk)])
        assert refused.value.code == "seat_taken"
    for seat in (lapsed, free):
        hold_create(departure_id=departure.pk, owner_key="c", seats=[SeatRequest(seat.pk)])


@pytest.mark.django_db
def test_money_adds_up_to_the_kopeck_or_the_database_refuses_it():
    """The check constraints compare within a tenth of a kopeck (so SQLite's float
    decimals pass) — on kopeck amounts that is still equality: one kopeck off is refused."""
    from decimal import Decimal

    from django.db import IntegrityError, transaction
    from django.db.models import F

    from booking.models import Order, Ticket
    from tests.factories import placed_order

    order = placed_order()
    ticket = order.tickets.first()
    for queryset, change in (
        (Ticket.objects.filter(pk=ticket.pk), {"paid_amount": F("paid_amount") + Decimal("0.01")}),
        (Order.objects.filter(pk=order.pk), {"total": F("total") - Decimal("0.01")}),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            queryset.update(**change)
    assert Ticket.objects.filter(pk=ticket.pk).update(discount=F("discount")) == 1
