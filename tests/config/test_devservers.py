"""The development servers (YooKassa emulator, fake SMS.ru) are never part of production:
the production settings do not install the `devservers` app, and starting Django with
them imports none of its modules (checked in a fresh interpreter)."""

import subprocess
import sys

from tests.config.test_deploy_check import BASE_DIR, production_env


def run_python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def results(result: subprocess.CompletedProcess) -> list[str]:
    """What the snippet printed after "RESULT " (the log goes to stdout too)."""
    return [line[7:] for line in result.stdout.splitlines() if line.startswith("RESULT ")]


def test_production_settings_do_not_install_the_devservers():
    code = (
        "import config.settings.production as s;"
        "print('RESULT', [a for a in s.INSTALLED_APPS if a.split('.')[0] == 'devservers'])"
    )
    result = run_python(code, production_env())

    assert result.returncode == 0, result.stderr
    assert results(result) == ["[]"]


def test_starting_django_in_production_imports_no_devserver_module():
    # Loading the URLconf and the API too: every app module a request can reach.
    code = (
        "import sys, django; django.setup();"
        "import config.urls, config.api;"
        "from django.core.management import get_commands;"
        "print('RESULT', 'yookassa_emulator' in get_commands());"
        "print('RESULT', sorted(m for m in sys.modules if m.split('.')[0] == 'devservers'))"
    )
    result = run_python(code, production_env())

    assert result.returncode == 0, result.stderr
    assert results(result) == ["False", "[]"]


def test_development_settings_install_them():
    code = (
        "import sys, django; django.setup();"
        "from django.core.management import get_commands;"
        "print('RESULT', get_commands().get('yookassa_emulator'))"
    )
    result = run_python(code, production_env(DJANGO_SETTINGS_MODULE="config.settings.dev"))

    assert result.returncode == 0, result.stderr
    assert results(result) == ["devservers"]
