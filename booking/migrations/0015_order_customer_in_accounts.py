"""Order.customer points at accounts.Customer (the model moved from crm, see
accounts.0002_customer_consent). State only: the column and its foreign-key constraint
already point at the renamed table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_customer_consent"),
        ("booking", "0014_moved_task_paths"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="order",
                    name="customer",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="orders", to="accounts.customer", verbose_name="customer"),
                ),
            ],
            database_operations=[],
        ),
    ]
