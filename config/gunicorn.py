"""gunicorn's settings for the Docker image, docker-compose and the benchmarks:
`gunicorn -c config/gunicorn.py config.wsgi:application` (command-line options win).

The access log goes to stdout with secret URL segments (order links, hold tokens) masked,
in the request line, the path and the referrer alike; gunicorn's error log too
(config/logs.py)."""

import os

from gunicorn.glogging import Logger

from config.logs import RedactSecretsFilter, redact

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
accesslog = "-"
# The TLS-terminating proxy in front sets X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        # "Error handling request GET <path>" and the like.
        self.error_log.addFilter(RedactSecretsFilter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }


logger_class = RedactingLogger


# --- Prometheus in multiprocess mode (config/observe/metrics.py) -----------------------
# Every worker writes its metrics to files in PROMETHEUS_MULTIPROC_DIR and /metrics adds
# them up, whichever worker answers the scrape. Unset, the master makes a fresh temporary
# directory (the workers, forked after this, inherit the variable); set, the directory is
# emptied (values of a previous run would be added in). A dead worker's files are marked.
def on_starting(server):
    import shutil
    import tempfile
    from pathlib import Path

    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="prichal-prometheus-")
        return
    shutil.rmtree(directory, ignore_errors=True)
    Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
