"""The vessel timeline in Chromium: a manager signs in, reads this week of a vessel (a
departure and a rental with its turnaround buffer), goes to the next week and back with
the links and to a chosen day with the date field; on a phone the days are stacked lists
that fit the screen."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.e2e.test_agent_console import snap, staff_member, staff_tabs, submit_sign_in
from tests.e2e.test_booking import db

__all__ = ["staff_tabs"]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
MANAGER_EMAIL = "manager@example.com"


def test_a_manager_reads_a_vessels_week_on_a_desktop_and_a_phone(live_server, staff_tabs):
    from crm.roles import MANAGER
    from tests.crm.test_vessel_timeline import rental_on

    # Next week's Monday: every departure is still on sale.
    today = timezone.localdate()
    monday = today + datetime.timedelta(days=7 - today.weekday())

    def world():
        staff_member(MANAGER_EMAIL, MANAGER, "Мария", "Капитанова")
        vessel = factories.VesselFactory(name="Нева")
        product, _types = factories.product_with_ticket_types(name="Вечерняя прогулка")
        cruise = factories.general_departure(
            capacity=30,
            product=product,
            vessel=vessel,
            starts_at=factories.moscow_datetime(monday + datetime.timedelta(days=1), 10),
        )
        factories.placed_order(cruise, paid=True)
        factories.general_departure(
            capacity=30,
            product=product,
            vessel=vessel,
            starts_at=factories.moscow_datetime(monday + datetime.timedelta(days=1), 14),
        )
        rental_on(
            vessel,
            factories.moscow_datetime(monday + datetime.timedelta(days=2), 18),
            3,
            name="Ирина Морская",
            email="irina@example.com",
        )
        rental_on(vessel, factories.moscow_datetime(monday + datetime.timedelta(days=5), 22), 3)
        factories.general_departure(
            product=product,
            vessel=vessel,
            starts_at=factories.moscow_datetime(monday + datetime.timedelta(days=9), 12),
        )
        return vessel.pk

    vessel = db(world)
    url = (
        f"{live_server.url}{reverse('crm_vessel_timeline:index')}"
        f"?vessel={vessel}&week={monday:%Y-%m-%d}"
    )
    tab = staff_tabs(viewport={"width": 1280, "height": 900})
    tab.goto(url)
    expect(tab).to_have_url(re.compile(r"/admin/login/"))
    submit_sign_in(tab, MANAGER_EMAIL)
    expect(tab).to_have_url(url)

    tuesday = tab.locator(f'[data-day="{monday + datetime.timedelta(days=1):%Y-%m-%d}"]')
    expect(tuesday.locator('[data-kind="departure"]')).to_have_count(2)
    expect(tuesday).to_contain_text("10:00–11:30")
    expect(tuesday).to_contain_text("продано 2 из 30")
    wednesday = tab.locator(f'[data-day="{monday + datetime.timedelta(days=2):%Y-%m-%d}"]')
    expect(wednesday.locator('[data-kind="rental"]')).to_contain_text("Ирина Морская")
    expect(wednesday).to_contain_text("подготовка до 21:30")
    # The block sits where 18:00 is on the track: three quarters along.
    track = wednesday.locator(".bk-timeline__track").bounding_box()
    block = wednesday.locator('[data-kind="rental"]').bounding_box()
    assert abs((block["x"] - track["x"]) / track["width"] - 0.75) < 0.01
    snap(tab, "timeline-1-desktop")
    # A short block opens to its whole text when pointed at.
    short = tuesday.locator('[data-kind="departure"]').first
    short.hover()
    assert short.bounding_box()["width"] > 150
    snap(tab, "timeline-1b-hover")

    tab.locator('[data-week="next"]').click()
    expect(tab.locator("[data-day]")).to_have_count(7)
    expect(tab.locator('[data-kind="departure"]')).to_have_count(1)
    tab.locator('[data-week="previous"]').click()
    expect(tab.locator('[data-kind="rental"]')).to_have_count(3)  # Saturday's crosses midnight

    tab.locator("#bk-timeline-week").fill(f"{monday + datetime.timedelta(days=10):%Y-%m-%d}")
    tab.get_by_role("button", name="Показать").click()
    expect(tab.locator("[data-week-label]")).to_be_visible()
    expect(tab.locator('[data-kind="departure"]')).to_have_count(1)

    phone = staff_tabs(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    phone.goto(url)
    submit_sign_in(phone, MANAGER_EMAIL)
    expect(phone).to_have_url(url)
    rental = phone.locator('[data-kind="rental"]').first
    expect(rental).to_be_visible()
    expect(rental).to_contain_text("Ирина Морская")
    # Stacked: a block takes the width of the screen, and nothing scrolls sideways.
    assert rental.bounding_box()["width"] > 300
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    snap(phone, "timeline-2-phone")
