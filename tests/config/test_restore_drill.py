"""The restore drill (README, "Operations: recover"): a database filled through the real
services — orders paid through the YooKassa emulator, a refund sent to it, check-ins,
Wagtail's audit entries of pages and of the booking services — is backed up by the
shipped scripts/backup.sh (pg_dump), restored by scripts/restore.sh (pg_restore) into a
new database, and every row of the tables that matter is identical there. The media
archive comes back byte for byte. A restore refuses a database that is not empty and a
backup whose checksums do not match.

Transactional: pg_dump runs in another process and sees only committed data."""

import datetime
import json
import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from wagtail.log_actions import log
from wagtail.models import Page

from booking.models import Order, Refund
from booking.services.checkin import ticket_check_in_by_id
from booking.services.refunds import refund_request
from tests.booking.refunds.helpers import DEADLINE, paid_through_yookassa, pier_departure
from tests.factories.checkin import far_east_departure

# serialized_rollback: an earlier transactional test may have flushed what the migrations
# made (Wagtail's root page and locale); this brings it back first.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NOTIFY = "/api/v1/payments/yookassa/notifications"
BASE_DIR = Path(__file__).resolve().parent.parent.parent
# What must survive a restore, each compared row by row over all its columns.
TABLES = (
    "booking_order",
    "booking_ticket",
    "booking_payment",
    "booking_refund",
    "booking_paymentnotification",
    "booking_departureplaces",
    "wagtailcore_modellogentry",
    "wagtailcore_pagelogentry",
    "waffle_flag",
)


def database_url(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def table_digests(url: str) -> dict[str, tuple[int, str]]:
    """Per table: its row count and an md5 of every row's full text sorted."""
    digests = {}
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        for table in TABLES:
            count, digest = conn.execute(
                f"select count(*), md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) "
                f"from {table} t"
            ).fetchone()
            digests[table] = (count, digest)
    return digests


def run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BASE_DIR / "scripts" / script), *args],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def restored_database():
    """A new, empty database for the restore, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'create database "{name}"')
    yield database_url(name)
    with connection.cursor() as cursor:
        cursor.execute(f'drop database if exists "{name}" with (force)')


def populate(yookassa) -> dict:
    """The shop after a day of business, every row written by the services that write it
    in production."""
    admin = get_user_model().objects.create_superuser(
        email="drill@example.com", password="x-pass-123456"
    )
    # Two orders paid through the emulator, one of them partly refunded through it.
    refunded = paid_through_yookassa(pier_departure(), count=2)
    other = paid_through_yookassa(pier_departure(), count=3)
    # YooKassa's notification of that payment arrives after the return (a repeat: recorded).
    body = {
        "type": "notification",
        "event": "payment.succeeded",
        "object": yookassa.payment(other.paid_by.provider_id),
    }
    answer = Client().post(NOTIFY, data=json.dumps(body), content_type="application/json")
    assert answer.status_code == 200, answer.content
    first_ticket = refunded.tickets.order_by("pk").first()
    refund = refund_request(
        order=refunded, tickets=[first_ticket], now=DEADLINE - datetime.timedelta(days=2)
    )
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    # A departure boarding now: its passengers checked in by the crew.
    boarding = paid_through_yookassa(far_east_departure(), count=2)
    for ticket in boarding.tickets.all():
        result = ticket_check_in_by_id(
            ticket_id=ticket.pk, departure_id=ticket.departure_id, user=admin
        )
        assert result.ok, result
    # An editor publishes a page; a flag is changed in the admin.
    root = Page.get_first_root_node()
    page = root.add_child(instance=Page(title="Restore drill", slug="restore-drill"))
    page.save_revision(user=admin).publish(user=admin)
    from waffle.models import Flag

    flag, _created = Flag.objects.get_or_create(name="rentals_by_the_hour")
    log(flag, "prichal.flag.change", user=admin, data={"name": flag.name})
    return {"admin": admin}


def test_a_backup_restores_into_a_new_database_row_for_row(yookassa, restored_database, tmp_path):
    populate(yookassa)
    source = database_url(connection.settings_dict["NAME"])
    media = tmp_path / "media"
    (media / "original_images").mkdir(parents=True)
    (media / "original_images" / "pier.jpg").write_bytes(b"\xff\xd8 a photo of the pier")
    before = table_digests(source)
    assert Order.objects.filter(status=Order.Status.PAID).count() >= 2
    assert all(count > 0 for count, _digest in before.values()), before

    backup = run(
        "backup.sh",
        env={
            "DATABASE_URL": source,
            "BACKUP_DIR": str(tmp_path / "backups"),
            "MEDIA_ROOT": str(media),
        },
    )
    assert backup.returncode == 0, backup.stderr
    directory = Path(backup.stdout.strip().splitlines()[-1])
    assert {p.name for p in directory.iterdir()} == {"database.dump", "media.tar.gz", "SHA256SUMS"}

    restored_media = tmp_path / "restored-media"
    restore = run(
        "restore.sh", "--media", str(restored_media), str(directory), restored_database, env={}
    )
    assert restore.returncode == 0, restore.stderr

    assert table_digests(restored_database) == before
    assert (restored_media / "original_images" / "pier.jpg").read_bytes() == (
        b"\xff\xd8 a photo of the pier"
    )
    # The restored schema is the code's: no migration is missing or unapplied.
    check = subprocess.run(
        [str(BASE_DIR / ".venv" / "bin" / "python"), "manage.py", "migrate", "--check"],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": restored_database,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert check.returncode == 0, check.stdout + check.stderr

    # A restore never writes over a database that has tables …
    again = run("restore.sh", str(directory), restored_database, env={})
    assert again.returncode != 0
    assert "not empty" in again.stderr
    # … nor restores a backup that changed after it was written.
    with (directory / "database.dump").open("ab") as dump:
        dump.write(b"tampered")
    tampered = run("restore.sh", str(directory), source, env={})
    assert tampered.returncode != 0
    assert "FAILED" in tampered.stdout + tampered.stderr
