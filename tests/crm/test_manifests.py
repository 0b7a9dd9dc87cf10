"""The departure manifest for the staff: the CRM screen, the Russian PDF on the pier's
clock, the CSV/XLSX exports, who may read it, the audit entry of every read, and the
crew's check-in pages (the live manifest, today's and tomorrow's boarding lists)."""

import csv
import datetime
import io
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from guardian.shortcuts import assign_perm
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from crm import roles
from crm.audit import MANIFEST_ACTION
from crm.permissions import VENUE_ASSIGNMENT
from tests.booking.test_manifest_service import manifest_world
from tests.factories import placed_order, signed_in_client, staff_member

pytestmark = pytest.mark.django_db


def manifest_url(departure) -> str:
    return reverse("crm_manifests:manifest", args=[departure.pk])


def file_url(departure, fmt: str) -> str:
    return reverse("crm_manifests:file", args=[departure.pk, fmt])


def english(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def pdf_text(content: bytes, tmp_path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("`pdftotext` is not installed (poppler-utils)", pytrace=False)
    path = tmp_path / "manifest.pdf"
    path.write_bytes(content)
    return subprocess.run(
        [tool, "-enc", "UTF-8", "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def entries(departure):
    return ModelLogEntry.objects.filter(action=MANIFEST_ACTION, object_id=str(departure.pk))


@pytest.fixture
def world():
    return manifest_world()


@pytest.fixture
def other_pier():
    """Pier B's departure, with its own passengers."""
    return manifest_world().departure


@pytest.fixture
def manager():
    return english(staff_member(roles.MANAGER))


@pytest.fixture
def crew_of_a(world):
    crew = staff_member(roles.BOARDING_CREW)
    assign_perm(VENUE_ASSIGNMENT, crew, world.departure.venue)
    return crew


# The screen ------------------------------------------------------------------------------


def test_the_screen_lists_passengers_by_name_with_state_and_totals(world, manager):
    response = signed_in_client(manager).get(manifest_url(world.departure))
    assert response.status_code == 200
    html = response.content.decode()
    # By name; the unpaid order is not on it.
    assert html.index("анна Смирнова") < html.index("Борис Петров") < html.index("Вера Иванова")
    assert "Григорий" not in html
    assert "Boarded at 10:40" in html  # the pier's clock (Vladivostok), not Moscow's 03:40
    assert "<s>Вера Иванова</s>" in html  # refunded: struck out
    assert 'data-state="refunded"' in html
    assert "+7 921 555-01-23" in html
    assert world.boris.code in html
    assert "Adult" in html and "Child" in html
    assert 'data-count="headcount"><dt>Headcount / capacity</dt><dd>4 / 30</dd>' in html
    assert 'data-count="children"><dt>Children</dt><dd>1</dd>' in html
    assert 'data-count="refunded"><dt>Refunded</dt><dd>1</dd>' in html
    assert 'data-count="boarded"><dt>Boarded</dt><dd>1</dd>' in html
    assert file_url(world.departure, "pdf") in html
    assert reverse("crm_inventory:departure", args=[world.departure.pk]) in html


def test_the_screen_takes_as_many_queries_for_many_passengers(manager):
    world = manifest_world(capacity=80)
    client = signed_in_client(manager)
    client.get(manifest_url(world.departure))  # warm the caches (profile, site …)
    with CaptureQueriesContext(connection) as few:
        assert client.get(manifest_url(world.departure)).status_code == 200
    adult = world.departure.product.ticket_types.get(is_child=False)
    for number in range(12):
        placed_order(
            world.departure,
            quantities={adult.pk: 3},
            paid=True,
            name=f"Пассажир {number}",
            email=f"p{number}@example.com",
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(manifest_url(world.departure))
    assert response.content.decode().count("data-ticket=") == 41
    assert len(many) == len(few)
    assert len(few) <= 40


def test_the_occupancy_screen_links_to_the_manifest(world, manager):
    response = signed_in_client(manager).get(
        reverse("crm_inventory:departure", args=[world.departure.pk])
    )
    assert manifest_url(world.departure) in response.content.decode()


# The PDF ---------------------------------------------------------------------------------


def test_the_pdf_is_an_a4_list_in_russian_on_the_pier_clock(world, manager, tmp_path):
    # The manager reads the admin in English; the paper list is in Russian all the same.
    response = signed_in_client(manager).get(file_url(world.departure, "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content, tmp_path)
    assert "Посадочный список" in text
    assert "Белые ночи" in text
    assert "11:00" in text and "Asia/Vladivostok" in text  # the departure, pier time
    assert "Посадка в 10:40" in text  # Anna boarded, pier time
    assert "Борис Петров" in text and "Вера Иванова" in text
    assert "Возвращён" in text
    assert "Взрослый" in text and "Детский" in text
    assert "4 / 30" in text
    assert "Adult" not in text and "Boarded" not in text


def test_a_pdf_with_assigned_seats_shows_them(manager, tmp_path):
    from tests.booking.test_manifest_service import STARTS_AT, pier_product
    from tests.factories import assigned_departure, seats_of

    product, _adult, _child = pier_product()
    departure = assigned_departure(
        product=product,
        venue=product.venue,
        starts_at=STARTS_AT,
        ends_at=STARTS_AT + datetime.timedelta(hours=2),
    )
    placed_order(departure, seats=seats_of(departure)[:1], paid=True, name="Дарья Морская")
    text = pdf_text(signed_in_client(manager).get(file_url(departure, "pdf")).content, tmp_path)
    assert "Дарья Морская" in text
    assert "ряд 1" in text


# The exports -----------------------------------------------------------------------------


def test_the_csv_export(world, manager):
    response = signed_in_client(manager).get(file_url(world.departure, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body(response).decode())))
    assert [row["Name on the order"] for row in rows] == [
        "анна Смирнова",
        "Борис Петров",
        "Борис Петров",
        "Борис Петров",
        "Вера Иванова",
    ]
    assert rows[0]["Phone"] == "+7 921 555-01-23"
    assert rows[0]["State"] == "Boarded at 10:40"
    assert rows[0]["Boarded at (pier time)"] == "10:40"
    assert rows[-1]["State"] == "Refunded"
    assert sorted(row["Child"] for row in rows) == ["", "", "", "", "yes"]
    assert {row["Order code"] for row in rows[1:4]} == {world.boris.code}


def test_the_xlsx_export(world, manager):
    response = signed_in_client(manager).get(file_url(world.departure, "xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(body(response))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Name on the order", "Phone", "Ticket type"]
    assert values[1][0] == "анна Смирнова"
    assert values[1][6] == "Boarded at 10:40"
    assert values[-1][0] == "Вера Иванова" and values[-1][6] == "Refunded"
    assert len(values) == 6


def test_an_unknown_format_or_departure_is_not_found(world, manager):
    client = signed_in_client(manager)
    assert client.get(file_url(world.departure, "docx")).status_code == 404
    assert client.get(reverse("crm_manifests:manifest", args=[999999])).status_code == 404
    huge = reverse("crm_manifests:file", args=[10**30, "pdf"])
    assert client.get(huge).status_code == 404
    assert not entries(world.departure).exists()


# The audit trail -------------------------------------------------------------------------


def test_every_view_and_export_is_audited_with_its_format(world, manager):
    client = signed_in_client(manager)
    for url in (
        manifest_url(world.departure),
        file_url(world.departure, "pdf"),
        file_url(world.departure, "csv"),
        file_url(world.departure, "xlsx"),
    ):
        body(client.get(url))
    found = list(entries(world.departure).order_by("pk"))
    assert [entry.data["format"] for entry in found] == ["screen", "pdf", "csv", "xlsx"]
    for entry in found:
        assert entry.user_id == manager.pk
        assert entry.data["rows"] == 5
        assert entry.data["client_address"] == "127.0.0.1"


def test_a_refusal_is_not_audited_as_a_read(world):
    client = signed_in_client(staff_member(roles.ACCOUNTANT))
    assert client.get(manifest_url(world.departure)).status_code == 403
    assert not entries(world.departure).exists()


# Who may read it ---------------------------------------------------------------------------


def test_crew_read_their_pier_manifest_and_not_another(world, other_pier, crew_of_a):
    client = signed_in_client(crew_of_a)
    assert client.get(manifest_url(world.departure)).status_code == 200
    assert client.get(file_url(world.departure, "pdf")).status_code == 200
    assert client.get(manifest_url(other_pier)).status_code == 403
    assert client.get(file_url(other_pier, "csv")).status_code == 403
    assert not entries(other_pier).exists()


def test_crew_without_an_assignment_read_none(world):
    client = signed_in_client(staff_member(roles.BOARDING_CREW))
    assert client.get(manifest_url(world.departure)).status_code == 403


def test_crew_assigned_to_the_vessel_read_it(world):
    crew = staff_member(roles.BOARDING_CREW)
    assign_perm("booking.assigned_to_vessel", crew, world.departure.vessel)
    assert signed_in_client(crew).get(manifest_url(world.departure)).status_code == 200


def test_an_agent_limited_to_a_pier(world, other_pier):
    agent = staff_member(roles.AGENT)
    assign_perm(VENUE_ASSIGNMENT, agent, other_pier.venue)
    client = signed_in_client(agent)
    assert client.get(manifest_url(other_pier)).status_code == 200
    assert client.get(manifest_url(world.departure)).status_code == 403
    assert client.get(file_url(world.departure, "xlsx")).status_code == 403


@pytest.mark.parametrize("role", [roles.ACCOUNTANT, roles.MARKETER])
def test_accountants_and_marketers_are_refused(world, role):
    client = signed_in_client(staff_member(role))
    for url in (manifest_url(world.departure), file_url(world.departure, "pdf")):
        assert client.get(url).status_code == 403


def test_anonymous_visitors_go_to_the_sign_in(world):
    from django.test import Client

    response = Client().get(manifest_url(world.departure))
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response.url


# The crew's check-in pages ------------------------------------------------------------------


def test_the_scanner_page_shows_the_live_manifest(world, crew_of_a):
    with translation.override("en"):
        url = reverse("checkin:scanner", args=[world.departure.pk])
        response = signed_in_client(crew_of_a).get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Boarded 1, expected 3 · 4 of 30 places · children 1" in html
    assert "Boarded at 10:40" in html
    assert "<s>Вера Иванова</s>" in html
    anna = world.anna.tickets.get()
    assert f'data-manifest-ticket="{anna.pk}" data-state="boarded"' in html
    assert manifest_url(world.departure) in html
    assert file_url(world.departure, "pdf") in html
    entry = entries(world.departure).get()
    assert entry.data["format"] == "checkin"
    assert entry.data["client_address"] == "127.0.0.1"


def test_the_check_in_landing_lists_today_and_tomorrow_boarding_lists(crew_of_a, world):
    venue = world.departure.venue
    tomorrow_at = timezone.now() + datetime.timedelta(days=1)
    tomorrow = manifest_world(starts_at=tomorrow_at, venue=venue).departure
    elsewhere = manifest_world(starts_at=tomorrow_at).departure  # another pier
    later = manifest_world(
        starts_at=timezone.now() + datetime.timedelta(days=4), venue=venue
    ).departure
    with translation.override("en"):
        response = signed_in_client(crew_of_a).get(reverse("checkin:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Boarding lists" in html
    assert manifest_url(tomorrow) in html
    assert file_url(tomorrow, "pdf") in html
    assert "1 of 4 boarded" in html
    assert manifest_url(elsewhere) not in html
    assert manifest_url(later) not in html
