"""Shared by the bench scripts: a fresh PostgreSQL database with demo content and the
site under gunicorn with production settings, on loopback only."""

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
SHARED_BENCH = ROOT.parent / "shared" / "bench"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def bench_env(database: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DATABASE_URL": f"{PG}/{database}",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "ERROR",  # refused holds (409) are the race's point, not news
            "MEDIA_ROOT": str(ROOT / "var" / "bench-media"),
            # Production refuses to start without a shared cache and real senders; the
            # bench sends nothing and keeps its throttle counters in a Redis of its own.
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "SMS_BACKEND": "booking.gateways.sms.LocmemBackend",
            # Every simulated customer comes from 127.0.0.1: the per-address caps on live
            # holds would stop the crowd at 10 holds. The per-session caps stay on.
            "BOOKING_MAX_LIVE_HOLDS_PER_ADDRESS": "1000000",
            "BOOKING_MAX_HELD_PLACES_PER_ADDRESS": "1000000",
        }
    )
    return env


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def fresh_database(env: dict, database: str) -> None:
    """Drops and recreates `database`, migrated."""
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database], check=True
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
    manage(env, "migrate", "--noinput", "-v", "0")


def setup_django(env: dict) -> None:
    """Django in this process, on the bench's settings (to write data directly)."""
    os.environ.update(env)
    import django

    django.setup()


def prepare_database(database: str) -> dict:
    env = bench_env(database)
    fresh_database(env, database)
    # seed_demo refuses production settings (its administrator has a public password).
    manage({**env, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}, "seed_demo")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    return env


@contextmanager
def gunicorn(env: dict, port: int = 8765, workers: int = 2):
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "config/gunicorn.py",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            # A line per request would bury the figures (and cost the workers time).
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/robots.txt", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def http_load(url: str, seconds: int = 20, connections: int = 16) -> dict:
    out = (
        subprocess.run(
            ["bash", str(SHARED_BENCH / "http_load.sh"), url, str(seconds), str(connections)],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return dict(field.split("=", 1) for field in out.split() if "=" in field)


def log(*args):
    print(*args, file=sys.stderr, flush=True)
