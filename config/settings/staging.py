"""Staging: production's settings (the same checks, HTTPS, Redis, a real mail server) with
sandboxes instead of money and customers. Refuses to start (ImproperlyConfigured) without
a YooKassa TEST shop (secret key "test_…", YooKassa's own API — never the emulator), and
sends SMS through SMS.ru's test mode unless SMSRU_TEST=false is asked for. E-mail goes to
the SMTP sandbox in EMAIL_HOST (README, "Operations: change safely")."""

from .guards import require_test_shop
from .production import *  # noqa: F403
from .production import env_bool, os

# A test shop: payments are made with YooKassa's test cards and no money moves.
require_test_shop(YOOKASSA_SECRET_KEY)  # noqa: F405

# SMS.ru checks and answers as for a real message but sends nothing (its test=1).
SMSRU_TEST = env_bool("SMSRU_TEST", True)

# Yandex Metrica of a staging copy would count testers as customers: off unless a counter
# of its own is configured for staging.
YANDEX_METRICA_COUNTER_ID = os.environ.get("STAGING_YANDEX_METRICA_COUNTER_ID", "")
