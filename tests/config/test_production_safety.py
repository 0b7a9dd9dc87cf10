"""Production settings that would leak or mislead refuse to start, and what they run
keeps secrets out of the logs and loads nothing from another host (issue 8, items 16, 24).

- The rate limits count in a cache shared by every process (Redis): without REDIS_URL
  production refuses to start; with it, two processes share one budget.
- Without EMAIL_HOST / SMSRU_API_ID production refuses to start (the console backends
  would print customers' contacts and order links), unless the backend is named.
- Order links and hold tokens are masked in gunicorn's access log and Django's logs.
- /api/v1/docs loads Swagger UI from our static files.
- seed_demo refuses production settings; HSTS preload is off unless asked for."""

import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection

from tests.config.test_deploy_check import BASE_DIR, import_settings, manage, production_env

REDIS_DB5 = "redis://127.0.0.1:6379/5"


def settings_value(name: str, **env) -> str:
    result = subprocess.run(
        [sys.executable, "-c", f"import config.settings.production as s; print(s.{name})"],
        cwd=BASE_DIR,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# --- item 16: shared throttle counters ---------------------------------------------


@pytest.mark.parametrize("redis_url", [None, ""])
def test_production_refuses_to_start_without_a_shared_cache(redis_url):
    result = import_settings(production_env(REDIS_URL=redis_url))

    assert result.returncode != 0, "production started with per-process throttle counters"
    assert "ImproperlyConfigured" in result.stderr
    assert "REDIS_URL" in result.stderr


THROTTLE_SCRIPT = """
import sys
import django
django.setup()
from django.test import RequestFactory
from booking.api.public import HoldRateThrottle
request = RequestFactory().post("/api/v1/holds", REMOTE_ADDR=sys.argv[1])
throttle = HoldRateThrottle()
print(sum(bool(throttle.allow_request(request)) for _ in range(int(sys.argv[2]))))
"""


def throttled_process(address: str, attempts: int) -> int:
    result = subprocess.run(
        [sys.executable, "-c", THROTTLE_SCRIPT, address, str(attempts)],
        cwd=BASE_DIR,
        env=production_env(REDIS_URL=REDIS_DB5, BOOKING_HOLD_RATE="5/m"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split()[-1])


def test_two_production_processes_share_one_rate_limit():
    """Two worker processes, one client address: together they allow the limit once."""
    # A fresh address for this run: keys of earlier runs expire after a minute.
    address = f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"

    first = throttled_process(address, 4)
    second = throttled_process(address, 4)

    assert (first, second) == (4, 1)


# --- item 24: e-mail and SMS ------------------------------------------------------


def test_production_refuses_to_start_without_an_smtp_server():
    result = import_settings(production_env(EMAIL_HOST=None))

    assert result.returncode != 0, "production would print e-mails to stdout"
    assert "EMAIL_HOST" in result.stderr


def test_production_refuses_to_start_without_an_sms_provider():
    result = import_settings(production_env(SMSRU_API_ID=None))

    assert result.returncode != 0, "production would print SMS to stdout"
    assert "SMSRU_API_ID" in result.stderr


def test_the_console_is_used_when_asked_for_by_name():
    console_mail = "django.core.mail.backends.console.EmailBackend"
    console_sms = "booking.gateways.sms.ConsoleBackend"
    env = {
        "EMAIL_HOST": None,
        "SMSRU_API_ID": None,
        "EMAIL_BACKEND": console_mail,
        "SMS_BACKEND": console_sms,
    }
    assert settings_value("EMAIL_BACKEND", **env) == console_mail
    assert settings_value("SMS_BACKEND", **env) == console_sms


def test_real_providers_are_used_when_configured():
    assert settings_value("EMAIL_BACKEND") == "django.core.mail.backends.smtp.EmailBackend"
    assert settings_value("SMS_BACKEND") == "booking.gateways.sms.SmsRuBackend"


# --- item 24: HSTS preload --------------------------------------------------------


def test_hsts_preload_is_off_unless_asked_for():
    assert settings_value("SECURE_HSTS_PRELOAD") == "False"
    assert settings_value("SECURE_HSTS_PRELOAD", SECURE_HSTS_PRELOAD="1") == "True"


# --- item 24: seed_demo -------------------------------------------------------------


def test_seed_demo_refuses_production_settings():
    # A database that does not exist: were the refusal missing, nothing could be seeded.
    env = production_env(DATABASE_URL="postgres://postgres@127.0.0.1:5432/prichal_no_such_db")

    result = manage("seed_demo", env=env)

    assert result.returncode != 0
    assert "seed_demo refuses to run" in result.stderr
    assert "createsuperuser" in result.stderr


# --- item 24: the API docs load nothing from another host -----------------------------


class Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"src", "href"} and value:
                self.urls.append(value)


def test_the_api_docs_load_swagger_from_our_static_files(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    parser = Assets()
    parser.feed(html)
    assert any("swagger-ui-bundle" in url for url in parser.urls), parser.urls
    for url in parser.urls:
        assert not re.match(r"^(https?:)?//", url), f"{url} is loaded from another host"
        assert url.startswith(settings.STATIC_URL), url
        assert finders.find(url.removeprefix(settings.STATIC_URL)), f"{url} is not shipped"
    assert "cdn" not in html.lower()


# --- item 24: secrets stay out of the logs ------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_order_secrets_and_hold_tokens_stay_out_of_the_logs(db, tmp_path):
    """gunicorn as the image runs it (config/gunicorn.py), production settings: the access
    log and Django's "Not Found" warnings show the paths with their secrets masked."""
    database = connection.settings_dict
    port = free_port()
    env = production_env(
        DATABASE_URL=(
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1",
    )
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
                "-c",
                "config/gunicorn.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "config.wsgi:application",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/robots.txt", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        secret_paths = [
            "/ru/booking/order/K7M-4QXP/orderSecretZ9x8/",
            "/ru/booking/order/K7M-4QXP/orderSecretZ9x8/tickets.pdf",
            "/en/booking/hold/holdTokenQ1w2e3/",
            "/en/booking/checkout/holdTokenQ1w2e3/",
            "/api/v1/holds/holdTokenQ1w2e3",
        ]
        for path in secret_paths:
            request = urllib.request.Request(
                base + path, headers={"Referer": f"{base}/ru/booking/order/A/refSecretP0o9/"}
            )
            try:
                urllib.request.urlopen(request, timeout=10)
            except urllib.error.HTTPError as error:
                assert error.code >= 400, (path, error.code)
        time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=20)

    output = log.read_text()
    assert "/ru/booking/order/K7M-4QXP/***/tickets.pdf" in output  # the access log
    assert "Not Found" in output  # Django's own warning
    for secret in ("orderSecretZ9x8", "holdTokenQ1w2e3", "refSecretP0o9"):
        assert secret not in output, output
