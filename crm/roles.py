"""Staff roles: the Wagtail groups every staff member is put in, and exactly what each may do.

`ROLES` lists each group's model permissions ("app_label.codename"), `PAGE_PERMISSIONS` the
page permissions it holds on the root page (so on every site and language), and
`COLLECTION_PERMISSIONS` its image and document permissions on the root collection. Group
names are data (they are not translated); the README's "Staff roles" table mirrors this.

`roles_sync()` makes the database match these lists: it creates missing groups and sets
their permissions exactly, undoing any change made by hand. The migration
`crm/0003_staff_roles` and a `post_migrate` handler (after the last app's, when Django has
created every permission) both call it, so it works on a fresh database too, where the
permissions appear only after the migrations. Neither creates content types or
permissions itself: their ids must come out the same whenever Django recreates them (a
test database's flush), or serialized-rollback tests break.
"""

from django.apps import apps as global_apps

ADMINISTRATOR = "Administrator"
MANAGER = "Manager"
AGENT = "Agent"
MARKETER = "Marketer"
BOARDING_CREW = "Boarding crew"
ACCOUNTANT = "Accountant"

ALL = ("add", "change", "delete", "view")
READ_CHANGE = ("change", "view")
READ = ("view",)

ADMIN_ACCESS = "wagtailadmin.access_admin"
CHECK_IN = "booking.check_in_ticket"
UNDO_CHECK_IN = "booking.undo_check_in"
# Boarding at every pier without an assignment (crm.permissions), and staff export and
# erasure of a customer's personal data.
BOARD_ANY = "booking.board_any_departure"
# Cancelling a departure with full refunds to every passenger (booking.services.cancellations).
CANCEL_DEPARTURE = "booking.cancel_departure"
MANAGE_PERSONAL_DATA = "accounts.manage_personal_data"
# The reports of sales, refunds, promotions and occupancy (booking.reports, crm.views.reports).
VIEW_REPORTS = "booking.view_reports"
# The sales funnel's conversion report (booking.reports.funnel_report): no money, no
# personal data, so marketers see it too.
VIEW_FUNNEL = "booking.view_funnel"

# What the shop sells: products, their prices, boats, piers and seat maps.
CATALOGUE = (
    "product",
    "producttaxes",
    "tickettype",
    "ticketprice",
    "pricezone",
    "venue",
    "vessel",
    "seatmap",
    "seat",
    # Rentals by the hour: the plan and what is edited inline on its screen.
    "rentalplan",
    "rentalhours",
    "rentalrate",
    "rentaloption",
)
# Records of money and sales: created by checkout and the payment provider, never deleted
# by staff (the audit trail and the fiscal law need them).
SALES_RECORDS = ("order", "ticket", "payment", "refund")
MONEY_RECORDS = (*SALES_RECORDS, "fiscalreceipt")
SALES_RULES = ("promotion", "servicefee", "refundpolicy", "messagetemplate")
PERSONAL_DATA = ("customer", "consent")
# Support cases (issue 12): an agent works on the cases of their queues (crm.permissions);
# managers on every queue, and they edit the desk's set-up (queues, macros, SLA policies,
# working hours, calendar overrides).
HANDLE_ANY_QUEUE = "support.handle_any_queue"
SUPPORT_CASES = ("case",)
SUPPORT_SETUP = ("queue", "macro", "slapolicy", "workinghours", "calendaroverride")


# Outbound webhooks (booking.services.webhooks): administrators and managers manage the
# subscriptions (and resend deliveries); accountants read them and the delivery log. The
# log itself is written by the system only.
WEBHOOK_SUBSCRIPTIONS = ("webhooksubscription",)
WEBHOOK_LOG = ("webhookdelivery",)


def perms(app_label: str, models, actions) -> list[str]:
    return [f"{app_label}.{action}_{model}" for model in models for action in actions]


# Staff who use the CRM API manage their own tokens (Settings → API tokens); only holders
# of `accounts.change_user` (administrators) manage other people's.
API_TOKENS = [f"wagtailcore.{action}_apitoken" for action in ALL]

ROLES: dict[str, list[str]] = {
    ADMINISTRATOR: [
        ADMIN_ACCESS,
        *API_TOKENS,
        *perms("booking", CATALOGUE, ALL),
        *perms("booking", ["departure"], ALL),
        CANCEL_DEPARTURE,
        *perms("booking", SALES_RULES, ALL),
        *perms("booking", MONEY_RECORDS, READ_CHANGE),
        *perms("booking", ["paymentnotification", "hold"], READ),
        VIEW_REPORTS,
        VIEW_FUNNEL,
        CHECK_IN,
        UNDO_CHECK_IN,
        BOARD_ANY,
        *perms("accounts", ["user", *PERSONAL_DATA], ALL),
        MANAGE_PERSONAL_DATA,
        *perms("auth", ["group"], ALL),
        *perms("content", ["companysettings"], READ_CHANGE),
        *perms("wagtailcore", ["site", "locale", "collection"], ALL),
        *perms("wagtailredirects", ["redirect"], ALL),
        "wagtail_localize.submit_translation",
        *perms("support", SUPPORT_CASES, ("add", "change", "view")),
        *perms("support", SUPPORT_SETUP, ALL),
        HANDLE_ANY_QUEUE,
        *perms("booking", WEBHOOK_SUBSCRIPTIONS, ALL),
        *perms("booking", WEBHOOK_LOG, READ),
    ],
    MANAGER: [
        ADMIN_ACCESS,
        *API_TOKENS,
        *perms("booking", CATALOGUE, ALL),
        *perms("booking", ["departure"], ("add", "change", "view")),
        CANCEL_DEPARTURE,
        *perms("booking", SALES_RULES, ALL),
        *perms("booking", SALES_RECORDS, READ_CHANGE),
        *perms("booking", ["fiscalreceipt"], READ),
        VIEW_REPORTS,
        VIEW_FUNNEL,
        *perms("accounts", PERSONAL_DATA, READ),
        MANAGE_PERSONAL_DATA,
        CHECK_IN,
        UNDO_CHECK_IN,
        BOARD_ANY,
        *perms("support", SUPPORT_CASES, ("add", "change", "view")),
        *perms("support", SUPPORT_SETUP, ALL),
        HANDLE_ANY_QUEUE,
        *perms("booking", WEBHOOK_SUBSCRIPTIONS, ALL),
        *perms("booking", WEBHOOK_LOG, READ),
    ],
    AGENT: [
        ADMIN_ACCESS,
        *API_TOKENS,
        *perms("booking", SALES_RECORDS, READ),
        *perms("booking", ["order"], ("change",)),
        *perms("booking", ["product", "departure", "rentalplan"], READ),
        *perms("accounts", PERSONAL_DATA, READ),
        *perms("support", SUPPORT_CASES, ("add", "change", "view")),
        *perms("support", ["macro", "queue"], READ),
    ],
    MARKETER: [
        ADMIN_ACCESS,
        *perms("booking", ["messagetemplate"], ("add", "change", "view")),
        "wagtail_localize.submit_translation",
        VIEW_FUNNEL,
    ],
    BOARDING_CREW: [ADMIN_ACCESS, CHECK_IN],
    ACCOUNTANT: [
        ADMIN_ACCESS,
        *API_TOKENS,
        *perms("booking", MONEY_RECORDS, READ),
        VIEW_REPORTS,
        *perms("booking", [*WEBHOOK_SUBSCRIPTIONS, *WEBHOOK_LOG], READ),
    ],
}

# Page permission codenames (wagtailcore), granted on the root page.
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
PAGE_PERMISSIONS: dict[str, list[str]] = {
    ADMINISTRATOR: [*EDITOR_PAGE_PERMISSIONS, "bulk_delete_page"],
    MARKETER: EDITOR_PAGE_PERMISSIONS,
}

# Image and document permissions ("app_label.codename"), granted on the root collection.
MEDIA_EDITOR = [
    *perms("wagtailimages", ["image"], ("add", "change", "choose")),
    *perms("wagtaildocs", ["document"], ("add", "change", "choose")),
]
COLLECTION_PERMISSIONS: dict[str, list[str]] = {
    ADMINISTRATOR: [
        *perms("wagtailimages", ["image"], ("add", "change", "choose", "delete")),
        *perms("wagtaildocs", ["document"], ("add", "change", "choose", "delete")),
    ],
    MARKETER: MEDIA_EDITOR,
}


def _app_labels() -> set[str]:
    names = [
        *(name for names in ROLES.values() for name in names),
        *(name for names in COLLECTION_PERMISSIONS.values() for name in names),
    ]
    return {name.split(".", 1)[0] for name in names} | {"wagtailcore"}


def _permission_map(apps, using: str) -> dict[str, object]:
    Permission = apps.get_model("auth", "Permission")
    rows = Permission.objects.using(using).filter(content_type__app_label__in=_app_labels())
    return {
        f"{p.content_type.app_label}.{p.codename}": p for p in rows.select_related("content_type")
    }


def _lookup(known: dict, names, *, strict: bool) -> list:
    missing = sorted(set(names) - known.keys())
    if missing and strict:
        raise LookupError(f"Unknown permissions in crm.roles: {', '.join(missing)}")
    return [known[name] for name in names if name in known]


def _set_exactly(manager, *, group, field: str, target, wanted: list) -> bool:
    """Make `group`'s rows of a group-object permission model (`field` is "page" or
    "collection") match `wanted` on `target`; returns whether anything changed."""
    rows = manager.filter(group=group)
    have = set(rows.values_list("permission_id", f"{field}_id"))
    if have == {(permission.pk, target.pk) for permission in wanted}:
        return False
    rows.delete()
    manager.bulk_create(
        [
            manager.model(group=group, permission=permission, **{field: target})
            for permission in wanted
        ]
    )
    return True


def roles_sync(*, apps=global_apps, using: str = "default", strict: bool = True) -> dict[str, int]:
    """Create the missing staff groups and give each exactly its permissions. Idempotent;
    returns how many groups were created and how many existing ones were repaired.

    `strict=False` (the migration) skips permissions that do not exist yet: on a fresh
    database Django creates them only after all migrations, and the `post_migrate` handler
    then runs this again, strictly (an unknown name in ROLES is an error)."""
    # Set from code, not by a person: no role-change audit entries (and none may be
    # written during a migration or a test database's flush).
    from accounts.staff.audit import role_audit_paused

    with role_audit_paused():
        return _roles_sync(apps=apps, using=using, strict=strict)


def _roles_sync(*, apps, using: str, strict: bool) -> dict[str, int]:
    known = _permission_map(apps, using)
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root_page = Page.objects.using(using).filter(depth=1).order_by("path").first()
    root_collection = Collection.objects.using(using).filter(depth=1).order_by("path").first()

    stats = {"groups created": 0, "groups repaired": 0}
    for name, names in ROLES.items():
        group, created = Group.objects.using(using).get_or_create(name=name)
        wanted = _lookup(known, names, strict=strict)
        changed = set(group.permissions.values_list("pk", flat=True)) != {p.pk for p in wanted}
        if changed:
            group.permissions.set(wanted)
        if root_page is not None:
            page_perms = _lookup(
                known, [f"wagtailcore.{c}" for c in PAGE_PERMISSIONS.get(name, [])], strict=strict
            )
            changed |= _set_exactly(
                GroupPagePermission.objects.using(using),
                group=group,
                field="page",
                target=root_page,
                wanted=page_perms,
            )
        if root_collection is not None:
            media_perms = _lookup(known, COLLECTION_PERMISSIONS.get(name, []), strict=strict)
            changed |= _set_exactly(
                GroupCollectionPermission.objects.using(using),
                group=group,
                field="collection",
                target=root_collection,
                wanted=media_perms,
            )
        stats["groups created"] += created
        stats["groups repaired"] += changed and not created
    return stats


def roles_remove(*, apps=global_apps, using: str = "default") -> None:
    """Undo the migration: delete the role groups (their members lose the roles)."""
    apps.get_model("auth", "Group").objects.using(using).filter(name__in=ROLES).delete()
