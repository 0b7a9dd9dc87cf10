"""The customer's refunds from the account (booking/account_views.py, the refund section
of the order page) and /api/v1/me/ (booking/api/me.py), both through the refund service:
the deadline on the pier's clock and a checkbox per refundable ticket; two steps (the
first refunds nothing, the second only what it is sent); exactly the chosen ticket
refunded and its seat free; the window passed, forged and foreign tickets refused with
nothing changed; the guest's order page sends the customer to sign in."""

import datetime
import json
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone

from booking.models import Departure, Order, Refund, SeatClaim, Ticket
from booking.services.refunds import pier_moment
from tests.booking.account.helpers import board, customer_client
from tests.booking.api.helpers import assert_error
from tests.booking.refunds.helpers import PIER_TIMEZONE, pier_departure
from tests.factories import placed_order, seats_of
from tests.helpers import parse

pytestmark = pytest.mark.django_db

PIER = zoneinfo.ZoneInfo(PIER_TIMEZONE)
API = "/api/v1/me"
MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"


def in_russian(moment: datetime.datetime) -> str:
    """A moment on the pier's clock as the pages write it in Russian: "7 декабря, 11:00"
    (with the year when it is not this year's)."""
    local = moment.astimezone(PIER)
    text = f"{local.day} {MONTHS.split()[local.month - 1]}"
    if local.year != timezone.now().astimezone(PIER).year:
        text += f" {local.year} г."
    return f"{text}, {local:%H:%M}"


def in_three_days() -> datetime.datetime:
    """11:00 at the pier (Vladivostok, UTC+10) three days from now: refundable until
    11:00 the day before, pier time."""
    day = (timezone.now().astimezone(PIER) + datetime.timedelta(days=3)).date()
    return datetime.datetime.combine(day, datetime.time(11, 0), tzinfo=PIER)


def seated_order(email="anna@example.com"):
    """A paid order of two seats, 2 and 3 of row 1, on a departure three days away."""
    departure = pier_departure(starts_at=in_three_days(), seated=True, rows=1, seats_per_row=4)
    seats = seats_of(departure)
    return placed_order(departure, seats=seats[1:3], paid=True, email=email)


def order_url(order, tail="", language="ru"):
    prefix = {"ru": "ru", "en": "en", "zh-hans": "zh"}[language]
    return f"/{prefix}/account/orders/{order.code}/{tail}"


def snapshot(order):
    order.refresh_from_db()
    return (
        order.status,
        sorted(order.tickets.values_list("pk", "status")),
        Refund.objects.count(),
        SeatClaim.objects.filter(ticket__order=order).count(),
    )


def tickets_of(order):
    return list(order.tickets.order_by("pk"))


def parse_page(response):
    return parse(response)


def section(response):
    return parse_page(response).select_one("section[data-refund]")


def test_the_order_page_shows_the_deadline_on_the_piers_clock_and_a_ticked_form(home):
    order = seated_order()
    first, second = tickets_of(order)
    client, _user = customer_client("anna@example.com")

    response = client.get(order_url(order))

    assert response.status_code == 200
    refund = section(response)
    assert refund["data-refund"] == "open"
    deadline = order.departure.starts_at - datetime.timedelta(hours=24)
    assert " ".join(refund.select_one("[data-refund-deadline]").get_text().split()) == (
        f"Вернуть билеты можно до {in_russian(deadline)} (время причала)."
    )
    assert in_russian(deadline).endswith("11:00")  # Vladivostok's clock, not Moscow's 04:00
    form = refund.select_one("form[data-refund-form]")
    assert form["method"] == "post" and form["action"] == order_url(order, "refund/")
    assert form.select_one("input[name=csrfmiddlewaretoken]")
    boxes = form.select("input[type=checkbox][name=tickets]")
    assert [(b["value"], b.has_attr("checked")) for b in boxes] == [
        (str(first.pk), True),
        (str(second.pk), True),
    ]
    assert " ".join(form.select_one("button[type=submit]").get_text().split()) == "Вернуть билеты"


@pytest.mark.parametrize(("language", "button"), [("en", "Return tickets"), ("zh-hans", "退票")])
def test_the_button_is_named_as_the_rules_name_it(home, language, button):
    order = seated_order()
    client, _user = customer_client("anna@example.com", language)

    refund = section(client.get(order_url(order, language=language)))

    assert refund.select_one("button[data-refund-submit]").get_text().strip() == button


def test_boarded_and_refunded_tickets_have_no_checkbox(home):
    order = seated_order()
    first, second = tickets_of(order)
    board(first, timezone.now())
    client, _user = customer_client("anna@example.com")

    form = section(client.get(order_url(order))).select_one("form[data-refund-form]")

    assert [b["value"] for b in form.select("input[name=tickets]")] == [str(second.pk)]
    boarded = form.select_one(f"[data-refund-ticket='{first.pk}']")
    assert boarded.select_one("input") is None and "Посадка" in boarded.get_text()


def test_two_steps_refund_exactly_the_chosen_ticket_and_free_its_seat(home):
    order = seated_order()
    first, second = tickets_of(order)
    client, _user = customer_client("anna@example.com")
    before = snapshot(order)

    # The first step shows the quote and refunds nothing.
    response = client.post(order_url(order, "refund/"), {"tickets": [second.pk]})

    assert response.status_code == 200
    assert snapshot(order) == before
    page = parse_page(response)
    assert [li["data-refund-line"] for li in page.select("[data-refund-line]")] == [str(second.pk)]
    amount = page.select_one("[data-refund-amount]").get_text()
    assert amount.replace("\xa0", " ") == f"{int(second.paid_amount):,} ₽".replace(",", " ")
    assert "в течение 3–10 рабочих дней" in page.get_text()
    confirm = page.select_one("form[data-refund-confirm]")
    assert confirm["action"] == order_url(order, "refund/confirm/")
    assert [i["value"] for i in confirm.select("input[name=tickets]")] == [str(second.pk)]

    # The confirm step refunds it, and the page says so after a redirect.
    response = client.post(order_url(order, "refund/confirm/"), {"tickets": [second.pk]})

    assert response.status_code == 302 and response["Location"] == order_url(order)
    (refund,) = Refund.objects.all()
    assert list(refund.tickets.all()) == [second]
    assert refund.amount == second.paid_amount and refund.reason == Refund.Reason.CUSTOMER
    order.refresh_from_db()
    assert order.status == Order.Status.PARTLY_REFUNDED
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Ticket.Status.VALID, Ticket.Status.REFUNDED)
    assert not SeatClaim.objects.filter(seat=second.seat, departure=order.departure).exists()
    assert SeatClaim.objects.filter(ticket=first).exists()

    page = parse_page(client.get(order_url(order)))
    notice = " ".join(page.select_one(".account-notice--success").get_text().split())
    assert notice == (
        f"Возврат оформлен: {amount} вернутся на карту, с которой вы платили.".replace("\xa0", " ")
    )
    assert page.select_one(f"[data-ticket='{second.pk}']")["data-ticket-status"] == "refunded"
    form = page.select_one("form[data-refund-form]")
    assert [b["value"] for b in form.select("input[name=tickets]")] == [str(first.pk)]

    # The same confirmation again (a double submit): refused, nothing more refunded.
    response = client.post(order_url(order, "refund/confirm/"), {"tickets": [second.pk]})

    assert response.status_code == 400
    assert "уже возвращён" in section(response).select_one("[data-refund-error]").get_text()
    assert Refund.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [{}, {"tickets": ""}, {"tickets": "abc"}, {"tickets": "-1"}, {"tickets": "99999999999"}],
    ids=["nothing", "empty", "junk", "negative", "unknown"],
)
@pytest.mark.parametrize("step", ["refund/", "refund/confirm/"])
def test_a_bad_choice_is_refused_with_the_reason_and_nothing_changed(home, step, data):
    order = seated_order()
    client, _user = customer_client("anna@example.com")
    before = snapshot(order)

    response = client.post(order_url(order, step), data)

    assert response.status_code == 400
    error = section(response).select_one("[data-refund-error]")
    assert error["role"] == "alert" and error.get_text().strip()
    assert snapshot(order) == before


def test_a_ticket_of_another_account_is_refused_and_its_order_is_a_404(home):
    order = seated_order()
    boris = seated_order(email="boris@example.com")
    client, _user = customer_client("anna@example.com")
    before, before_boris = snapshot(order), snapshot(boris)

    foreign = boris.tickets.first().pk
    for step in ("refund/", "refund/confirm/"):
        response = client.post(order_url(order, step), {"tickets": [foreign]})
        assert response.status_code == 400
        error = section(response).select_one("[data-refund-error]").get_text()
        assert error.strip() == "Выбранного билета нет в этом заказе."
        assert client.post(order_url(boris, step), {"tickets": [foreign]}).status_code == 404

    assert (snapshot(order), snapshot(boris)) == (before, before_boris)


def test_signed_out_or_get_never_refunds(home):
    order = seated_order()
    ticket = order.tickets.first()
    before = snapshot(order)

    response = Client().post(order_url(order, "refund/confirm/"), {"tickets": [ticket.pk]})
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    client, user = customer_client("anna@example.com")
    assert client.get(order_url(order, "refund/confirm/")).status_code == 405
    forged = Client(enforce_csrf_checks=True)  # a form posted from another site
    forged.force_login(user)
    response = forged.post(order_url(order, "refund/confirm/"), {"tickets": [ticket.pk]})
    assert response.status_code == 403

    assert snapshot(order) == before


def test_the_window_passed_between_the_two_steps(home):
    order = seated_order()
    ticket = order.tickets.first()
    client, _user = customer_client("anna@example.com")
    assert client.post(order_url(order, "refund/"), {"tickets": [ticket.pk]}).status_code == 200
    soon = timezone.now() + datetime.timedelta(hours=10)
    Departure.objects.filter(pk=order.departure_id).update(starts_at=soon)
    before = snapshot(order)

    response = client.post(order_url(order, "refund/confirm/"), {"tickets": [ticket.pk]})

    assert response.status_code == 400
    refund = section(response)
    assert refund["data-refund"] == "closed" and refund.select_one("form") is None
    assert "больше нельзя" in refund.select_one("[data-refund-closed]").get_text()
    assert snapshot(order) == before


def test_after_the_window_no_form_but_the_deadline_that_passed(home):
    order = seated_order()
    starts = (timezone.now() + datetime.timedelta(hours=10)).replace(second=0, microsecond=0)
    Departure.objects.filter(pk=order.departure_id).update(starts_at=starts)
    client, _user = customer_client("anna@example.com")

    refund = section(client.get(order_url(order)))

    assert refund["data-refund"] == "closed"
    assert refund.select_one("form") is None and refund.select_one("input") is None
    deadline = in_russian(starts - datetime.timedelta(hours=24))
    assert " ".join(refund.select_one("[data-refund-closed]").get_text().split()) == (
        f"Вернуть билеты больше нельзя: возврат был возможен до {deadline}."
    )


def test_a_cancelled_departure_is_refunded_in_full_with_the_form(home):
    order = seated_order()
    Departure.objects.filter(pk=order.departure_id).update(
        status=Departure.Status.CANCELLED, starts_at=timezone.now() + datetime.timedelta(hours=2)
    )
    client, _user = customer_client("anna@example.com")

    refund = section(client.get(order_url(order)))

    assert refund["data-refund"] == "open"
    assert refund.select_one("[data-refund-cancelled]").get_text().strip() == (
        "Рейс отменён — вернём всю сумму."
    )
    assert refund.select_one("[data-refund-deadline]") is None
    assert len(refund.select("input[name=tickets]")) == 2


def test_a_refunded_order_has_nothing_to_refund_and_an_unpaid_one_no_section(home):
    order = seated_order()
    unpaid = placed_order(pier_departure(starts_at=in_three_days()), email="anna@example.com")
    client, _user = customer_client("anna@example.com")
    ids = [t.pk for t in tickets_of(order)]
    client.post(order_url(order, "refund/confirm/"), {"tickets": ids})
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED

    refund = section(client.get(order_url(order)))
    assert refund["data-refund"] == "done" and refund.select_one("form") is None
    assert section(client.get(order_url(unpaid))) is None


def test_the_guest_order_page_sends_the_customer_to_sign_in_to_refund(home):
    order = seated_order()

    page = parse_page(Client().get(f"/ru/booking/order/{order.code}/{order.secret}/"))

    link = page.select_one("[data-refund-signin] a")
    assert link.get_text().strip() == "Чтобы вернуть билеты, войдите с почтой заказа"
    assert link["href"] == (
        f"/ru/account/login/code/?next=%2Fru%2Faccount%2Forders%2F{order.code}%2F"
    )
    assert "обмен" not in link.get_text()
    unpaid = placed_order(pier_departure(starts_at=in_three_days()))
    page = parse_page(Client().get(f"/ru/booking/order/{unpaid.code}/{unpaid.secret}/"))
    assert page.select_one("[data-refund-signin]") is None


def test_the_sign_in_link_leads_to_the_order_after_the_code(home):
    from tests.accounts.helpers import last_code, new_client

    order = seated_order()
    client = new_client()
    next_url = order_url(order)
    response = client.post("/ru/account/login/code/", {"email": order.email, "next": next_url})
    assert response.status_code == 302

    confirm_page = parse(client.get(response["Location"]))
    assert confirm_page.select_one("form.account-form input[name=next]")["value"] == next_url
    response = client.post(
        "/ru/account/login/code/confirm/", {"code": last_code(order.email), "next": next_url}
    )

    assert response.status_code == 302 and response["Location"] == next_url
    assert client.get(next_url).status_code == 200


# --- /api/v1/me/ ---------------------------------------------------------------------


def csrf_client(email: str) -> tuple[Client, str]:
    _plain, user = customer_client(email)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/ru/account/profile/")  # the page sets the CSRF cookie
    return client, client.cookies["csrftoken"].value


def post_refund(client, order, body, token=None, language="ru"):
    headers = {"Accept-Language": language}
    if token:
        headers["X-CSRFToken"] = token
    return client.post(
        f"{API}/orders/{order.code}/refunds",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def test_the_api_quote(home):
    order = seated_order()
    first, second = tickets_of(order)
    client, _user = customer_client("anna@example.com")

    response = client.get(f"{API}/orders/{order.code}/refund-quote", {"tickets": [second.pk]})

    assert response.status_code == 200, response.content
    quote = response.json()
    deadline = order.departure.starts_at - datetime.timedelta(hours=24)
    assert quote["allowed"] is True and quote["code"] is None
    assert datetime.datetime.fromisoformat(quote["deadline"]) == deadline
    assert quote["deadline"].endswith("T11:00:00+10:00")  # the pier's clock
    assert quote["amount"] == f"{second.paid_amount:.2f}" and not quote["whole_order"]
    assert quote["lines"] == [
        {"ticket": second.pk, "amount": f"{second.paid_amount:.2f}", "fee_kept": "0.00"}
    ]
    assert in_russian(deadline) in quote["message"]

    whole = client.get(f"{API}/orders/{order.code}/refund-quote").json()
    assert whole["whole_order"] and [line["ticket"] for line in whole["lines"]] == [
        first.pk,
        second.pk,
    ]
    assert Refund.objects.count() == 0


def test_the_api_quote_refused_says_why(home):
    order = seated_order()
    Departure.objects.filter(pk=order.departure_id).update(
        starts_at=timezone.now() + datetime.timedelta(hours=3)
    )
    client, _user = customer_client("anna@example.com", "en")

    quote = client.get(
        f"{API}/orders/{order.code}/refund-quote", headers={"Accept-Language": "en"}
    ).json()

    assert (quote["allowed"], quote["code"], quote["amount"]) == (
        False,
        "refund_window_passed",
        "0.00",
    )
    assert quote["message"].startswith("A refund was possible until ") and quote["lines"] == []
    bad = client.get(f"{API}/orders/{order.code}/refund-quote", {"tickets": ["x"]})
    assert_error(bad, 422, "invalid_request")


def test_the_api_refunds_one_ticket_with_the_csrf_token(home):
    order = seated_order()
    first, second = tickets_of(order)
    client, token = csrf_client("anna@example.com")

    response = post_refund(client, order, {"tickets": [first.pk]}, token)

    assert response.status_code == 201, response.content
    (refund,) = Refund.objects.all()
    assert response.json() == {
        "id": refund.pk,
        "status": refund.status,
        "amount": f"{first.paid_amount:.2f}",
        "tickets": [first.pk],
    }
    order.refresh_from_db()
    assert order.status == Order.Status.PARTLY_REFUNDED
    assert not SeatClaim.objects.filter(ticket=first).exists()

    again = post_refund(client, order, {"tickets": [first.pk]}, token, language="zh-hans")
    assert_error(again, 409, "ticket_refunded")
    assert again.json()["message"] == "您选择的票已经退过了。"

    # Omitted: every ticket still refundable.
    response = post_refund(client, order, {}, token)
    assert response.status_code == 201 and response.json()["tickets"] == [second.pk]
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED


def test_the_api_refusals_change_nothing(home):
    order = seated_order()
    boris = seated_order(email="boris@example.com")
    client, token = csrf_client("anna@example.com")
    before, before_boris = snapshot(order), snapshot(boris)

    without_token = post_refund(client, order, {"tickets": []})
    assert_error(without_token, 403, "csrf_failed")
    assert_error(post_refund(client, order, {"tickets": []}, token), 422, "no_tickets")
    foreign = boris.tickets.first().pk
    response = post_refund(client, order, {"tickets": [foreign]}, token, language="en")
    assert_error(response, 422, "ticket_invalid")
    assert response.json()["message"] == "A ticket you chose is not in this order."
    assert_error(post_refund(client, boris, {"tickets": [foreign]}, token), 404, "order_not_found")
    assert_error(client.get(f"{API}/orders/{boris.code}/refund-quote"), 404, "order_not_found")
    assert_error(post_refund(client, order, {"tickets": ["x"]}, token), 422, "invalid_request")
    assert_error(Client().post(f"{API}/orders/{order.code}/refunds"), 401, "unauthorized")

    Departure.objects.filter(pk=order.departure_id).update(
        starts_at=timezone.now() + datetime.timedelta(hours=3)
    )
    response = post_refund(client, order, {}, token)
    assert_error(response, 409, "refund_window_passed")
    assert "этот срок прошёл" in response.json()["message"]
    assert (snapshot(order), snapshot(boris)) == (before, before_boris)


def test_pier_moment_adds_the_year_only_when_it_is_not_this_years():
    departure = pier_departure(starts_at=in_three_days())
    moment = datetime.datetime(2031, 12, 6, 1, 0, tzinfo=datetime.UTC)
    now = datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC)
    assert pier_moment(departure, moment, now) == "6 декабря, 11:00"
    assert pier_moment(departure, moment, now.replace(year=2030)) == "6 декабря 2031 г., 11:00"
