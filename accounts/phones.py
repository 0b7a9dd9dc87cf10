"""The one phone-number normaliser: whatever a person typed → E.164 (`+79123456789`), or
None when it is not a valid number; and `phone_display`, a stored number as people read it. Checkout (`booking.services.orders.normalise_phone`)
and SMS sending (`booking.gateways.sms.normalize_phone`) both read numbers through it and only
turn None into their own errors.

- With a region (Russia by default), numbers may be written the national way too:
  `8 (912) 345-67-89`, `912 345 67 89`; a foreign number needs its `+` and country code.
- With `region=None`, only the international form is accepted: the text must start with
  `+` (guessing a country is the caller's business).
- Anything that is not a string, is empty or longer than `MAX_INPUT_LENGTH` characters,
  cannot be parsed, or is not a valid number for its country gives None.
"""

import phonenumbers

DEFAULT_REGION = "RU"
# Far more than any number written with spaces, dashes and brackets needs.
MAX_INPUT_LENGTH = 40


def phone_e164(raw, region: str | None = DEFAULT_REGION) -> str | None:
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    if not raw or len(raw) > MAX_INPUT_LENGTH:
        return None
    if region is None and not raw.startswith("+"):
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(stored: str) -> str:
    """A stored number as people read it ("+7 921 555-01-23"); as stored when it is not a
    valid number (or empty)."""
    e164 = phone_e164(stored, region=None) if stored else None
    if e164 is None:
        return stored or ""
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
