"""The token in a ticket's QR code.

**Version 2** (every ticket sent now): 143 characters of upper-case base32 (A–Z, 2–7, no
padding) encoding 89 bytes:

    version (1 byte, 2) | secret (16 bytes) | departure id (8 bytes, big-endian) | signature (64 bytes)

- ``secret`` is the ticket's own random secret (`new_ticket_secret`, 128 bits, stored as
  22 base64url characters), which the check-in service looks up; nothing personal and
  nothing guessable is in the token.
- ``departure id`` lets a scanner refuse a ticket for another departure before it even
  asks the database.
- ``signature`` is Ed25519 over the first 25 bytes, by the site's ticket signing key
  (`TICKET_SIGNING_KEY`, else derived from SECRET_KEY). Anyone with the *public* key can
  verify it: the crew's phone checks tickets without a connection (the check-in page's
  offline bundle carries the public keys). Keys in `TICKET_SIGNING_KEY_FALLBACKS` (and,
  for the derived key, SECRET_KEY_FALLBACKS) are accepted too, so rotating the key does
  not void tickets already sent.

Base32 in capitals is QR's *alphanumeric* mode (5.5 bits a character instead of 8): the
token is a version 5 QR code (37×37 modules) at error correction level M, scannable from a
phone's screen.

**Version 1** (tickets sent before): ``<secret>.<departure id>.<mac>``, an HMAC-SHA256
by SECRET_KEY truncated to 128 bits. Still accepted online so that those tickets keep
working; a phone cannot verify the MAC, but offline it can still recognise such a ticket
by its secret's digest in the downloaded manifest (`secret_digest`).
"""

import base64
import functools
import hashlib
import re
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "prichal.ticket.v1"
# HKDF's info for the signing key derived from SECRET_KEY: a key of its own, never
# SECRET_KEY's bytes reused as they are.
SIGNING_KEY_INFO = b"prichal.ticket.ed25519.v2"
VERSION = 2
SECRET_BYTES = 16
MAC_BYTES = 16
SIGNATURE_BYTES = 64
SIGNED_BYTES = 1 + SECRET_BYTES + 8  # version, secret, departure id
TOKEN_BYTES = SIGNED_BYTES + SIGNATURE_BYTES
TOKEN_LENGTH = -(-TOKEN_BYTES * 8 // 5)  # 143 base32 characters, unpadded
MAX_DEPARTURE_ID = 2**63 - 1  # a PostgreSQL bigint
MAX_TOKEN_LENGTH = 160

_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_V2_RE = re.compile(f"[A-Z2-7]{{{TOKEN_LENGTH}}}")
# Canonical form only: no sign, no leading zeros, no whitespace, exactly one spelling of
# each token.
_V1_RE = re.compile(r"([A-Za-z0-9_-]{16,64})\.([1-9][0-9]{0,18})\.([A-Za-z0-9_-]{22})")


class InvalidTicketToken(ValueError):
    """The text is not a token this site signed: forged, altered, truncated or garbage."""


@dataclass(frozen=True, slots=True)
class TicketTokenData:
    secret: str
    departure_id: int


def new_ticket_secret() -> str:
    """A fresh random secret for a ticket (22 URL-safe characters)."""
    return secrets.token_urlsafe(SECRET_BYTES)


def secret_digest(secret: str) -> str:
    """What the phone's offline bundle says about a ticket's secret: the first 128 bits of
    its SHA-256, base64url. It names the ticket (the phone hashes the secret it scans and
    finds the row) without giving the secret away: a leaked bundle makes no ticket."""
    digest = hashlib.sha256(secret.encode("ascii")).digest()[:16]
    return _b64url(digest)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# --- keys --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _key_from_seed(seed: str) -> Ed25519PrivateKey:
    try:
        raw = base64.b64decode(seed.strip().replace("-", "+").replace("_", "/") + "==")
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(
            "TICKET_SIGNING_KEY and TICKET_SIGNING_KEY_FALLBACKS are 32-byte Ed25519 seeds "
            "in base64."
        )
    return Ed25519PrivateKey.from_private_bytes(raw)


@functools.lru_cache(maxsize=16)
def _key_from_secret_key(secret_key: str) -> Ed25519PrivateKey:
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=SIGNING_KEY_INFO).derive(
        secret_key.encode("utf-8")
    )
    return Ed25519PrivateKey.from_private_bytes(seed)


def _as_text(key) -> str:
    return key.decode("utf-8") if isinstance(key, bytes) else str(key)


def signing_key() -> Ed25519PrivateKey:
    """The key new tickets are signed with."""
    if settings.TICKET_SIGNING_KEY:
        return _key_from_seed(settings.TICKET_SIGNING_KEY)
    return _key_from_secret_key(_as_text(settings.SECRET_KEY))


def derived_signing_seed() -> str:
    """The seed derived from SECRET_KEY, in base64: put it in TICKET_SIGNING_KEY_FALLBACKS
    when moving to a TICKET_SIGNING_KEY of its own, so tickets already sent stay valid."""
    raw = _key_from_secret_key(_as_text(settings.SECRET_KEY)).private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode("ascii")


def verification_keys() -> list[Ed25519PublicKey]:
    """The public keys a ticket's signature may be made by: the current key first, then
    the fallbacks."""
    keys = [signing_key()]
    keys += [_key_from_seed(seed) for seed in settings.TICKET_SIGNING_KEY_FALLBACKS]
    if not settings.TICKET_SIGNING_KEY:
        keys += [
            _key_from_secret_key(_as_text(key))
            for key in getattr(settings, "SECRET_KEY_FALLBACKS", [])
        ]
    return [key.public_key() for key in keys]


def public_keys() -> list[str]:
    """`verification_keys` as the phone imports them: raw 32 bytes, base64url."""
    return [
        _b64url(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
        for key in verification_keys()
    ]


# --- tokens ------------------------------------------------------------------------------


def _check_parts(secret: str, departure_id: int) -> None:
    if not isinstance(secret, str) or not _SECRET_RE.fullmatch(secret):
        raise ValueError("A ticket secret is 16 to 64 URL-safe base64 characters.")
    if (
        not isinstance(departure_id, int)
        or isinstance(departure_id, bool)
        or not 0 < departure_id <= MAX_DEPARTURE_ID
    ):
        raise ValueError("A departure id is a positive integer.")


def _secret_bytes(secret: str) -> bytes:
    raw = base64.urlsafe_b64decode(secret + "==")
    if len(raw) != SECRET_BYTES or _b64url(raw) != secret:
        raise ValueError("A signed ticket's secret is 16 bytes in base64url (new_ticket_secret).")
    return raw


def ticket_token(ticket_secret: str, departure_id: int) -> str:
    """The signed (version 2) token for the QR code of the ticket with this secret on
    this departure. Deterministic (Ed25519 is): a resend prints the same QR code."""
    _check_parts(ticket_secret, departure_id)
    body = bytes([VERSION]) + _secret_bytes(ticket_secret) + departure_id.to_bytes(8, "big")
    signature = signing_key().sign(body)
    return base64.b32encode(body + signature).decode("ascii").rstrip("=")


def _mac(secret: str, departure_id: int, key: str | bytes) -> str:
    digest = salted_hmac(SALT, f"{secret}.{departure_id}", secret=key, algorithm="sha256").digest()[
        :MAC_BYTES
    ]
    return _b64url(digest)


def legacy_ticket_token(ticket_secret: str, departure_id: int) -> str:
    """The version 1 token of tickets sent before signed tokens: no new ticket gets one;
    kept to make such a token in tests and tools."""
    _check_parts(ticket_secret, departure_id)
    mac = _mac(ticket_secret, departure_id, settings.SECRET_KEY)
    return f"{ticket_secret}.{departure_id}.{mac}"


def _read_v2(token: str) -> TicketTokenData:
    try:
        raw = base64.b32decode(token + "=" * (-len(token) % 8))
    except ValueError as error:
        raise InvalidTicketToken("Not a ticket token.") from error
    # One spelling per token: the unused low bits of the last character are zero.
    if len(raw) != TOKEN_BYTES or base64.b32encode(raw).decode("ascii").rstrip("=") != token:
        raise InvalidTicketToken("Not a ticket token.")
    body, signature = raw[:SIGNED_BYTES], raw[SIGNED_BYTES:]
    if body[0] != VERSION:
        raise InvalidTicketToken("Not a ticket token.")
    departure_id = int.from_bytes(body[1 + SECRET_BYTES :], "big")
    if not 0 < departure_id <= MAX_DEPARTURE_ID:
        raise InvalidTicketToken("Not a ticket token.")
    for key in verification_keys():
        try:
            key.verify(signature, body)
        except InvalidSignature:
            continue
        return TicketTokenData(
            secret=_b64url(body[1 : 1 + SECRET_BYTES]), departure_id=departure_id
        )
    raise InvalidTicketToken("The ticket token's signature does not match.")


def _read_v1(token: str) -> TicketTokenData:
    match = _V1_RE.fullmatch(token)
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


def read_ticket_token(token: str) -> TicketTokenData:
    """The secret and departure id of a token this site signed (either version);
    `InvalidTicketToken` for anything else. Whether the ticket exists, belongs to the
    departure being boarded and is still valid is the check-in service's business."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidTicketToken("Not a ticket token.")
    # Scanners and people copying by hand add surrounding whitespace; nothing else is
    # forgiven.
    token = token.strip()
    if _V2_RE.fullmatch(token):
        return _read_v2(token)
    return _read_v1(token)
