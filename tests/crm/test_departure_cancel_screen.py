"""The CRM's "Cancel departures": the reason, the dry run with its figures, one
confirmation (CSRF), the progress screen (refunded n of N, failures with reasons) and its
Retry; many departures at once from the listing's bulk action; refusals by role and bad
input with nothing changed and no 500."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from wagtail.models import ModelLogEntry

from booking.gateways import sms
from booking.models import CancellationRefund, Departure, Order, Refund
from booking.services import cancellations
from booking.services.cancellations import CANCEL_ACTION, RETRY_ACTION
from booking.services.errors import BookingError
from crm import roles
from tests.booking.refunds.helpers import paid_through_yookassa, pier_departure
from tests.factories import placed_order
from tests.factories.people import signed_in_client, staff_member

pytestmark = pytest.mark.django_db
START = "crm_cancel:start"


def ru(message) -> str:
    with translation.override("ru"):
        return escape(gettext(message))


@pytest.fixture(autouse=True)
def _outboxes():
    mail.outbox.clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def manager():
    return staff_member(roles.MANAGER, "manager@example.com")


def start(client, departures, **data):
    return client.post(reverse(START), {"departures": [d.pk for d in departures], **data})


def test_reason_dry_run_confirm_then_progress(
    manager, yookassa, django_capture_on_commit_callbacks
):
    departure = pier_departure()
    paid = paid_through_yookassa(departure, count=2, email="p@example.com")
    unpaid = placed_order(departure, email="u@example.com")
    client = signed_in_client(manager)

    first = client.get(reverse(START), {"departures": departure.pk})
    assert first.status_code == 200
    assert 'name="reason"' in first.content.decode()

    preview = start(client, [departure], reason="weather", text="Шторм", step="preview")
    page = preview.content.decode()
    assert preview.status_code == 200
    assert 'data-figure="paid_orders">1<' in page
    assert 'data-figure="people">2<' in page
    assert 'data-figure="unpaid_orders">1<' in page
    assert 'value="confirm"' in page
    departure.refresh_from_db()
    assert departure.status == Departure.Status.SCHEDULED  # the dry run changes nothing

    # The confirmation needs the CSRF token like every admin form.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager)
    refused = start(strict, [departure], reason="weather", text="Шторм", step="confirm")
    assert refused.status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        done = start(client, [departure], reason="weather", text="Шторм", step="confirm")
    assert done.status_code == 302
    assert done.url == reverse("crm_cancel:progress", args=[departure.pk])
    departure.refresh_from_db()
    assert departure.status == Departure.Status.CANCELLED
    unpaid.refresh_from_db()
    assert unpaid.status == Order.Status.CANCELLED
    paid.refresh_from_db()
    assert paid.status == Order.Status.REFUNDED  # the queued job ran (synchronous in tests)
    entry = ModelLogEntry.objects.for_instance(departure).get(action=CANCEL_ACTION)
    assert entry.user == manager and entry.data["client_address"] == "127.0.0.1"
    assert [m.to for m in mail.outbox] == [["p@example.com"]]
    assert "Шторм" in mail.outbox[0].body

    progress = client.get(done.url).content.decode()
    assert "1 из 1" in progress or "Refunded 1 of 1" in progress
    # Which departure, and when on its pier's clock (Vladivostok), under the title.
    local = departure.local_starts_at
    when = re.search(r"<p[^>]*data-departure-when>(.*?)</p>", progress, re.S).group(1)
    assert str(departure.product) in when and str(departure.vessel) in when
    assert f"{local:%H:%M} {local.tzname()}" in when


def test_the_progress_shows_failures_and_retry_refunds_them(
    manager, yookassa, monkeypatch, django_capture_on_commit_callbacks
):
    departure = pier_departure()
    bad = paid_through_yookassa(departure, count=1, email="bad@example.com")
    real = cancellations.refund_request

    def refuses(**kwargs):
        raise BookingError("order_not_refundable")

    monkeypatch.setattr(cancellations, "refund_request", refuses)
    client = signed_in_client(manager)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, [departure], reason="technical", step="confirm")
    page = client.get(reverse("crm_cancel:progress", args=[departure.pk])).content.decode()
    assert "data-failures" in page
    assert bad.code in page and ru("Only a paid order can be refunded.") in page
    retry_url = reverse("crm_cancel:retry", args=[departure.pk])
    assert retry_url in page

    monkeypatch.setattr(cancellations, "refund_request", real)
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(retry_url)
    assert retried.status_code == 302
    assert CancellationRefund.objects.get(order=bad).status == "refunded"
    assert Refund.objects.filter(payment__order=bad).count() == 1
    assert ModelLogEntry.objects.for_instance(departure).filter(action=RETRY_ACTION).exists()
    page = client.get(reverse("crm_cancel:progress", args=[departure.pk])).content.decode()
    assert "data-failures" not in page


def test_many_departures_from_the_listing(manager, django_capture_on_commit_callbacks):
    first, second = pier_departure(), pier_departure()
    placed_order(first, email="a@example.com", paid=True)
    placed_order(second, email="b@example.com", paid=True)
    client = signed_in_client(manager)
    bulk = client.get(
        reverse("wagtail_bulk_action", args=["booking", "departure", "cancel_departures"]),
        {"id": [first.pk, second.pk]},
    )
    assert bulk.status_code == 302
    chosen = client.get(bulk.url)
    assert chosen.status_code == 200
    assert f'data-departure="{first.pk}"' in chosen.content.decode()
    assert f'data-departure="{second.pk}"' in chosen.content.decode()
    preview = start(client, [first, second], reason="weather", step="preview")
    assert "data-total" in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        done = start(client, [first, second], reason="weather", step="confirm")
    assert done.status_code == 302
    assert set(Departure.objects.values_list("status", flat=True)) == {"cancelled"}
    assert CancellationRefund.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "storm", "step": "confirm"}, None),
        (
            {"reason": "other", "text": "", "step": "confirm"},
            "Write the reason for the passengers: it is empty.",
        ),
        ({"reason": "weather", "text": "x" * 501, "step": "confirm"}, None),
    ],
)
def test_bad_input_changes_nothing(manager, data, message):
    departure = pier_departure()
    response = start(signed_in_client(manager), [departure], **data)
    assert response.status_code == 200
    if message:
        assert ru(message) in response.content.decode()
    departure.refresh_from_db()
    assert departure.status == Departure.Status.SCHEDULED


def test_bad_departures_are_refused_without_a_500(manager):
    client = signed_in_client(manager)
    none = client.post(reverse(START), {"reason": "weather", "step": "confirm"})
    assert none.status_code == 200
    assert ru("Choose at least one departure.") in none.content.decode()
    junk = client.post(reverse(START), {"departures": ["abc"], "reason": "weather"})
    assert junk.status_code == 200
    assert client.get(reverse(START), {"departures": 999999}).status_code == 404
    departure = pier_departure()
    start(client, [departure], reason="weather", step="confirm")
    again = start(client, [departure], reason="weather", step="confirm")
    assert again.status_code == 200
    with translation.override("ru"):
        text = escape(BookingError("departure_already_cancelled", departure=str(departure)).message)
    assert text in again.content.decode()


@pytest.mark.parametrize(
    "role", [roles.AGENT, roles.BOARDING_CREW, roles.ACCOUNTANT, roles.MARKETER]
)
def test_other_roles_are_refused(role):
    departure = pier_departure()
    client = signed_in_client(staff_member(role))
    assert client.get(reverse(START), {"departures": departure.pk}).status_code == 403
    response = start(client, [departure], reason="weather", step="confirm")
    assert response.status_code == 403
    assert client.post(reverse("crm_cancel:retry", args=[departure.pk])).status_code == 403
    departure.refresh_from_db()
    assert departure.status == Departure.Status.SCHEDULED


def test_a_manager_limited_to_another_pier_cannot_cancel(manager):
    from guardian.shortcuts import assign_perm

    departure, elsewhere = pier_departure(), pier_departure()
    assign_perm("booking.assigned_to_venue", manager, elsewhere.venue)
    response = start(signed_in_client(manager), [departure], reason="weather", step="confirm")
    assert response.status_code == 404
    departure.refresh_from_db()
    assert departure.status == Departure.Status.SCHEDULED


def test_the_listing_links_each_departure_to_its_cancellation(manager):
    ahead, cancelled = pier_departure(), pier_departure()
    cancellations.departure_cancel(departures=[cancelled], reason="weather")
    listing = signed_in_client(manager).get(reverse("wagtailsnippets_booking_departure:list"))
    page = listing.content.decode()
    assert f"{reverse(START)}?departures={ahead.pk}" in page
    assert reverse("crm_cancel:progress", args=[cancelled.pk]) in page
    agent = signed_in_client(staff_member(roles.AGENT))
    page = agent.get(reverse("wagtailsnippets_booking_departure:list")).content.decode()
    assert f"{reverse(START)}?departures=" not in page  # cannot cancel
    assert reverse("crm_cancel:progress", args=[cancelled.pk]) in page  # may look


def test_the_occupancy_screen_offers_the_cancellation_where_allowed(manager):
    ahead, cancelled = pier_departure(), pier_departure()
    cancellations.departure_cancel(departures=[cancelled], reason="weather")
    occupancy = "crm_inventory:departure"
    client = signed_in_client(manager)
    page = client.get(reverse(occupancy, args=[ahead.pk])).content.decode()
    assert escape(f"{reverse(START)}?departures={ahead.pk}") in page
    page = client.get(reverse(occupancy, args=[cancelled.pk])).content.decode()
    assert reverse("crm_cancel:progress", args=[cancelled.pk]) in page
    agent = signed_in_client(staff_member(roles.AGENT))
    page = agent.get(reverse(occupancy, args=[ahead.pk])).content.decode()
    assert f"{reverse(START)}?departures=" not in page  # an agent cannot cancel
