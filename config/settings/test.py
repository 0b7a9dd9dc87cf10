"""The test suite: always PostgreSQL (DATABASE_URL, default the local server)."""

import os

import dj_database_url

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key-not-secret-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["*"]
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/prichal"),
        conn_max_age=0,
    )
}
# The development servers (YooKassa emulator, fake SMS.ru) and their management command.
INSTALLED_APPS = [*INSTALLED_APPS, "devservers"]  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
SUPPORT_PRIVATE_ROOT = BASE_DIR / "var" / "test-private"  # noqa: F405
# Tasks run synchronously inside the test process.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Tests build and change page trees all the time; rendered chrome is never reused.
CACHES = {**CACHES, "fragments": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}  # noqa: F405
# Never reach a real SMS provider from tests.
SMS_BACKEND = "booking.gateways.sms.LocmemBackend"
# Hundreds of admin tests sign in with force_login; the staff two-factor tests turn the
# requirement on with override_settings.
STAFF_TWO_FACTOR_REQUIRED = False

# The whole-page cache is tested where it is meant (tests/content/test_page_cache.py,
# which turns it on); elsewhere each test sees pages rendered for it.
PAGE_CACHE_ENABLED = False
