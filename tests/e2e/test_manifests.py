"""Manifests and boarding lists in Chromium against the live server, staff signing in
through the Wagtail admin's own form:

- a manager opens a departure's manifest screen, sees its passengers by name (a refunded
  one struck out) and downloads the paper boarding list: a PDF with the names in it;
- a boarding-crew member assigned to the pier, on a phone, opens the check-in page, finds
  tomorrow's departure under "Boarding lists" and gets its manifest and printable PDF
  (and not the list of another pier's departure)."""

import datetime
import re
import shutil
import subprocess
from urllib.parse import urljoin

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.e2e.test_agent_console import (
    snap,
    staff_member,
    staff_tabs,
    submit_sign_in,
)
from tests.e2e.test_booking import db

__all__ = ["staff_tabs"]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
MANAGER_EMAIL = "manager@example.com"
CREW_EMAIL = "crew@example.com"


def pdf_text(content: bytes, tmp_path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("`pdftotext` is not installed (poppler-utils)", pytrace=False)
    path = tmp_path / "list.pdf"
    path.write_bytes(content)
    return subprocess.run(
        [tool, "-enc", "UTF-8", "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def download(tab, link) -> bytes:
    """The file behind `link`, fetched with the tab's session (a PDF opened in headless
    Chromium would be a download, not a page)."""
    href = link.get_attribute("href")
    response = tab.context.request.get(urljoin(tab.url, href))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF-")
    return body


def test_a_manager_reads_the_manifest_and_downloads_the_pdf(live_server, staff_tabs, tmp_path):
    from crm.roles import MANAGER
    from tests.booking.test_manifest_service import manifest_world

    def world():
        staff_member(MANAGER_EMAIL, MANAGER, "Мария", "Капитанова")
        return manifest_world().departure.pk

    departure_id = db(world)
    screen = live_server.url + reverse("crm_manifests:manifest", args=[departure_id])
    tab = staff_tabs(viewport={"width": 1280, "height": 900})
    tab.goto(screen)
    expect(tab).to_have_url(re.compile(r"/admin/login/"))
    submit_sign_in(tab, MANAGER_EMAIL)
    expect(tab).to_have_url(screen)

    rows = tab.locator("[data-ticket]")
    expect(rows).to_have_count(5)
    expect(tab.locator("body")).to_contain_text("Борис Петров")
    expect(tab.locator("body")).to_contain_text("анна Смирнова")
    expect(tab.locator("s", has_text="Вера Иванова")).to_be_visible()  # refunded
    expect(tab.locator("body")).not_to_contain_text("Григорий")  # unpaid: not a passenger
    snap(tab, "manifest-1-screen")

    pdf_link = tab.locator(
        f'a[href="{reverse("crm_manifests:file", args=[departure_id, "pdf"])}"]'
    ).first
    expect(pdf_link).to_be_visible()
    text = pdf_text(download(tab, pdf_link), tmp_path)
    assert "Посадочный список" in text
    assert "Белые ночи" in text
    assert "Борис Петров" in text and "анна Смирнова" in text and "Вера Иванова" in text
    assert "Григорий" not in text


def test_the_crew_prints_tomorrows_boarding_list_on_a_phone(live_server, staff_tabs, tmp_path):
    from guardian.shortcuts import assign_perm

    from crm.permissions import VENUE_ASSIGNMENT
    from crm.roles import BOARDING_CREW
    from tests.booking.test_manifest_service import manifest_world

    def world():
        crew = staff_member(CREW_EMAIL, BOARDING_CREW, "Иван", "Матросов")
        ours = factories.VenueFactory(name="Дворцовая пристань", timezone="Europe/Moscow")
        theirs = factories.VenueFactory(name="Чужой причал", timezone="Europe/Moscow")
        assign_perm(VENUE_ASSIGNMENT, crew, ours)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        at_noon = factories.moscow_datetime(tomorrow, 12)
        mine = manifest_world(starts_at=at_noon, venue=ours).departure
        other = manifest_world(starts_at=at_noon, venue=theirs).departure
        return mine.pk, other.pk

    mine, other = db(world)
    phone = staff_tabs(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    index = live_server.url + reverse("checkin:index")
    phone.goto(index)
    expect(phone).to_have_url(re.compile(r"/admin/login/"))
    submit_sign_in(phone, CREW_EMAIL)
    expect(phone).to_have_url(index)

    lists = phone.locator("#boarding-lists ~ section")
    tomorrow = lists.filter(has=phone.locator("h2", has_text="Завтра"))
    expect(tomorrow).to_contain_text("Белые ночи")
    expect(tomorrow).to_contain_text("Дворцовая пристань")
    expect(phone.locator("body")).not_to_contain_text("Чужой причал")
    snap(phone, "manifest-2-crew-lists")

    pdf_url = reverse("crm_manifests:file", args=[mine, "pdf"])
    pdf_link = tomorrow.locator(f'a[href="{pdf_url}"]')
    expect(pdf_link).to_be_visible()
    text = pdf_text(download(phone, pdf_link), tmp_path)
    assert "Посадочный список" in text
    assert "Дворцовая пристань" in text
    assert "12:00" in text
    assert "Борис Петров" in text and "анна Смирнова" in text

    # The list on the screen, from the same place; another pier's stays closed.
    tomorrow.locator(f'a[href="{reverse("crm_manifests:manifest", args=[mine])}"]').click()
    expect(phone.locator("[data-ticket]")).to_have_count(5)
    expect(phone.locator("body")).to_contain_text("Борис Петров")
    snap(phone, "manifest-3-crew-manifest")
    response = phone.goto(live_server.url + reverse("crm_manifests:manifest", args=[other]))
    assert response.status == 403
