"""The support desk as it starts: four queues, Monday–Friday 09:00–18:00 Moscow time, an
SLA policy per priority (P1 around the clock), and the two schedules (the SLA escalation
every minute, the mailbox every two). All of it is editable in the admin afterwards."""

import datetime

from django.db import migrations

QUEUES = [
    # slug, name (the staff's language), default
    ("sales", "Продажи и общие вопросы", True),
    ("refunds", "Возвраты", False),
    ("lost-property", "Потерянные вещи", False),
    ("groups", "Группы и аренда", False),
]

# priority: (name, first response, resolution, around the clock) in business minutes
POLICIES = {
    1: ("P1 — срочно", 60, 8 * 60, True),
    2: ("P2 — высокий", 4 * 60, 2 * 9 * 60, False),
    3: ("P3 — обычный", 8 * 60, 3 * 9 * 60, False),
    4: ("P4 — низкий", 2 * 9 * 60, 5 * 9 * 60, False),
}

SCHEDULES = {
    "support: SLA warnings and breaches": ("support.tasks.escalate_cases", 1),
    "support: read the support mailbox": ("support.tasks.poll_support_mailbox", 2),
}


def create_defaults(apps, schema_editor):
    Queue = apps.get_model("support", "Queue")
    for slug, name, default in QUEUES:
        Queue.objects.get_or_create(slug=slug, defaults={"name": name, "is_default": default})
    WorkingHours = apps.get_model("support", "WorkingHours")
    for weekday in range(7):
        working = weekday < 5
        WorkingHours.objects.get_or_create(
            weekday=weekday,
            defaults={
                "opens": datetime.time(9) if working else None,
                "closes": datetime.time(18) if working else None,
            },
        )
    SlaPolicy = apps.get_model("support", "SlaPolicy")
    for priority, (name, first, resolution, all_day) in POLICIES.items():
        if not SlaPolicy.objects.filter(priority=priority, queue=None, channel="").exists():
            SlaPolicy.objects.create(
                name=name,
                priority=priority,
                first_response_minutes=first,
                resolution_minutes=resolution,
                all_day=all_day,
            )
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
        ("support", "0001_initial"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(create_defaults, delete_schedules)]
