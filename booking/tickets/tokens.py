"""The token in a ticket's QR code: ``<secret>.<departure id>.<mac>``.

- ``secret`` is the ticket's own random secret (`new_ticket_secret`, 128 bits), which the
  check-in service looks up; nothing personal and nothing guessable is in the token.
- ``departure id`` lets a crew member's scanner refuse a ticket for another departure
  before it even asks the database.
- ``mac`` is HMAC-SHA256 over the two, keyed by SECRET_KEY with a salt of its own,
  truncated to 128 bits and base64url-encoded, so a token cannot be forged or altered
  without the key. Keys in SECRET_KEY_FALLBACKS are accepted too, so rotating the key does
  not void tickets already sent.

About 52 characters, URL-safe: a version 4 QR code (33×33 modules) at error correction
level M, easy to scan from a phone screen.
"""

import base64
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "prichal.ticket.v1"
SECRET_BYTES = 16
MAC_BYTES = 16
MAX_DEPARTURE_ID = 2**63 - 1  # a PostgreSQL bigint
MAX_TOKEN_LENGTH = 120

_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Canonical form only: no sign, no leading zeros, no whitespace, exactly one spelling of
# each token.
_TOKEN_RE = re.compile(r"([A-Za-z0-9_-]{16,64})\.([1-9][0-9]{0,18})\.([A-Za-z0-9_-]{22})")


class InvalidTicketToken(ValueError):
    """The text is not a token this site signed: forged, altered, truncated or garbage."""


@dataclass(frozen=True, slots=True)
class TicketTokenData:
    secret: str
    departure_id: int


def new_ticket_secret() -> str:
    """A fresh random secret for a ticket (22 URL-safe characters)."""
    return secrets.token_urlsafe(SECRET_BYTES)


def _mac(secret: str, departure_id: int, key: str | bytes) -> str:
    digest = salted_hmac(SALT, f"{secret}.{departure_id}", secret=key, algorithm="sha256").digest()[
        :MAC_BYTES
    ]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _check_parts(secret: str, departure_id: int) -> None:
    if not isinstance(secret, str) or not _SECRET_RE.fullmatch(secret):
        raise ValueError("A ticket secret is 16 to 64 URL-safe base64 characters.")
    if (
        not isinstance(departure_id, int)
        or isinstance(departure_id, bool)
        or not 0 < departure_id <= MAX_DEPARTURE_ID
    ):
        raise ValueError("A departure id is a positive integer.")


def ticket_token(ticket_secret: str, departure_id: int) -> str:
    """The signed token for the QR code of the ticket with this secret on this departure."""
    _check_parts(ticket_secret, departure_id)
    mac = _mac(ticket_secret, departure_id, settings.SECRET_KEY)
    return f"{ticket_secret}.{departure_id}.{mac}"


def read_ticket_token(token: str) -> TicketTokenData:
    """The secret and departure id of a token this site signed; `InvalidTicketToken` for
    anything else. Whether the ticket exists, belongs to the departure being boarded and
    is still valid is the check-in service's business."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidTicketToken("Not a ticket token.")
    # Scanners and people copying by hand add surrounding whitespace; nothing else is
    # forgiven.
    match = _TOKEN_RE.fullmatch(token.strip())
    if match is None:
        raise InvalidTicketToken("Not a ticket token.")
    secret, departure, mac = match.groups()
    departure_id = int(departure)
    if departure_id > MAX_DEPARTURE_ID:
        raise InvalidTicketToken("Not a ticket token.")
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    # Every key is tried whatever the outcome, so the time taken says nothing about
    # which one matched.
    valid = False
    for key in keys:
        valid |= constant_time_compare(mac, _mac(secret, departure_id, key))
    if not valid:
        raise InvalidTicketToken("The ticket token's signature does not match.")
    return TicketTokenData(secret=secret, departure_id=departure_id)
