"""The signed token in a ticket's QR code: it round-trips, and nothing else is accepted."""

import base64
import string

import pytest
from django.core import signing
from django.test import override_settings
from django.utils.crypto import salted_hmac

from booking.tickets.tokens import (
    InvalidTicketToken,
    TicketTokenData,
    new_ticket_secret,
    read_ticket_token,
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


def test_the_token_is_short_url_safe_and_stable(token):
    longest = ticket_token(new_ticket_secret(), 2**63 - 1)
    assert len(longest) < 80
    assert len(token) < 60
    assert set(longest) <= set(ALPHABET + ".")
    assert ticket_token(SECRET, DEPARTURE) == token  # deterministic: a resend prints the same QR
    assert token.startswith(f"{SECRET}.{DEPARTURE}.")


def test_different_tickets_and_departures_get_different_signatures(token):
    macs = {
        ticket_token(SECRET, DEPARTURE).rsplit(".", 1)[1],
        ticket_token(SECRET, DEPARTURE + 1).rsplit(".", 1)[1],
        ticket_token(new_ticket_secret(), DEPARTURE).rsplit(".", 1)[1],
    }
    assert len(macs) == 3


def test_surrounding_whitespace_from_a_scanner_is_forgiven(token):
    assert read_ticket_token(f"  {token}\r\n").secret == SECRET


def test_every_single_character_change_is_refused(token):
    for position, char in enumerate(token):
        for other in {"A", "b", "0", "9", "-", "_", "."} - {char}:
            forged = token[:position] + other + token[position + 1 :]
            with pytest.raises(InvalidTicketToken):
                read_ticket_token(forged)


def test_every_truncation_is_refused(token):
    for length in range(len(token)):
        with pytest.raises(InvalidTicketToken):
            read_ticket_token(token[:length])


def _mac(value: str, *, salt: str = "prichal.ticket.v1", key: str | None = None) -> str:
    kwargs = {"secret": key} if key is not None else {}
    digest = salted_hmac(salt, value, algorithm="sha256", **kwargs).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _forgeries() -> dict[str, str]:
    token = ticket_token(SECRET, DEPARTURE)
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


FORGERIES = _forgeries()


@pytest.mark.parametrize("forged", FORGERIES.values(), ids=FORGERIES.keys())
def test_forged_and_garbage_tokens_are_refused(forged):
    with pytest.raises(InvalidTicketToken):
        read_ticket_token(forged)


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
