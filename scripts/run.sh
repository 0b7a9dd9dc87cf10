#!/usr/bin/env bash
# Serves the demo site with its background worker on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.dev}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

$PY manage.py qcluster &
pids+=($!)

cat <<BANNER

  Prichal is running:   http://$HOST:$PORT/ru/   (also /en/ and /zh/)
  Admin:                http://$HOST:$PORT/admin/
  Admin login:          admin@prichal.local / prichal-demo
  Database:             ${DATABASE_URL:-SQLite (db.sqlite3)}

BANNER
$PY manage.py runserver "$HOST:$PORT"
