"""Production settings: `check --deploy` is clean with the documented environment, and
the settings refuse to start without a real secret key or allowed hosts."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def random_secret_key(length: int = 60) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def production_env(**overrides) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": random_secret_key(),
        "ALLOWED_HOSTS": "prichal.example",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/prichal",
        "DEBUG": "0",
        "REDIS_URL": "redis://127.0.0.1:6379/5",
        "EMAIL_HOST": "smtp.prichal.example",
        "SMSRU_API_ID": "test-api-id",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def import_settings(env) -> subprocess.CompletedProcess:
    """Only import the settings module, as every process that starts (web, worker,
    management command) does first: quicker than a management command."""
    return subprocess.run(
        [sys.executable, "-c", "import config.settings.production"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output


def dotenv_example() -> dict[str, str]:
    values = {}
    for line in (BASE_DIR / ".env.example").read_text("utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def test_check_deploy_is_clean_with_the_documented_environment():
    """.env.example with its placeholders filled in (the secret key, passwords, the
    SMS.ru key)."""
    env = production_env(**dotenv_example())
    env["SECRET_KEY"] = random_secret_key()
    env["SMSRU_API_ID"] = "test-api-id"
    env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/prichal"

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output


def test_debug_cannot_be_switched_on_in_production():
    code = "import config.settings.production as settings; print(settings.DEBUG)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=production_env(DEBUG="1"),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    "secret_key",
    [
        pytest.param(None, id="unset"),
        pytest.param("", id="empty"),
        pytest.param("short-key", id="short"),
    ],
)
def test_production_refuses_to_start_without_a_secret_key(secret_key):
    result = import_settings(production_env(SECRET_KEY=secret_key))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_the_placeholder_secret_key_of_env_example():
    """Copying .env.example to .env and deploying must not give a site whose sessions
    and password-reset links are signed with a key published in the repository."""
    placeholder = dotenv_example()["SECRET_KEY"]

    result = import_settings(production_env(SECRET_KEY=placeholder))

    assert result.returncode != 0, "the published example key was accepted"
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("allowed_hosts", [None, "", " , "])
def test_production_refuses_to_start_without_allowed_hosts(allowed_hosts):
    result = import_settings(production_env(ALLOWED_HOSTS=allowed_hosts))

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_never_talks_to_the_emulator():
    """Without shop credentials production still points at YooKassa itself (payments then
    fail loudly as "not configured"); only the development settings use the emulator."""
    code = (
        "import config.settings.production as s;"
        "print(s.YOOKASSA_API_URL, repr(s.YOOKASSA_SHOP_ID), getattr(s, 'YOOKASSA_EMULATOR', None))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://api.yookassa.ru/v3", "''", "None"]
    emulator = manage("yookassa_emulator", "--port", "0", env=production_env())
    assert emulator.returncode != 0
    assert "Unknown command: 'yookassa_emulator'" in emulator.stderr
