"""The account's order pages (booking/account_views.py): the list newest first, an order
with its tickets and their state on the pier's clock, the price breakdown, payments and
refunds, the PDF of the order and of each ticket, the .ics file; only the owner sees an
order (another account's is a 404), and reads run a fixed number of queries."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from booking.account_selectors import account_order, account_orders
from booking.models import Order
from tests.booking.account.helpers import board, customer_client, refund_ticket
from tests.factories import VenueFactory, general_departure, placed_order, product_with_ticket_types
from tests.helpers import parse, text

pytestmark = pytest.mark.django_db

VLADIVOSTOK = zoneinfo.ZoneInfo("Asia/Vladivostok")


def far_east_departure():
    """A departure from a pier seven hours ahead of Moscow, tomorrow at 10:30 there."""
    venue = VenueFactory(
        timezone="Asia/Vladivostok",
        name="Морской вокзал",
        name_zh="海港客运站",
        address="ул. Нижнепортовая, 1",
        address_en="1 Nizhneportovaya St",
        address_zh="",  # no Chinese address: the Russian one is shown
    )
    product, _types = product_with_ticket_types(venue=venue)
    product.name, product.name_en, product.name_zh = "Остров Русский", "Russky Island", "俄罗斯岛"
    product.save()
    tomorrow = (datetime.datetime.now(VLADIVOSTOK) + datetime.timedelta(days=1)).date()
    starts = datetime.datetime.combine(tomorrow, datetime.time(10, 30), tzinfo=VLADIVOSTOK)
    return general_departure(
        capacity=30,
        product=product,
        venue=venue,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
    )


def url(tail: str, language: str = "ru") -> str:
    prefix = {"ru": "ru", "en": "en", "zh-hans": "zh"}[language]
    return f"/{prefix}/account/orders/{tail}"


def test_the_list_shows_the_accounts_orders_newest_first_on_the_piers_clock(home):
    departure = far_east_departure()
    older = placed_order(departure, paid=True, email="anna@example.com")
    newer = placed_order(departure, email="anna@example.com")
    placed_order(departure, paid=True, email="other@example.com")
    client, _user = customer_client("anna@example.com")

    doc = parse(client.get(url("")))

    cards = doc.select(".account-order-card")
    assert [text(c.select_one(".account-order-card__code")) for c in cards] == [
        f"Заказ {newer.code}",
        f"Заказ {older.code}",
    ]
    first = cards[1]
    assert "Остров Русский" in text(first)
    assert "10:30" in text(first.select_one(".account-order-card__when"))  # Vladivostok time
    assert text(first.select_one(".account-status")) == "Оплачен"
    assert "₽" in text(first.select_one(".account-order-card__total"))


def test_the_order_page_shows_tickets_states_breakdown_payments_and_refunds(home):
    departure = far_east_departure()
    order = placed_order(departure, paid=True, email="anna@example.com", quantities=None)
    first, second = list(order.tickets.order_by("pk"))
    third_order = placed_order(departure, paid=True, email="anna@example.com")
    board(
        first,
        datetime.datetime.combine(
            departure.starts_at.astimezone(VLADIVOSTOK).date(),
            datetime.time(10, 12),
            tzinfo=VLADIVOSTOK,
        ),
    )
    refund_ticket(second)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PARTLY_REFUNDED)
    client, _user = customer_client("anna@example.com")

    response = client.get(url(f"{order.code}/"))

    assert response.status_code == 200
    doc = parse(response)
    tickets = doc.select("[data-ticket]")
    assert [t["data-ticket-status"] for t in tickets] == ["boarded", "refunded"]
    assert text(tickets[0].select_one(".account-ticket__state")) == "Посадка в 10:12"
    assert text(tickets[1].select_one(".account-ticket__state")) == "Возвращён"
    # Only the valid (boarded) ticket has its PDF.
    assert tickets[0].select_one("a.account-ticket__pdf")
    assert tickets[1].select_one("a.account-ticket__pdf") is None
    assert doc.select_one("[data-departure-time]").get_text() == "10:30"
    assert doc.select_one("table[data-breakdown] [data-total]")
    (refund,) = [
        [text(c) for c in row.select("td")] for row in doc.select("table[data-refunds] tbody tr")
    ]
    assert refund[1] == "Успешно" and "По просьбе покупателя" in refund[0]
    assert refund[2] == text(tickets[1].select_one(".account-ticket__paid"))
    payments = doc.select("section[aria-labelledby=account-payments] tbody tr")
    assert [text(row.select("td")[1]) for row in payments] == ["Успешно"]
    assert doc.select_one("a[data-pdf]")["href"] == url(f"{order.code}/tickets.pdf")
    assert doc.select_one("a[data-ics]")["href"] == url(f"{order.code}/calendar.ics")
    assert third_order.code not in text(doc.select_one("main"))


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_the_order_page_in_each_language(home, language):
    order = placed_order(far_east_departure(), paid=True, email="anna@example.com")
    client, _user = customer_client("anna@example.com", language)

    doc = parse(client.get(url(f"{order.code}/", language)))

    name = {"ru": "Остров Русский", "en": "Russky Island", "zh-hans": "俄罗斯岛"}[language]
    assert text(doc.select_one("#account-order-product")) == name


def test_another_accounts_order_is_a_404_everywhere(home):
    order = placed_order(general_departure(), paid=True, email="anna@example.com")
    ticket = order.tickets.first()
    customer_client("anna@example.com")
    intruder, _user = customer_client("mallory@example.com")

    for tail in (
        f"{order.code}/",
        f"{order.code}/tickets.pdf",
        f"{order.code}/tickets/{ticket.pk}.pdf",
        f"{order.code}/calendar.ics",
    ):
        assert intruder.get(url(tail)).status_code == 404, tail
    assert intruder.get(f"/api/v1/me/orders/{order.code}").status_code == 404


def test_the_pages_need_a_sign_in_and_the_secret_link_still_works_for_a_guest(home):
    from django.test import Client

    order = placed_order(general_departure(), paid=True, email="anna@example.com")
    guest = Client()

    response = guest.get(url(f"{order.code}/"))
    assert response.status_code == 302 and "/ru/account/login/code/" in response["Location"]
    assert guest.get(f"/ru/booking/order/{order.code}/{order.secret}/").status_code == 200


def test_the_order_pdf_and_each_tickets_pdf(home, monkeypatch):
    """The existing ticket renderer (booking.tickets.pdf) makes both: every valid ticket
    and the breakdown for the order, the one ticket alone for a ticket."""
    from booking.services import confirmations
    from booking.tickets.tokens import read_ticket_token

    rendered = []
    real = confirmations.render_tickets_pdf

    def spy(**kwargs):
        rendered.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(confirmations, "render_tickets_pdf", spy)
    order = placed_order(general_departure(), paid=True, email="anna@example.com")
    _first, second = list(order.tickets.order_by("pk"))
    client, _user = customer_client("anna@example.com")

    whole = client.get(url(f"{order.code}/tickets.pdf"))
    single = client.get(url(f"{order.code}/tickets/{second.pk}.pdf"))

    assert whole["Content-Type"] == "application/pdf" and whole.content.startswith(b"%PDF")
    assert f'filename="prichal-{order.code}.pdf"' in whole["Content-Disposition"]
    assert single["Content-Type"] == "application/pdf" and single.content.startswith(b"%PDF")
    assert f"prichal-{order.code}-{second.pk}.pdf" in single["Content-Disposition"]
    whole_call, single_call = rendered
    assert len(whole_call["tickets"]) == 2 and whole_call["summary"] is not None
    (only,) = single_call["tickets"]
    assert read_ticket_token(only.token).secret == second.secret


def test_no_pdf_or_calendar_for_an_unpaid_order_nor_pdf_for_a_refunded_ticket(home):
    departure = general_departure()
    unpaid = placed_order(departure, email="anna@example.com")
    paid = placed_order(departure, paid=True, email="anna@example.com")
    refunded = paid.tickets.first()
    refund_ticket(refunded)
    client, _user = customer_client("anna@example.com")

    assert client.get(url(f"{unpaid.code}/tickets.pdf")).status_code == 404
    assert client.get(url(f"{unpaid.code}/calendar.ics")).status_code == 404
    assert (
        client.get(url(f"{unpaid.code}/tickets/{unpaid.tickets.first().pk}.pdf")).status_code == 404
    )
    assert client.get(url(f"{paid.code}/tickets/{refunded.pk}.pdf")).status_code == 404


def test_the_calendar_file(home):
    departure = far_east_departure()
    order = placed_order(departure, paid=True, email="anna@example.com")
    client, user = customer_client("anna@example.com")
    user.customer.language = "zh-hans"
    user.customer.save()

    response = client.get(url(f"{order.code}/calendar.ics"))
    again = client.get(url(f"{order.code}/calendar.ics"))

    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "俄罗斯岛"  # the customer's language
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and str(start.tzinfo) == "Asia/Vladivostok"
    assert (start.hour, start.minute) == (10, 30)
    assert event["DTSTART"].params["TZID"] == "Asia/Vladivostok"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Vladivostok"]
    assert str(event["LOCATION"]) == "海港客运站, ул. Нижнепортовая, 1"
    assert str(event["UID"]) == f"order-{order.code}-departure-{departure.pk}@127.0.0.1"
    (event_again,) = Calendar.from_ical(again.content).walk("VEVENT")
    assert event_again["UID"] == event["UID"]


def _count_queries(read) -> int:
    with CaptureQueriesContext(connection) as queries:
        read()
    return len(queries)


def test_reads_run_a_fixed_number_of_queries(home, django_assert_max_num_queries):
    departure = general_departure(capacity=40)
    ticket_type = departure.product.ticket_types.first()
    small = placed_order(
        departure, paid=True, email="anna@example.com", quantities={ticket_type.pk: 2}
    )
    refund_ticket(small.tickets.first())
    _client, user = customer_client("anna@example.com")
    small_detail = _count_queries(lambda: account_order(user=user, code=small.code))
    small_list = _count_queries(lambda: account_orders(user=user))

    large = placed_order(
        departure, paid=True, email="anna@example.com", quantities={ticket_type.pk: 8}
    )
    for ticket in list(large.tickets.all())[:3]:
        refund_ticket(ticket)
    for _ in range(4):
        placed_order(departure, paid=True, email="anna@example.com", quantities={ticket_type.pk: 1})

    assert _count_queries(lambda: account_order(user=user, code=large.code)) == small_detail
    assert _count_queries(lambda: account_orders(user=user)) == small_list
    with django_assert_max_num_queries(7):
        account_order(user=user, code=large.code)
    with django_assert_max_num_queries(1):
        account_orders(user=user)
    assert len(account_orders(user=user)) == 6
    assert sum(t.paid for t in account_order(user=user, code=large.code).tickets) == large.total
    assert isinstance(large.total, Decimal)
