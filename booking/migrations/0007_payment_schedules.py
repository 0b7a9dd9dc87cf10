from django.db import migrations

SCHEDULES = {
    # Payments pending for a few minutes are re-fetched, unsent refunds sent, unpaid
    # orders expired.
    "booking: reconcile payments": ("booking.tasks.reconcile_payments", 2),
    # 54-FZ: the prepayment-settlement receipt once the departure has taken place.
    "booking: settlement receipts": ("booking.tasks.send_settlement_receipts", 60),
}


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, (func, minutes) in SCHEDULES.items():
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": "I", "minutes": minutes, "repeats": -1},
        )


def delete_schedules(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=SCHEDULES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0006_messagetemplate"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
