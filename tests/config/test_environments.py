"""The four environments (README, "Operations: change safely"): staging is production
with sandboxes — a YooKassa TEST shop on YooKassa's own API, SMS.ru in test mode — and
neither staging nor production starts with payments pointed at the shipped emulator."""

import subprocess
import sys

import pytest

from tests.config.test_deploy_check import BASE_DIR, production_env

EMULATOR = {
    "YOOKASSA_SHOP_ID": "emulator",
    "YOOKASSA_SECRET_KEY": "test_emulator_key",
    "YOOKASSA_API_URL": "http://127.0.0.1:8001/v3",
}
TEST_SHOP = {"YOOKASSA_SHOP_ID": "123456", "YOOKASSA_SECRET_KEY": "test_sandbox-key"}


def load(module: str, **env) -> subprocess.CompletedProcess:
    code = (
        f"import config.settings.{module} as s;"
        "print(s.YOOKASSA_API_URL, s.SMSRU_TEST, repr(s.YANDEX_METRICA_COUNTER_ID))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=production_env(DJANGO_SETTINGS_MODULE=f"config.settings.{module}", **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("module", ["production", "staging"])
@pytest.mark.parametrize(
    "payments",
    [
        EMULATOR,
        {**TEST_SHOP, "YOOKASSA_API_URL": "http://127.0.0.1:8001/v3"},
        {**TEST_SHOP, "YOOKASSA_API_URL": "https://api.yookassa.ru/emulator/v3"},
        {**TEST_SHOP, "YOOKASSA_API_URL": "http://api.yookassa.ru/v3"},
        {"YOOKASSA_SHOP_ID": "emulator", "YOOKASSA_SECRET_KEY": "test_x"},
    ],
    ids=["emulator", "loopback", "emulator-path", "plain-http", "emulator-shop"],
)
def test_staging_and_production_refuse_the_payment_emulator(module, payments):
    result = load(module, **payments)

    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert "emulator is for development and tests only" in result.stderr


def test_staging_runs_on_a_yookassa_test_shop_with_sms_in_test_mode():
    result = load("staging", **TEST_SHOP, YANDEX_METRICA_COUNTER_ID="12345")

    assert result.returncode == 0, result.stderr
    # The live site's Metrica counter is not counted by testers.
    assert result.stdout.split() == ["https://api.yookassa.ru/v3", "True", "''"]


def test_staging_refuses_the_live_shop():
    result = load("staging", YOOKASSA_SHOP_ID="123456", YOOKASSA_SECRET_KEY="live_real-money")

    assert result.returncode != 0
    assert "YooKassa TEST shop" in result.stderr


def test_staging_keeps_productions_checks():
    result = load("staging", **TEST_SHOP, REDIS_URL=None)

    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_production_with_a_live_shop_starts():
    result = load("production", YOOKASSA_SHOP_ID="123456", YOOKASSA_SECRET_KEY="live_key")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["https://api.yookassa.ru/v3", "False"]
