"""The departure occupancy screen: counts for general admission and assigned seating
(held, sold, boarded and blocked made through the real services), each seat of the map
with its state (shape and label, not colour only), blocks and unblocks confirmed first
and audited, the blocking service's refusals shown with nothing changed, refusals by
role, and a fixed number of queries for a large seat map."""

import re

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext, ngettext, pgettext
from wagtail.models import ModelLogEntry

from booking.models import Departure, SeatClaim, Ticket
from booking.services.blocking import (
    BLOCK_ACTION,
    UNBLOCK_ACTION,
    departure_places_block,
    departure_seats_block,
)
from booking.services.errors import MESSAGES
from booking.services.holds import SeatRequest, hold_create
from crm import roles
from tests.crm.test_orders_screen import client_of, far_departure, staff
from tests.factories import assigned_departure, general_departure, placed_order, seats_of

pytestmark = pytest.mark.django_db


def ru(message, **params) -> str:
    """A message as staff read it (the admin speaks Russian), up to its first parameter
    when it has some and none are given, escaped as in the page."""
    with translation.override("ru"):
        text = gettext(message) if isinstance(message, str) else str(message)
    text = text % params if params else text.split("%(")[0]
    return escape(text)


def _form_error(field, value) -> str:
    with translation.override("ru"):
        try:
            field.clean(value)
        except forms.ValidationError as error:
            return escape(error.messages[0])
    raise AssertionError(value)


def url(departure) -> str:
    return reverse("crm_inventory:departure", args=[departure.pk])


@pytest.fixture
def manager():
    return staff(roles.MANAGER)


@pytest.fixture
def manager_client(manager):
    return client_of(manager)


def _count(html: str, key: str) -> int:
    match = re.search(rf'data-count="{key}">\s*<dt>[^<]*</dt><dd>(\d+)</dd>', html)
    assert match, key
    return int(match.group(1))


def _counts(response) -> dict[str, int]:
    html = response.content.decode()
    keys = ("capacity", "free", "held", "sold", "boarded", "blocked")
    return {key: _count(html, key) for key in keys}


def _hold_places(departure, count):
    ticket_type = departure.product.ticket_types.order_by("sort_order", "pk").first()
    return hold_create(
        departure_id=departure.pk, owner_key="someone", quantities={ticket_type.pk: count}
    )


@pytest.fixture
def seated(manager):
    """2 rows × 5 seats: one held, one sold, one boarded, one blocked, six free."""
    departure = assigned_departure(rows=2, seats_per_row=5)
    seats = seats_of(departure)
    hold_create(departure_id=departure.pk, owner_key="someone", seats=[SeatRequest(seats[0].pk)])
    order = placed_order(departure, seats=[seats[1], seats[2]], paid=True)
    Ticket.objects.filter(order=order, seat=seats[2]).update(checked_in_at=timezone.now())
    departure_seats_block(departure=departure, seat_ids=[seats[3].pk], user=manager, reason="crew")
    return departure, seats


# --- what the screen shows ------------------------------------------------------------


def test_general_admission_counts_on_the_pier_clock(manager, manager_client):
    departure = far_departure(capacity=20)
    _hold_places(departure, 3)
    order = placed_order(departure, paid=True)  # 2 tickets
    Ticket.objects.filter(pk=order.tickets.first().pk).update(checked_in_at=timezone.now())
    departure_places_block(departure=departure, quantity=5, user=manager)

    response = manager_client.get(url(departure))

    assert response.status_code == 200
    assert _counts(response) == {
        "capacity": 20,
        "free": 10,
        "held": 3,
        "sold": 1,
        "boarded": 1,
        "blocked": 5,
    }
    html = response.content.decode()
    assert "21:30" in html and "Asia/Vladivostok" in html  # departs at 21:30 pier time
    assert 'name="places-quantity"' in html and 'name="seats-seats"' not in html


def test_seated_counts_and_each_seat_drawn_by_state(seated, manager_client):
    departure, seats = seated

    response = manager_client.get(url(departure))

    assert _counts(response) == {
        "capacity": 10,
        "free": 6,
        "held": 1,
        "sold": 1,
        "boarded": 1,
        "blocked": 1,
    }
    html = response.content.decode()
    for seat, state in zip(seats[:5], ("held", "sold", "boarded", "blocked", "free"), strict=True):
        assert f'data-seat="{seat.pk}" data-state="{state}"' in html
    # Readable without colour: each state has its own shape and a label, and a legend.
    boarded = re.search(rf'data-seat="{seats[2].pk}".*?</g>', html, re.S).group(0)
    with translation.override("ru"):
        boarded_label = pgettext("occupancy", "Boarded")
    assert "bk-occ__tick" in boarded and boarded_label in boarded
    assert "bk-seat__cross" in re.search(rf'data-seat="{seats[3].pk}".*?</g>', html, re.S).group(0)
    for state in ("free", "held", "sold", "boarded", "blocked"):
        assert f'data-legend="{state}"' in html
    # Every seat can be ticked without JavaScript.
    assert html.count('name="seats-seats"') == 10


def test_an_agent_sees_but_cannot_block(seated):
    departure, seats = seated
    agent = client_of(staff(roles.AGENT))

    response = agent.get(url(departure))
    assert response.status_code == 200
    assert 'name="seats-seats"' not in response.content.decode()

    response = agent.post(
        url(departure), {"seats-action": "block", "seats-seats": [seats[4].pk], "confirm": "1"}
    )
    assert response.status_code == 403
    assert not SeatClaim.objects.filter(seat=seats[4]).exists()


@pytest.mark.parametrize("role", [roles.MARKETER, roles.BOARDING_CREW])
def test_other_roles_are_refused(seated, role):
    departure, _seats = seated
    client = client_of(staff(role))
    assert client.get(url(departure)).status_code == 403
    assert client.post(url(departure), {"places-quantity": "1"}).status_code == 403


def test_a_missing_departure_is_404(manager_client):
    assert manager_client.get("/admin/crm/departures/999999/occupancy/").status_code == 404


def test_the_departures_screens_link_to_the_occupancy(seated, manager_client):
    departure, _seats = seated
    listing = manager_client.get(reverse("wagtailsnippets_booking_departure:list"))
    assert url(departure) in listing.content.decode()
    edit = manager_client.get(
        reverse("wagtailsnippets_booking_departure:edit", args=[departure.pk])
    )
    assert url(departure) in edit.content.decode()


def test_query_count_is_bounded_for_a_300_seat_map(manager_client, django_assert_max_num_queries):
    departure = assigned_departure(rows=15, seats_per_row=20)
    seats = seats_of(departure)
    placed_order(departure, seats=seats[:4], paid=True)
    manager_client.get(url(departure))  # warm the caches (content types, site)

    with django_assert_max_num_queries(20):
        response = manager_client.get(url(departure))

    assert _counts(response)["capacity"] == 300
    assert response.content.decode().count("data-seat=") == 300


# --- blocking seats -------------------------------------------------------------------


def test_block_asks_for_confirmation_then_blocks_and_audits(seated, manager, manager_client):
    departure, seats = seated
    data = {
        "seats-action": "block",
        "seats-seats": [seats[4].pk, seats[5].pk],
        "seats-reason": "VIP",
    }

    summary = manager_client.post(url(departure), data)
    assert summary.status_code == 200
    assert ru("Block these seats?") in summary.content.decode()
    assert seats[4].short_label in summary.content.decode()
    assert not SeatClaim.objects.filter(seat__in=seats[4:6]).exists()

    response = manager_client.post(url(departure), {**data, "confirm": "1"})
    assert response.status_code == 302
    claims = SeatClaim.objects.filter(departure=departure, seat__in=seats[4:6])
    assert {c.blocked_reason for c in claims} == {"VIP"} and claims.count() == 2
    entry = ModelLogEntry.objects.filter(action=BLOCK_ACTION, user=manager).latest("pk")
    assert entry.data["seats"] == [seats[4].pk, seats[5].pk] and entry.data["reason"] == "VIP"
    page = manager_client.get(url(departure))
    assert _counts(page)["blocked"] == 3
    with translation.override("ru"):
        blocked = ngettext(
            "%(count)s seat blocked: %(seats)s.", "%(count)s seats blocked: %(seats)s.", 2
        ) % {"count": 2, "seats": f"{seats[4].short_label}; {seats[5].short_label}"}
    assert escape(blocked) in page.content.decode()


def test_unblock_puts_seats_on_sale_and_audits(seated, manager, manager_client):
    departure, seats = seated
    response = manager_client.post(
        url(departure),
        {"seats-action": "unblock", "seats-seats": [seats[3].pk], "confirm": "1"},
    )
    assert response.status_code == 302
    assert not SeatClaim.objects.filter(departure=departure, seat=seats[3]).exists()
    entry = ModelLogEntry.objects.get(action=UNBLOCK_ACTION)
    assert entry.user == manager and entry.data["seats"] == [seats[3].pk]


def _post_refused(client, departure, data, message):
    before = list(SeatClaim.objects.order_by("pk").values_list("pk", "seat_id", "blocked_at"))
    logs = ModelLogEntry.objects.count()
    response = client.post(url(departure), {**data, "confirm": "1"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (
        list(SeatClaim.objects.order_by("pk").values_list("pk", "seat_id", "blocked_at")) == before
    )
    assert ModelLogEntry.objects.count() == logs


def test_held_or_sold_seats_are_refused_and_nothing_changes(seated, manager_client):
    departure, seats = seated
    _post_refused(
        manager_client,
        departure,
        {"seats-action": "block", "seats-seats": [seats[0].pk, seats[4].pk]},
        ru(MESSAGES["block_seats_taken"]),
    )
    _post_refused(
        manager_client,
        departure,
        {"seats-action": "unblock", "seats-seats": [seats[4].pk]},
        ru(MESSAGES["block_seats_not_blocked"]),
    )


def test_bad_seat_input_is_a_message(seated, manager_client):
    departure, seats = seated
    other = seats_of(assigned_departure(rows=1, seats_per_row=2))[0]
    not_on_map = ru("Some of the chosen seats are not on this departure's seat map.")
    for data, message in [
        ({"seats-action": "block", "seats-seats": ["999999"]}, not_on_map),
        ({"seats-action": "block", "seats-seats": [other.pk]}, not_on_map),
        ({"seats-action": "block", "seats-seats": ["abc"]}, not_on_map),
        ({"seats-action": "block"}, ru("Choose at least one seat.")),
        (
            {"seats-action": "explode", "seats-seats": [seats[4].pk]},
            ru("Choose whether to block or unblock the seats."),
        ),
        (
            {"seats-action": "block", "seats-seats": [seats[4].pk], "seats-reason": "x" * 300},
            _form_error(forms.CharField(max_length=200), "x" * 300),
        ),
    ]:
        _post_refused(manager_client, departure, data, message)


def test_the_other_seatings_form_is_refused_with_a_message(seated, manager_client):
    departure, _seats = seated
    _post_refused(
        manager_client,
        departure,
        {"places-quantity": "3"},
        ru("Choose whether to block or unblock the seats."),
    )
    general = general_departure(capacity=10)
    response = manager_client.post(
        url(general), {"seats-action": "block", "seats-seats": ["1"], "confirm": "1"}
    )
    assert response.status_code == 200
    assert ru("Enter the number of places.") in response.content.decode()
    assert Departure.objects.get(pk=general.pk).blocked_places == 0


# --- general admission ------------------------------------------------------------------


def test_places_are_blocked_after_confirmation_and_audited(manager, manager_client):
    departure = general_departure(capacity=10)
    summary = manager_client.post(url(departure), {"places-quantity": "4"})
    assert "0 → 4" in summary.content.decode()
    assert ru("Change the blocked places?") in summary.content.decode()
    departure.refresh_from_db()
    assert departure.blocked_places == 0

    response = manager_client.post(url(departure), {"places-quantity": "4", "confirm": "1"})
    assert response.status_code == 302
    departure.refresh_from_db()
    assert departure.blocked_places == 4
    entry = ModelLogEntry.objects.get(action=BLOCK_ACTION)
    assert entry.user == manager and entry.data == {
        "places": 4,
        "previous": 0,
        "client_address": "127.0.0.1",
    }

    manager_client.post(url(departure), {"places-quantity": "0", "confirm": "1"})
    departure.refresh_from_db()
    assert departure.blocked_places == 0
    assert ModelLogEntry.objects.filter(action=UNBLOCK_ACTION).count() == 1


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("-1", ru(MESSAGES["block_places_invalid"])),
        ("abc", ru(MESSAGES["block_places_invalid"])),
        ("", ru("Enter the number of places.")),
        (
            "10000000000000000000000",
            ru("The number of places is at most %(limit_value)s.", limit_value=100000),
        ),
        ("9", ru(MESSAGES["block_places_too_many"], available=8)),
    ],
)
def test_bad_place_counts_are_a_message(manager_client, quantity, message):
    departure = general_departure(capacity=10)
    _hold_places(departure, 2)
    response = manager_client.post(url(departure), {"places-quantity": quantity, "confirm": "1"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Departure.objects.get(pk=departure.pk).blocked_places == 0
    assert not ModelLogEntry.objects.filter(action__startswith="prichal.departure.").exists()
