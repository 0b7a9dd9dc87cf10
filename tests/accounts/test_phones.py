"""One phone normaliser (issue 9): `accounts.phones.phone_e164`, read by checkout and by SMS
sending alike."""

import re
from pathlib import Path

import pytest

from accounts.phones import phone_display, phone_e164
from booking.gateways.sms import SmsError, normalize_phone
from booking.services.errors import BookingError
from booking.services.orders import normalise_phone

RUSSIAN_MOBILE = "+79123456789"
APPS = ("accounts", "booking", "common", "config", "content", "crm", "devservers")


@pytest.mark.parametrize(
    "raw",
    [
        "8 (912) 345-67-89",
        "+7 912 345 67 89",
        "+7 (912) 345-67-89",
        "9123456789",
        "89123456789",
        "79123456789",
        "  8-912-345-67-89  ",
        "+79123456789",
    ],
)
def test_russian_numbers_in_every_usual_form(raw):
    assert phone_e164(raw) == RUSSIAN_MOBILE


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+44 20 7946 0958", "+442079460958"),
        ("+1 650-253-0000", "+16502530000"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("+375 29 123-45-67", "+375291234567"),
        ("8 (495) 123-45-67", "+74951234567"),
    ],
)
def test_foreign_and_landline_numbers(raw, e164):
    assert phone_e164(raw) == e164


def test_another_region_reads_its_own_national_form():
    assert phone_e164("020 7946 0958", region="GB") == "+442079460958"
    # Read as Russian, a British national number is not a valid number.
    assert phone_e164("020 7946 0958") is None


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "phone",
        "123",
        "+7 912 345 67 8",
        "+7 000 000-00-00",
        "8 (912) 345-67-89-00-11",
        "+7" + "9" * 60,
        "9" * 41,
        None,
        79123456789,
    ],
)
def test_garbage_is_not_a_number(raw):
    assert phone_e164(raw) is None


@pytest.mark.parametrize("raw", ["8 (912) 345-67-89", "9123456789", "tel:+79123456789"])
def test_without_a_region_only_the_international_form_is_read(raw):
    assert phone_e164(raw, region=None) is None
    assert phone_e164("+7 912 345-67-89", region=None) == RUSSIAN_MOBILE


@pytest.mark.parametrize(
    "raw",
    [
        "8 (912) 345-67-89",
        "+7 912 345 67 89",
        "+44 20 7946 0958",
        "+7 000 000-00-00",
        "garbage",
        "",
        "+7" + "9" * 60,
    ],
)
def test_checkout_and_sms_read_numbers_through_the_one_normaliser(raw):
    """Checkout reads national Russian forms; SMS only the international form. Both say
    what `phone_e164` says and only differ in the error they raise."""
    try:
        checkout = normalise_phone(raw)
    except BookingError as error:
        assert error.code == "phone_invalid"
        checkout = None
    assert checkout == phone_e164(raw)
    try:
        sms = normalize_phone(raw)
    except SmsError as error:
        assert error.code == "invalid_phone"
        sms = None
    assert sms == phone_e164(raw, region=None)


def test_only_the_normaliser_parses_phone_numbers():
    """No second normaliser grows back: the phonenumbers library is read in one place."""
    root = Path(__file__).resolve().parents[2]
    readers = sorted(
        str(path.relative_to(root))
        for app in APPS
        for path in (root / app).rglob("*.py")
        if re.search(r"^\s*(import|from) phonenumbers\b", path.read_text(), re.M)
    )
    assert readers == ["accounts/phones.py"]


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+79215550123", "+7 921 555-01-23"),
        ("+442079460958", "+44 20 7946 0958"),
        ("not a number", "not a number"),
        ("", ""),
    ],
)
def test_a_stored_number_is_shown_as_people_read_it(stored, shown):
    assert phone_display(stored) == shown
