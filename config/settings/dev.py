"""Local development: `make run`. Never used in production."""

from .base import *  # noqa: F403
from .base import env_bool, os

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = ["*"]
LOGGING["handlers"]["stdout"]["formatter"] = os.environ.get("LOG_FORMAT", "plain")  # noqa: F405
# runserver starts a thread per request; persistent connections would pile up.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
