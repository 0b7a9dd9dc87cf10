"""Sending SMS through a configurable backend, in the manner of `django.core.mail`.

    from booking.gateways.sms import send_sms, SmsError

    result = send_sms("+79161234567", "Ваш заказ K7M2QX оплачен")
    if not result.ok and result.retryable:
        ...  # let the task retry later

`settings.SMS_BACKEND` is a dotted path to a backend class of this module:
`ConsoleBackend` (logs; the default without `SMSRU_API_ID`), `SmsRuBackend` (the default
with it), `LocmemBackend` (collects messages in `outbox`, for tests).

Every backend has `send(phone, text) -> SmsResult`. Input is checked first, the same way
for every backend (so that development refuses what production would refuse): the phone
must be a valid number in international form (E.164, `+79161234567`; spaces and dashes
are tolerated and normalised away), the text must be non-empty and at most
`MAX_TEXT_LENGTH` characters. Bad input raises `SmsError`; nothing is sent.

Delivery failures never raise: they come back as `SmsResult(ok=False, ...)` with
`retryable` telling a task whether trying again later can help.

- `ConsoleBackend`: logs the message (development; the default without SMS.ru credentials).
- `LocmemBackend`: keeps messages in `booking.gateways.sms.outbox` (tests).
- `SmsRuBackend`: SMS.ru's HTTP API (`POST https://sms.ru/sms/send`, `json=1`).
"""

import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils.module_loading import import_string

from accounts.phones import phone_e164

logger = logging.getLogger("booking.sms")

MAX_TEXT_LENGTH = 700
# (connect, read) seconds for provider HTTP calls.
DEFAULT_TIMEOUT = (5, 15)


class SmsError(ValueError):
    """Input that no backend will send: `code` is "invalid_phone", "empty_text" or
    "too_long"."""

    def __init__(self, code: str, message: str = ""):
        self.code = code
        super().__init__(message or code)


@dataclass(frozen=True)
class SmsResult:
    """The outcome of one send.

    `provider_id`: the provider's message id when accepted. `error_code`: a short stable
    string when not ("network", "timeout", "http_503", "bad_response", "smsru_201"...).
    `retryable`: whether the same message may succeed if sent again later. `detail`: a
    human-readable explanation for logs (never contains credentials).
    """

    ok: bool
    provider_id: str | None = None
    error_code: str | None = None
    retryable: bool = False
    detail: str = ""


@dataclass(frozen=True)
class SmsMessage:
    """A message as the locmem backend keeps it."""

    phone: str
    text: str
    provider_id: str


def normalize_phone(phone: str) -> str:
    """The E.164 form of `phone`, or `SmsError("invalid_phone")`. A number without the
    leading `+` is refused: guessing its country is the caller's business (`accounts.phones`)."""
    if not isinstance(phone, str) or not phone.strip().startswith("+"):
        raise SmsError("invalid_phone", "The phone number must be in international form (+…)")
    normalised = phone_e164(phone, region=None)
    if normalised is None:
        raise SmsError("invalid_phone", "The phone number is not a valid number")
    return normalised


def check_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise SmsError("empty_text", "The message text is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise SmsError(
            "too_long", f"The message is {len(text)} characters long; at most {MAX_TEXT_LENGTH}"
        )
    return text


def mask_phone(phone: str) -> str:
    """`+79161234567` → `+7*****4567`: enough to tell messages apart in logs."""
    return phone[:2] + "*" * max(len(phone) - 6, 0) + phone[-4:]


class BaseBackend:
    def send(self, phone: str, text: str) -> SmsResult:
        return self._send(normalize_phone(phone), check_text(text))

    def _send(self, phone: str, text: str) -> SmsResult:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Writes the message to the log instead of sending it."""

    def _send(self, phone: str, text: str) -> SmsResult:
        logger.info("SMS to %s (console backend, not sent):\n%s", phone, text)
        return SmsResult(ok=True, provider_id="console")


class LocmemBackend(BaseBackend):
    """Appends messages to `outbox`, like Django's locmem e-mail backend."""

    def _send(self, phone: str, text: str) -> SmsResult:
        provider_id = f"locmem-{len(outbox) + 1}"
        outbox.append(SmsMessage(phone=phone, text=text, provider_id=provider_id))
        return SmsResult(ok=True, provider_id=provider_id)


# SMS.ru status codes (https://sms.ru/api/send and the code list of its documentation):
# the description and whether the same message may go through when sent again later.
SMSRU_CODES: dict[int, tuple[str, bool]] = {
    200: ("wrong api_id", False),
    201: ("not enough money on the account", True),  # goes through once topped up
    202: ("wrong recipient or no route to it", False),
    203: ("no message text", False),
    204: ("sender name not approved / operator not connected", False),
    205: ("message too long (more than 8 SMS)", False),
    206: ("daily sending limit reached", True),
    207: ("no route to this number", False),
    208: ("wrong time parameter", False),
    209: ("number is in the account's stop list", False),
    210: ("GET used where POST is required", False),
    211: ("method not found", False),
    212: ("text must be UTF-8", False),
    213: ("too many recipients", False),
    214: ("number abroad and sending abroad is disabled", False),
    215: ("number is in SMS.ru's spam stop list", False),
    216: ("forbidden word in the text", False),
    220: ("service temporarily unavailable", True),
    230: ("daily limit of messages to this number reached", True),
    # The same text to the same number within a minute/day: most likely an earlier
    # attempt whose answer was lost went through, so sending again would not help.
    231: ("same message to this number within a minute", False),
    232: ("same message to this number within a day", False),
    300: ("wrong token", False),
    301: ("wrong api_id or login/password", False),
    302: ("account not confirmed", False),
    500: ("server error", True),
}


class SmsRuBackend(BaseBackend):
    """SMS.ru: `POST <SMSRU_API_URL>` with form fields `api_id`, `to` (digits, no `+`),
    `msg`, `json=1` and optionally `from` (SMS_SENDER) and `test=1` (SMSRU_TEST: SMS.ru
    accepts the message without delivering or charging it).

    The answer is JSON: `{"status": "OK", "status_code": 100, "sms": {"<digits>":
    {"status": "OK", "status_code": 100, "sms_id": "…"}}, "balance": …}`; a request-level
    error has `"status": "ERROR"` with its `status_code` and `status_text`; a
    recipient-level error sits in the recipient's entry the same way.

    The api_id travels in the POST body, never in the URL, so it appears neither in
    urllib3's debug log nor in exception messages; this backend never logs it either.
    """

    def __init__(
        self,
        *,
        api_id: str | None = None,
        api_url: str | None = None,
        sender: str | None = None,
        test: bool | None = None,
        timeout: tuple[float, float] | None = None,
        session: requests.Session | None = None,
    ):
        self.api_id = api_id if api_id is not None else getattr(settings, "SMSRU_API_ID", "")
        self.api_url = api_url or getattr(settings, "SMSRU_API_URL", "https://sms.ru/sms/send")
        self.sender = sender if sender is not None else getattr(settings, "SMS_SENDER", "")
        self.test = test if test is not None else getattr(settings, "SMSRU_TEST", False)
        self.timeout = timeout or DEFAULT_TIMEOUT
        # Without a session of the caller's, each send uses (and closes) its own connection.
        self.session = session

    def __repr__(self):
        return f"<SmsRuBackend {self.api_url}>"

    def _send(self, phone: str, text: str) -> SmsResult:
        digits = phone.lstrip("+")
        form = {"api_id": self.api_id, "to": digits, "msg": text, "json": "1"}
        if self.sender:
            form["from"] = self.sender
        if self.test:
            form["test"] = "1"
        result = self._post(form, digits)
        if result.ok:
            logger.info("SMS to %s accepted by SMS.ru: %s", mask_phone(phone), result.provider_id)
        else:
            logger.warning(
                "SMS to %s not sent by SMS.ru: %s (%s)%s",
                mask_phone(phone),
                result.error_code,
                result.detail,
                ", will retry" if result.retryable else "",
            )
        return result

    def _post(self, form: dict, digits: str) -> SmsResult:
        try:
            response = (self.session or requests).post(
                self.api_url, data=form, timeout=self.timeout
            )
        except requests.Timeout as error:
            # A read timeout may come after SMS.ru took the message; there is no
            # idempotence key in its API, so a retry can (rarely) send it twice.
            return SmsResult(False, None, "timeout", True, type(error).__name__)
        except requests.RequestException as error:
            return SmsResult(False, None, "network", True, type(error).__name__)
        if response.status_code != 200:
            retryable = response.status_code >= 500 or response.status_code in (408, 429)
            return SmsResult(
                False, None, f"http_{response.status_code}", retryable, response.reason or ""
            )
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            # Not SMS.ru's answer (a proxy's or balancer's page): worth another try.
            return SmsResult(False, None, "bad_response", True, "the answer is not JSON")
        if data.get("status") != "OK":
            return self._error(data)
        recipients = data.get("sms")
        entry = recipients.get(digits) if isinstance(recipients, dict) else None
        if entry is None and isinstance(recipients, dict) and len(recipients) == 1:
            entry = next(iter(recipients.values()))  # SMS.ru may write the number its way
        if not isinstance(entry, dict):
            return SmsResult(False, None, "bad_response", True, "no entry for the recipient")
        if entry.get("status") != "OK":
            return self._error(entry)
        sms_id = entry.get("sms_id")
        if not sms_id:
            return SmsResult(False, None, "bad_response", True, "no sms_id for the recipient")
        return SmsResult(True, str(sms_id))

    @staticmethod
    def _error(data: dict) -> SmsResult:
        try:
            code = int(data.get("status_code"))
        except (TypeError, ValueError):
            return SmsResult(False, None, "bad_response", True, "no status_code in the answer")
        description, retryable = SMSRU_CODES.get(code, ("unknown status code", False))
        return SmsResult(False, None, f"smsru_{code}", retryable, description)


# Messages sent through `LocmemBackend` (tests empty it between tests).
outbox: list[SmsMessage] = []


def get_backend(backend: str | None = None, **kwargs):
    """An instance of `backend` (a dotted path), by default `settings.SMS_BACKEND`."""
    path = backend or getattr(settings, "SMS_BACKEND", "booking.gateways.sms.ConsoleBackend")
    return import_string(path)(**kwargs)


def send_sms(phone: str, text: str, *, backend: str | None = None) -> SmsResult:
    """Send `text` to `phone` (E.164). Raises `SmsError` for an invalid phone number,
    an empty text or a text longer than `MAX_TEXT_LENGTH`."""
    return get_backend(backend).send(phone, text)
