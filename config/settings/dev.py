"""Local development: `make run`. Never used in production."""

from .base import *  # noqa: F403
from .base import env_bool, os

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = ["*"]
LOGGING["handlers"]["stdout"]["formatter"] = os.environ.get("LOG_FORMAT", "plain")  # noqa: F405
# runserver starts a thread per request; persistent connections would pile up.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# On the zero-setup SQLite database the one-price-per-scope constraint of price overrides
# (NULLS NOT DISTINCT) is not created; the admin form still validates it, and PostgreSQL
# (production, tests) enforces it.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

# The YooKassa emulator (`manage.py yookassa_emulator`) and the fake SMS.ru: development
# and test servers, never installed in production.
INSTALLED_APPS = [*INSTALLED_APPS, "devservers"]  # noqa: F405

# Without real shop credentials, payments go to the YooKassa emulator that `make run`
# starts next to the site (devservers/yookassa.py). Production never does this.
YOOKASSA_EMULATOR = not os.environ.get("YOOKASSA_SHOP_ID")
if YOOKASSA_EMULATOR:
    YOOKASSA_SHOP_ID = "emulator"
    YOOKASSA_SECRET_KEY = "test_emulator_key"  # nosec B105  # the local emulator's, development only
    YOOKASSA_API_URL = os.environ.get("YOOKASSA_EMULATOR_URL", "http://127.0.0.1:8001/v3")

# The demo's administrator and manager sign in without a second factor, so that a newcomer
# can look around without an authenticator app; they can still enrol from the admin's
# account menu. Production (base) requires it: STAFF_TWO_FACTOR_REQUIRED=true to try.
STAFF_TWO_FACTOR_REQUIRED = env_bool("STAFF_TWO_FACTOR_REQUIRED", False)

# E-mails (with their PDF tickets) are written as files to var/mail/ rather than printed
# over the server's log; SMTP when EMAIL_HOST is set.
if not EMAIL_HOST and "EMAIL_BACKEND" not in os.environ:  # noqa: F405
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))  # noqa: F405
