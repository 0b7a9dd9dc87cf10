"""A vessel is never in two places at once: one occupancy row per stretch of a vessel's
time (departures now, rentals later). On PostgreSQL only, the btree_gist extension and an
exclusion constraint forbid two overlapping `[starts_at, ends_at)` ranges of one vessel;
neither is in the model's state (SQLite, `make run`'s default, has neither), like the
trigram indexes of 0017.

Existing departures get their rows (cancelled ones none). Where old data overlaps on one
vessel, the earliest departure (by start, then id) keeps the vessel and the later ones get
no row: they stay as they are, are logged here (warning on `booking.migrations`), and are
refused ("vessel_busy") only if someone edits their time or vessel into the clash again."""

import logging

import django.db.models.deletion
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models

logger = logging.getLogger("booking.migrations")

CONSTRAINT = "booking_vesseloccupancy_no_overlap"


def fill_occupancy(apps, schema_editor):
    Departure = apps.get_model("booking", "Departure")
    VesselOccupancy = apps.get_model("booking", "VesselOccupancy")
    rows, clashes = [], []
    last_end = {}
    departures = (
        Departure.objects.using(schema_editor.connection.alias)
        .exclude(status="cancelled")
        .order_by("vessel_id", "starts_at", "pk")
        .values_list("pk", "vessel_id", "starts_at", "ends_at")
    )
    for pk, vessel_id, starts_at, ends_at in departures.iterator():
        if vessel_id in last_end and starts_at < last_end[vessel_id]:
            clashes.append(pk)
            continue
        last_end[vessel_id] = ends_at
        rows.append(
            VesselOccupancy(
                vessel_id=vessel_id,
                starts_at=starts_at,
                ends_at=ends_at,
                kind="departure",
                departure_id=pk,
            )
        )
    VesselOccupancy.objects.using(schema_editor.connection.alias).bulk_create(
        rows, batch_size=1000
    )
    if clashes:
        logger.warning(
            "Vessel occupancy: %s departure(s) overlap an earlier one on the same vessel "
            "and were given no occupancy row: %s",
            len(clashes),
            ", ".join(map(str, clashes)),
        )


def create_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE booking_vesseloccupancy ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(vessel_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)"
    )


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE booking_vesseloccupancy DROP CONSTRAINT IF EXISTS {CONSTRAINT}"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0021_departure_cancellation'),
    ]

    operations = [
        migrations.CreateModel(
            name='VesselOccupancy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('starts_at', models.DateTimeField(verbose_name='busy from')),
                ('ends_at', models.DateTimeField(verbose_name='busy until')),
                ('kind', models.CharField(choices=[('departure', 'Departure'), ('rental', 'Rental')], max_length=10, verbose_name='kind')),
                ('departure', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='occupancy', to='booking.departure', verbose_name='departure')),
                ('vessel', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='occupancies', to='booking.vessel', verbose_name='vessel')),
            ],
            options={
                'verbose_name': 'vessel occupancy',
                'verbose_name_plural': 'vessel occupancies',
                'ordering': ['vessel', 'starts_at'],
                'indexes': [models.Index(fields=['vessel', 'starts_at'], name='booking_ves_vessel__a6f3aa_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='booking_vesseloccupancy_ends_after_start')],
            },
        ),
        migrations.RunPython(fill_occupancy, migrations.RunPython.noop),
        # Does nothing on databases other than PostgreSQL (Django checks the vendor).
        BtreeGistExtension(),
        migrations.RunPython(create_exclusion, drop_exclusion),
    ]
