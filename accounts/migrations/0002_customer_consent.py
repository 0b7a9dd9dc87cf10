"""Customers and consents move from `crm` to `accounts` without copying a row.

Three steps across three apps, in this order so that no migration state ever holds a
foreign key to a model that is gone:

1. here: `accounts` adopts the existing tables in its state (`CreateModel`, state only, with
   `db_table` still `crm_*`), then renames them (`AlterModelTable` back to the default
   names `accounts_customer` and `accounts_consent`). A table rename keeps every row, the
   primary-key sequence and the foreign keys pointing at it (booking_order.customer_id);
   index, constraint and sequence names keep their `crm_` prefix, on a fresh database as
   on an old one, since Django finds them by introspection, not by name.
   The content types `crm.customer` and `crm.consent` become `accounts.*` with the same
   ids, so permissions, group grants and admin log entries follow.
2. `booking.0015_order_customer_in_accounts`: Order.customer points at accounts.Customer
   (state only: the column and its constraint already point at the renamed table).
3. `crm.0002_customer_consent_to_accounts`: crm forgets its two models (state only).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("customer", "consent")


def content_types_to(apps, old_label, new_label):
    """Relabel the moved models' content types in place (ids unchanged). A fresh database
    has none yet: post_migrate creates them under the new label."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=new_label, model=model).exists():
            ContentType.objects.filter(app_label=old_label, model=model).update(
                app_label=new_label
            )


def content_types_forwards(apps, schema_editor):
    content_types_to(apps, "crm", "accounts")


def content_types_backwards(apps, schema_editor):
    content_types_to(apps, "accounts", "crm")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("booking", "0012_hold_client_ip"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("crm", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Customer",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("email", models.EmailField(max_length=254, unique=True, verbose_name="e-mail")),
                        ("name", models.CharField(max_length=150, verbose_name="name")),
                        ("phone", models.CharField(blank=True, help_text="E.164", max_length=20, verbose_name="phone")),
                        ("language", models.CharField(default="ru", max_length=10, verbose_name="language")),
                        ("marketing_consent", models.BooleanField(default=False, verbose_name="agreed to marketing messages")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                        ("user", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="customer", to=settings.AUTH_USER_MODEL, verbose_name="site account")),
                    ],
                    options={
                        "verbose_name": "customer",
                        "verbose_name_plural": "customers",
                        "ordering": ["-created_at"],
                        "db_table": "crm_customer",
                    },
                ),
                migrations.CreateModel(
                    name="Consent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("personal_data", "Processing of personal data"), ("marketing", "Marketing messages"), ("offer", "Public offer and refund rules")], max_length=20, verbose_name="kind")),
                        ("granted", models.BooleanField(default=True, verbose_name="granted")),
                        ("document_url", models.CharField(blank=True, max_length=500, verbose_name="document")),
                        ("document_version", models.CharField(max_length=100, verbose_name="document version")),
                        ("ip_address", models.GenericIPAddressField(blank=True, null=True, verbose_name="IP address")),
                        ("user_agent", models.CharField(blank=True, max_length=300, verbose_name="browser")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="given at")),
                        ("order", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="consents", to="booking.order")),
                        ("customer", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="consents", to="accounts.customer", verbose_name="customer")),
                    ],
                    options={
                        "verbose_name": "consent",
                        "verbose_name_plural": "consents",
                        "ordering": ["-created_at"],
                        "db_table": "crm_consent",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="customer", table=None),
        migrations.AlterModelTable(name="consent", table=None),
        migrations.RunPython(content_types_forwards, content_types_backwards),
    ]
