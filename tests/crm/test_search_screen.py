"""The order search of the agent console: hits through the order policy, one exact hit
goes straight to the order, bad input is a message (never a 500), each search is audited
without its text, and Wagtail's sidebar search offers it only to those who see orders."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from crm import roles
from tests.crm.test_orders_screen import client_of, far_departure, staff
from tests.factories import placed_order

pytestmark = pytest.mark.django_db

URL = "/admin/crm/search/"


@pytest.fixture
def agent_client():
    return client_of(staff(roles.AGENT))


@pytest.fixture
def orders():
    departure = far_departure()
    return [
        placed_order(departure, paid=True, name="Анна Смирнова", email="anna@example.com"),
        placed_order(departure, name="Анна Смирнова", email="anna@example.com"),
        placed_order(
            departure, name="Борис Петров", email="boris@example.com", phone="+79215550123"
        ),
    ]


def test_the_url_name():
    assert reverse("crm_search") == URL


def test_one_exact_hit_goes_straight_to_the_order(agent_client, orders):
    response = agent_client.get(URL, {"q": "8 (921) 555-01-23"})
    assert response.status_code == 302
    assert response["Location"] == reverse("crm_orders:inspect", args=[orders[2].pk])
    entry = ModelLogEntry.objects.get(action="prichal.personal_data.search")
    assert entry.data == {
        "query_length": len("8 (921) 555-01-23"),
        "hits": 1,
        "client_address": "127.0.0.1",
    }
    assert "921" not in entry.label and "921" not in str(entry.data)


def test_several_hits_are_listed_with_what_matched(agent_client, orders):
    response = agent_client.get(URL, {"q": "anna@example.com"})
    assert response.status_code == 200
    page = response.content.decode()
    assert orders[0].code in page and orders[1].code in page
    assert orders[2].code not in page
    assert "anna@example.com" in page
    assert reverse("crm_orders:inspect", args=[orders[0].pk]) in page
    assert len(response.context["rows"]) == 2
    assert all(row["exact"] for row in response.context["rows"])
    assert ModelLogEntry.objects.get(action="prichal.personal_data.search").data["hits"] == 2


def test_fuzzy_name_hits(agent_client, orders):
    response = agent_client.get(URL, {"q": "Смирнва"})
    assert response.status_code == 200
    assert {row["order"].pk for row in response.context["rows"]} == {orders[0].pk, orders[1].pk}


def test_nothing_found(agent_client, orders):
    response = agent_client.get(URL, {"q": "nobody-at-all@example.org"})
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "crm-search-empty" in response.content.decode()


@pytest.mark.parametrize("query", ["", " ", "a", "x" * 5000, "anna\x00@example.com", "ab\u200b"])
def test_bad_input_is_a_translated_message(agent_client, orders, query):
    response = agent_client.get(URL, {"q": query}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    page = response.content.decode()
    assert "crm-search-error" in page
    assert response.context["rows"] == []
    assert not ModelLogEntry.objects.filter(action="prichal.personal_data.search").exists()


def test_the_message_is_russian_for_a_russian_agent(agent_client):
    response = agent_client.get(URL, {"q": "a"})
    assert "Введите не меньше 2 символов" in response.content.decode()


def test_no_query_shows_the_form(agent_client):
    response = agent_client.get(URL)
    assert response.status_code == 200
    assert 'name="q"' in response.content.decode()


def test_hits_go_through_the_order_policy(orders, monkeypatch):
    from booking.models import Order
    from crm.permissions import order_policy

    client = client_of(staff(roles.AGENT))
    # An agent limited to one order (the object-aware policy's job; simulated here).
    monkeypatch.setattr(
        order_policy,
        "instances_user_has_permission_for",
        lambda user, action: Order.objects.filter(pk=orders[1].pk),
    )
    response = client.get(URL, {"q": "anna@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("crm_orders:inspect", args=[orders[1].pk])


def test_the_sidebar_search_offers_orders_to_an_agent_only(orders):
    from django.test import RequestFactory
    from wagtail.admin.search import admin_search_areas

    def areas(user):
        request = RequestFactory().get("/admin/")
        request.user = user
        return [area.url for area in admin_search_areas.search_items_for_request(request)]

    agent = staff(roles.AGENT, "agent-2@example.com")
    # An agent has no page search: the sidebar's search box is the order search.
    assert areas(agent)[0] == URL
    home = client_of(agent).get(reverse("wagtailadmin_home")).content.decode()
    assert URL in home.replace("\\/", "/")
    marketer = staff(roles.MARKETER)
    assert URL not in areas(marketer)
    assert client_of(marketer).get(URL, {"q": "anna@example.com"}).status_code == 403
    assert not ModelLogEntry.objects.filter(action="prichal.personal_data.search").exists()
