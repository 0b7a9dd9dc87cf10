"""The README's two commands set up a fresh Debian machine by themselves: `make run`
installs what serving needs (gettext, Pango, a CJK font for Chinese tickets), `make test`
installs that and what the tests need (Chromium, poppler, zbar, the PostgreSQL client);
CI only calls `make test`, and the Docker image carries the same runtime packages."""

import re
import shlex
import subprocess
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SERVING = {"gettext", "libpango-1.0-0", "libpangoft2-1.0-0", "fonts-noto-cjk"}
TESTING = SERVING | {"chromium", "poppler-utils", "zbar-tools", "postgresql-client"}


def installed_by(target: str) -> set[str]:
    """The Debian packages that `make <target>` hands to scripts/apt-install.sh (a dry run:
    nothing is executed)."""
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", target],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    packages = set()
    for line in result.stdout.splitlines():
        words = shlex.split(line)
        if "scripts/apt-install.sh" in words:
            packages.update(words[words.index("scripts/apt-install.sh") + 1 :])
    return packages


@pytest.mark.parametrize(("target", "needed"), [("run", SERVING), ("test", TESTING)])
def test_each_readme_command_installs_what_it_needs(target, needed):
    assert needed - installed_by(target) == set()


def test_ci_only_calls_make_test():
    script = (BASE_DIR / ".ci" / "run").read_text("utf-8")
    assert "make test" in script
    for package in TESTING - {"postgresql-client"}:
        assert package not in script, f"{package} is installed by CI, not by `make test`"


def test_the_image_carries_the_runtime_packages_of_make_run():
    dockerfile = (BASE_DIR / "Dockerfile").read_text("utf-8")
    runtime = dockerfile.split("AS runtime", 1)[1]
    build = dockerfile.split("AS runtime", 1)[0]
    installed = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", runtime))
    assert (SERVING - {"gettext"}) - installed == set()
    assert "gettext" in build
