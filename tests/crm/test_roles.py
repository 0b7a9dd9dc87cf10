"""Staff roles (crm.roles): the migration leaves every group with exactly its permissions,
`roles_sync` repairs hand-made changes, and the roles keep apart what they must: the
marketer sees no orders or personal data, the accountant only reads money records, the
boarding crew checks in but cannot undo. Every role reaches the Wagtail admin."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page
from wagtail.permissions import policy_registry

from booking.models import Departure, MessageTemplate, Promotion, RefundPolicy, ServiceFee
from crm import roles
from crm.roles import ROLES, roles_sync
from tests.factories.people import signed_in_client as client_of
from tests.factories.people import staff_member as member

pytestmark = pytest.mark.django_db

MONEY_MODELS = {"order", "ticket", "payment", "refund", "fiscalreceipt"}


def names(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def page_codenames(group: Group) -> set[str]:
    return set(
        GroupPagePermission.objects.filter(group=group, page__depth=1).values_list(
            "permission__codename", flat=True
        )
    )


def collection_names(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in GroupCollectionPermission.objects.filter(
            group=group, collection__depth=1
        ).values_list("permission__content_type__app_label", "permission__codename")
    }


@pytest.mark.parametrize("role", list(ROLES))
def test_each_group_has_exactly_its_permissions_after_migrations(role):
    group = Group.objects.get(name=role)
    assert names(group) == set(ROLES[role])
    assert page_codenames(group) == set(roles.PAGE_PERMISSIONS.get(role, []))
    assert collection_names(group) == set(roles.COLLECTION_PERMISSIONS.get(role, []))
    # Page and collection permissions sit only on the roots (they cover everything below).
    assert GroupPagePermission.objects.filter(group=group).exclude(page__depth=1).count() == 0
    assert (
        GroupCollectionPermission.objects.filter(group=group).exclude(collection__depth=1).count()
        == 0
    )


def test_every_role_may_enter_the_admin():
    for role, permissions in ROLES.items():
        assert roles.ADMIN_ACCESS in permissions, role


def test_roles_sync_is_idempotent():
    assert roles_sync() == {"groups created": 0, "groups repaired": 0}
    before = {role: names(Group.objects.get(name=role)) for role in ROLES}
    assert roles_sync() == {"groups created": 0, "groups repaired": 0}
    assert {role: names(Group.objects.get(name=role)) for role in ROLES} == before


def test_roles_sync_repairs_changed_and_recreates_deleted_groups():
    marketer = Group.objects.get(name=roles.MARKETER)
    marketer.permissions.add(
        Permission.objects.get(content_type__app_label="booking", codename="view_order")
    )
    marketer.permissions.remove(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    GroupPagePermission.objects.filter(group=marketer).delete()
    crew = Group.objects.get(name=roles.BOARDING_CREW)
    crew.permissions.add(
        Permission.objects.get(content_type__app_label="booking", codename="undo_check_in")
    )
    Group.objects.filter(name=roles.ACCOUNTANT).delete()

    assert roles_sync() == {"groups created": 1, "groups repaired": 2}

    marketer.refresh_from_db()
    assert names(marketer) == set(ROLES[roles.MARKETER])
    assert page_codenames(marketer) == set(roles.PAGE_PERMISSIONS[roles.MARKETER])
    assert names(Group.objects.get(name=roles.BOARDING_CREW)) == set(ROLES[roles.BOARDING_CREW])
    assert names(Group.objects.get(name=roles.ACCOUNTANT)) == set(ROLES[roles.ACCOUNTANT])


def test_members_keep_their_role_when_it_is_repaired():
    user = member(roles.AGENT)
    Group.objects.get(name=roles.AGENT).permissions.clear()
    roles_sync()
    user = type(user).objects.get(pk=user.pk)  # a fresh permission cache
    assert user.has_perm("booking.view_order")


def test_marketer_has_no_orders_and_no_personal_data():
    user = member(roles.MARKETER)
    forbidden_models = {("booking", "order"), ("accounts", "customer"), ("accounts", "consent")}
    held = set(
        Group.objects.get(name=roles.MARKETER).permissions.values_list(
            "content_type__app_label", "content_type__model"
        )
    )
    assert held & forbidden_models == set()
    for app_label, model in forbidden_models:
        for action in ("add", "change", "delete", "view"):
            assert not user.has_perm(f"{app_label}.{action}_{model}")
    assert not any(
        name.startswith("booking.") and "order" in name for name in ROLES[roles.MARKETER]
    )
    assert user.has_perm("booking.change_messagetemplate")
    # Pages, images and documents come from Wagtail's page and collection permissions.
    root_page = Page.get_first_root_node()
    assert root_page.permissions_for_user(user).can_add_subpage()
    assert root_page.get_children().first().permissions_for_user(user).can_publish()
    images = policy_registry.get_by_type(get_image_model())
    documents = policy_registry.get_by_type(get_document_model())
    root_collection = Collection.get_first_root_node()
    assert root_collection in images.collections_user_has_permission_for(user, "choose")
    assert images.user_has_permission(user, "add")
    assert documents.user_has_permission(user, "change")


WEBHOOK_READ = {"booking.view_webhooksubscription", "booking.view_webhookdelivery"}


def test_accountant_only_reads_money_records():
    permissions = ROLES[roles.ACCOUNTANT]
    # Besides the money records they read the outbound webhooks (what accounting receives).
    assert set(permissions) >= WEBHOOK_READ
    money = [
        name
        for name in permissions
        if name not in (roles.ADMIN_ACCESS, *roles.API_TOKENS, roles.VIEW_REPORTS, *WEBHOOK_READ)
    ]
    assert {name.split(".")[1].split("_", 1)[1] for name in money} == MONEY_MODELS
    assert all(name.split(".")[1].startswith("view_") for name in money)
    user = member(roles.ACCOUNTANT)
    assert user.has_perm("booking.view_refund")
    assert not user.has_perm("booking.change_order")
    assert not user.has_perm("booking.change_refund")
    assert not user.has_perm("accounts.view_customer")
    # Their own CRM API tokens (Settings → API tokens), to pull the money records.
    assert user.has_perm("wagtailcore.add_apitoken")
    # And the reports (sales, refunds, promotions, occupancy: booking.reports).
    assert user.has_perm(roles.VIEW_REPORTS)


def test_webhook_subscriptions_are_managed_by_administrators_and_managers_only():
    manage = {f"booking.{action}_webhooksubscription" for action in roles.ALL}
    for role, permissions in ROLES.items():
        held = {name for name in permissions if "webhook" in name}
        if role in (roles.ADMINISTRATOR, roles.MANAGER):
            assert held == manage | {"booking.view_webhookdelivery"}, role
        elif role == roles.ACCOUNTANT:
            assert held == WEBHOOK_READ
        else:
            assert held == set(), role
    # Nobody writes the delivery log by hand.
    assert not any(
        name.endswith(("add_webhookdelivery", "change_webhookdelivery", "delete_webhookdelivery"))
        for permissions in ROLES.values()
        for name in permissions
    )


def test_boarding_crew_checks_in_but_cannot_undo():
    user = member(roles.BOARDING_CREW)
    assert user.has_perm("booking.check_in_ticket")
    assert not user.has_perm("booking.undo_check_in")
    assert set(ROLES[roles.BOARDING_CREW]) == {roles.ADMIN_ACCESS, "booking.check_in_ticket"}


def test_agent_reads_sales_and_never_checks_in():
    user = member(roles.AGENT)
    assert user.has_perm("booking.view_order") and user.has_perm("booking.change_order")
    assert user.has_perm("accounts.view_customer") and user.has_perm("accounts.view_consent")
    assert not user.has_perm("accounts.change_customer")
    assert not user.has_perm("booking.check_in_ticket")
    assert not user.has_perm("booking.change_payment")


def test_manager_runs_the_catalogue_and_undoes_check_ins():
    user = member(roles.MANAGER)
    for name in (
        "booking.add_departure",
        "booking.change_product",
        "booking.change_promotion",
        "booking.change_servicefee",
        "booking.change_refundpolicy",
        "booking.change_messagetemplate",
        "booking.change_refund",
        "booking.check_in_ticket",
        "booking.undo_check_in",
        "accounts.view_customer",
    ):
        assert user.has_perm(name), name
    assert not user.has_perm("accounts.change_customer")
    assert not user.has_perm("auth.change_group")


@pytest.mark.parametrize("role", list(ROLES))
def test_a_member_of_each_role_reaches_the_admin(role):
    response = client_of(member(role)).get("/admin/")
    assert response.status_code == 200


def snippet_listing(model) -> str:
    return reverse(model.snippet_viewset.get_url_name("list"))


@pytest.mark.parametrize("model", [Departure, Promotion, ServiceFee, RefundPolicy])
def test_marketer_is_refused_the_booking_screens(model):
    response = client_of(member(roles.MARKETER)).get(snippet_listing(model))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/admin/" in response.url and snippet_listing(model) not in response.url


def test_marketer_is_refused_the_check_in_pages():
    response = client_of(member(roles.MARKETER)).get("/en/staff/check-in/")
    assert response.status_code == 403


def test_marketer_opens_message_templates_and_pages():
    client = client_of(member(roles.MARKETER))
    assert client.get(snippet_listing(MessageTemplate)).status_code == 200
    root = Page.get_first_root_node()
    assert client.get(f"/admin/pages/{root.get_children().first().pk}/").status_code == 200
    assert client.get("/admin/images/").status_code == 200


def test_accountant_is_refused_the_catalogue_screens():
    response = client_of(member(roles.ACCOUNTANT)).get(snippet_listing(Promotion))
    assert response.status_code in (302, 403)


def test_an_unknown_permission_in_roles_is_an_error_except_in_the_migration(monkeypatch):
    monkeypatch.setitem(ROLES, roles.AGENT, [*ROLES[roles.AGENT], "booking.fly_order"])
    with pytest.raises(LookupError, match=r"booking\.fly_order"):
        roles_sync()
    roles_sync(strict=False)  # the migration, before Django has created every permission
    assert names(Group.objects.get(name=roles.AGENT)) == set(ROLES[roles.AGENT]) - {
        "booking.fly_order"
    }


def test_the_sales_funnel_is_for_administrators_managers_and_marketers():
    holders = {role for role, permissions in ROLES.items() if roles.VIEW_FUNNEL in permissions}
    assert holders == {roles.ADMINISTRATOR, roles.MANAGER, roles.MARKETER}
    marketer = member(roles.MARKETER)
    assert marketer.has_perm(roles.VIEW_FUNNEL)
    assert not marketer.has_perm(roles.VIEW_REPORTS)
    assert not member(roles.AGENT).has_perm(roles.VIEW_FUNNEL)
