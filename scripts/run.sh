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

# Without real shop credentials the development settings send payments to the YooKassa
# emulator (config/settings/dev.py); it notifies the site at its notification URL.
PAYMENTS="YooKassa (shop ${YOOKASSA_SHOP_ID:-})"
if [[ -z "${YOOKASSA_SHOP_ID:-}" ]]; then
  EMULATOR_PORT=${YOOKASSA_EMULATOR_PORT:-8001}
  # The site's SDK must talk to the emulator on the port it was started on.
  export YOOKASSA_EMULATOR_URL=${YOOKASSA_EMULATOR_URL:-http://127.0.0.1:$EMULATOR_PORT/v3}
  # Its state lives in var/ so that the demo's paid orders stay refundable after a restart.
  $PY manage.py yookassa_emulator --host 127.0.0.1 --port "$EMULATOR_PORT" \
    --notification-url "http://$HOST:$PORT/api/v1/payments/yookassa/notifications" \
    --state-file var/yookassa-emulator.json &
  pids+=($!)
  # A partner's webhook endpoint: it verifies and prints every event the site sends, and
  # writes them to var/webhooks-received.jsonl. Its signing secret is made once per checkout.
  WEBHOOK_PORT=${WEBHOOK_RECEIVER_PORT:-8002}
  mkdir -p var
  [[ -s var/demo-webhook-secret ]] || $PY -c "import secrets; print(secrets.token_hex(32))" > var/demo-webhook-secret
  export DEMO_WEBHOOK_SECRET=$(cat var/demo-webhook-secret)
  export DEMO_WEBHOOK_URL="http://127.0.0.1:$WEBHOOK_PORT/hooks/prichal"
  $PY manage.py webhook_receiver --port "$WEBHOOK_PORT" --secret "$DEMO_WEBHOOK_SECRET" &
  pids+=($!)
  # The demo customers' orders, paid through the emulator (once; it waits for it to start),
  # and months of past sales for the reports.
  $PY manage.py seed_demo_orders || echo "Demo orders were not created (see above)."
  PAYMENTS="YooKassa emulator on http://127.0.0.1:$EMULATOR_PORT (press Pay or Decline there)"
fi

# The worker starts after the demo orders, so that it does not queue behind their writes.
$PY manage.py qcluster &
pids+=($!)

cat <<BANNER

  Prichal is running:   http://$HOST:$PORT/ru/   (also /en/ and /zh/)
  Admin:                http://$HOST:$PORT/admin/
  Admin login:          admin@prichal.local / prichal-demo
  Staff roles (password prichal-demo, see README "Staff roles"):
    Boarding crew:      crew@prichal.local        (check-in only)
    Manager:            manager@prichal.local
    Agent:              agent@prichal.local
    Marketer:           marketer@prichal.local    (pages, images; no orders)
    Accountant:         accountant@prichal.local  (read-only money records)
  Two-factor sign-in:   optional here (required for administrators and managers in
                        production; STAFF_TWO_FACTOR_REQUIRED=true make run to try it)
  Promo code:           PRICHAL10 (10 % off at checkout)
  Demo customer:        Анна Смирнова, 8 (921) 555-01-23 (type it in the admin's search)
  Database:             ${DATABASE_URL:-SQLite (db.sqlite3)}
  Payments:             $PAYMENTS
  E-mail:               written to var/mail/ (SMTP when EMAIL_HOST is set)
  Boarding check-in:    http://$HOST:$PORT/ru/staff/check-in/
  Webhooks:             every event goes to the demo receiver on port ${WEBHOOK_RECEIVER_PORT:-8002}
                        (signatures checked; logged to var/webhooks-received.jsonl)

BANNER
$PY manage.py runserver "$HOST:$PORT"
