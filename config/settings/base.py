"""Settings shared by every environment. Everything that differs between machines comes
from the environment; integrations switch on only when their variables are set."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "accounts",
    "content",
    "booking",
    "crm",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_q",
    "guardian",
    "django_tasks",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.i18n.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# SQLite is only the zero-setup default of `make run`; production and tests use PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-guardian: anonymous visitors never get object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

# Languages. Russian is the default and the source locale of content; URLs carry the
# language as /ru/, /en/, /zh/ (see config/i18n.py for why Chinese is "zh" in URLs).
LANGUAGE_CODE = "ru"
LANGUAGES = [
    ("ru", "Русский"),
    ("en", "English"),
    ("zh-hans", "简体中文"),
]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Moscow"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# "fragments" keeps rendered site chrome (menu, footer) per language; it is cleared when
# a page is published, moved or deleted. With a per-process cache other workers may show
# the old menu for up to FRAGMENT_CACHE_SECONDS; with Redis every worker sees the change.
FRAGMENT_CACHE_SECONDS = int(os.environ.get("FRAGMENT_CACHE_SECONDS", "300"))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
    },
}
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        },
        "fragments": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "fragments",
        },
    }

# Background work: one worker kind, django-q2's qcluster. The ORM broker needs nothing
# else; Redis is used when REDIS_URL is set.
Q_CLUSTER = {
    "name": "prichal",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 120,
    "retry": 180,
    "max_attempts": 5,
    "catch_up": False,
    "label": "Background tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
# Wagtail's own tasks (django-tasks) run immediately in the request: they are small
# (reference index, renditions) and need no second kind of worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# wagtail-localize's jobs (tree synchronisation) are handed to django-q2.
WAGTAILLOCALIZE_JOBS = {"BACKEND": "config.tasks.DjangoQJobBackend"}

# E-mail: SMTP when EMAIL_HOST is set, otherwise written to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Причал <tickets@prichal.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# YooKassa. Without shop credentials the shipped emulator is used (development only).
YOOKASSA_SHOP_ID = os.environ.get("YOOKASSA_SHOP_ID", "")
YOOKASSA_SECRET_KEY = os.environ.get("YOOKASSA_SECRET_KEY", "")
YOOKASSA_API_URL = os.environ.get("YOOKASSA_API_URL", "https://api.yookassa.ru/v3")

# Wagtail
WAGTAIL_SITE_NAME = "Причал"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"avif": "avif", "bmp": "jpeg", "webp": "webp"}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "txt"]
# Latin slugs: the admin transliterates a Russian title into the slug (content.slugs does
# the same on the server), so page addresses stay readable when shared.
WAGTAIL_ALLOW_UNICODE_SLUGS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": os.environ.get("LOG_FORMAT", "json"),
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"level": "WARNING"},
    },
}

# Booking
BOOKING_HOLD_MINUTES = int(os.environ.get("BOOKING_HOLD_MINUTES", "15"))
BOOKING_MAX_TICKETS_PER_HOLD = int(os.environ.get("BOOKING_MAX_TICKETS_PER_HOLD", "10"))
# Hold creations per client IP (django-ninja throttle syntax).
BOOKING_HOLD_RATE = os.environ.get("BOOKING_HOLD_RATE", "30/m")
# Behind N trusted proxies the client address is the Nth from the right of
# X-Forwarded-For; 0 means REMOTE_ADDR (the header is not trusted at all).
NINJA_NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "0"))

# SMS (booking/sms): SMS.ru when SMSRU_API_ID is set, otherwise messages are only logged.
SMSRU_API_ID = os.environ.get("SMSRU_API_ID", "")
SMSRU_API_URL = os.environ.get("SMSRU_API_URL", "https://sms.ru/sms/send")
# SMS.ru's test mode: messages are accepted but neither delivered nor charged.
SMSRU_TEST = env_bool("SMSRU_TEST", False)
# The sender name approved in the SMS.ru account; empty means the account's default.
SMS_SENDER = os.environ.get("SMS_SENDER", "")
SMS_BACKEND = os.environ.get(
    "SMS_BACKEND",
    "booking.sms.backends.SmsRuBackend" if SMSRU_API_ID else "booking.sms.backends.ConsoleBackend",
)

# Checkout and payments (booking/services/orders.py, payments.py)
# While a payment is pending its hold is kept alive, up to this many minutes after the
# order was placed (YooKassa may take longer than the hold's own lifetime to settle).
BOOKING_PAYMENT_WAIT_MINUTES = int(os.environ.get("BOOKING_PAYMENT_WAIT_MINUTES", "60"))
# Payments still pending after this many minutes are re-fetched by the reconciliation.
BOOKING_RECONCILE_AFTER_MINUTES = int(os.environ.get("BOOKING_RECONCILE_AFTER_MINUTES", "5"))
# 54-FZ: send a receipt with every payment (off only for a shop without a cash register
# connected to YooKassa), and the seller's tax system (1–6; empty: the shop's default).
YOOKASSA_RECEIPTS = env_bool("YOOKASSA_RECEIPTS", True)
YOOKASSA_TAX_SYSTEM_CODE = (
    int(os.environ["YOOKASSA_TAX_SYSTEM_CODE"])
    if os.environ.get("YOOKASSA_TAX_SYSTEM_CODE")
    else None
)
# Defaults of a product's receipt settings (each product can change them in the admin).
BOOKING_DEFAULT_VAT_CODE = int(os.environ.get("BOOKING_DEFAULT_VAT_CODE", "1"))
BOOKING_DEFAULT_PAYMENT_MODE = os.environ.get("BOOKING_DEFAULT_PAYMENT_MODE", "full_prepayment")
# Accept notifications only from YooKassa's published addresses (RESEARCH.md §3.6). The
# client address is read as for throttling (NUM_PROXIES).
YOOKASSA_CHECK_NOTIFICATION_IP = env_bool("YOOKASSA_CHECK_NOTIFICATION_IP", False)
YOOKASSA_NOTIFICATION_NETWORKS = env_list("YOOKASSA_NOTIFICATION_NETWORKS") or [
    "185.71.76.0/27",
    "185.71.77.0/27",
    "77.75.153.0/25",
    "77.75.154.128/25",
    "77.75.156.11/32",
    "77.75.156.35/32",
    "2a02:5180:0:1509::/64",
    "2a02:5180:0:2655::/64",
    "2a02:5180:0:1533::/64",
    "2a02:5180:0:2669::/64",
]
# The public address (scheme://host[:port]): every absolute link (pages, sitemap, e-mails,
# the payment return URL when no request is at hand), whatever host a request names.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The version of the marketing-consent wording on the checkout page; change it with the
# wording, so that every stored consent says which text was agreed to.
BOOKING_MARKETING_CONSENT_VERSION = os.environ.get("BOOKING_MARKETING_CONSENT_VERSION", "2026-11")
