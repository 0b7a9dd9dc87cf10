"""Payment notifications become bounded records (issue 8, B21): the full JSON body gives
way to the claimed status and the body's first characters, and a daily django-q2 task
deletes rows older than PAYMENT_NOTIFICATION_RETENTION_DAYS."""

import json

from django.db import migrations, models

EXCERPT_CHARS = 1000
SCHEDULE = "booking: delete old payment notifications"


def keep_what_is_needed(apps, schema_editor):
    PaymentNotification = apps.get_model("booking", "PaymentNotification")
    for record in PaymentNotification.objects.only("pk", "body").iterator(chunk_size=500):
        body = record.body if isinstance(record.body, dict) else {}
        obj = body.get("object") if isinstance(body.get("object"), dict) else {}
        status = obj.get("status")
        PaymentNotification.objects.filter(pk=record.pk).update(
            status=status[:20] if isinstance(status, str) else "",
            excerpt=json.dumps(record.body, ensure_ascii=False)[:EXCERPT_CHARS].replace("\x00", ""),
        )


def create_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=SCHEDULE,
        defaults={
            "func": "booking.tasks.delete_old_payment_notifications",
            "schedule_type": "D",
            "repeats": -1,
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0009_tickettype_departures_only"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="paymentnotification",
            name="excerpt",
            field=models.CharField(blank=True, max_length=1000),
        ),
        migrations.AddField(
            model_name="paymentnotification",
            name="status",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.RunPython(keep_what_is_needed, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="paymentnotification", name="body"),
        migrations.AlterField(
            model_name="paymentnotification",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("applied", "Applied"),
                    ("unchanged", "Nothing to change"),
                    ("forged", "Refused: the API contradicts it"),
                    ("rejected_ip", "Refused: sender not in YooKassa's ranges"),
                    ("failed", "Failed; left to reconciliation"),
                    ("unknown", "Not ours"),
                    ("unverified", "YooKassa unreachable; to be delivered again"),
                ],
                default="received",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="paymentnotification",
            name="received_at",
            field=models.DateTimeField(auto_now_add=True, db_index=True),
        ),
        migrations.RunPython(create_schedule, delete_schedule),
    ]
