"""Users as the staff screens and check-in pages meet them."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission


def make_user(email: str, **extra):
    return get_user_model().objects.create_user(email=email, password="x-pass-123456", **extra)


def check_in_group() -> Group:
    group, _created = Group.objects.get_or_create(name="Boarding crew")
    group.permissions.add(
        Permission.objects.get(codename="check_in_ticket", content_type__app_label="booking")
    )
    return group


def staff_member(role: str, email: str | None = None, **extra):
    """A user in one of the staff groups of `crm.roles` (created by the migrations)."""
    user = make_user(email or f"{role.lower().replace(' ', '-')}@example.com", **extra)
    user.groups.add(Group.objects.get(name=role))
    return user


def signed_in_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
