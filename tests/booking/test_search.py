"""The back-office search box (booking/search.py) on PostgreSQL: every kind of text a
caller reads out finds the order, exact matches come before fuzzy ones, unrelated or bad
text finds nothing, and a search costs the same few queries however many orders exist."""

import pytest

from booking.search import orders_search
from tests.factories import general_departure, placed_order
from tests.factories.checkin import token_of

pytestmark = pytest.mark.django_db

ANNA = {"name": "Анна Смирнова", "email": "anna.smirnova@example.com", "phone": "+7 921 555-01-23"}
PETR = {"name": "Пётр Иванов", "email": "petr@example.org", "phone": "+7 903 111-22-33"}


@pytest.fixture
def departure():
    return general_departure(capacity=120)


def order_for(departure, person):
    first_type = departure.product.ticket_types.order_by("sort_order", "pk").first()
    return placed_order(departure, quantities={first_type.pk: 2}, **person)


@pytest.fixture
def anna(departure):
    return order_for(departure, ANNA)


@pytest.fixture
def petr(departure):
    return order_for(departure, PETR)


def found(query):
    return [(hit.order.pk, hit.kind) for hit in orders_search(query)]


def test_order_code_in_lower_case(anna, petr):
    assert found(anna.code.lower()) == [(anna.pk, "code")]
    assert found(f"  {anna.code}  ") == [(anna.pk, "code")]


def test_ticket_secret_and_qr_token_name_the_ticket(anna, petr):
    ticket = anna.tickets.order_by("pk").last()
    for text in (ticket.secret, token_of(ticket)):
        hits = orders_search(text)
        assert [(hit.order.pk, hit.kind, hit.ticket.pk) for hit in hits] == [
            (anna.pk, "ticket", ticket.pk)
        ]


def test_email_in_upper_case(anna, petr):
    assert found("ANNA.SMIRNOVA@EXAMPLE.COM") == [(anna.pk, "email")]


def test_email_of_the_customer_finds_orders_placed_with_another_address(anna, petr):
    petr.customer.email = "petr.new@example.org"
    petr.customer.save(update_fields=["email"])
    assert found("Petr.New@example.org") == [(petr.pk, "email")]


@pytest.mark.parametrize("typed", ["8 (921) 555-01-23", "+7 921 555 01 23", "9215550123"])
def test_phone_in_any_format(anna, petr, typed):
    assert found(typed) == [(anna.pk, "phone")]


def test_phone_of_the_customer(anna, petr):
    petr.customer.phone = "+79031234567"
    petr.customer.save(update_fields=["phone"])
    assert found("8 903 123-45-67") == [(petr.pk, "phone")]


def test_surname_with_a_typo_finds_the_name(anna, petr):
    assert found("Смирнва") == [(anna.pk, "name")]
    assert found("иванв") == [(petr.pk, "name")]


def test_two_words_in_the_other_order(anna, petr, departure):
    other_anna = order_for(departure, {**ANNA, "name": "Анна Кузнецова", "email": "k@example.com"})
    hits = found("Смирнова Анна")
    assert hits[0] == (anna.pk, "name")
    assert (other_anna.pk, "name") not in hits


def test_email_prefix(anna, petr):
    assert found("anna.smir") == [(anna.pk, "email")]


def test_exact_matches_come_before_fuzzy_ones(departure):
    # One customer's address is the beginning of another's: the exact one comes first.
    exact = order_for(departure, {**PETR, "email": "petr@example.org"})
    prefixed = order_for(
        departure, {**ANNA, "name": "Пётр Сидоров", "email": "petr@example.org.ru"}
    )
    hits = orders_search("petr@example.org")
    assert [(hit.order.pk, hit.kind, hit.exact) for hit in hits] == [
        (exact.pk, "email", True),
        (prefixed.pk, "email", False),
    ]


def test_an_address_with_a_typo(anna, petr):
    assert found("anna.smirnvoa@example.com") == [(anna.pk, "email")]


def test_each_order_once(anna):
    # The order's own address and its customer's: one hit.
    assert found(ANNA["email"]) == [(anna.pk, "email")]


@pytest.mark.parametrize(
    "query", ["Кузнецов", "zzzzqqqq", "ABCDEFGH", "+7 999 000-00-00", "nobody@example.com"]
)
def test_no_false_hit(anna, petr, query):
    assert orders_search(query) == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "a",
        "x" * 10_000,
        "Смирнова " * 2000,
        "Смир\x00нова",
        "\x1b[31mСмирнова",
        "Смир\u200bнова",
        "%",
        "_",
        "' OR 1=1 --",
        None,
        42,
    ],
)
def test_bad_input_finds_nothing_and_never_fails(anna, query):
    assert orders_search(query) == []


def test_limit(departure):
    orders = [order_for(departure, {**ANNA, "email": f"anna{i}@example.com"}) for i in range(5)]
    assert len(orders_search("Смирнова", limit=3)) == 3
    assert orders_search("Смирнова", limit=0) == []
    assert {hit.order.pk for hit in orders_search("Смирнова")} == {o.pk for o in orders}


@pytest.mark.parametrize("count", [5, 50])
def test_a_fixed_number_of_queries(departure, count, django_assert_max_num_queries):
    orders = [
        order_for(
            departure,
            {
                "name": f"Анна Смирнова{i}",
                "email": f"anna{i}@example.com",
                "phone": f"+7 921 555-{i // 100:02d}-{i % 100:02d}",
            },
        )
        for i in range(count)
    ]
    ticket = orders[0].tickets.first()
    for query in (
        orders[0].code,
        token_of(ticket),
        "anna1@example.com",
        "8 (921) 555-00-01",
        "Смирнова Анна",
        "anna",
    ):
        with django_assert_max_num_queries(4):
            assert orders_search(query, limit=100)
