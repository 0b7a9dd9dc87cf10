from django.db import migrations


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name="booking: sweep expired holds",
        defaults={
            "func": "booking.tasks.sweep_expired_holds",
            "schedule_type": "I",
            "minutes": 1,
            "repeats": -1,
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(
        name="booking: sweep expired holds"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0002_inventory_and_holds"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
