"""Checks the staging and production settings run before they start (README,
"Operations: change safely"). Plain functions of the values, so that tests can call them
as well as import the settings modules."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# Where YooKassa's API lives, for live and test shops alike (a test shop differs by its
# credentials, not by its address).
YOOKASSA_HOSTS = frozenset({"api.yookassa.ru"})
# What the shipped emulator (devservers/yookassa.py) is configured with in development.
EMULATOR_SHOP_ID = "emulator"
# The emulator's published key (devservers), which staging and production refuse: not a secret.
EMULATOR_SECRET_KEY = "test_emulator_key"  # nosec B105


def refuse_payment_emulator(*, api_url: str, shop_id: str, secret_key: str) -> None:
    """Raises ImproperlyConfigured unless payments go to YooKassa itself: never to the
    emulator, a loopback address or plain HTTP. (Without credentials payments fail
    loudly as "not configured"; that is allowed, a fake payment provider is not.)"""
    parts = urlsplit(api_url)
    if (
        shop_id == EMULATOR_SHOP_ID
        or secret_key == EMULATOR_SECRET_KEY
        or "/emulator" in parts.path
        or parts.scheme != "https"
        or (parts.hostname or "") not in YOOKASSA_HOSTS
    ):
        raise ImproperlyConfigured(
            "YOOKASSA_API_URL must be YooKassa's own API (https://api.yookassa.ru/v3) with a "
            "real shop's credentials: the YooKassa emulator is for development and tests "
            f"only (got {api_url!r})."
        )


def require_test_shop(secret_key: str) -> None:
    """Staging takes no real money: YooKassa's test shops have secret keys "test_…"."""
    if not secret_key.startswith("test_"):
        raise ImproperlyConfigured(
            "Staging must use a YooKassa TEST shop (its secret key starts with 'test_'), "
            "never the live shop."
        )
