"""The check-in service: each outcome of a scan, against real PostgreSQL."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone, translation

from booking.models import Departure, Ticket
from booking.services import checkin
from booking.services.checkin import (
    boarding_departures,
    departure_boarding_counts,
    order_tickets_for_boarding,
    ticket_check_in,
    ticket_check_in_by_id,
)
from booking.tickets.tokens import new_ticket_secret, ticket_token
from tests import factories
from tests.factories import (
    assigned_departure,
    boarding_now,
    far_east_departure,
    placed_order,
    seats_of,
    three_days_away,
    token_of,
)

pytestmark = pytest.mark.django_db

# 09:05 UTC is 19:05 in Vladivostok and 12:05 in Moscow.
NOON_UTC = datetime.datetime(2030, 6, 1, 9, 5, tzinfo=datetime.UTC)


@pytest.fixture
def noon_departure(db):
    """A departure boarding at NOON_UTC (it leaves half an hour later)."""
    return far_east_departure(starts_at=NOON_UTC + datetime.timedelta(minutes=30))


@pytest.fixture
def noon_order(noon_departure):
    return placed_order(noon_departure, paid=True)


@pytest.fixture
def noon_tickets(noon_order):
    return list(noon_order.tickets.order_by("pk"))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def scan(token, departure, user=None, **kwargs):
    return ticket_check_in(token=token, departure_id=departure.pk, user=user, **kwargs)


def test_the_first_scan_admits_the_ticket(departure, tickets, crew):
    result = scan(token_of(tickets[0]), departure, crew)

    assert result.ok is True
    assert result.code == "ok"
    assert result.message == "Valid ticket. Welcome aboard!"
    assert result.ticket.order_code == tickets[0].order.code
    assert result.ticket.name == "Анна Смирнова"
    assert result.ticket.ticket_type == "Adult"
    assert result.ticket.seat is None
    assert result.counts == checkin.BoardingCounts(valid=2, boarded=1)
    tickets[0].refresh_from_db()
    assert tickets[0].checked_in_at is not None
    assert tickets[0].checked_in_by == crew
    tickets[1].refresh_from_db()
    assert tickets[1].checked_in_at is None


def test_a_second_scan_says_when_in_the_piers_time_zone(noon_departure, noon_tickets):
    departure, tickets = noon_departure, noon_tickets
    assert scan(token_of(tickets[0]), departure, now=NOON_UTC).ok

    again = scan(token_of(tickets[0]), departure, now=NOON_UTC + datetime.timedelta(minutes=3))

    assert again.ok is False
    assert again.code == "already_used"
    assert again.message == "Already used at 19:05."
    assert again.ticket.checked_in_time == "19:05"
    tickets[0].refresh_from_db()
    assert tickets[0].checked_in_at == NOON_UTC


def test_the_already_used_message_is_translated(noon_departure, noon_tickets):
    departure, tickets = noon_departure, noon_tickets
    scan(token_of(tickets[0]), departure, now=NOON_UTC)
    with translation.override("ru"):
        again = scan(token_of(tickets[0]), departure, now=NOON_UTC)
    assert again.code == "already_used"
    assert "19:05" in again.message


def test_a_ticket_of_another_departure_is_refused_and_named():
    departure = far_east_departure(starts_at=three_days_away())
    tickets = list(placed_order(departure, paid=True).tickets.order_by("pk"))
    other = far_east_departure()

    result = scan(token_of(tickets[0]), other)

    assert result.ok is False
    assert result.code == "wrong_departure"
    # The ticket's own departure, at its pier's time: 19:00 in Moscow is 02:00 there.
    assert departure.product.name_en in result.message
    assert "at 02:00" in result.message
    tickets[0].refresh_from_db()
    assert tickets[0].checked_in_at is None


def test_a_token_for_a_departure_that_does_not_exist_is_another_departure(departure):
    token = ticket_token(new_ticket_secret(), 2**62)
    result = scan(token, departure)
    assert (result.ok, result.code) == (False, "wrong_departure")
    assert result.message == "This ticket is for another departure."


def test_a_signed_token_of_no_ticket_is_not_found(departure):
    result = scan(ticket_token(new_ticket_secret(), departure.pk), departure)
    assert (result.ok, result.code) == (False, "not_found")


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (Ticket.Status.REFUNDED, "refunded", "This ticket has been refunded."),
        (Ticket.Status.CANCELLED, "not_paid", "This ticket has been cancelled."),
    ],
)
def test_refunded_and_cancelled_tickets_are_refused(departure, tickets, status, code, message):
    Ticket.objects.filter(pk=tickets[0].pk).update(status=status)

    result = scan(token_of(tickets[0]), departure)

    assert (result.ok, result.code, result.message) == (False, code, message)
    assert Ticket.objects.get(pk=tickets[0].pk).checked_in_at is None


def test_an_unpaid_ticket_is_refused(departure):
    order = placed_order(departure, paid=False)
    ticket = order.tickets.first()
    assert ticket.status == Ticket.Status.RESERVED

    result = scan(token_of(ticket), departure)

    assert (result.ok, result.code) == (False, "not_paid")
    assert result.message == "This ticket has not been paid for."
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def _altered(token: str) -> str:
    """One character of the signature changed."""
    return token[:100] + ("A" if token[100] != "A" else "B") + token[101:]


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(_altered, id="altered-signature"),
        pytest.param(lambda t: t.replace(t[0], "Z" if t[0] != "Z" else "Y", 1), id="other-secret"),
        pytest.param(lambda t: t[:-1], id="truncated"),
        pytest.param(lambda t: "", id="empty"),
        pytest.param(lambda t: "hello world", id="garbage"),
        pytest.param(lambda t: t + "\x00", id="nul-byte"),
        pytest.param(lambda t: "\x00" * 50, id="only-nul"),
        pytest.param(lambda t: t * 1000, id="huge"),
        pytest.param(lambda t: "https://example.com/?t=" + t, id="url"),
        pytest.param(lambda t: "<script>alert(1)</script>", id="markup"),
        pytest.param(lambda t: None, id="none"),
    ],
)
def test_anything_but_a_token_we_signed_is_invalid(departure, tickets, make_token):
    result = scan(make_token(token_of(tickets[0])), departure)

    assert (result.ok, result.code) == (False, "invalid")
    assert result.message == "This is not a ticket of ours: the code is not valid."
    assert not Ticket.objects.filter(checked_in_at__isnull=False).exists()


def test_a_token_signed_with_another_key_is_invalid(departure, tickets):
    with override_settings(SECRET_KEY="another-key-" * 5):
        forged = token_of(tickets[0])
    assert scan(forged, departure).code == "invalid"


def test_surrounding_whitespace_of_a_scanner_is_forgiven(departure, tickets):
    assert scan(f"  {token_of(tickets[0])}\n", departure).ok


@pytest.mark.parametrize("departure_id", [0, -1, 2**63, 10**30, "abc", "1\x00", None, True, 1.5])
def test_an_unknown_departure_is_answered_not_raised(tickets, departure_id):
    result = ticket_check_in(token=token_of(tickets[0]), departure_id=departure_id, user=None)
    assert (result.ok, result.code) == (False, "departure_not_found")


def test_a_seat_is_shown_for_assigned_seating(crew):
    departure = assigned_departure(**boarding_now())
    order = placed_order(departure, seats=seats_of(departure)[:1], paid=True)
    ticket = order.tickets.get()

    result = scan(token_of(ticket), departure, crew)

    assert result.ok
    assert result.ticket.seat == "Main, row 1, seat 1"


def test_boarding_by_id_admits_once(departure, tickets, crew):
    first = ticket_check_in_by_id(ticket_id=tickets[1].pk, departure_id=departure.pk, user=crew)
    second = ticket_check_in_by_id(ticket_id=tickets[1].pk, departure_id=departure.pk, user=crew)

    assert (first.ok, first.code) == (True, "ok")
    assert (second.ok, second.code) == (False, "already_used")


def test_boarding_by_id_refuses_another_departures_ticket(departure, tickets, crew):
    other = far_east_departure()
    result = ticket_check_in_by_id(ticket_id=tickets[0].pk, departure_id=other.pk, user=crew)
    assert (result.ok, result.code) == (False, "wrong_departure")


@pytest.mark.parametrize("ticket_id", ["abc", "", "1\x00", -5, 2**64, None])
def test_boarding_by_a_bad_id_is_not_found(departure, ticket_id):
    result = ticket_check_in_by_id(ticket_id=ticket_id, departure_id=departure.pk, user=None)
    assert (result.ok, result.code) == (False, "not_found")


def test_an_order_code_lists_its_tickets_with_their_state(noon_departure, noon_order, noon_tickets):
    departure, order, tickets = noon_departure, noon_order, noon_tickets
    scan(token_of(tickets[0]), departure, now=NOON_UTC)
    typed = f" {order.code[:4].lower()}-{order.code[4:].lower()} "

    lookup = order_tickets_for_boarding(order_code=typed, departure_id=departure.pk)

    assert (lookup.ok, lookup.code, lookup.order_code) == (True, "ok", order.code)
    assert lookup.name == "Анна Смирнова"
    assert [(t.id, t.state, t.can_board) for t in lookup.tickets] == [
        (tickets[0].pk, "already_used", False),
        (tickets[1].pk, "ok", True),
    ]
    assert lookup.tickets[0].checked_in_time == "19:05"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("ABCDEFGH", "order_not_found"),
        ("ABC", "order_code_invalid"),
        ("ABCDEFG0", "order_code_invalid"),  # no 0 in order codes
        ("ABCD\x00EFG", "order_code_invalid"),
        ("A" * 10_000, "order_code_invalid"),
        ("", "order_code_invalid"),
    ],
)
def test_a_wrong_order_code_is_answered(departure, typed, code):
    lookup = order_tickets_for_boarding(order_code=typed, departure_id=departure.pk)
    assert (lookup.ok, lookup.code) == (False, code)
    assert lookup.message
    assert lookup.tickets == []


def test_an_order_of_another_departure_is_refused(departure, order):
    other = far_east_departure()
    lookup = order_tickets_for_boarding(order_code=order.code, departure_id=other.pk)
    assert (lookup.ok, lookup.code) == (False, "wrong_departure")
    assert lookup.tickets == []
    assert departure.product.name_en in lookup.message


def test_counts_are_valid_tickets_and_boarded_ones(departure, tickets):
    placed_order(departure, paid=False)  # reserved tickets do not count
    Ticket.objects.filter(pk=tickets[1].pk).update(status=Ticket.Status.REFUNDED)
    scan(token_of(tickets[0]), departure)

    assert departure_boarding_counts(departure) == checkin.BoardingCounts(valid=1, boarded=1)


def test_the_boarding_list_is_the_departures_whose_window_is_open():
    # 23:30 in Moscow on 1 June; boarding opens 120 minutes before a start and closes at
    # the end.
    now = datetime.datetime(2030, 6, 1, 20, 30, tzinfo=datetime.UTC)

    def at(minutes_from_now, tz="Europe/Moscow", length=90):
        venue = factories.VenueFactory(timezone=tz)
        starts = now + datetime.timedelta(minutes=minutes_from_now)
        return factories.DepartureFactory(
            venue=venue, starts_at=starts, ends_at=starts + datetime.timedelta(minutes=length)
        )

    opens_now = at(120)  # 01:30 on 2 June in Moscow: tomorrow by its pier's calendar
    not_yet = at(121)
    under_way = at(-60)  # left at 22:30, back at 00:00: still boarding, today
    just_closed = at(-90)  # ended exactly now
    east = at(30, "Asia/Vladivostok")  # 07:00 on 2 June there: today by that pier
    weeks_ahead = at(60 * 24 * 24)
    cancelled = at(10)
    Departure.objects.filter(pk=cancelled.pk).update(status=Departure.Status.CANCELLED)

    found = {item.departure.pk: item.day for item in boarding_departures(now=now)}

    assert found == {opens_now.pk: "tomorrow", under_way.pk: "today", east.pk: "today"}
    for absent in (not_yet, just_closed, weeks_ahead, cancelled):
        assert absent.pk not in found


def test_the_boarding_list_counts_each_departure(departure, tickets):
    scan(token_of(tickets[0]), departure)
    now = departure.starts_at - datetime.timedelta(hours=1)
    (item,) = [i for i in boarding_departures(now=now) if i.departure.pk == departure.pk]
    assert item.counts == checkin.BoardingCounts(valid=2, boarded=1)
    assert item.local_starts_at.utcoffset() == datetime.timedelta(hours=10)
    assert timezone.is_aware(item.local_starts_at)
