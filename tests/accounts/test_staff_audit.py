"""Audit entries of staff sign-in and role changes (accounts.staff.audit), each with the
client address (common.audit), and their labels in the admin."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from guardian.shortcuts import assign_perm, remove_perm
from wagtail.log_actions import registry
from wagtail.models import ModelLogEntry

from accounts.staff import audit
from common.audit import ClientAddressMiddleware
from tests.factories import VenueFactory, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "x-pass-123456"
ADDRESS = "203.0.113.20"


def on(instance, action):
    return ModelLogEntry.objects.filter(
        content_type__model=instance._meta.model_name, object_id=str(instance.pk), action=action
    )


def as_request(function):
    """Run `function` inside a request's client address, as the middleware does."""
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/", REMOTE_ADDR=ADDRESS)
    return ClientAddressMiddleware(lambda _request: function())(request)


def test_a_staff_sign_in_failure_and_sign_out_are_audited_with_the_address():
    user = make_user("agent@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name="Agent"))
    client = Client(REMOTE_ADDR=ADDRESS)

    client.post("/admin/login/", {"username": "AGENT@example.com", "password": "wrong"})
    client.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    client.post("/admin/logout/")

    failed = on(user, audit.SIGN_IN_FAILED_ACTION).get()
    assert failed.data["client_address"] == ADDRESS
    assert failed.user_id is None
    assert "wrong" not in str(failed.data) and "password" not in str(failed.data)
    assert failed.label == f"user #{user.pk}"  # never the e-mail
    signed_in = on(user, audit.SIGN_IN_ACTION).get()
    assert signed_in.data["client_address"] == ADDRESS
    assert signed_in.user_id == user.pk
    assert on(user, audit.SIGN_OUT_ACTION).get().data["client_address"] == ADDRESS


def test_customers_sign_ins_are_not_staff_entries():
    customer = make_user("customer@example.com")
    Client().post("/admin/login/", {"username": customer.email, "password": "wrong"})
    Client().post("/admin/login/", {"username": "nobody@example.com", "password": "wrong"})
    assert not ModelLogEntry.objects.filter(action__startswith="prichal.staff.sign_in").exists()


def test_group_membership_changes_are_audited_from_both_sides():
    user = make_user("crew@example.com", is_staff=True)
    group = Group.objects.create(name="Deck")

    as_request(lambda: user.groups.add(group))
    group.user_set.remove(user)
    user.groups.add(group)
    user.groups.clear()

    changes = list(on(user, audit.GROUPS_CHANGED_ACTION).order_by("pk"))
    assert [(e.data["change"], e.data["groups"]) for e in changes] == [
        ("added", ["Deck"]),
        ("removed", ["Deck"]),
        ("added", ["Deck"]),
        ("removed", ["Deck"]),
    ]
    assert changes[0].data["client_address"] == ADDRESS
    assert "client_address" not in changes[1].data  # outside a request


def test_a_groups_permissions_and_object_permissions_are_audited():
    group = Group.objects.create(name="Pier crew")
    user = make_user("crew@example.com", is_staff=True)
    venue = VenueFactory()
    check_in = Permission.objects.get(codename="check_in_ticket")

    as_request(lambda: group.permissions.add(check_in))
    as_request(lambda: assign_perm("booking.assigned_to_venue", user, venue))
    as_request(lambda: assign_perm("booking.assigned_to_venue", group, venue))
    as_request(lambda: remove_perm("booking.assigned_to_venue", user, venue))

    given = on(group, audit.GROUP_PERMISSIONS_CHANGED_ACTION).get()
    assert given.data["permissions"] == ["booking.check_in_ticket"]
    assert given.data["client_address"] == ADDRESS
    added = on(user, audit.OBJECT_PERMISSION_ADDED_ACTION).get()
    assert added.data == {
        "permission": "booking.assigned_to_venue",
        "model": "venue",
        "object_id": str(venue.pk),
        "client_address": ADDRESS,
    }
    assert on(group, audit.OBJECT_PERMISSION_ADDED_ACTION).exists()
    assert on(user, audit.OBJECT_PERMISSION_REMOVED_ACTION).get().data["object_id"] == str(venue.pk)


def test_an_explicit_client_address_is_kept():
    user = make_user("crew@example.com", is_staff=True)
    as_request(
        lambda: audit.audit_log(
            instance=user, action=audit.SIGN_IN_ACTION, data={"client_address": "192.0.2.1"}
        )
    )
    assert on(user, audit.SIGN_IN_ACTION).get().data["client_address"] == "192.0.2.1"


def test_every_staff_action_has_a_translated_label_and_message():
    from django.utils import translation

    user = make_user("crew@example.com", is_staff=True)
    actions = [value for name, value in vars(audit).items() if name.endswith("_ACTION")]
    assert len(actions) == 11
    with translation.override("ru"):
        for action in actions:
            entry = audit.audit_log(
                instance=user,
                action=action,
                data={"groups": ["Deck"], "permissions": ["a.b"], "minutes": 30, "model": "venue"},
            )
            formatter = registry.get_formatter(entry)
            assert formatter is not None, action
            assert formatter.format_message(entry)
            assert str(formatter.label) != action
    with translation.override("ru"):
        entry = on(user, audit.SIGN_IN_ACTION).first()
        assert registry.get_formatter(entry).label == "Вход сотрудника"
