"""Settings shared by every environment. Everything that differs between machines comes
from the environment; integrations switch on only when their variables are set."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

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
    "support",
    "crm",
    # The demo company (`seed_demo`). In production too, only so that the command is there
    # to refuse: it publishes an administrator's password (demo/management/commands).
    "demo",
    # Health probes, /metrics, request ids in logs and tasks (README, "Operations: observe").
    "config.observe",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    # Staff API tokens (Settings → API tokens) for the CRM API (/api/v1/crm/, crm/api).
    "wagtail.api.v3",
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
    # Staff two-factor sign-in (accounts.staff): TOTP authenticator apps.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    # Feature flags (common.flags), edited in the Wagtail admin (content.flags).
    "waffle",
    "axes",
    # Customer accounts (issue 10): sign-in by a one-time code, e-mail verification, VK ID
    # and Yandex ID (buttons only when their keys are set: SOCIALACCOUNT_PROVIDERS below).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.vk",
    "allauth.socialaccount.providers.yandex",
    # django-ninja's templates and static files: /api/v1/docs serves its Swagger UI from
    # our own static files instead of an unpinned CDN (issue 8, item 24).
    "ninja",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Trigram lookups for the back-office search (booking/search.py); harmless on SQLite.
    "django.contrib.postgres",
]

MIDDLEWARE = [
    # The request id first, so that every line logged while answering has it; then the
    # probes and /metrics, answered before sessions, CSRF, the page cache and the host
    # check; then the request metrics, which count everything below them.
    "config.observe.request_id.RequestIdMiddleware",
    "config.observe.middleware.ObserveEndpointsMiddleware",
    "config.observe.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The client address of the request for every audit entry (common.audit).
    "common.audit.ClientAddressMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.i18n.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff only (accounts.staff): sessions end after inactivity; the admin needs the
    # second factor from those who must or chose to give it.
    "accounts.staff.middleware.StaffIdleTimeoutMiddleware",
    "accounts.staff.middleware.StaffTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "config.security.PermissionsPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Remembers a visitor's draw of a percentage flag in a cookie (common.flags).
    "waffle.middleware.WaffleMiddleware",
    # Last, as django-axes asks: turns its lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Finds the page for Wagtail's `serve` in two queries instead of one per path segment.
    "content.routing.PageRouteMiddleware",
]

# Several web nodes behind a load balancer: each names itself in an X-Served-By header.
NODE_NAME = os.environ.get("NODE_NAME", "")
if NODE_NAME:
    MIDDLEWARE.insert(0, "config.nodes.ServedByMiddleware")

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
                "common.analytics.context_processor",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's web server and its worker write to one file: a writer waits for the
    # other (up to 20 s) instead of failing with "database is locked", and a transaction
    # takes the write lock when it starts rather than failing to upgrade a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses sign-in while the account is locked out from that address (see the
    # django-axes block below).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Customers' password sign-in by e-mail on the site (django-allauth); the code and
    # social sign-ins log the user in through it as well.
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Sign-in lockout (django-axes; issue 8, item 17) -----------------------------------
# Every failed sign-in (the Wagtail admin's /admin/login/ included) is recorded
# (AccessAttempt, AccessFailureLog). After AXES_FAILURE_LIMIT failures for one account from
# one address that pair is locked out for AXES_COOLOFF_MINUTES; the pair, not the account
# alone, so that nobody can lock staff out from elsewhere. Administrators unlock earlier in
# Settings → Sign-in lockouts (delete the record) or with `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The sign-in forms' field (and authenticate()'s keyword) is "username", holding the e-mail.
AXES_USERNAME_FORM_FIELD = "username"
# The admin's form says "username", the customers' (allauth) says "login" and passes
# `email=` to authenticate(): one reader, lower-cased, so both count against one account.
AXES_USERNAME_CALLABLE = "accounts.signin.axes_username"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
# The client address by the same rule as the rate limits (NUM_PROXIES).
AXES_CLIENT_IP_CALLABLE = "common.http.client_ip"

# Staff sign-in (accounts.staff). Two-factor sign-in (TOTP) is required of superusers,
# administrators and managers when STAFF_TWO_FACTOR_REQUIRED is on, and open to every
# staff member; wrong codes lock code entry for a while. A staff session unused for
# STAFF_SESSION_IDLE_MINUTES ends. Customers are not concerned.
STAFF_TWO_FACTOR_REQUIRED = env_bool("STAFF_TWO_FACTOR_REQUIRED", True)
STAFF_TWO_FACTOR_MAX_FAILURES = int(os.environ.get("STAFF_TWO_FACTOR_MAX_FAILURES", "5"))
STAFF_TWO_FACTOR_LOCK_MINUTES = int(os.environ.get("STAFF_TWO_FACTOR_LOCK_MINUTES", "15"))
STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", "30"))
OTP_TOTP_ISSUER = "Причал"
# django-otp's own growing delay after a wrong code is off: accounts.staff counts them.
OTP_TOTP_THROTTLE_FACTOR = 0

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
# The site's own date/number formats per language (genitive months, zh grouping): see
# common/formats/__init__.py.
FORMAT_MODULE_PATH = ["common.formats"]
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
# --- Uploaded files on S3-compatible object storage (issue 14) -------------------------
# With several web nodes an upload saved on one node's disk is missing on the others, so
# when AWS_STORAGE_BUCKET_NAME is set every upload (Wagtail images, their renditions,
# documents) goes to the bucket through django-storages: Yandex Object Storage by default
# (a Russian region), any S3-compatible service by AWS_S3_ENDPOINT_URL. Static files stay
# in the image (WhiteNoise): every node has the same ones. Keys come from
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (a service account's static key).
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL", "https://storage.yandexcloud.net")
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME", "ru-central1")
    # "path" for servers without wildcard DNS (MinIO, moto); Yandex serves both styles.
    AWS_S3_ADDRESSING_STYLE = os.environ.get("AWS_S3_ADDRESSING_STYLE") or None
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "location": os.environ.get("AWS_MEDIA_LOCATION", "media"),
            # Images and renditions are public (pages show them): plain, cacheable URLs,
            # through a CDN when AWS_S3_CUSTOM_DOMAIN names one.
            "default_acl": "public-read",
            "querystring_auth": False,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "url_protocol": os.environ.get("AWS_S3_URL_PROTOCOL", "https:"),
            # As on a disk: a second upload with the same name gets a new name.
            "file_overwrite": False,
            # A year: a name never changes content (file_overwrite off, renditions named
            # by their filter).
            "object_parameters": {"CacheControl": "public, max-age=31536000"},
        },
    }
    # Support attachments are personal data: a bucket of their own when
    # AWS_PRIVATE_BUCKET_NAME is set, else the "private/" prefix of the media bucket;
    # either way private objects, read only by the site (support.views checks who asks);
    # a URL of the storage itself, should anything ask for one, is signed for 5 minutes.
    AWS_PRIVATE_BUCKET_NAME = os.environ.get("AWS_PRIVATE_BUCKET_NAME", "")
    STORAGES["support_private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_PRIVATE_BUCKET_NAME or AWS_STORAGE_BUCKET_NAME,
            "location": os.environ.get(
                "AWS_PRIVATE_LOCATION", "" if AWS_PRIVATE_BUCKET_NAME else "private"
            ),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "custom_domain": None,
            "file_overwrite": False,
        },
    }
    # Wagtail would redirect document downloads to the file's public URL, past the
    # privacy of a collection: the site streams them instead.
    WAGTAILDOCS_SERVE_METHOD = "serve_view"

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
    # Sessions are read from Redis and written through to PostgreSQL ("cached_db"): any
    # node reads a session another node started without a query, a flush or restart of
    # Redis signs nobody out, and the privacy erasure can still list a customer's
    # sessions (accounts.privacy.erasure reads the table).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
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
WAGTAILLOCALIZE_JOBS = {"BACKEND": "common.tasks.DjangoQJobBackend"}

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

# Support cases (issue 12). Replies to customers go out from the support mailbox's
# address, so that their answers land in the mailbox that `poll_support_mailbox` reads
# over IMAP (SUPPORT_IMAP_HOST empty = no polling; README "Support cases").
SUPPORT_FROM_EMAIL = os.environ.get("SUPPORT_FROM_EMAIL", "Причал <support@prichal.example>")
SUPPORT_IMAP_HOST = os.environ.get("SUPPORT_IMAP_HOST", "")
SUPPORT_IMAP_PORT = int(os.environ.get("SUPPORT_IMAP_PORT", "0"))  # 0: 993 with SSL, else 143
SUPPORT_IMAP_USER = os.environ.get("SUPPORT_IMAP_USER", "")
SUPPORT_IMAP_PASSWORD = os.environ.get("SUPPORT_IMAP_PASSWORD", "")
SUPPORT_IMAP_SSL = os.environ.get("SUPPORT_IMAP_SSL", "1") == "1"
SUPPORT_IMAP_STARTTLS = os.environ.get("SUPPORT_IMAP_STARTTLS", "0") == "1"
SUPPORT_IMAP_FOLDER = os.environ.get("SUPPORT_IMAP_FOLDER", "INBOX")
# A customer's reply reopens a resolved case for this many days; later it opens a new one.
SUPPORT_REOPEN_DAYS = int(os.environ.get("SUPPORT_REOPEN_DAYS", "14"))
# Attachments: at most this many per message, each at most this size (images and PDF).
SUPPORT_ATTACHMENTS_MAX = 5
SUPPORT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# Attachments are personal data: kept outside MEDIA_ROOT and served only after a check.
SUPPORT_PRIVATE_ROOT = Path(os.environ.get("SUPPORT_PRIVATE_ROOT", BASE_DIR / "var" / "private"))
# How long a signed attachment link given to a customer works.
SUPPORT_ATTACHMENT_LINK_SECONDS = 24 * 3600

# YooKassa. Without shop credentials the shipped emulator is used (development only).
YOOKASSA_SHOP_ID = os.environ.get("YOOKASSA_SHOP_ID", "")
YOOKASSA_SECRET_KEY = os.environ.get("YOOKASSA_SECRET_KEY", "")
YOOKASSA_API_URL = os.environ.get("YOOKASSA_API_URL", "https://api.yookassa.ru/v3")
# Where YooKassa's confirmation page lives: the checkout form is redirected there, so the
# Content-Security-Policy's form-action must allow it (config/security.py adds the
# origin of YOOKASSA_API_URL as well, which is where the emulator serves its page).
YOOKASSA_CONFIRMATION_ORIGINS = env_list("YOOKASSA_CONFIRMATION_ORIGINS", "https://yoomoney.ru")

# Content-Security-Policy of the public pages (django-csp 4; config/security.py gives the
# Wagtail admin and the API docs their own and adds the payment page to form-action).
# Scripts and styles come only from our static files: no inline script or style at all.
# data: images cannot run script; the check-in scanner's decoder is fed them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "frame-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Yandex Metrica (README, "Analytics (Yandex Metrica)"): off unless a counter id is set;
# then public pages show a consent banner and load Metrica only after the visitor accepts,
# and their Content-Security-Policy admits Metrica's hosts (config.security).
YANDEX_METRICA_COUNTER_ID = os.environ.get("YANDEX_METRICA_COUNTER_ID", "").strip()
if YANDEX_METRICA_COUNTER_ID and not YANDEX_METRICA_COUNTER_ID.isdigit():
    raise ImproperlyConfigured("YANDEX_METRICA_COUNTER_ID must be the counter's number")

# Wagtail
WAGTAIL_SITE_NAME = "Причал"
# Links to admin screens in staff e-mails (SLA alerts, Wagtail's own notices): the site's
# address unless the admin is served elsewhere.
WAGTAILADMIN_BASE_URL = os.environ.get(
    "WAGTAILADMIN_BASE_URL", os.environ.get("SITE_URL", "http://127.0.0.1:8000")
).rstrip("/")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"avif": "avif", "bmp": "jpeg", "webp": "webp"}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "txt"]
# Personal data stays in Russia: the admin must not make browsers call outside servers
# (gravatar by the staff's e-mail hash, Wagtail's release feed, its "what's new" banner).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# Latin slugs: the admin transliterates a Russian title into the slug (content.slugs does
# the same on the server), so page addresses stay readable when shared.
WAGTAIL_ALLOW_UNICODE_SLUGS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s]: %(message)s"},
    },
    "filters": {
        # Order links and hold tokens in logged URLs are masked (config/logs.py).
        "redact_secrets": {"()": "config.logs.RedactSecretsFilter"},
        # E-mails, phones and tokens that slipped into a message (config/observe/scrub.py).
        "scrub_personal_data": {"()": "config.observe.scrub.ScrubPersonalDataFilter"},
        # The request's (or the queueing request's) id on every line.
        "request_id": {"()": "config.observe.request_id.RequestIdFilter"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": os.environ.get("LOG_FORMAT", "json"),
            "filters": ["redact_secrets", "scrub_personal_data", "request_id"],
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"level": "WARNING"},
        # WeasyPrint logs each step of each PDF ("Step 5 - Creating layout - Page 2")
        # at INFO: a dozen lines a PDF, nothing an operator reads. Its warnings (a font
        # or an image it could not use) come through.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# --- Operations: observe (README, "Operations: observe") ------------------------------
# /metrics answers a bearer token (Authorization: Bearer <METRICS_TOKEN>) or a direct peer
# (REMOTE_ADDR) inside METRICS_ALLOWED_NETWORKS (CIDRs, comma-separated); neither: 404.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS")
# /health/ready: fails below this much free space for MEDIA_ROOT (warns below twice it);
# warns when a django-q2 schedule is this late (no cluster running); the payment
# provider's TCP connection may take this long.
HEALTH_MIN_FREE_DISK_MB = int(os.environ.get("HEALTH_MIN_FREE_DISK_MB", "500"))
HEALTH_TASKS_MAX_LAG_SECONDS = int(os.environ.get("HEALTH_TASKS_MAX_LAG_SECONDS", "300"))
HEALTH_PROVIDER_TIMEOUT = float(os.environ.get("HEALTH_PROVIDER_TIMEOUT", "2"))
# Errors to Sentry (or a self-hosted, Sentry-compatible service) when SENTRY_DSN is set;
# personal data scrubbed (config/observe/sentry.py).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "production")
SENTRY_RELEASE = os.environ.get("SENTRY_RELEASE", "")
SENTRY_TRACES_SAMPLE_RATE = float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0"))
if SENTRY_DSN:
    from config.observe.sentry import init as sentry_init

    sentry_init(
        SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        release=SENTRY_RELEASE,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )

# Booking
BOOKING_HOLD_MINUTES = int(os.environ.get("BOOKING_HOLD_MINUTES", "15"))
BOOKING_MAX_TICKETS_PER_HOLD = int(os.environ.get("BOOKING_MAX_TICKETS_PER_HOLD", "10"))
# Hold creations per client IP (django-ninja throttle syntax).
BOOKING_HOLD_RATE = os.environ.get("BOOKING_HOLD_RATE", "30/m")
# Behind N trusted proxies the client address is the Nth from the right of
# X-Forwarded-For; 0 means REMOTE_ADDR (the header is not trusted at all).
NINJA_NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "0"))
# Abuse limits: one client must not be able to hold the whole inventory or guess promo
# codes. Live holds (unexpired, not ordered) and the places they hold are capped per
# browser session and, higher because an office or a mobile network shares one address
# (NAT), per client address. The hold form is throttled per session and per address at
# BOOKING_HOLD_RATE; wrong promo codes per session and per address at the rates below
# ("N/[k]s|m|h|d").
BOOKING_MAX_LIVE_HOLDS_PER_SESSION = int(os.environ.get("BOOKING_MAX_LIVE_HOLDS_PER_SESSION", "3"))
BOOKING_MAX_HELD_PLACES_PER_SESSION = int(
    os.environ.get("BOOKING_MAX_HELD_PLACES_PER_SESSION", "20")
)
BOOKING_MAX_LIVE_HOLDS_PER_ADDRESS = int(os.environ.get("BOOKING_MAX_LIVE_HOLDS_PER_ADDRESS", "10"))
BOOKING_MAX_HELD_PLACES_PER_ADDRESS = int(
    os.environ.get("BOOKING_MAX_HELD_PLACES_PER_ADDRESS", "60")
)
# Prices of a rental asked by the rental block's script as the visitor changes the choice
# (booking.rental_views), per session and per address.
BOOKING_RENTAL_QUOTE_RATE = os.environ.get("BOOKING_RENTAL_QUOTE_RATE", "120/m")
BOOKING_PROMO_RATE = os.environ.get("BOOKING_PROMO_RATE", "10/10m")
BOOKING_PROMO_ADDRESS_RATE = os.environ.get("BOOKING_PROMO_ADDRESS_RATE", "30/10m")
# Support cases opened with the site's contact form (support.views), per browser session
# and, higher because of NAT, per client address; the same throttle as the booking forms.
SUPPORT_CASE_RATE = os.environ.get("SUPPORT_CASE_RATE", "5/h")
SUPPORT_CASE_ADDRESS_RATE = os.environ.get("SUPPORT_CASE_ADDRESS_RATE", "20/h")

# SMS (booking/gateways/sms.py): SMS.ru when SMSRU_API_ID is set, otherwise messages are only logged.
SMSRU_API_ID = os.environ.get("SMSRU_API_ID", "")
SMSRU_API_URL = os.environ.get("SMSRU_API_URL", "https://sms.ru/sms/send")
# SMS.ru's test mode: messages are accepted but neither delivered nor charged.
SMSRU_TEST = env_bool("SMSRU_TEST", False)
# The sender name approved in the SMS.ru account; empty means the account's default.
SMS_SENDER = os.environ.get("SMS_SENDER", "")
SMS_BACKEND = os.environ.get(
    "SMS_BACKEND",
    "booking.gateways.sms.SmsRuBackend" if SMSRU_API_ID else "booking.gateways.sms.ConsoleBackend",
)

# Boarding check-in (booking/services/checkin.py): a departure boards only from this many
# minutes before its start until this many minutes after its end, so tickets of other
# days are refused at the gangway.
BOOKING_CHECKIN_OPENS_MINUTES_BEFORE = int(
    os.environ.get("BOOKING_CHECKIN_OPENS_MINUTES_BEFORE", "120")
)
BOOKING_CHECKIN_CLOSES_MINUTES_AFTER_END = int(
    os.environ.get("BOOKING_CHECKIN_CLOSES_MINUTES_AFTER_END", "0")
)

# Ticket QR codes (booking/tickets/tokens.py) are signed with Ed25519 so that a crew
# member's phone can verify them offline with the public key. TICKET_SIGNING_KEY is the
# private key's 32-byte seed in base64; empty: derived from SECRET_KEY (dev, demo, tests
# need no setting). Previous seeds, comma-separated, in TICKET_SIGNING_KEY_FALLBACKS keep
# tickets already sent valid after a rotation (as SECRET_KEY_FALLBACKS does for Django).
TICKET_SIGNING_KEY = os.environ.get("TICKET_SIGNING_KEY", "")
TICKET_SIGNING_KEY_FALLBACKS = env_list("TICKET_SIGNING_KEY_FALLBACKS")

# Checkout and payments (booking/services/orders.py, payments.py)
# While a payment is pending its hold is kept alive, up to this many minutes after the
# order was placed (YooKassa may take longer than the hold's own lifetime to settle).
BOOKING_PAYMENT_WAIT_MINUTES = int(os.environ.get("BOOKING_PAYMENT_WAIT_MINUTES", "60"))
# Payments still pending after this many minutes are re-fetched by the reconciliation.
BOOKING_RECONCILE_AFTER_MINUTES = int(os.environ.get("BOOKING_RECONCILE_AFTER_MINUTES", "5"))
# Outbound webhooks (booking/services/webhooks.py, README "Outbound webhooks"): how long
# one attempt may take, and after how many hours of nothing but failures a subscription
# is paused (its owner is told).
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
WEBHOOK_PAUSE_AFTER_HOURS = int(os.environ.get("WEBHOOK_PAUSE_AFTER_HOURS", "24"))
# Refunds (booking/services/refunds.py): the policy of a product that names none. A
# ticket is refundable while its departure is more than this many hours away (the
# specification's 24), and a refund returns the ticket's share of the service fees too
# unless this is off.
BOOKING_REFUND_WINDOW_HOURS = int(os.environ.get("BOOKING_REFUND_WINDOW_HOURS", "24"))
BOOKING_REFUNDS_FEES = env_bool("BOOKING_REFUNDS_FEES", True)
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
# Notification records (bounded rows) are deleted after this many days by a daily task;
# long enough to investigate a disputed payment, short enough not to pile up forgeries.
PAYMENT_NOTIFICATION_RETENTION_DAYS = int(
    os.environ.get("PAYMENT_NOTIFICATION_RETENTION_DAYS", "90")
)
# The public address (scheme://host[:port]): every absolute link (pages, sitemap, e-mails,
# the payment return URL when no request is at hand), whatever host a request names.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The version of the marketing-consent wording on the checkout page; change it with the
# wording, so that every stored consent says which text was agreed to.
BOOKING_MARKETING_CONSENT_VERSION = os.environ.get("BOOKING_MARKETING_CONSENT_VERSION", "2026-11")

# --- Customer accounts (django-allauth; issue 10) --------------------------------------
# A customer signs in with a one-time code sent by e-mail; a first sign-in creates the
# account (accounts/views.py: the code request signs an unknown address up, allauth's own
# signup with the e-mail as the only field). The address is verified by that code, and
# only a verified address links the customer's orders (accounts.services.customers).
# Staff sign in at /admin/login/ only (accounts.adapters refuses them here).
LOGIN_URL = "account_request_login_code"
LOGIN_REDIRECT_URL = "account_orders"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
# No password needed: "password1" without a star is optional (allauth then keeps the
# password on its sign-in form for those who set one later on the password page); the
# sign-up page asks for the address only (accounts/templates/account/signup.html).
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1"]
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_UNIQUE_EMAIL = True
# One address per account; a new one replaces it once verified (the customer record
# follows: accounts.services.customers).
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_MAX_ATTEMPTS = int(
    os.environ.get("ACCOUNT_CODE_MAX_ATTEMPTS", "3")
)
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_TIMEOUT = int(os.environ.get("ACCOUNT_CODE_MINUTES", "10")) * 60
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# Wrong codes before the code is void and a new one must be requested.
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = int(os.environ.get("ACCOUNT_CODE_MAX_ATTEMPTS", "3"))
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = int(os.environ.get("ACCOUNT_CODE_MINUTES", "10")) * 60
# "Send a new code" on the code page, at most twice per sign-in.
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
# Six digits: typed on a phone's number pad, whatever the alphabet of its keyboard. Three
# attempts per code and the rate limits below keep guessing hopeless.
ALLAUTH_USER_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Rate limits (allauth's syntax: count/period/per). Code requests per address typed ("key")
# and per client address; failed password sign-ins; e-mail verification resends.
ACCOUNT_RATE_LIMITS = {
    "request_login_code": os.environ.get("ACCOUNT_CODE_REQUEST_RATE", "20/m/ip,3/10m/key"),
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/30s/key",
    "reset_password": "20/m/ip,3/10m/key",
}
# The client address behind NUM_PROXIES trusted proxies, as for the other rate limits.
ALLAUTH_TRUSTED_PROXY_COUNT = NINJA_NUM_PROXIES

# Social sign-in: VK ID and Yandex ID, each only when its keys are set (no button
# otherwise). Register the callback for every language prefix at the provider:
# {SITE_URL}/ru|en|zh/account/vk/login/callback/ and …/yandex/login/callback/.
SOCIALACCOUNT_PROVIDERS = {}
if os.environ.get("VK_CLIENT_ID") and os.environ.get("VK_CLIENT_SECRET"):
    SOCIALACCOUNT_PROVIDERS["vk"] = {
        "APPS": [
            {
                "client_id": os.environ["VK_CLIENT_ID"],
                "secret": os.environ["VK_CLIENT_SECRET"],
            }
        ]
    }
if os.environ.get("YANDEX_CLIENT_ID") and os.environ.get("YANDEX_CLIENT_SECRET"):
    SOCIALACCOUNT_PROVIDERS["yandex"] = {
        "APPS": [
            {
                "client_id": os.environ["YANDEX_CLIENT_ID"],
                "secret": os.environ["YANDEX_CLIENT_SECRET"],
            }
        ]
    }
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_AUTO_SIGNUP = True
# A provider that vouches for the address (Yandex does) signs into the account that has
# it; VK's addresses are unverified and get a code first (mandatory verification).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
# The provider's tokens are not needed after sign-in: not stored (personal data).
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False

# ---------------------------------------------------------------- whole-page cache
# Anonymous visitors get public pages from the "pages" cache (content.page_cache; README,
# "Page cache"): Redis when REDIS_URL is set, else this process's memory. Entries live
# PAGE_CACHE_SECONDS at most (what changes with the clock, like the next departure, is
# at most that old); every change a page shows purges it at once. Browsers and proxies
# may keep a page PAGE_CACHE_MAX_AGE seconds.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
PAGE_CACHE_MAX_AGE = int(os.environ.get("PAGE_CACHE_MAX_AGE", "60"))
CACHES["pages"] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "pages",
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 3000},
    }
)
# Before the session and authentication: a hit is answered without a query.
MIDDLEWARE.insert(
    MIDDLEWARE.index("common.audit.ClientAddressMiddleware") + 1,
    "content.page_cache.PageCacheMiddleware",
)
# A reverse proxy or CDN in front (README: nginx with proxy_cache and a PURGE location) is
# purged with the same pages through Wagtail's frontend cache module.
if os.environ.get("FRONTEND_CACHE_PURGE_URL"):
    WAGTAILFRONTENDCACHE = {
        "proxy": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": os.environ["FRONTEND_CACHE_PURGE_URL"],
        }
    }
