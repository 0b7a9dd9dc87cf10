"""Sending SMS through a configurable backend (like `django.core.mail`).

    from booking.sms import send_sms, SmsError

    result = send_sms("+79161234567", "Ваш заказ K7M2QX оплачен")
    if not result.ok and result.retryable:
        ...  # let the task retry later

`settings.SMS_BACKEND` is a dotted path to a backend class (`booking.sms.backends`):
`ConsoleBackend` (logs; the default without `SMSRU_API_ID`), `SmsRuBackend` (the default
with it), `LocmemBackend` (collects messages in `outbox`, for tests). Invalid input
raises `SmsError` before anything is sent; delivery failures come back as an `SmsResult`
with `ok=False`, never as an exception.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from booking.sms.backends import (
    MAX_TEXT_LENGTH,
    SmsError,
    SmsMessage,
    SmsResult,
    normalize_phone,
)

__all__ = [
    "MAX_TEXT_LENGTH",
    "SmsError",
    "SmsMessage",
    "SmsResult",
    "get_backend",
    "normalize_phone",
    "outbox",
    "send_sms",
]

# Messages sent through `LocmemBackend` (tests empty it between tests).
outbox: list[SmsMessage] = []


def get_backend(backend: str | None = None, **kwargs):
    """An instance of `backend` (a dotted path), by default `settings.SMS_BACKEND`."""
    path = backend or getattr(settings, "SMS_BACKEND", "booking.sms.backends.ConsoleBackend")
    return import_string(path)(**kwargs)


def send_sms(phone: str, text: str, *, backend: str | None = None) -> SmsResult:
    """Send `text` to `phone` (E.164). Raises `SmsError` for an invalid phone number,
    an empty text or a text longer than `MAX_TEXT_LENGTH`."""
    return get_backend(backend).send(phone, text)
