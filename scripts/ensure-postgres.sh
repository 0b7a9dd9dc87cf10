#!/usr/bin/env bash
# The suite runs against PostgreSQL (DATABASE_URL, default the local server). Start the
# local cluster if it is down and we are allowed to.
set -euo pipefail
url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/prichal}
if pg_isready -q -d "$url" 2>/dev/null; then exit 0; fi
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
for _ in $(seq 1 30); do
  pg_isready -q -d "$url" 2>/dev/null && exit 0
  sleep 1
done
echo "PostgreSQL is not reachable at $url" >&2
exit 1
