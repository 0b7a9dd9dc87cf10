"""Chromium through Playwright against Django's live server, on the seeded demo site.

Every browser context of the e2e tests is watched for Content-Security-Policy and
Permissions-Policy violations (`watch_policies`), so every e2e test also proves that the
site's policies let its pages work."""

import os
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


# Reports each `securitypolicyviolation` event of every document of a context (the console
# says the same, but not for every kind of violation, and it says other things too).
VIOLATION_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__policyViolation(
    `${event.effectiveDirective}: ${event.blockedURI || "inline"} in ${event.documentURI}`
    + ` (${event.sourceFile || "?"}:${event.lineNumber})`
  );
});
"""
POLICY_MESSAGES = (
    "Content Security Policy",
    "Content-Security-Policy",
    "Permissions-Policy",
    "Permissions policy",
    "permissions policy",
)


def watch_policies(context) -> list[str]:
    """Collects every policy violation and every console message about a policy (an
    unrecognised Permissions-Policy feature, say) of the context's pages into the
    returned list, which a test then expects to stay empty."""
    violations = []
    context.expose_function("__policyViolation", lambda text: violations.append(text))
    context.add_init_script(VIOLATION_LISTENER)

    def console(message):
        if any(words in message.text for words in POLICY_MESSAGES):
            violations.append(f"console {message.type}: {message.text}")

    context.on("console", console)
    return violations


# A Russian-speaking visitor's phone (width and height are the test's).
PHONE = {
    "locale": "ru-RU",
    "timezone_id": "Europe/Moscow",
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "reduced_motion": "reduce",
}
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS", "")


def watched_tab(context):
    """A tab of `context` whose page errors and policy violations fail the test, for a
    fixture to `yield from`; the context is closed afterwards."""
    context.set_default_timeout(15_000)
    violations = watch_policies(context)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []
    assert violations == []


def snap(page, name: str) -> None:
    """A full-page screenshot into $E2E_SCREENSHOTS, when set (to look at the pages)."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


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
    """A browser tab of a Russian-speaking visitor; page errors and policy violations
    fail the test.

    The demo is seeded before Playwright starts: once its sync API runs, ORM calls from
    the test thread use another database connection, which then outlives the test and
    blocks the flush and the test database's removal."""
    yield from watched_tab(
        chromium.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    )
