"""Secrets never reach the logs through URLs.

An order's link (`/<lang>/booking/order/<code>/<secret>/…`) and a hold's token
(`…/hold/<token>/`, `…/checkout/<token>/`, `/api/v1/holds/<token>`) are bearer secrets:
whoever reads them can see the customer's order or change the hold. `redact()` replaces
those path segments with `***`; `RedactSecretsFilter` applies it to Django's request and
server log records (the path in the message and the request attached to the record), and
config/gunicorn.py applies it to every field of gunicorn's access log."""

import logging
import re

MASK = "***"
SECRET_SEGMENTS = [
    # order/<code>/<secret>: the code stays (support needs it), the secret goes.
    re.compile(r"(/order/[^/?#\s\"']+/)[^/?#\s\"']+"),
    re.compile(r"(/(?:hold|checkout)/)[^/?#\s\"']+"),
    re.compile(r"(/api/v1/holds/)[^/?#\s\"']+"),
]


def redact(text: str) -> str:
    for pattern in SECRET_SEGMENTS:
        text = pattern.sub(rf"\g<1>{MASK}", text)
    return text


def _redact_value(value):
    return redact(value) if isinstance(value, str) else value


class RedactSecretsFilter(logging.Filter):
    """Installed on the handlers (config/settings/base.py LOGGING): rewrites the record's
    message, its arguments and the `request` Django attaches to it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_value(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact_value(arg) for key, arg in record.args.items()}
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            # Formatters (the JSON one lists every extra) would print repr(request).
            record.request = redact(repr(request))
        return True
