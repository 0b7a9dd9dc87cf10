"""Personal data and secrets out of what leaves the process: Sentry events
(config.observe.sentry) and, as a second line behind the code's own care, log records
(`ScrubPersonalDataFilter` in LOGGING).

Replaced in any text: e-mail addresses, phone numbers (Russian and international forms),
secret URL segments (config.logs: order links, hold tokens), bearer tokens; in mappings,
the whole value of a key that names a secret or personal data."""

import logging
import re

from config.logs import redact

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# +7 912 345-67-89, 8 (912) 345 67 89, +79123456789, +86 139 1234 5678 …
PHONE = re.compile(
    r"(?<![\w.])(?:\+\d{1,3}|8)[\s\-()]{0,3}\d{2,4}[\s\-()]{0,3}\d{2,4}[\s\-]?\d{2,4}"
    r"(?:[\s\-]?\d{2,4})?(?![\w.])"
)
BEARER = re.compile(r"(?i)\b(bearer|basic|token)\s+[\w\-.~+/=]{8,}")
# Unguessable tokens (secrets.token_urlsafe(32) and longer): order and ticket secrets,
# hold tokens, API keys. 32+ characters of the URL-safe alphabet with a digit and a letter.
LONG_TOKEN = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{32,}(?![\w-])")
SENSITIVE_KEY = re.compile(
    r"(?i)pass|secret|token|auth|cookie|session|csrf|sign|key|e-?mail|phone|"
    r"^name$|full_?name|first_?name|last_?name|address|ip$|dsn"
)
FILTERED = "[Filtered]"


def scrub_text(text: str) -> str:
    text = redact(text)
    text = EMAIL.sub("[email]", text)
    text = BEARER.sub(r"\1 [token]", text)
    text = LONG_TOKEN.sub("[token]", text)
    return PHONE.sub("[phone]", text)


def scrub(value, depth: int = 0):
    """`value` with every string scrubbed and every sensitive key's value filtered,
    through dicts, lists and tuples (Sentry events are JSON-shaped)."""
    if depth > 20:
        return value
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            key: FILTERED
            if isinstance(key, str) and SENSITIVE_KEY.search(key) and item not in (None, "")
            else scrub(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(scrub(item, depth + 1) for item in value)
    return value


class ScrubPersonalDataFilter(logging.Filter):
    """On the log handlers: the formatted message and string extras scrubbed."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        record.msg, record.args = scrub_text(message), None
        if record.exc_info:
            # A traceback's last line can quote anything (a template's whole context with
            # the request's URL): formatted here, scrubbed, and the formatters get the text.
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = scrub_text(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub_text(record.stack_info)
        return True
