from django.db import migrations, models


def mark_children(apps, schema_editor):
    """The existing children's types (named "Детский …" as in the demo) count as children."""
    TicketType = apps.get_model("booking", "TicketType")
    # Compared in Python: SQLite's LIKE folds the case of ASCII letters only.
    children = [
        pk
        for pk, name in TicketType.objects.values_list("pk", "name")
        if name.lower().startswith("детск")
    ]
    TicketType.objects.filter(pk__in=children).update(is_child=True)


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0019_backoffice"),
    ]

    operations = [
        migrations.AddField(
            model_name="tickettype",
            name="is_child",
            field=models.BooleanField(
                default=False,
                help_text="Counted as a child on the departure's manifest",
                verbose_name="child ticket",
            ),
        ),
        migrations.RunPython(mark_children, migrations.RunPython.noop),
    ]
