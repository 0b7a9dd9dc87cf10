#!/usr/bin/env bash
# Dependency scanning (README, "Operations: security checks in CI"): every package of the
# lock file (uv.lock, all groups) is looked up by pip-audit in its advisory service.
#
# Three outcomes, and only these words:
#   "dependency audit: FAILED ..."        a known vulnerability: exit 1
#   "dependency audit: NOT CHECKED ..."   the service could not be asked, or answered for
#                                         no package (exit 0: CI machines without internet
#                                         must still build, but nobody may read this as clean)
#   "dependency audit: no known vulnerabilities in N packages ..."  only when every
#                                         package was really looked up
# A partial answer names the packages that were not checked. pip-audit itself prints "No
# known vulnerabilities found" even when it skipped every package (a mirror answering 404
# for each), so its verdict is read from its JSON report, never from its summary line.
#
# PIP_AUDIT_ARGS adds arguments, e.g. PIP_AUDIT_ARGS="-s osv" for OSV instead of PyPI.
set -uo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! uv export --frozen --no-hashes --no-emit-project --all-groups --quiet \
    -o "$work/requirements.txt"; then
  echo "dependency audit: FAILED (uv export of the lock file failed)"
  exit 2
fi

# shellcheck disable=SC2086  # PIP_AUDIT_ARGS is a list of words on purpose
pip-audit -r "$work/requirements.txt" --no-deps --disable-pip --progress-spinner off \
  --timeout "${PIP_AUDIT_TIMEOUT:-10}" -f json -o "$work/report.json" ${PIP_AUDIT_ARGS:-} \
  >"$work/stdout" 2>"$work/stderr"
status=$?

if [ ! -s "$work/report.json" ]; then
  # No report: pip-audit stopped before the end. A network failure is "not checked"; any
  # other failure (a bad requirements file, a crash) is a broken check and fails.
  if grep -qiE 'ConnectionError|ConnectTimeout|ReadTimeout|Max retries|Name or service not known|Temporary failure in name resolution|Failed to establish|ServiceError|Network is unreachable|SSLError|ProxyError' "$work/stderr"; then
    echo "dependency audit: NOT CHECKED (advisory service unreachable)"
    tail -n 3 "$work/stderr" | sed 's/^/  /'
    exit 0
  fi
  echo "dependency audit: FAILED (pip-audit exited $status without a report)"
  tail -n 20 "$work/stderr" | sed 's/^/  /'
  exit 2
fi

python3 - "$work/report.json" <<'PY'
import json
import sys

report = json.load(open(sys.argv[1], encoding="utf-8"))
dependencies = report.get("dependencies", [])
skipped = [d for d in dependencies if d.get("skip_reason")]
checked = [d for d in dependencies if not d.get("skip_reason")]
vulnerable = [d for d in checked if d.get("vulns")]

if vulnerable:
    print(f"dependency audit: FAILED ({len(vulnerable)} vulnerable packages)")
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version"
            print(f"  {dep['name']} {dep.get('version', '?')}: {vuln.get('id')} (fixed in {fixes})")
    sys.exit(1)
if not checked:
    print(
        "dependency audit: NOT CHECKED (advisory service unreachable: "
        f"none of {len(dependencies)} packages could be looked up)"
    )
    if skipped:
        print(f"  e.g. {skipped[0]['skip_reason']}")
    sys.exit(0)
if skipped:
    names = ", ".join(d["name"] for d in skipped)
    print(
        f"dependency audit: no known vulnerabilities in {len(checked)} packages checked; "
        f"NOT CHECKED: {len(skipped)} ({names})"
    )
    sys.exit(0)
print(f"dependency audit: no known vulnerabilities in {len(checked)} packages (all checked)")
PY
