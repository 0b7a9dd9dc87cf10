"""The signed token in a ticket's QR code: it round-trips, and nothing else is accepted."""

import base64
import string

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils.crypto import salted_hmac

from booking.tickets.tokens import (
    InvalidTicketToken,
    TicketTokenData,
    legacy_ticket_token,
    new_ticket_secret,
    public_keys,
    read_ticket_token,
    secret_digest,
    ticket_token,
)

SECRET = "Zq3vX9_kL-2mN8pR4tY6wA"  # the shape new_ticket_secret() makes
DEPARTURE = 4711
ALPHABET = string.ascii_letters + string.digits + "-_"


@pytest.fixture
def token():
    return ticket_token(SECRET, DEPARTURE)


def test_round_trip():
    secret = new_ticket_secret()
    assert read_ticket_token(ticket_token(secret, 42)) == TicketTokenData(secret, 42)


def test_a_token_names_its_own_departure(token):
    """The check-in service compares this with the departure being boarded."""
    data = read_ticket_token(token)
    assert data.departure_id == DEPARTURE
    assert read_ticket_token(ticket_token(SECRET, DEPARTURE + 1)).departure_id == DEPARTURE + 1


def test_secrets_are_random_url_safe_and_long_enough():
    secrets = {new_ticket_secret() for _ in range(1000)}
    assert len(secrets) == 1000
    for secret in secrets:
        assert len(secret) == 22  # 128 bits
        assert set(secret) <= set(ALPHABET)


def test_the_token_is_compact_qr_alphanumeric_and_stable(token):
    longest = ticket_token(new_ticket_secret(), 2**63 - 1)
    assert len(longest) == len(token) == 143
    # upper-case base32: QR's alphanumeric mode, and URL-safe
    assert set(longest) | set(token) <= set(string.ascii_uppercase + "234567")
    assert ticket_token(SECRET, DEPARTURE) == token  # deterministic: a resend prints the same QR


def test_different_tickets_and_departures_get_different_signatures(token):
    signatures = {
        ticket_token(SECRET, DEPARTURE)[-103:],
        ticket_token(SECRET, DEPARTURE + 1)[-103:],
        ticket_token(new_ticket_secret(), DEPARTURE)[-103:],
    }
    assert len(signatures) == 3


def test_surrounding_whitespace_from_a_scanner_is_forgiven(token):
    assert read_ticket_token(f"  {token}\r\n").secret == SECRET


@pytest.mark.parametrize("make", [ticket_token, legacy_ticket_token], ids=["v2", "v1"])
def test_every_single_character_change_is_refused(make):
    token = make(SECRET, DEPARTURE)
    for position, char in enumerate(token):
        for other in {"A", "Z", "2", "7", "b", "0", "9", "-", "_", "."} - {char}:
            forged = token[:position] + other + token[position + 1 :]
            with pytest.raises(InvalidTicketToken):
                read_ticket_token(forged)


@pytest.mark.parametrize("make", [ticket_token, legacy_ticket_token], ids=["v2", "v1"])
def test_every_truncation_is_refused(make):
    token = make(SECRET, DEPARTURE)
    for length in range(len(token)):
        with pytest.raises(InvalidTicketToken):
            read_ticket_token(token[:length])


def _mac(value: str, *, salt: str = "prichal.ticket.v1", key: str | None = None) -> str:
    kwargs = {"secret": key} if key is not None else {}
    digest = salted_hmac(salt, value, algorithm="sha256", **kwargs).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _forgeries() -> dict[str, str]:
    """Of the version 1 token (`<secret>.<departure>.<mac>`) tickets sent before."""
    token = legacy_ticket_token(SECRET, DEPARTURE)
    secret, departure, mac = token.split(".")
    full_hmac = salted_hmac("prichal.ticket.v1", f"{secret}.{departure}", algorithm="sha256")
    return {
        # another departure or another ticket with the signature of this one
        "next departure": f"{secret}.{int(departure) + 1}.{mac}",
        "departure 1": f"{secret}.1.{mac}",
        "another secret": f"{new_ticket_secret()}.{departure}.{mac}",
        # non-canonical spellings of the departure id
        "leading zero": f"{secret}.0{departure}.{mac}",
        "plus sign": f"{secret}.+{departure}.{mac}",
        "minus sign": f"{secret}.-{departure}.{mac}",
        "inner space": f"{secret}. {departure}.{mac}",
        "decimal point": f"{secret}.{departure}.0.{mac}",
        "arabic-indic digits": f"{secret}.٤٧١١.{mac}",  # int() would take them
        # the signature padded, re-cased, lengthened, doubled, moved
        "padded": f"{token}=",
        "padded twice": f"{token}==",
        "swapped case": f"{secret}.{departure}.{mac.swapcase()}",
        "all upper case": token.upper(),
        "one more char": f"{token}A",
        "mac twice": f"{token}.{mac}",
        "parts reversed": f"{mac}.{departure}.{secret}",
        "parts swapped": f"{departure}.{secret}.{mac}",
        "token twice": token * 2,
        # a signature with the right salt and another key, or another salt
        "another key": f"{secret}.{departure}.{_mac(f'{secret}.{departure}', key='other-key')}",
        "another salt": f"{secret}.{departure}.{_mac(f'{secret}.{departure}', salt='prichal.x')}",
        "empty salt": f"{secret}.{departure}.{_mac(f'{secret}.{departure}', salt='')}",
        "untruncated hmac": f"{secret}.{departure}."
        + base64.urlsafe_b64encode(full_hmac.digest()).rstrip(b"=").decode(),
        # Django's own signed values are not tickets
        "signing.dumps": signing.dumps(
            {"s": secret, "d": int(departure)}, salt="prichal.ticket.v1"
        ),
        "Signer.sign": signing.Signer(salt="prichal.ticket.v1").sign(f"{secret}.{departure}"),
        # garbage
        "trailing NUL": f"{token}\x00",
        "inner NUL": f"{secret}\x00.{departure}.{mac}",
        "NUL separators": token.replace(".", "\x00"),
        "colon separators": token.replace(".", ":"),
        "newline separators": token.replace(".", "\n"),
        "no departure": f"{secret}..{mac}",
        "only a mac": f"..{mac}",
        "two dots": "..",
        "one dot": ".",
        "empty": "",
        "space": " ",
        "null": "null",
        "made up": "A" * 22 + ".1." + "A" * 22,
        "a megabyte": token + "x" * 10**6,
        "accented letters": "é" * 52,
        "one accented letter": token.replace(secret[0], "é", 1),
    }


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=")


def _signed_forgeries() -> dict[str, str]:
    """Of the version 2 (Ed25519) token."""
    token = ticket_token(SECRET, DEPARTURE)
    raw = base64.b32decode(token + "=" * (-len(token) % 8))
    body, signature = raw[:25], raw[25:]
    other_key = Ed25519PrivateKey.generate()
    next_departure = body[:17] + (DEPARTURE + 1).to_bytes(8, "big")
    version_1 = b"\x01" + body[1:]
    zero = b"\x02" + body[1:17] + (0).to_bytes(8, "big")
    too_big = b"\x02" + body[1:17] + (2**63).to_bytes(8, "big")
    last = token[-1]
    # 143 characters carry 715 bits for 712: the last character's 3 low bits are unused
    other_spelling = token[:-1] + _B32[_B32.index(last) ^ 1]
    return {
        "next departure, same signature": _b32(next_departure + signature),
        "another secret, same signature": _b32(b"\x02" + bytes(16) + body[17:] + signature),
        "version 1 byte": _b32(version_1 + signature),
        "version 1 byte, signed": _b32(version_1 + _key().sign(version_1)),
        "departure 0, signed": _b32(zero + _key().sign(zero)),
        "departure 2**63, signed": _b32(too_big + _key().sign(too_big)),
        "signed by another key": _b32(body + other_key.sign(body)),
        "signature zeroed": _b32(body + bytes(64)),
        "signature swapped halves": _b32(body + signature[32:] + signature[:32]),
        "no signature": _b32(body),
        "one byte more": _b32(raw + b"\x00"),
        "one byte less": _b32(raw[:-1]),
        "lower case": token.lower(),
        "padded": token + "=",
        "non-canonical last character": other_spelling,
        "prefixed": "2" + token,
        "inner space": token[:70] + " " + token[70:],
        "token twice": token * 2,
    }


_B32 = string.ascii_uppercase + "234567"


def _key() -> Ed25519PrivateKey:
    from booking.tickets.tokens import signing_key

    return signing_key()


FORGERIES = _forgeries()


@pytest.mark.parametrize("forged", FORGERIES.values(), ids=FORGERIES.keys())
def test_forged_and_garbage_tokens_are_refused(forged):
    with pytest.raises(InvalidTicketToken):
        read_ticket_token(forged)


def test_forged_signed_tokens_are_refused():
    # built inside the test: the settings (the key) are the test's
    for name, forged in _signed_forgeries().items():
        with pytest.raises(InvalidTicketToken):
            read_ticket_token(forged)
            pytest.fail(f"accepted: {name}")


@pytest.mark.parametrize("value", [None, 4711, b"token", ["a.1.b"], {"s": SECRET}, 1.5])
def test_values_that_are_not_text_are_refused(value):
    with pytest.raises(InvalidTicketToken):
        read_ticket_token(value)


def test_a_token_signed_with_another_secret_key_is_refused(token):
    with override_settings(SECRET_KEY="another-secret-key-" + "y" * 40):
        with pytest.raises(InvalidTicketToken):
            read_ticket_token(token)
        assert ticket_token(SECRET, DEPARTURE) != token


def test_rotating_the_secret_key_keeps_tickets_already_sent(settings, token):
    old_key = settings.SECRET_KEY
    with override_settings(SECRET_KEY="the-new-key-" + "z" * 40, SECRET_KEY_FALLBACKS=[old_key]):
        assert read_ticket_token(token) == TicketTokenData(SECRET, DEPARTURE)
        # new tickets are signed with the new key
        assert ticket_token(SECRET, DEPARTURE) != token


def test_old_hmac_tokens_are_still_accepted_and_follow_their_key(settings):
    """Tickets sent before signed tokens keep working online."""
    old = legacy_ticket_token(SECRET, DEPARTURE)
    assert old.startswith(f"{SECRET}.{DEPARTURE}.")
    assert read_ticket_token(old) == TicketTokenData(SECRET, DEPARTURE)
    previous = settings.SECRET_KEY
    with (
        override_settings(SECRET_KEY="another-secret-key-" + "y" * 40),
        pytest.raises(InvalidTicketToken),
    ):
        read_ticket_token(old)
    with override_settings(SECRET_KEY="the-new-key-" + "z" * 40, SECRET_KEY_FALLBACKS=[previous]):
        assert read_ticket_token(old) == TicketTokenData(SECRET, DEPARTURE)


def _seed(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


def _raw_public(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_configured_signing_key_signs_and_its_public_key_verifies(token):
    key = Ed25519PrivateKey.generate()
    with override_settings(TICKET_SIGNING_KEY=_seed(key)):
        signed = ticket_token(SECRET, DEPARTURE)
        assert public_keys() == [_raw_public(key)]
        # verifiable with nothing but the public key (as the phone does)
        raw = base64.b32decode(signed + "=" * (-len(signed) % 8))
        key.public_key().verify(raw[25:], raw[:25])
        assert raw[1:17] == base64.urlsafe_b64decode(SECRET + "==")
        assert int.from_bytes(raw[17:25], "big") == DEPARTURE
        # a token of the key derived from SECRET_KEY is not one of this key's
        with pytest.raises(InvalidTicketToken):
            read_ticket_token(token)
    with pytest.raises(InvalidTicketToken):  # nor the other way round
        read_ticket_token(signed)


def test_rotating_the_signing_key_keeps_tickets_already_sent():
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    with override_settings(TICKET_SIGNING_KEY=_seed(old)):
        sent = ticket_token(SECRET, DEPARTURE)
    with override_settings(
        TICKET_SIGNING_KEY=_seed(new), TICKET_SIGNING_KEY_FALLBACKS=[_seed(old)]
    ):
        assert read_ticket_token(sent) == TicketTokenData(SECRET, DEPARTURE)
        assert ticket_token(SECRET, DEPARTURE) != sent
        assert public_keys() == [_raw_public(new), _raw_public(old)]
    with override_settings(TICKET_SIGNING_KEY=_seed(new)), pytest.raises(InvalidTicketToken):
        read_ticket_token(sent)


def test_moving_from_the_derived_key_to_a_key_of_its_own(token):
    from booking.tickets.tokens import derived_signing_seed

    with override_settings(
        TICKET_SIGNING_KEY=_seed(Ed25519PrivateKey.generate()),
        TICKET_SIGNING_KEY_FALLBACKS=[derived_signing_seed()],
    ):
        assert read_ticket_token(token) == TicketTokenData(SECRET, DEPARTURE)


@pytest.mark.parametrize("seed", ["not base64!", base64.b64encode(b"short").decode(), "=" * 8])
def test_a_malformed_signing_key_is_a_configuration_error(seed):
    with override_settings(TICKET_SIGNING_KEY=seed), pytest.raises(ImproperlyConfigured):
        ticket_token(SECRET, DEPARTURE)


def test_a_new_ticket_needs_a_secret_from_new_ticket_secret():
    """The signed token carries the secret's 16 bytes: other spellings cannot be signed."""
    with pytest.raises(ValueError):
        ticket_token("abcdefghijklmnopqrstuv", DEPARTURE)  # 'v' leaves bits over 128
    with pytest.raises(ValueError):
        ticket_token("abcdefghijklmnop", DEPARTURE)  # 12 bytes


def test_the_secret_digest_names_a_secret_without_giving_it_away():
    digest = secret_digest(SECRET)
    assert digest == secret_digest(SECRET) != secret_digest(new_ticket_secret())
    assert len(digest) == 22 and SECRET not in digest
    assert set(digest) <= set(ALPHABET)


def test_the_invalid_token_error_is_a_value_error():
    assert issubclass(InvalidTicketToken, ValueError)


@pytest.mark.parametrize(
    ("secret", "departure_id"),
    [
        ("", DEPARTURE),
        ("short", DEPARTURE),
        ("has.a.dot.in.the.middle.of.it", DEPARTURE),
        ("has space in the middle of it", DEPARTURE),
        ("x" * 65, DEPARTURE),
        (None, DEPARTURE),
        (SECRET, 0),
        (SECRET, -1),
        (SECRET, 2**63),
        (SECRET, True),
        (SECRET, "4711"),
        (SECRET, 4711.0),
        (SECRET, None),
    ],
)
def test_a_token_is_made_only_from_a_proper_secret_and_departure_id(secret, departure_id):
    with pytest.raises(ValueError):
        ticket_token(secret, departure_id)
