"""Customers and consents now belong to accounts (accounts.0002_customer_consent renamed
their tables and took over their content types): crm forgets them. State only; it runs
after nothing points at crm.Customer any more (booking.0013)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_customer_consent"),
        ("booking", "0015_order_customer_in_accounts"),
        ("crm", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Consent"),
                migrations.DeleteModel(name="Customer"),
            ],
            database_operations=[],
        ),
    ]
