# The two commands of the README:
#   make run   — set everything up and serve the demo site on http://127.0.0.1:8000
#   make test  — the whole test suite against PostgreSQL
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test setup deps messages lint security security-tests bandit-baseline restore-drill bench-pages bench-holds bench-checkout bench-crm bench-support bench-cancellation clean \
  system-run system-test system-bench

# Debian packages each command needs (scripts/apt-install.sh installs the missing ones as
# root, or names them and stops). Serving: gettext for compilemessages, Pango for
# WeasyPrint, a CJK font so that Chinese tickets are not empty boxes. The Dockerfile's
# runtime stage installs the same libraries and fonts.
RUN_PACKAGES := gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
  fonts-dejavu-core
# Testing, besides: Debian's Chromium for the end-to-end tests, poppler and zbar to read
# tickets back (text, fonts, QR codes), the PostgreSQL client for pg_isready, Dovecot as
# the real IMAP server of the support e-mail intake tests, HAProxy in front of the two web
# nodes of the scale-out test (tests/scaleout), Prometheus for promtool (the alert rules).
TEST_PACKAGES := $(RUN_PACKAGES) chromium poppler-utils zbar-tools postgresql-client \
  dovecot-imapd haproxy prometheus

system-run:
	scripts/apt-install.sh $(RUN_PACKAGES)

system-test:
	scripts/apt-install.sh $(TEST_PACKAGES)

# The page and hold benchmarks load the site with wrk (a compiled load generator).
system-bench:
	scripts/apt-install.sh wrk

deps:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	uv sync --frozen --python $(PYTHON)

messages:
	@command -v msgfmt >/dev/null 2>&1 || scripts/apt-install.sh gettext
	$(PY) manage.py compilemessages --ignore=.venv -v 0

setup: system-run deps messages
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo

run: setup
	scripts/run.sh

# README "Operations: recover": back up a populated database with scripts/backup.sh,
# restore it into a new one with scripts/restore.sh and compare them row by row.
restore-drill: deps messages
	scripts/ensure-postgres.sh
	$(VENV)/bin/pytest -q -p no:cacheprovider tests/config/test_restore_drill.py

lint:
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run -v 1

# Security checks of CI (README, "Operations: security checks in CI"): SAST with bandit over
# the project's packages against the reviewed baseline (new findings fail), and the lock
# file's packages against pip-audit's advisory service ("NOT CHECKED" when it cannot be
# reached, never "no vulnerabilities"). The DAST and header checks are pytest tests
# (tests/security), run by `make test` with the rest; `make security-tests` runs them alone.
BANDIT_PACKAGES := accounts booking common config content crm demo devservers support
BANDIT := $(VENV)/bin/bandit -q -r $(BANDIT_PACKAGES) -x '*/migrations/*'

security:
	$(BANDIT) -b .bandit-baseline.json
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" scripts/dependency-audit.sh

security-tests: deps messages
	scripts/ensure-postgres.sh
	$(VENV)/bin/pytest -q tests/security tests/infra

# After reviewing every finding (README): write the accepted ones as the new baseline.
# Only the findings are kept (bandit matches them by file, test and text, not by line).
bandit-baseline:
	$(BANDIT) -f json -o .bandit-baseline.json || true
	$(PY) -c "import json; p = '.bandit-baseline.json'; d = json.load(open(p)); \
	  json.dump({'results': d['results'], 'errors': []}, open(p, 'w'), indent=2)"

test: system-test deps messages
	scripts/ensure-postgres.sh
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory security
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

bench-holds: system-bench deps messages
	$(PY) bench/holds.py

bench-checkout: deps messages
	$(PY) bench/checkout.py

bench-pages: system-bench deps messages
	$(PY) bench/pages.py

bench-crm: deps messages
	$(PY) bench/crm.py

bench-support: deps messages
	$(PY) bench/support.py

bench-cancellation: deps messages
	$(PY) bench/cancellation.py

clean:
	rm -rf $(VENV) var db.sqlite3
