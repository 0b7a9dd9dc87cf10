"""Staff sessions end after STAFF_SESSION_IDLE_MINUTES without a request; customers'
sessions do not."""

import time

import pytest
from django.contrib.auth.models import Group
from django.test import Client, override_settings
from wagtail.models import ModelLogEntry

from accounts.staff.audit import SESSION_EXPIRED_ACTION, SIGN_OUT_ACTION
from accounts.staff.middleware import LAST_SEEN_KEY
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def age_session(client, seconds):
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


@override_settings(STAFF_SESSION_IDLE_MINUTES=30)
def test_an_idle_staff_session_is_signed_out_on_the_next_admin_request():
    user = make_user("agent@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name="Agent"))
    client = Client(HTTP_ACCEPT_LANGUAGE="ru", REMOTE_ADDR="192.0.2.10")
    client.force_login(user)
    assert client.get("/admin/").status_code == 200

    age_session(client, 31 * 60)
    response = client.get("/admin/pages/", follow=True)

    assert response.redirect_chain[0][0].startswith("/admin/login/?next=/admin/pages/")
    assert "после 30 минут без действий" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # really signed out
    entry = ModelLogEntry.objects.get(action=SESSION_EXPIRED_ACTION, object_id=str(user.pk))
    assert entry.data["client_address"] == "192.0.2.10"
    assert entry.data["minutes"] == 30
    assert not ModelLogEntry.objects.filter(action=SIGN_OUT_ACTION).exists()


@override_settings(STAFF_SESSION_IDLE_MINUTES=30)
def test_an_active_staff_session_lives_on():
    user = make_user("agent@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name="Agent"))
    client = Client()
    client.force_login(user)
    client.get("/admin/")
    age_session(client, 29 * 60)
    assert client.get("/admin/").status_code == 200
    age_session(client, 29 * 60)  # the previous request counted as activity
    assert client.get("/admin/").status_code == 200


@override_settings(STAFF_SESSION_IDLE_MINUTES=30)
def test_customers_are_not_signed_out():
    customer = make_user("customer@example.com")
    client = Client()
    client.force_login(customer)
    age_session(client, 24 * 60 * 60)
    client.get("/ru/account/")
    assert "_auth_user_id" in client.session
