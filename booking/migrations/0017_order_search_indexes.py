"""Indexes for the back-office search (booking/search.py): b-tree on the order's e-mail
and phone for exact matches, and on PostgreSQL only the pg_trgm extension with GIN trigram
indexes on the name and e-mail for fuzzy ones. The GIN indexes are not in the model's
state (SQLite, `make run`'s default, has neither the extension nor GIN): they are created
and dropped here, on PostgreSQL alone."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

TRIGRAM_INDEXES = {
    "booking_order_name_trgm": "name",
    "booking_order_email_trgm": "email",
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON booking_order USING gin ({column} gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_customer_phone_index"),
        ("booking", "0016_refund_policy"),
    ]

    operations = [
        # Does nothing on databases other than PostgreSQL (Django checks the vendor).
        TrigramExtension(),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["email"], name="booking_order_email_idx"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["phone"], name="booking_order_phone_idx"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
