"""How erasure finds and replaces a person in text and JSON (accounts.privacy.Identifiers)."""

from accounts.privacy import ERASED, Identifiers

PERSON = Identifiers(
    ["Anna.Smirnova@Example.org", "+79123456789", "Анна Смирнова", "Анна", "", "Ян"]
)


def test_emails_phones_and_names_are_told_apart():
    assert PERSON.emails == {"anna.smirnova@example.org"}
    assert PERSON.phones == {"+79123456789", "79123456789"}
    assert PERSON.names == {"Анна Смирнова", "Анна"}  # "Ян" is too short to look for
    assert PERSON.distinctive == ["+79123456789", "79123456789", "anna.smirnova@example.org"]


def test_json_is_scrubbed_everywhere_but_its_keys():
    raw = {
        "receipt": {"customer": {"email": "ANNA.SMIRNOVA@example.org", "phone": "79123456789"}},
        "payment_method": {"type": "sberbank", "phone": "79123456789", "title": "SberPay"},
        "description": "Заказ ABC для Анна Смирнова, +79123456789",
        "items": [{"email": "anna.smirnova@example.org"}, 12, None, True],
    }

    assert PERSON.scrub(raw) == {
        "receipt": {"customer": {"email": ERASED, "phone": ERASED}},
        "payment_method": {"type": "sberbank", "phone": ERASED, "title": "SberPay"},
        "description": f"Заказ ABC для {ERASED}, {ERASED}",
        "items": [{"email": ERASED}, 12, None, True],
    }


def test_names_are_replaced_as_whole_words_only():
    assert PERSON.scrub("Анна Смирнова; Аннапурна; анна") == f"{ERASED}; Аннапурна; {ERASED}"
    assert PERSON.found_in("привет, Анна") and not PERSON.mentioned_in("привет, Анна")
    assert PERSON.mentioned_in("SMTP refused anna.smirnova@example.org")


def test_placeholders_and_nothing_are_not_identifiers():
    nobody = Identifiers(["erased-12@erased.invalid", "", None])

    assert nobody.distinctive == [] and nobody.names == set()
    assert nobody.scrub({"a": "b"}) == {"a": "b"} and not nobody.found_in("anything")
