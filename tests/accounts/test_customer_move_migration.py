"""Moving Customer and Consent from crm to accounts loses nothing (issue 9).

The database is migrated back to just before the move (accounts.0001, crm.0001 and
booking.0012: the tables are `crm_customer` and `crm_consent` again), filled through the
historical models with customers, consents, orders pointing at them, a group granted the
customer permissions, an admin log entry and an object permission on a customer; then it
is migrated forward to the latest migrations and every row, foreign key, content type and
permission is compared. The test leaves the database migrated to the latest."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import Consent, Customer
from booking.models import Order
from tests.factories import general_departure

BEFORE_MOVE = [("accounts", "0001_initial"), ("crm", "0001_initial")]
MOVED = ("customer", "consent")


def _executor() -> MigrationExecutor:
    return MigrationExecutor(connection)


def _migrate_to_latest() -> None:
    executor = _executor()
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def _historical_apps(executor: MigrationExecutor):
    """The models as the applied migrations leave them (other apps' later migrations, if
    any, stay applied: their columns must be there)."""
    loader = executor.loader
    applied = [node for node in loader.applied_migrations if node in loader.graph.nodes]
    return loader.project_state(applied).apps


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def _rows(model, *fields) -> list[tuple]:
    return list(model.objects.order_by("pk").values_list("pk", *fields))


CUSTOMER_FIELDS = (
    "email",
    "name",
    "phone",
    "language",
    "user_id",
    "marketing_consent",
    "created_at",
    "updated_at",
)
CONSENT_FIELDS = (
    "customer_id",
    "order_id",
    "kind",
    "granted",
    "document_url",
    "document_version",
    "ip_address",
    "user_agent",
    "created_at",
)


def _populate(apps, departure_id: int) -> None:
    """Customers, consents and orders as the pre-move code wrote them."""
    User = apps.get_model("accounts", "User")
    Customer = apps.get_model("crm", "Customer")
    Consent = apps.get_model("crm", "Consent")
    Order = apps.get_model("booking", "Order")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentTypeH = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    UserObjectPermission = apps.get_model("guardian", "UserObjectPermission")

    agent = User.objects.create(email="agent@prichal.example", password="!", is_staff=True)
    buyer = User.objects.create(email="olga@example.com", password="!")
    customers = [
        Customer.objects.create(
            email=f"buyer{i}@example.com",
            name=f"Покупатель {i}",
            phone=["+79123456789", "", "+442079460958"][i % 3],
            language=["ru", "en", "zh-hans"][i % 3],
            user=buyer if i == 0 else None,
            marketing_consent=bool(i % 2),
        )
        for i in range(5)
    ]
    now = timezone.now()
    for n, customer in enumerate(customers * 2):
        order = Order.objects.create(
            code=f"MOVE{n:04d}",
            secret=f"secret-{n}",
            status="paid" if n % 2 else "awaiting_payment",
            language=customer.language,
            name=customer.name,
            email=customer.email,
            phone=customer.phone or "+79123456789",
            departure_id=departure_id,
            customer=customer,
            subtotal=Decimal("1500.00"),
            discount_total=Decimal("0.00"),
            fees_total=Decimal("50.00"),
            total=Decimal("1550.00"),
            vat_code=1,
            expires_at=now + datetime.timedelta(minutes=15),
        )
        for kind in ("personal_data", "offer", "marketing")[: 2 + n % 2]:
            Consent.objects.create(
                customer=customer,
                order=order,
                kind=kind,
                document_url=f"/ru/{kind}/",
                document_version=f"v{n}",
                ip_address="203.0.113.7" if n % 2 else "2001:db8::7",
                user_agent=f"browser {n}",
            )
    # A withdrawal, not tied to an order.
    Consent.objects.create(
        customer=customers[1], kind="marketing", granted=False, document_version="v-w"
    )

    customer_type = ContentTypeH.objects.get(app_label="crm", model="customer")
    desk = Group.objects.create(name="Customer desk")
    desk.permissions.set(Permission.objects.filter(content_type__app_label="crm"))
    agent.groups.add(desk)
    LogEntry.objects.create(
        user=agent,
        content_type=customer_type,
        object_id=str(customers[0].pk),
        object_repr=str(customers[0].email),
        action_flag=2,
        change_message="[]",
    )
    UserObjectPermission.objects.create(
        user=agent,
        content_type=customer_type,
        object_pk=str(customers[2].pk),
        permission=Permission.objects.get(content_type=customer_type, codename="change_customer"),
    )


def _snapshot(apps, label: str) -> dict:
    """Everything the move must keep, read through the models of app `label`."""
    Customer = apps.get_model(label, "Customer")
    Consent = apps.get_model(label, "Consent")
    Order = apps.get_model("booking", "Order")
    Permission = apps.get_model("auth", "Permission")
    ContentTypeH = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    LogEntry = apps.get_model("admin", "LogEntry")
    UserObjectPermission = apps.get_model("guardian", "UserObjectPermission")
    types = {
        ct.model: ct.pk for ct in ContentTypeH.objects.filter(app_label=label, model__in=MOVED)
    }
    return {
        "customers": _rows(Customer, *CUSTOMER_FIELDS),
        "consents": _rows(Consent, *CONSENT_FIELDS),
        "orders": _rows(Order, "code", "customer_id", "email", "total"),
        "orders_by_customer": sorted(
            (c.pk, tuple(sorted(c.orders.values_list("pk", flat=True))))
            for c in Customer.objects.all()
        ),
        "consents_by_customer": sorted(
            (c.pk, tuple(sorted(c.consents.values_list("pk", flat=True))))
            for c in Customer.objects.all()
        ),
        "content_types": types,
        "permissions": sorted(
            Permission.objects.filter(content_type__in=types.values()).values_list(
                "pk", "codename", "name", "content_type_id"
            )
        ),
        "group_permissions": sorted(
            Group.objects.get(name="Customer desk").permissions.values_list("pk", flat=True)
        ),
        "log_entries": list(
            LogEntry.objects.values_list("pk", "content_type_id", "object_id", "user_id")
        ),
        "object_permissions": list(
            UserObjectPermission.objects.values_list(
                "pk", "content_type_id", "object_pk", "permission_id", "user_id"
            )
        ),
    }


@pytest.mark.django_db(transaction=True)
def test_moving_customers_to_accounts_keeps_every_row_and_permission():
    departure_id = general_departure().pk
    try:
        executor = _executor()
        executor.migrate(BEFORE_MOVE)
        assert {"crm_customer", "crm_consent"} <= _tables()
        assert not {"accounts_customer", "accounts_consent"} & _tables()

        old = _historical_apps(_executor())
        _populate(old, departure_id)
        before = _snapshot(old, "crm")
        assert len(before["customers"]) == 5
        assert len(before["orders"]) == 10
        assert len(before["consents"]) == 26
        # Four each for customers and consents, and manage_personal_data (accounts 0005):
        # permission rows outlive a migration backwards.
        assert len(before["permissions"]) == 9
        assert set(before["content_types"]) == set(MOVED)

        _migrate_to_latest()

        tables = _tables()
        assert {"accounts_customer", "accounts_consent"} <= tables
        assert not {"crm_customer", "crm_consent"} & tables
        after = _snapshot(_historical_apps(_executor()), "accounts")
        assert after == before
        # The moved content types kept their ids, and none is left under crm.
        assert not ContentType.objects.filter(app_label="crm", model__in=MOVED).exists()

        # The current code reads the same rows through the new models, and the group's
        # grants now read as accounts permissions.
        assert _rows(Customer, *CUSTOMER_FIELDS) == before["customers"]
        assert _rows(Consent, *CONSENT_FIELDS) == before["consents"]
        assert Order.objects.filter(customer__email="buyer0@example.com").count() == 2
        assert ContentType.objects.get_for_model(Customer).pk == before["content_types"]["customer"]
        agent = get_user_model().objects.get(email="agent@prichal.example")
        assert agent.has_perm("accounts.change_customer")
        assert agent.has_perm("accounts.view_consent")
        # New rows continue the moved tables' id sequences.
        newcomer = Customer.objects.create(email="new@example.com", name="Новый")
        assert newcomer.pk > max(pk for pk, *_ in before["customers"])
    finally:
        _migrate_to_latest()
