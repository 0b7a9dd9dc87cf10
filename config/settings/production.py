"""Production: everything from the environment. Refuses to start (ImproperlyConfigured)
without a secret key, allowed hosts, a shared cache for the rate limits (REDIS_URL), a real
way to send e-mail and SMS unless the console is asked for explicitly, or with payments
going anywhere but YooKassa (never the emulator)."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_list, os
from .guards import refuse_payment_emulator

DEBUG = False
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("change-me"):  # noqa: F405
    # .env.example's placeholder is long enough to pass Django's own check.
    raise ImproperlyConfigured("SECRET_KEY must be set to a long random value in production.")
if not env_list("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is hard to undo (browsers ship the list): only when the operator asks.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # A deliberate choice, not an oversight: `check --deploy` need not nag about it.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- Rate limits need one shared counter (issue 8, item 16) ---------------------------
# The throttles (API, hold form, sign-in) count in the default cache. A per-process cache
# gives every gunicorn worker its own budget, so N workers allow N times the limit.
if not REDIS_URL:  # noqa: F405
    raise ImproperlyConfigured(
        "REDIS_URL must be set in production: the rate limits count in the cache, and a "
        "per-process cache lets each worker allow the whole limit again."
    )

# --- No customer data on stdout by default (issue 8, item 24) --------------------------
# Without a provider the console backends would print customers' e-mails, phones and
# secret order links into the log. The console is used only when asked for by name.
if not EMAIL_HOST and "EMAIL_BACKEND" not in os.environ:  # noqa: F405
    raise ImproperlyConfigured(
        "EMAIL_HOST must be set in production (or EMAIL_BACKEND, e.g. "
        "django.core.mail.backends.console.EmailBackend to print e-mails to the log)."
    )
if not SMSRU_API_ID and "SMS_BACKEND" not in os.environ:  # noqa: F405
    raise ImproperlyConfigured(
        "SMSRU_API_ID must be set in production (or SMS_BACKEND, e.g. "
        "booking.gateways.sms.ConsoleBackend to write SMS to the log)."
    )

# --- Payments go to YooKassa, never to the emulator (issue 16) --------------------------
# The emulator answers every payment as the tests tell it: a production site pointed at it
# would sell tickets nobody paid for.
refuse_payment_emulator(
    api_url=YOOKASSA_API_URL,  # noqa: F405
    shop_id=YOOKASSA_SHOP_ID,  # noqa: F405
    secret_key=YOOKASSA_SECRET_KEY,  # noqa: F405
)
