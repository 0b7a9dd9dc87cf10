"""The CRM API (/api/v1/crm/, crm/api/) through real HTTP with staff API tokens: who gets
in (an active staff member's unrevoked token, never a session), what each role may do
(the real groups of crm.roles), the records it shows and hides, refunds by the refund
service's own rule, the audit entries, and every bad input a translated 4xx."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import APIToken, ModelLogEntry

from accounts.models import Consent
from booking.models import Departure, Order, Refund, Ticket
from crm import permissions, roles
from crm.audit import PERSONAL_DATA_VIEW_ACTION as VIEW_ACTION
from crm.audit import SEARCH_ACTION
from tests.booking.api.helpers import assert_error
from tests.crm.api.helpers import (
    API,
    TokenClient,
    api_for,
    paid_order,
    staff,
    token_for,
)

pytestmark = pytest.mark.django_db

PHONE_SPOKEN = "8 (912) 345-67-89"  # checkout_details' +7 912 345-67-89, as a caller says it


def tickets_of(order) -> list[Ticket]:
    return list(order.tickets.order_by("pk"))


def snapshot(order):
    order.refresh_from_db()
    return (order.status, sorted(order.tickets.values_list("pk", "status")), Refund.objects.count())


def views_of(customer):
    """The audit entries of staff reading the customer's data (on the customer)."""
    return ModelLogEntry.objects.filter(
        action=VIEW_ACTION, object_id=str(customer.pk), content_type__model="customer"
    )


# --- Who gets in ---------------------------------------------------------------------


def test_no_token_is_401(home):
    order = paid_order()
    response = TokenClient(None, "en").get(f"/orders/{order.code}")
    assert_error(response, 401, "unauthorized")
    assert response.json()["message"] == "Please sign in."


def test_a_session_does_not_authenticate(home):
    """An agent signed in to the admin, without a token: 401 (no session, no CSRF)."""
    order = paid_order()
    client = Client()
    client.force_login(staff(roles.AGENT))
    assert_error(client.get(f"{API}/orders/{order.code}"), 401, "unauthorized")
    assert_error(client.post(f"{API}/orders/{order.code}/refunds", {}), 401, "unauthorized")
    assert views_of(order.customer).count() == 0


def test_a_session_does_not_lend_its_rights_to_a_weaker_token(home):
    """Signed in as an agent, calling with a marketer's token: the marketer it is."""
    order = paid_order()
    client = Client()
    client.force_login(staff(roles.AGENT))
    _token, marketer = token_for(staff(roles.MARKETER))
    response = TokenClient(marketer, client=client).get(f"/orders/{order.code}")
    assert_error(response, 403, "forbidden")


@pytest.mark.parametrize(
    "token",
    [
        "wrong",
        "wagtail_" + "A" * 40,
        "Bearer",
        "x" * 5000,
    ],
)
def test_a_wrong_token_is_401(home, token):
    order = paid_order()
    assert_error(TokenClient(token).get(f"/orders/{order.code}"), 401, "unauthorized")


def test_a_well_formed_unknown_token_is_401(home):
    order = paid_order()
    agent = staff(roles.AGENT)
    token, plain = token_for(agent)
    token.delete()
    assert_error(TokenClient(plain).get(f"/orders/{order.code}"), 401, "unauthorized")


def test_a_revoked_token_is_401(home):
    order = paid_order()
    token, plain = token_for(staff(roles.AGENT))
    api = TokenClient(plain)
    assert api.get(f"/orders/{order.code}").status_code == 200
    APIToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert_error(api.get(f"/orders/{order.code}"), 401, "unauthorized")
    assert_error(api.post(f"/orders/{order.code}/refunds", {"tickets": [1]}), 401)


def test_inactive_and_non_staff_users_are_401(home):
    order = paid_order()
    inactive = api_for(roles.AGENT, email="gone@prichal.example", is_active=False)
    customer = api_for(None, email="customer@example.com")
    for api in (inactive, customer):
        assert_error(api.get(f"/orders/{order.code}"), 401, "unauthorized")
        assert_error(api.get("/search", {"q": order.code}), 401, "unauthorized")


def test_the_token_is_marked_used(home):
    order = paid_order()
    token, plain = token_for(staff(roles.AGENT))
    TokenClient(plain).get(f"/orders/{order.code}")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_each_token_has_its_own_rate_limit(home, settings):
    settings.CRM_API_RATE = "2/m"
    order = paid_order()
    agent = staff(roles.AGENT)
    first = TokenClient(token_for(agent, "desk")[1])
    second = TokenClient(token_for(agent, "laptop")[1])
    assert [first.get(f"/orders/{order.code}").status_code for _ in range(2)] == [200, 200]
    response = first.get(f"/orders/{order.code}", language="en")
    assert_error(response, 429, "rate_limited")
    assert response.json()["message"] == "Too many attempts. Please wait a minute and try again."
    assert second.get(f"/orders/{order.code}").status_code == 200


# --- What each role may do -------------------------------------------------------------

ALLOWED = {
    # role: (search, order, quote, refund, customer)
    roles.ADMINISTRATOR: (200, 200, 200, 201, 200),
    roles.MANAGER: (200, 200, 200, 201, 200),
    roles.AGENT: (200, 200, 200, 201, 200),
    roles.ACCOUNTANT: (200, 200, 200, 403, 403),
    roles.MARKETER: (403, 403, 403, 403, 403),
    roles.BOARDING_CREW: (403, 403, 403, 403, 403),
}


@pytest.mark.parametrize("role", list(ALLOWED))
def test_the_role_matrix(home, role):
    order = paid_order()
    first = tickets_of(order)[0]
    api = api_for(role)
    answers = (
        api.get("/search", {"q": order.code}),
        api.get(f"/orders/{order.code}"),
        api.get(f"/orders/{order.code}/refund-quote", {"tickets": str(first.pk)}),
        api.post(f"/orders/{order.code}/refunds", {"tickets": [first.pk]}),
        api.get(f"/customers/{order.customer_id}"),
    )
    assert tuple(a.status_code for a in answers) == ALLOWED[role], [a.content for a in answers]
    for answer in answers:
        if answer.status_code == 403:
            assert_error(answer, 403, "forbidden")
            assert answer.json()["message"] == "Ваша роль не позволяет это сделать."
    refunded = ALLOWED[role][3] == 201
    assert Refund.objects.exists() is refunded
    first.refresh_from_db()
    assert first.status == (Ticket.Status.REFUNDED if refunded else Ticket.Status.VALID)


@pytest.mark.parametrize(
    "language,message",
    [
        ("en", "Your role does not allow this."),
        ("zh-hans", "您的角色不允许此操作。"),
        ("ru", "Ваша роль не позволяет это сделать."),
    ],
)
def test_forbidden_is_translated(home, language, message):
    order = paid_order()
    response = api_for(roles.MARKETER, language).get(f"/orders/{order.code}")
    assert_error(response, 403, "forbidden")
    assert response.json()["message"] == message


# --- Search ------------------------------------------------------------------------------


def test_search_by_a_spoken_phone_finds_the_order(home):
    order = paid_order()
    other = paid_order(email="boris@example.com", phone="+7 921 000-00-01", name="Борис")
    agent = staff(roles.AGENT)
    token, plain = token_for(agent)

    response = TokenClient(plain).get("/search", {"q": PHONE_SPOKEN})

    assert response.status_code == 200, response.content
    (hit,) = response.json()
    assert hit["code"] == order.code != other.code
    assert (hit["kind"], hit["exact"], hit["name"], hit["status"]) == (
        "phone",
        True,
        "Анна Смирнова",
        "paid",
    )
    assert hit["departure"]["id"] == order.departure_id
    assert hit["departure"]["starts_at"].endswith("T11:00:00+10:00")  # the pier's clock
    assert hit["ticket"] is None
    # Audited as the screens' search is: on the member of staff, no query text.
    (entry,) = ModelLogEntry.objects.filter(action=SEARCH_ACTION)
    assert (entry.object_id, entry.user_id, entry.label) == (
        str(agent.pk),
        agent.pk,
        "order search",
    )
    assert entry.data == {
        "via": "api",
        "token": token.pk,
        "query_length": len(PHONE_SPOKEN),
        "hits": 1,
        "client_address": "127.0.0.1",
    }


def test_search_by_ticket_names_the_ticket(home):
    order = paid_order()
    ticket = tickets_of(order)[1]
    (hit,) = api_for(roles.AGENT).get("/search", {"q": ticket.secret}).json()
    assert (hit["kind"], hit["code"], hit["ticket"]) == ("ticket", order.code, ticket.pk)


def test_search_and_reads_go_through_the_policy(home, monkeypatch):
    """Orders the policy hides (another pier's, later) are not found, and reading one
    answers as for an order that does not exist."""
    shown = paid_order()
    hidden = paid_order()
    policy = permissions.order_policy
    every = policy.instances_user_has_permission_for
    monkeypatch.setattr(
        policy,
        "instances_user_has_permission_for",
        lambda user, action: every(user, action).exclude(pk=hidden.pk),
    )
    api = api_for(roles.AGENT)

    hits = api.get("/search", {"q": PHONE_SPOKEN}).json()
    assert [hit["code"] for hit in hits] == [shown.code]
    assert api.get("/search", {"q": hidden.code}).json() == []
    hidden_answer = api.get(f"/orders/{hidden.code}")
    missing_answer = api.get("/orders/ZZZZZZZZ")
    assert_error(hidden_answer, 404, "order_not_found")
    assert hidden_answer.json() == missing_answer.json()
    assert_error(api.get(f"/orders/{hidden.code}/refund-quote"), 404, "order_not_found")
    before = snapshot(hidden)
    response = api.post(f"/orders/{hidden.code}/refunds", {"tickets": [hidden.tickets.first().pk]})
    assert_error(response, 404, "order_not_found")
    assert snapshot(hidden) == before
    customer = api.get(f"/customers/{hidden.customer_id}").json()
    assert [o["code"] for o in customer["orders"]] == [shown.code]  # same customer, by e-mail
    assert not views_of(hidden.customer).filter(data__order_id=hidden.pk).exists()


@pytest.mark.parametrize("q", ["", " ", "\x00", "%" * 50, "a" * 1000])
def test_search_text_that_cannot_be_a_search_finds_nothing(home, q):
    paid_order()
    response = api_for(roles.AGENT).get("/search", {"q": q})
    assert response.status_code == 200, response.content
    assert response.json() == []


@pytest.mark.parametrize(
    "params", [{}, {"q": "a" * 1001}, {"q": "anna", "limit": 0}, {"q": "anna", "limit": "x"}]
)
def test_search_bad_parameters_are_422(home, params):
    response = api_for(roles.AGENT, "en").get("/search", params)
    assert_error(response, 422, "invalid_request")
    assert response.json()["message"].startswith("The request is not valid.")


# --- An order ------------------------------------------------------------------------------


def test_an_order_with_its_story(home):
    order = paid_order()
    first, second = tickets_of(order)
    boarded_at = timezone.now() - datetime.timedelta(minutes=5)
    Ticket.objects.filter(pk=second.pk).update(checked_in_at=boarded_at)
    token, plain = token_for(staff(roles.AGENT))
    api = TokenClient(plain, "en")
    assert api.post(f"/orders/{order.code}/refunds", {"tickets": [first.pk]}).status_code == 201

    response = api.get(f"/orders/{order.code.lower()}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["code"], body["status"], body["status_label"]) == (
        order.code,
        "partly_refunded",
        "Partly refunded",
    )
    assert body["contact"] == {
        "customer_id": order.customer_id,
        "name": "Анна Смирнова",
        "email": "anna@example.com",
        "phone": "+79123456789",
        "language": "ru",
    }
    assert body["departure"]["starts_at"].endswith("T11:00:00+10:00")
    assert body["departure"]["time_zone"] == "Asia/Vladivostok"
    tickets = {t["id"]: t for t in body["tickets"]}
    assert tickets[first.pk]["status"] == "refunded"
    assert tickets[second.pk]["status"] == "boarded"
    assert tickets[second.pk]["boarded_at"].endswith("+10:00")
    local = boarded_at.astimezone(order.departure.zone)
    assert tickets[second.pk]["status_label"] == f"Boarded at {local:%H:%M}"
    (payment,) = body["payments"]
    assert (payment["provider_id"], payment["status"]) == (
        f"test-payment-{order.code}",
        "succeeded",
    )
    (refund,) = body["refunds"]
    assert refund["tickets"] == [first.pk] and refund["reason"] == "customer"
    assert refund["amount"] == f"{first.paid_amount:.2f}"
    assert body["totals"]["total"] == f"{order.total:.2f}"
    assert body["totals"]["paid"] == f"{order.total:.2f}"
    assert body["totals"]["refunded"] == f"{first.paid_amount:.2f}"

    (entry,) = views_of(order.customer)
    assert entry.data == {
        "via": "api",
        "token": token.pk,
        "order_id": order.pk,
        "client_address": "127.0.0.1",
    }
    assert entry.user_id == token.user_id
    assert entry.label == f"customer #{order.customer_id}"  # an id, no name or address


@pytest.mark.parametrize(
    "code", ["ZZZZZZZZ", "abc", "%00", "A%00B", "..", "x" * 100, "Ã©", "' OR 1=1 --"]
)
def test_an_unknown_or_impossible_code_is_404(home, code):
    paid_order()
    response = api_for(roles.AGENT, "zh-hans").get(f"/orders/{code}")
    assert_error(response, 404, "order_not_found")
    assert response.json()["message"] == "未找到该订单。"


def test_a_code_too_long_is_422(home):
    assert_error(api_for(roles.AGENT).get(f"/orders/{'A' * 101}"), 422, "invalid_request")


# --- Refunds ---------------------------------------------------------------------------------


def test_the_quote(home):
    order = paid_order(count=3)
    first, second, _third = tickets_of(order)
    api = api_for(roles.AGENT)

    for params in ({"tickets": f"{first.pk},{second.pk}"}, {"tickets": [first.pk, second.pk]}):
        quote = api.get(f"/orders/{order.code}/refund-quote", params).json()
        assert quote["allowed"] is True and quote["code"] is None
        assert [line["ticket"] for line in quote["lines"]] == [first.pk, second.pk]
        assert quote["amount"] == f"{first.paid_amount + second.paid_amount:.2f}"
        assert not quote["whole_order"]
        assert quote["deadline"].endswith("T11:00:00+10:00")
    whole = api.get(f"/orders/{order.code}/refund-quote").json()
    assert whole["whole_order"] and len(whole["lines"]) == 3
    assert Refund.objects.count() == 0


def test_a_quote_of_a_foreign_ticket_is_refused_with_the_reason(home):
    order = paid_order()
    other = paid_order()
    quote = (
        api_for(roles.AGENT, "en")
        .get(f"/orders/{order.code}/refund-quote", {"tickets": str(other.tickets.first().pk)})
        .json()
    )
    assert (quote["allowed"], quote["code"], quote["message"]) == (
        False,
        "ticket_invalid",
        "A ticket you chose is not in this order.",
    )


@pytest.mark.parametrize(
    "tickets,code",
    [
        ("x", "ticket_invalid"),
        ("1,x", "ticket_invalid"),
        ("-1", "ticket_invalid"),
        ("0", "ticket_invalid"),
        ("1.5", "ticket_invalid"),
        ("9" * 40, "ticket_invalid"),
        (",", "ticket_invalid"),
        (",".join(["1"] * 101), "too_many_tickets"),
    ],
)
def test_a_quote_of_tickets_that_are_not_ids_is_422(home, tickets, code):
    order = paid_order()
    response = api_for(roles.AGENT).get(f"/orders/{order.code}/refund-quote", {"tickets": tickets})
    assert_error(response, 422, code)


def test_the_agent_refunds_one_ticket_as_the_customer_asked(home):
    order = paid_order()
    first, second = tickets_of(order)
    agent = staff(roles.AGENT)
    api = TokenClient(token_for(agent)[1])

    response = api.post(f"/orders/{order.code}/refunds", {"tickets": [first.pk]})

    assert response.status_code == 201, response.content
    (refund,) = Refund.objects.all()
    assert response.json() == {
        "id": refund.pk,
        "status": refund.status,
        "amount": f"{first.paid_amount:.2f}",
        "tickets": [first.pk],
    }
    assert refund.reason == Refund.Reason.CUSTOMER
    order.refresh_from_db()
    assert order.status == Order.Status.PARTLY_REFUNDED
    second.refresh_from_db()
    assert second.status == Ticket.Status.VALID
    (entry,) = ModelLogEntry.objects.filter(action="booking.order.refund", object_id=str(order.pk))
    assert entry.user_id == agent.pk and entry.data["tickets"] == [first.pk]

    again = api.post(f"/orders/{order.code}/refunds", {"tickets": [first.pk]}, language="en")
    assert_error(again, 409, "ticket_refunded")
    assert again.json()["message"] == "A ticket you chose has already been refunded."


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_a_refund_inside_24_hours_is_refused_with_the_reason(home, language):
    order = paid_order()
    Departure.objects.filter(pk=order.departure_id).update(
        starts_at=timezone.now() + datetime.timedelta(hours=23, minutes=59)
    )
    before = snapshot(order)
    api = api_for(roles.AGENT, language)

    response = api.post(f"/orders/{order.code}/refunds", {"tickets": [order.tickets.first().pk]})

    assert_error(response, 409, "refund_window_passed")
    message = response.json()["message"]
    assert {
        "ru": "этот срок прошёл",
        "en": "that time has passed",
        "zh-hans": "现已过期",
    }[language] in message
    assert snapshot(order) == before
    quote = api.get(f"/orders/{order.code}/refund-quote").json()
    assert (quote["allowed"], quote["code"]) == (False, "refund_window_passed")


def test_bad_refund_requests_change_nothing(home, settings):
    order = paid_order()
    other = paid_order()
    before = snapshot(order)
    api = api_for(roles.AGENT, "en")
    url = f"/orders/{order.code}/refunds"

    foreign = api.post(url, {"tickets": [other.tickets.first().pk]})
    assert_error(foreign, 422, "ticket_invalid")
    assert foreign.json()["message"] == "A ticket you chose is not in this order."
    for body in ({}, {"tickets": []}, {"tickets": ["x"]}, {"tickets": [1.5]}, {"tickets": "1"}):
        assert_error(api.post(url, body), 422, "invalid_request")
    assert_error(api.post(url, {"tickets": list(range(1, 102))}), 422, "invalid_request")
    assert_error(api.post(url, {"tickets": [-1]}), 422, "ticket_invalid")
    assert_error(api.post(url, {"tickets": [2**70]}), 422)
    assert_error(api.post(url, raw="{not json"))
    assert_error(api.post(url, raw="[]"), 422)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    huge = api.post(url, raw='{"tickets": [' + ",".join(["1"] * 20_000) + "]}")
    assert_error(huge, 413, "request_too_large")
    assert snapshot(order) == before
    assert snapshot(other)[2] == 0


def test_the_accountant_reads_but_cannot_refund(home):
    order = paid_order()
    before = snapshot(order)
    api = api_for(roles.ACCOUNTANT)
    assert api.get(f"/orders/{order.code}").status_code == 200
    response = api.post(f"/orders/{order.code}/refunds", {"tickets": [order.tickets.first().pk]})
    assert_error(response, 403, "forbidden")
    assert snapshot(order) == before


# --- A customer ------------------------------------------------------------------------------


def test_a_customer_with_orders_and_consents(home):
    order = paid_order()
    unpaid_departure = order.departure
    from tests.factories import placed_order

    placed_order(unpaid_departure, quantities={order.tickets.first().ticket_type_id: 1})
    customer = order.customer
    token, plain = token_for(staff(roles.AGENT))

    response = TokenClient(plain, "en").get(f"/customers/{customer.pk}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["name"], body["email"], body["phone"]) == (
        customer.pk,
        "Анна Смирнова",
        "anna@example.com",
        "+79123456789",
    )
    assert body["erased"] is False
    assert {o["code"]: o["status"] for o in body["orders"]}[order.code] == "paid"
    assert len(body["orders"]) == 2
    assert body["total_paid"] == f"{order.total:.2f}"
    consents = {(c["kind"], c["document_version"], c["granted"]) for c in body["consents"]}
    assert ("personal_data", "12.34", True) in consents
    assert ("offer", "12.35", True) in consents
    assert Consent.objects.filter(customer=customer).count() == len(body["consents"])
    assert all(c["order"] for c in body["consents"])

    (entry,) = views_of(customer)
    assert entry.data == {"via": "api", "token": token.pk, "client_address": "127.0.0.1"}
    assert entry.label == f"customer #{customer.pk}"
    assert "anna" not in entry.label.lower() and "Смирнова" not in entry.label


@pytest.mark.parametrize(
    "customer_id,status,code",
    [
        ("999999", 404, "customer_not_found"),
        ("0", 422, "invalid_request"),
        ("-5", 422, "invalid_request"),
        ("x", 422, "invalid_request"),
        (str(2**64), 422, "invalid_request"),
    ],
)
def test_a_customer_that_cannot_be_read(home, customer_id, status, code):
    response = api_for(roles.AGENT, "en").get(f"/customers/{customer_id}")
    assert_error(response, status, code)
    if code == "customer_not_found":
        assert response.json()["message"] == "This customer was not found."


def test_roles_without_personal_data_do_not_see_customers(home):
    order = paid_order()
    for role in (roles.ACCOUNTANT, roles.MARKETER, roles.BOARDING_CREW):
        response = api_for(role, email=f"{role[:4]}@x.example").get(
            f"/customers/{order.customer_id}"
        )
        assert_error(response, 403, "forbidden")
    assert views_of(order.customer).count() == 0
