"""The "Pier and vessel assignments" screen (crm.views.staff): administrators only; saving
gives and takes away the guardian assignments, each audited; bad input changes nothing."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from guardian.shortcuts import assign_perm
from wagtail.models import ModelLogEntry

from accounts.staff.audit import OBJECT_PERMISSION_ADDED_ACTION, OBJECT_PERMISSION_REMOVED_ACTION
from crm import roles
from crm.permissions import user_assignments
from tests.factories import VenueFactory, VesselFactory, make_user

pytestmark = pytest.mark.django_db

INDEX = "/admin/staff-assignments/"


def in_role(email, role):
    user = make_user(email, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="ru", REMOTE_ADDR="192.0.2.33")
    client.force_login(user)
    return client


@pytest.fixture
def crew():
    return in_role("crew@example.com", roles.BOARDING_CREW)


def test_only_administrators_manage_assignments(crew):
    manager = in_role("manager@example.com", roles.MANAGER)
    administrator = in_role("admin@example.com", roles.ADMINISTRATOR)

    assert client_of(manager).get(INDEX).status_code in {302, 403}
    assert client_of(crew).post(f"{INDEX}{crew.pk}/", {}).status_code in {302, 403}
    page = client_of(administrator).get(INDEX)
    assert page.status_code == 200
    assert f'data-user="{crew.pk}"' in page.content.decode()
    assert "Назначения на причалы и суда" in page.content.decode()


def test_saving_gives_and_takes_away_assignments_with_audit(crew):
    administrator = in_role("admin@example.com", roles.ADMINISTRATOR)
    keep, drop, new = VenueFactory(), VenueFactory(), VenueFactory()
    vessel = VesselFactory()
    assign_perm("booking.assigned_to_venue", crew, keep)
    assign_perm("booking.assigned_to_venue", crew, drop)
    client = client_of(administrator)

    form = client.get(f"{INDEX}{crew.pk}/")
    response = client.post(
        f"{INDEX}{crew.pk}/", {"venues": [keep.pk, new.pk], "vessels": [vessel.pk]}
    )

    assert form.status_code == 200
    assert response.status_code == 302
    found = user_assignments(type(crew).objects.get(pk=crew.pk))
    assert found.venue_ids == {keep.pk, new.pk}
    assert found.vessel_ids == {vessel.pk}
    added = ModelLogEntry.objects.filter(
        action=OBJECT_PERMISSION_ADDED_ACTION, object_id=str(crew.pk), user=administrator
    )
    assert {e.data["object_id"] for e in added} == {str(new.pk), str(vessel.pk)}
    assert all(e.data["client_address"] == "192.0.2.33" for e in added)
    removed = ModelLogEntry.objects.get(
        action=OBJECT_PERMISSION_REMOVED_ACTION, object_id=str(crew.pk)
    )
    assert removed.data["object_id"] == str(drop.pk)
    assert removed.user_id == administrator.pk


def test_bad_input_changes_nothing(crew):
    administrator = in_role("admin@example.com", roles.ADMINISTRATOR)
    venue = VenueFactory()
    assign_perm("booking.assigned_to_venue", crew, venue)
    client = client_of(administrator)

    for bad in ({"venues": ["999999"]}, {"venues": ["abc"]}, {"vessels": ["-1"]}):
        response = client.post(f"{INDEX}{crew.pk}/", {"venues": [venue.pk], **bad})
        assert response.status_code == 200
        assert "Не удалось сохранить форму" in response.content.decode()
    assert user_assignments(type(crew).objects.get(pk=crew.pk)).venue_ids == {venue.pk}
    assert client.get(f"{INDEX}999999/").status_code == 404
    customer = make_user("customer@example.com")
    assert client.get(f"{INDEX}{customer.pk}/").status_code == 404
