"""Chromium through Playwright against Django's live server, on the seeded demo site."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import sync_playwright

# The little site of the booking tests (an assigned-seating and a general-admission
# excursion) and its customers' browser tabs serve the purchase tests too.
from tests.e2e.test_booking import customers, site  # noqa: F401

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def demo_site(live_server):
    """The demo content, committed so that the live server's thread can read it.
    `serialized_rollback` on the tests puts back what the migrations created (the root
    page, the default locale) for any transactional test that follows."""
    call_command("seed_demo", verbosity=0)
    return live_server.url


@pytest.fixture
def chromium():
    if not Path(CHROMIUM).exists():
        # Never skipped: a machine without a browser must not pass the browser tests.
        pytest.fail(
            f"{CHROMIUM} is missing (Debian package chromium; `make test` installs it)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def tab(demo_site, chromium):
    """A browser tab of a Russian-speaking visitor; page errors fail the test.

    The demo is seeded before Playwright starts: once its sync API runs, ORM calls from
    the test thread use another database connection, which then outlives the test and
    blocks the flush and the test database's removal."""
    context = chromium.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []
