"""Refund policies in the CRM (Wagtail → Booking → Refund policies): staff create one and
give it to a product; the order's history names each refund."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.log_actions import registry
from wagtail.models import ModelLogEntry

from booking.models import Product, RefundPolicy
from booking.services.refunds import REFUND_ACTION, refund_request
from common.money import format_rub
from tests.booking.refunds.helpers import DEADLINE, paid_order, pier_product

pytestmark = pytest.mark.django_db
POLICIES = "wagtailsnippets_booking_refundpolicy"


@pytest.fixture
def admin_client():
    user = get_user_model().objects.create_superuser(
        email="admin@example.com", password="x-pass-123456"
    )
    client = Client()
    client.force_login(user)
    return client


def test_staff_create_a_policy_and_give_it_to_a_product(admin_client):
    response = admin_client.post(
        reverse(f"{POLICIES}:add"),
        {"name": "Три дня", "window_hours": "72", "refunds_fees": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = RefundPolicy.objects.get()
    assert (policy.window_hours, policy.refunds_fees) == (72, False)
    listing = admin_client.get(reverse(f"{POLICIES}:list")).content.decode()
    assert "Три дня" in listing

    product = pier_product()
    edit = admin_client.get(reverse("wagtailsnippets_booking_product:edit", args=[product.pk]))
    assert 'name="refund_policy"' in edit.content.decode()
    Product.objects.filter(pk=product.pk).update(refund_policy=policy)
    assert Product.objects.get(pk=product.pk).refund_policy == policy


def test_a_refund_is_named_in_the_order_history():
    order = paid_order()
    refund_request(order=order, now=DEADLINE - datetime.timedelta(days=1))
    entry = ModelLogEntry.objects.get(action=REFUND_ACTION)
    with translation.override("ru"):
        action = registry.get_action_label(REFUND_ACTION)
        message = registry.get_formatter(entry).format_message(entry)
        total = format_rub(order.total)  # "4 400 ₽", as on every staff screen
    assert action == "Возврат билетов"
    assert message == f"Возвращено билетов: 2, {total}"
