"""The webhook screens (crm.viewsets.webhooks) as a manager uses them: a bad URL or an
unknown event is refused with a message on the form (never a 500) and nothing saved; a
good subscription gets its secret; making a paused one active again clears its failures;
"Send a test event" reaches the receiver signed; the delivery log shows each attempt.
Who may open what is the README's role matrix (tests/crm/test_matrix.py)."""

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from booking.models import WebhookDelivery, WebhookSubscription
from booking.services.webhooks import TEST_ACTION
from crm import roles
from devservers.webhook_receiver import Receiver
from tests.factories.people import signed_in_client
from tests.factories.people import staff_member as member

pytestmark = pytest.mark.django_db
ADD = reverse("crm_webhook_subscriptions:add")


@pytest.fixture
def manager():
    return member(roles.MANAGER)


@pytest.fixture
def client(manager):
    return signed_in_client(manager)


def form(manager, **fields):
    return {
        "name": "Партнёр",
        "url": "https://partner.example/hooks",
        "events": ["order.paid", "ticket.refunded"],
        "status": "active",
        "owner": manager.pk,
        **fields,
    }


def test_a_plain_http_url_elsewhere_is_refused_with_a_message(client, manager):
    response = client.post(ADD, form(manager, url="http://partner.example/hooks"))
    assert response.status_code == 200
    # In the admin's default language, Russian.
    assert "Вебхуки отправляются только по HTTPS" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_an_unknown_event_is_refused_with_a_message(client, manager):
    response = client.post(ADD, form(manager, events=["order.paid", "order.exploded"]))
    assert response.status_code == 200
    assert "order.exploded" in response.content.decode()  # "… is not one of the choices"
    assert not WebhookSubscription.objects.exists()


def test_the_message_is_in_the_editors_language(manager):
    profile = UserProfile.get_for_user(manager)
    profile.preferred_language = "en"
    profile.save()
    response = signed_in_client(manager).post(ADD, form(manager, url="http://x.example/"))
    assert "Webhooks are sent over HTTPS only" in response.content.decode()


def test_a_subscription_is_saved_with_a_secret_shown_to_its_editors(client, manager):
    response = client.post(ADD, form(manager, url="http://127.0.0.1:9000/hooks"))
    assert response.status_code == 302
    subscription = WebhookSubscription.objects.get()
    assert subscription.events == ["order.paid", "ticket.refunded"]
    assert subscription.secret.startswith("whsec_") and len(subscription.secret) == 70
    edit = client.get(reverse("crm_webhook_subscriptions:edit", args=[subscription.pk]))
    assert subscription.secret in edit.content.decode()


def test_making_a_paused_subscription_active_clears_its_failures(client, manager):
    subscription = WebhookSubscription.objects.create(
        name="Партнёр",
        url="https://partner.example/hooks",
        events=["order.paid"],
        owner=manager,
        status=WebhookSubscription.Status.PAUSED,
        failing_since=timezone.now(),
        paused_at=timezone.now(),
    )
    url = reverse("crm_webhook_subscriptions:edit", args=[subscription.pk])
    assert client.post(url, form(manager, events=["order.paid"])).status_code == 302
    subscription.refresh_from_db()
    assert subscription.status == WebhookSubscription.Status.ACTIVE
    assert (subscription.failing_since, subscription.paused_at) == (None, None)


def test_a_test_event_reaches_the_receiver_and_the_log_shows_the_attempt(client, manager):
    receiver = Receiver()
    try:
        subscription = WebhookSubscription.objects.create(
            name="Партнёр", url=receiver.url, events=["order.paid"], owner=manager
        )
        receiver.secret = subscription.secret
        url = reverse("crm_webhook_subscriptions:test", args=[subscription.pk])
        assert client.get(url).status_code == 200
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(url)
    finally:
        receiver.stop()
    delivery = WebhookDelivery.objects.get()
    assert response.url == reverse("crm_webhook_deliveries:inspect", args=[delivery.pk])
    assert receiver.events() == ["webhook.test"]
    assert receiver.received[0].verified
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert ModelLogEntry.objects.filter(action=TEST_ACTION, user_id=manager.pk).exists()
    shown = client.get(response.url).content.decode()
    assert "webhook.test" in shown and ">200<" in shown
