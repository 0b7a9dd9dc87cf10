"""Two or more scanners reading one ticket at the same instant admit it once: real
threads, each with its own PostgreSQL connection and transaction, released together."""

from collections import Counter

import pytest

from booking.models import Ticket
from booking.services.checkin import ticket_check_in, ticket_check_in_by_id
from tests import concurrency
from tests.factories import far_east_departure, placed_order, token_of

THREADS = 8

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def race(attempt, threads=THREADS):
    return concurrency.race(attempt, threads)


def test_eight_scanners_at_once_admit_the_ticket_once():
    departure = far_east_departure()
    ticket = placed_order(departure, paid=True).tickets.first()
    token = token_of(ticket)

    results = race(lambda i: ticket_check_in(token=token, departure_id=departure.pk, user=None))

    codes = Counter(result.code for result in results.values())
    assert codes == {"ok": 1, "already_used": THREADS - 1}
    winner_time = Ticket.objects.get(pk=ticket.pk).checked_in_at
    assert winner_time is not None
    # Every loser is told the winner's time, not its own.
    times = {r.ticket.checked_in_at for r in results.values()}
    assert times == {winner_time}


def test_scan_and_manual_boarding_at_once_admit_the_ticket_once():
    departure = far_east_departure()
    ticket = placed_order(departure, paid=True).tickets.first()
    token = token_of(ticket)

    def attempt(i):
        if i % 2:
            return ticket_check_in(token=token, departure_id=departure.pk, user=None)
        return ticket_check_in_by_id(ticket_id=ticket.pk, departure_id=departure.pk, user=None)

    results = race(attempt)

    assert Counter(r.code for r in results.values()) == {"ok": 1, "already_used": THREADS - 1}
