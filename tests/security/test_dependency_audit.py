"""scripts/dependency-audit.sh reads pip-audit's JSON report, not its summary line, and says
"no known vulnerabilities" only when every package of the lock was really looked up.

The advisory service (PyPI's JSON API or OSV) is outside this machine and may be
unreachable here, so pip-audit itself is replaced by a stub executable on PATH that
answers as pip-audit does in each case (a test double of the outside service); the
wrapper, `uv export` of the real lock file and the verdicts are the real ones."""

import json
import os
import stat
import subprocess
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "dependency-audit.sh"

STUB = textwrap.dedent(
    """\
    #!/usr/bin/env python3
    # pip-audit's command line as the wrapper calls it: -r FILE ... -f json -o REPORT
    import json, os, shutil, sys
    args = sys.argv[1:]
    shutil.copy(args[args.index("-r") + 1], os.environ["STUB_SEEN_REQUIREMENTS"])
    mode = os.environ["STUB_MODE"]
    if mode == "unreachable":
        sys.stderr.write(
            "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='pypi.org', "
            "port=443): Max retries exceeded\\n"
        )
        sys.exit(1)
    if mode == "crash":
        sys.stderr.write("ValueError: invalid requirement\\n")
        sys.exit(1)
    report = json.loads(os.environ["STUB_REPORT"])
    with open(args[args.index("-o") + 1], "w") as out:
        json.dump(report, out)
    # pip-audit's own summary, which the wrapper must not trust.
    print("No known vulnerabilities found", file=sys.stderr)
    sys.exit(1 if any(d.get("vulns") for d in report["dependencies"]) else 0)
    """
)


def dep(name, version="1.0", vulns=None, skipped=False):
    if skipped:
        return {"name": name, "skip_reason": f"Dependency not found on PyPI: {name} ({version})"}
    return {"name": name, "version": version, "vulns": vulns or []}


@pytest.fixture
def run_audit(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stub = bin_dir / "pip-audit"
    stub.write_text(STUB)
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    seen = tmp_path / "seen-requirements.txt"

    def run(mode, dependencies=()):
        env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "STUB_MODE": mode,
            "STUB_REPORT": json.dumps({"dependencies": list(dependencies), "fixes": []}),
            "STUB_SEEN_REQUIREMENTS": str(seen),
        }
        result = subprocess.run(
            [str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        return result, seen.read_text() if seen.exists() else ""

    return run


def test_an_unreachable_service_is_not_checked_and_does_not_fail_the_build(run_audit):
    result, requirements = run_audit("unreachable")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "dependency audit: NOT CHECKED (advisory service unreachable)" in result.stdout
    assert "no known vulnerabilities" not in result.stdout.lower()
    # The real lock file was exported, all groups, pinned.
    assert "django==5.2" in requirements.lower()
    assert "bandit==" in requirements


def test_a_service_that_knows_no_package_is_not_checked_either(run_audit):
    """pip-audit says "No known vulnerabilities found" when it skipped every package."""
    result, _ = run_audit("report", [dep("django", skipped=True), dep("wagtail", skipped=True)])
    assert result.returncode == 0
    assert result.stdout.startswith("dependency audit: NOT CHECKED (advisory service unreachable")
    assert "no known vulnerabilities" not in result.stdout.lower()


def test_a_known_vulnerability_fails_the_build(run_audit):
    vuln = {"id": "PYSEC-2099-1", "fix_versions": ["5.2.99"], "aliases": [], "description": ""}
    result, _ = run_audit("report", [dep("django", "5.2.1", [vuln]), dep("wagtail")])
    assert result.returncode == 1
    assert "dependency audit: FAILED (1 vulnerable packages)" in result.stdout
    assert "django 5.2.1: PYSEC-2099-1 (fixed in 5.2.99)" in result.stdout


def test_clean_only_when_every_package_was_looked_up(run_audit):
    result, _ = run_audit("report", [dep("django"), dep("wagtail")])
    assert result.returncode == 0
    assert result.stdout.strip() == (
        "dependency audit: no known vulnerabilities in 2 packages (all checked)"
    )
    partial, _ = run_audit("report", [dep("django"), dep("wagtail", skipped=True)])
    assert partial.returncode == 0
    assert "NOT CHECKED: 1 (wagtail)" in partial.stdout
    assert "(all checked)" not in partial.stdout


def test_a_broken_check_fails_rather_than_passing_silently(run_audit):
    result, _ = run_audit("crash")
    assert result.returncode == 2
    assert "dependency audit: FAILED (pip-audit exited 1 without a report)" in result.stdout
