"""A local S3 server that speaks the protocol (moto's server mode over HTTP, not an
in-process mock), and the settings `config.settings.base` derives from the environment
when object storage is switched on."""

import os
import runpy
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3

BASE_SETTINGS = Path(__file__).resolve().parents[2] / "config" / "settings" / "base.py"
ACCESS_KEY = "prichal-test-key"
SECRET_KEY = "prichal-test-secret"
REGION = "ru-central1"


@dataclass
class S3Server:
    url: str

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
        )

    def env(self, bucket: str, **extra) -> dict[str, str]:
        """What an operator sets to put uploads on this server."""
        return {
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": self.url,
            "AWS_S3_ADDRESSING_STYLE": "path",
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            **extra,
        }


@contextmanager
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3Server(url=f"http://{host}:{port}")
    finally:
        server.stop()


def settings_from_env(env: dict[str, str]) -> dict:
    """What the shared settings module (config/settings/base.py) makes of `env`."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        return runpy.run_path(str(BASE_SETTINGS))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def storage_settings(env: dict[str, str]) -> dict:
    """The storage settings (STORAGES and the AWS_* names) that the settings module makes
    of `env`: evaluated by the real settings code, not copied into the test."""
    values = settings_from_env(env)
    names = [name for name in values if name.startswith("AWS_") or name.startswith("WAGTAILDOCS")]
    return {"STORAGES": values["STORAGES"], **{name: values[name] for name in names}}
