"""The two example feature flags (common.flags), on for everyone: the demo and the tests
keep today's behaviour until someone changes them in Settings → Feature flags."""

from django.db import migrations

FLAGS = {
    "rentals_by_the_hour": "Rentals by the hour: the rental block on vessel pages and its "
    "endpoints. Off: rental products show their departures' slots.",
    "analytics_banner": "The Yandex Metrica consent banner and loader (with a counter id set).",
}


def create_flags(apps, schema_editor):
    Flag = apps.get_model("waffle", "Flag")
    for name, note in FLAGS.items():
        Flag.objects.using(schema_editor.connection.alias).get_or_create(
            name=name, defaults={"everyone": True, "note": note}
        )


def remove_flags(apps, schema_editor):
    Flag = apps.get_model("waffle", "Flag")
    Flag.objects.using(schema_editor.connection.alias).filter(name__in=FLAGS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0003_support_form_block"),
        ("waffle", "0004_update_everyone_nullbooleanfield"),
    ]

    operations = [migrations.RunPython(create_flags, remove_flags)]
