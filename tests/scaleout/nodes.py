"""Two web nodes (gunicorn, production settings) behind HAProxy, and two django-q2
clusters, sharing the test's PostgreSQL database and one Redis database."""

import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
# A Redis database of its own (the bench uses 14, the production-safety tests 5).
REDIS_URL = os.environ.get("SCALEOUT_REDIS_URL", "redis://127.0.0.1:6379/12")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def node_env(database: dict, **extra) -> dict[str, str]:
    """Production settings from the environment, as a node is run (bench/_server.py)."""
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "tests.scaleout.node_settings",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": (
            f"postgres://{database['USER']}{password}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "REDIS_URL": REDIS_URL,
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "ERROR",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "SMS_BACKEND": "booking.gateways.sms.LocmemBackend",
        "STAFF_TWO_FACTOR_REQUIRED": "0",
        # Every simulated customer comes from 127.0.0.1.
        "BOOKING_HOLD_RATE": "100000/m",
        "BOOKING_MAX_LIVE_HOLDS_PER_ADDRESS": "1000000",
        "BOOKING_MAX_HELD_PLACES_PER_ADDRESS": "1000000",
        "Q_WORKERS": "1",
    }
    env.update(extra)
    return env


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer") from None
            time.sleep(0.2)


@dataclass
class Cluster:
    proxy: str
    nodes: dict[str, str]
    env: dict[str, str]
    logs: Path
    processes: list = field(default_factory=list)

    def manage(self, *args: str, **extra_env) -> str:
        result = subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **extra_env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout


HAPROXY_CONFIG = """
global
    maxconn 512
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend site
    bind 127.0.0.1:{port}
    default_backend nodes
backend nodes
    balance roundrobin
    option forwardfor
{servers}
"""


@contextmanager
def two_nodes(database: dict, logs: Path):
    """HAProxy on a free port in front of nodes "a" and "b", and a django-q2 cluster next
    to each; yields a `Cluster` once everything answers, stops it all afterwards."""
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(haproxy).exists():
        raise RuntimeError("HAProxy is missing: `make system-test` installs it")
    ports = {name: free_port() for name in ("a", "b")}
    proxy_port = free_port()
    env = node_env(database)
    logs.mkdir(parents=True, exist_ok=True)
    cluster = Cluster(
        proxy=f"http://127.0.0.1:{proxy_port}",
        nodes={name: f"http://127.0.0.1:{port}" for name, port in ports.items()},
        env=env,
        logs=logs,
    )
    with ExitStack() as stack:

        def start(name: str, command: list[str], **extra) -> None:
            out = stack.enter_context((logs / f"{name}.log").open("w"))
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**env, **extra},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            cluster.processes.append(process)
            stack.callback(stop, process)

        for name, port in ports.items():
            start(
                f"web-{name}",
                [
                    str(VENV_BIN / "gunicorn"),
                    "-c",
                    "config/gunicorn.py",
                    "config.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--access-logfile",
                    "/dev/null",
                ],
                NODE_NAME=name,
            )
        # Both clusters start together, so their schedulers wake at about the same moment.
        for name in ("a", "b"):
            start(
                f"qcluster-{name}",
                [str(VENV_BIN / "python"), "manage.py", "qcluster"],
                NODE_NAME=f"worker-{name}",
            )
        config = logs / "haproxy.cfg"
        config.write_text(
            HAPROXY_CONFIG.format(
                port=proxy_port,
                servers="\n".join(
                    f"    server {name} 127.0.0.1:{port}" for name, port in ports.items()
                ),
            )
        )
        start("haproxy", [haproxy, "-f", str(config), "-db"])
        for url in cluster.nodes.values():
            wait_for(f"{url}/robots.txt")
        wait_for(f"{cluster.proxy}/robots.txt")
        wait_for_clusters(2)
        yield cluster


def wait_for_clusters(count: int, seconds: float = 60) -> None:
    """Until `count` django-q2 clusters report their status to Redis: each does so just
    before its guard loop starts (and then every half second), so their schedulers' 30-s
    clocks have started once this returns."""
    import redis

    broker = redis.Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + seconds
    while len(broker.keys("django_q:prichal:cluster:*")) < count:
        if time.monotonic() > deadline:
            raise RuntimeError("the django-q2 clusters did not start")
        time.sleep(0.5)
    # Between a cluster's first report and its guard loop: forking its workers.
    time.sleep(2)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
