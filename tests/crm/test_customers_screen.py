"""The CRM's customers: the listing (orders count and total paid computed in the query),
the customer screen (contacts, orders, tickets, total paid to the kopeck, consents with
versions, the notes placeholder), audited views, anonymised erased customers; no add, edit
or delete; a marketer and an accountant are refused."""

from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from accounts.models import Consent, Customer
from booking.models import Payment, Refund
from common.money import format_rub
from crm import roles
from crm.views.customers import customer_queryset
from tests.crm.test_orders_screen import client_of, far_departure, staff
from tests.factories import placed_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return staff(roles.AGENT)


@pytest.fixture
def agent_client(agent):
    return client_of(agent)


@pytest.fixture
def customer_orders():
    departure = far_departure()
    paid = placed_order(departure, paid=True, name="Анна Смирнова", email="anna@example.com")
    second = placed_order(departure, paid=True, name="Анна Смирнова", email="anna@example.com")
    unpaid = placed_order(departure, name="Анна Смирнова", email="anna@example.com")
    return paid, second, unpaid


def _refund(order, amount, status=Refund.Status.SUCCEEDED, key="r1"):
    return Refund.objects.create(
        payment=order.payments.get(),
        idempotence_key=key,
        amount=Decimal(amount),
        reason=Refund.Reason.CUSTOMER,
        status=status,
    )


def test_total_paid_is_payments_minus_succeeded_refunds_to_the_kopeck(agent, customer_orders):
    paid, second, _unpaid = customer_orders
    _refund(paid, "1499.99")
    _refund(second, "100.00", status=Refund.Status.PENDING, key="r2")
    customer = customer_queryset(agent).get(pk=paid.customer_id)
    assert customer.orders_count == 3
    assert customer.total_paid == paid.total + second.total - Decimal("1499.99")


def test_the_listing(agent_client, customer_orders):
    paid = customer_orders[0]
    page = agent_client.get(reverse("crm_customers:index")).content.decode()
    assert "Анна Смирнова" in page and "anna@example.com" in page
    assert reverse("crm_customers:inspect", args=[paid.customer_id]) in page
    assert 'action="/admin/crm/search/"' in page
    found = agent_client.get(reverse("crm_customers:index"), {"q": "anna"}).content.decode()
    assert "anna@example.com" in found
    missing = agent_client.get(reverse("crm_customers:index"), {"q": "zzz"}).content.decode()
    assert "anna@example.com" not in missing


def test_the_listing_is_a_fixed_number_of_queries(agent_client, django_assert_max_num_queries):
    departure = far_departure(capacity=100)
    for number in range(15):
        placed_order(departure, paid=True, email=f"c{number}@example.com")
    agent_client.get(reverse("crm_customers:index"))
    with django_assert_max_num_queries(20):
        assert agent_client.get(reverse("crm_customers:index")).status_code == 200


def test_the_customer_screen(agent_client, agent, customer_orders):
    paid, second, _unpaid = customer_orders
    customer = paid.customer
    Consent.objects.create(
        customer=customer,
        kind=Consent.Kind.MARKETING,
        granted=False,
        document_version="7.1",
    )
    response = agent_client.get(reverse("crm_customers:inspect", args=[customer.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "anna@example.com" in page
    # The phone as people read it, the language by its name (not "+79123456789", "ru").
    assert '<dd class="crm-customer-phone">+7 912 345-67-89</dd>' in page
    assert '<dd class="crm-customer-language">Русский</dd>' in page
    for order in customer_orders:
        assert reverse("crm_orders:inspect", args=[order.pk]) in page
    assert response.context["tickets_count"] == 6
    assert response.context["total_paid"] == paid.total + second.total
    assert "12.34" in page and "7.1" in page  # document versions
    states = {state.kind: state for state in response.context["consent_states"]}
    assert states[Consent.Kind.PERSONAL_DATA].granted
    assert not states[Consent.Kind.MARKETING].granted
    assert 'id="crm-customer-notes"' in page
    entry = ModelLogEntry.objects.get(action="prichal.personal_data.view")
    assert entry.user_id == agent.pk and entry.object_id == str(customer.pk)
    assert entry.data == {"screen": "customer", "client_address": "127.0.0.1"}
    assert "anna" not in entry.label.lower()


def test_an_erased_customer_shows_as_anonymised(agent_client, customer_orders):
    customer = customer_orders[0].customer
    Customer.objects.filter(pk=customer.pk).update(
        erased_at=timezone.now(), name="[erased]", email=f"erased-{customer.pk}@erased.invalid"
    )
    page = agent_client.get(reverse("crm_customers:inspect", args=[customer.pk])).content
    assert "Анонимизирован".encode() in page or b"Anonymised" in page
    listing = agent_client.get(reverse("crm_customers:index")).content.decode()
    assert "[erased]" not in listing


def test_no_add_edit_or_delete(customer_orders):
    for name, args in (("add", []), ("edit", [1]), ("delete", [1])):
        with pytest.raises(NoReverseMatch):
            reverse(f"crm_customers:{name}", args=args)


@pytest.mark.parametrize("role", [roles.MARKETER, roles.ACCOUNTANT])
def test_roles_without_personal_data_are_refused(role, customer_orders):
    client = client_of(staff(role))
    customer = customer_orders[0].customer
    for url in (
        reverse("crm_customers:index"),
        reverse("crm_customers:inspect", args=[customer.pk]),
        reverse("crm_customers:history", args=[customer.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert not ModelLogEntry.objects.filter(action="prichal.personal_data.view").exists()


def test_a_bad_id_is_404(agent_client):
    assert agent_client.get("/admin/crm/customers/inspect/99999999/").status_code == 404


def test_payments_that_failed_do_not_count(agent, customer_orders):
    paid = customer_orders[0]
    Payment.objects.create(
        order=paid, idempotence_key="failed", status=Payment.Status.CANCELED, amount=paid.total
    )
    customer = customer_queryset(agent).get(pk=paid.customer_id)
    assert customer.total_paid == paid.total + customer_orders[1].total


def test_the_customer_screen_reads_as_the_order_screen(customer_orders):
    """Money in the staff's one format, buttons named by what they do (verbs)."""
    paid, _second, _unpaid = customer_orders
    customer = paid.customer
    response = client_of(staff(roles.MANAGER)).get(
        reverse("crm_customers:inspect", args=[customer.pk])
    )
    page = response.content.decode()
    labels = [button.label for button in response.context["header_buttons"]]
    assert labels == ["Выгрузить персональные данные", "Удалить персональные данные"]
    assert "Добавить заметку" in page
    with translation.override("ru"):
        assert (
            f'<dd class="crm-total-paid">{format_rub(response.context["total_paid"])}</dd>' in page
        )
    assert f"{paid.total} ₽" not in page
