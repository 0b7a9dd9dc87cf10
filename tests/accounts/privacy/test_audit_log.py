"""The personal-data actions in the Wagtail admin's history: registered labels and
messages (Reports → Site history), and entries that name the customer by id only."""

import pytest
from django.test import Client

from accounts.models import User
from accounts.privacy import consent_withdraw, personal_data_erase, personal_data_export
from booking.services.orders import orders_expire
from tests.accounts.privacy.helpers import ZINAIDA, checkout
from tests.booking.checkout.helpers import fake_payments

pytestmark = pytest.mark.django_db


def test_the_actions_are_shown_in_the_site_history(shop, monkeypatch):
    fake_payments(monkeypatch)
    order, _browser = checkout(shop, ZINAIDA)
    customer = order.customer
    personal_data_export(customer=customer, purpose="json")
    consent_withdraw(customer=customer, kind="marketing", ip=None, user_agent="")
    orders_expire(now=order.expires_at.replace(year=order.expires_at.year + 1))
    personal_data_erase(customer=customer)
    admin = User.objects.create_superuser(email="admin@prichal.example", password="x")
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(admin)

    page = client.get("/admin/reports/site-history/").content.decode()

    for shown in (
        "Персональные данные скачаны (JSON)",
        "Согласие отозвано: Рекламные рассылки",
        "Персональные данные удалены (необратимо)",
        f"Customer #{customer.pk}",
    ):
        assert shown in page
    assert ZINAIDA.email not in page and ZINAIDA.last_name not in page
