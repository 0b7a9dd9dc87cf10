"""The customer screen's actions: notes (agents and managers), the staff's export of a
customer's personal data (JSON, audited with its purpose) and the erasure (blockers
shown; with none, a typed e-mail and a ticked box), for those who may manage personal
data only; every bad input a translated form error with nothing changed."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from accounts.models import Customer, CustomerNote
from booking.models import Order
from crm import roles
from crm.permissions import customer_policy
from tests.factories import general_departure, placed_order
from tests.factories.people import signed_in_client as client_of
from tests.factories.people import staff_member as staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    user = staff(roles.MANAGER)
    assert customer_policy.user_has_permission(user, "manage_personal_data")
    return user


@pytest.fixture
def agent():
    return staff(roles.AGENT)


@pytest.fixture
def customer():
    order = placed_order(general_departure(), paid=True, email="olga@example.com", name="Ольга")
    return order.customer


def url(action: str, customer) -> str:
    return reverse(f"crm_customers:{action}", args=[customer.pk])


def text(response) -> str:
    return response.content.decode()


def has_form_error(response) -> bool:
    page = text(response)
    return "error-message" in page or "help-critical" in page


def audit(customer, action: str):
    return ModelLogEntry.objects.for_instance(customer).filter(action=action)


# Notes --------------------------------------------------------------------------------


def test_the_agent_adds_a_note_shown_on_the_screen(agent, customer):
    client = client_of(agent)
    screen = text(client.get(url("inspect", customer)))
    assert url("note", customer) in screen
    response = client.post(url("note", customer), {"text": "Предпочитает звонки"})
    assert response.status_code == 302
    note = CustomerNote.objects.get(customer=customer)
    assert note.author == agent and note.text == "Предпочитает звонки"
    assert audit(customer, "prichal.customer.note").filter(user=agent).exists()
    assert "Предпочитает звонки" in text(client.get(url("inspect", customer)))


@pytest.mark.parametrize("note", ["", "   ", "x" * 2001])
def test_a_bad_note_is_a_form_error(agent, customer, note):
    response = client_of(agent).post(url("note", customer), {"text": note})
    assert response.status_code == 200 and has_form_error(response)
    assert not CustomerNote.objects.exists()


def test_the_empty_note_error_is_in_russian(agent, customer):
    response = client_of(agent).post(url("note", customer), {"text": ""})
    assert "Заметка пуста: сначала напишите её текст." in text(response)


@pytest.mark.parametrize("role", [roles.ACCOUNTANT, roles.MARKETER])
def test_others_may_not_write_notes(customer, role):
    client = client_of(staff(role))
    assert client.get(url("note", customer)).status_code == 403
    assert client.post(url("note", customer), {"text": "x"}).status_code == 403
    assert not CustomerNote.objects.exists()


# Export and erasure: who ------------------------------------------------------------


def test_the_manager_sees_the_buttons_the_agent_does_not(manager, agent, customer):
    page = text(client_of(manager).get(url("inspect", customer)))
    assert url("export", customer) in page and url("erase", customer) in page
    page = text(client_of(agent).get(url("inspect", customer)))
    assert url("export", customer) not in page and url("erase", customer) not in page


@pytest.mark.parametrize("role", [roles.AGENT, roles.ACCOUNTANT, roles.MARKETER])
def test_others_may_not_export_or_erase(customer, role):
    client = client_of(staff(role))
    for action in ("export", "erase"):
        assert client.get(url(action, customer)).status_code == 403
        response = client.post(
            url(action, customer),
            {"purpose": "customer_request", "email": customer.email, "understood": "on"},
        )
        assert response.status_code == 403
    customer.refresh_from_db()
    assert not customer.is_erased
    assert not audit(customer, "accounts.personal_data.export").exists()


def test_an_unknown_customer_is_a_404(manager):
    assert client_of(manager).get(reverse("crm_customers:export", args=[999999])).status_code == 404


# Export -------------------------------------------------------------------------------


def test_the_manager_downloads_the_export(manager, customer):
    client = client_of(manager)
    assert client.get(url("export", customer)).status_code == 200
    assert not audit(customer, "accounts.personal_data.export").exists()  # a GET exports nothing
    response = client.post(url("export", customer), {"purpose": "customer_request"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["customer"]["email"] == "olga@example.com"
    assert data["orders"]
    entry = audit(customer, "accounts.personal_data.export").get()
    assert entry.user == manager and entry.data["purpose"] == "staff:customer_request"


@pytest.mark.parametrize("data", [{}, {"purpose": "curiosity"}])
def test_an_export_without_a_purpose_is_a_form_error(manager, customer, data):
    response = client_of(manager).post(url("export", customer), data)
    assert response.status_code == 200 and has_form_error(response)
    assert not audit(customer, "accounts.personal_data.export").exists()


# Erasure ------------------------------------------------------------------------------


def test_the_manager_erases_after_typing_the_email(manager, customer):
    client = client_of(manager)
    page = text(client.get(url("erase", customer)))
    assert 'name="understood"' in page
    response = client.post(
        url("erase", customer), {"email": "OLGA@example.com", "understood": "on"}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.is_erased and customer.email != "olga@example.com"
    assert audit(customer, "accounts.personal_data.erase").filter(user=manager).exists()
    # No buttons any more, and a second erasure changes nothing.
    assert url("erase", customer) not in text(client.get(url("inspect", customer)))
    again = client.post(url("erase", customer), {"email": "", "understood": "on"})
    assert again.status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"email": "olga@example.com"},  # the box not ticked
        {"email": "someone@example.com", "understood": "on"},
        {"understood": "on"},
    ],
)
def test_an_unconfirmed_erasure_is_a_form_error(manager, customer, data):
    response = client_of(manager).post(url("erase", customer), data)
    assert response.status_code == 200 and has_form_error(response)
    customer.refresh_from_db()
    assert not customer.is_erased and customer.email == "olga@example.com"


def test_the_blockers_are_shown_and_nothing_is_erased(manager):
    unpaid = placed_order(general_departure(), email="ivan@example.com")
    assert unpaid.status == Order.Status.AWAITING_PAYMENT
    customer = unpaid.customer
    client = client_of(manager)
    page = text(client.get(url("erase", customer)))
    assert "crm-erasure-blockers" in page and 'name="understood"' not in page
    response = client.post(
        url("erase", customer), {"email": "ivan@example.com", "understood": "on"}
    )
    assert response.status_code == 200 and has_form_error(response)
    assert not Customer.objects.get(pk=customer.pk).is_erased


def test_the_accountant_sees_no_customer_actions(customer):
    """An accountant may not even see customers: no screen, no actions."""
    client = client_of(staff(roles.ACCOUNTANT))
    assert client.get(url("inspect", customer)).status_code == 403
    for action in ("note", "export", "erase"):
        assert client.get(url(action, customer)).status_code == 403


def test_a_signed_out_visitor_is_sent_to_the_sign_in(customer):
    for action in ("note", "export", "erase"):
        response = Client().post(
            url(action, customer), {"text": "x", "purpose": "customer_request"}
        )
        assert response.status_code == 302 and "/login/" in response.url
    assert not CustomerNote.objects.exists()
