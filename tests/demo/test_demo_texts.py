"""The demo's texts promise only what the site does.

Since issue 10 a customer returns tickets themselves: they sign in with a code sent to the
order's e-mail and press "Return tickets" on the order in their account. The refund rules
and the FAQ say so in every language, keep the company's e-mail and phone for whoever
cannot sign in, and never promise a registration form, a password, an exchange button or
a transfer. The texts are Python data (`demo`), so they are checked without seeding a
database."""

import dataclasses
import re

from demo import company, pages
from demo.text import Rich, T

LANGUAGES = ("ru", "en", "zh-hans")

# What a text about something the site does not have looks like: a registration form, a
# password to choose, an exchange or a transfer button.
PROMISES = {
    "ru": [r"регистрац", r"придумайте пароль", r"кнопк\w* «(Обменять|Перенести)»"],
    "en": [r"\bregist", r"choose a password", r"\"(Exchange|Transfer)\""],
    "zh-hans": [r"注册(?!号)", r"设置密码", r"“(改签|转让)”"],
}
# The label of the refund button on the account's order page, as the texts name it.
RETURN_BUTTON = {"ru": "«Вернуть билеты»", "en": '"Return tickets"', "zh-hans": "“退票”"}


def texts(value):
    """Every T in nested demo data (page specs, blocks, the company catalogue)."""
    if isinstance(value, T):
        yield value
    elif isinstance(value, Rich):
        for _tag, part in value.parts:
            yield from texts(part)
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from texts(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from texts(getattr(value, field.name))


def all_texts() -> list[T]:
    return list(texts([pages.PAGES, company.COMPANY, company.PIERS, company.PRODUCTS]))


def test_the_walker_sees_the_refund_rules():
    found = [t for t in all_texts() if "hello@prichal.example" in t.ru and "24" in t.ru]
    assert found, "the refund rules' how-to paragraph is among the walked texts"


def test_no_demo_text_promises_what_the_site_does_not_have():
    offending = [
        (language, pattern, text.get(language)[:120])
        for text in all_texts()
        for language in LANGUAGES
        for pattern in PROMISES[language]
        if re.search(pattern, text.get(language), flags=re.IGNORECASE)
    ]
    assert offending == []


def test_refund_rules_say_how_to_return_a_ticket_in_every_language():
    rules = next(spec for spec in pages.PAGES if spec.key == "refund-rules")
    body = list(texts(rules.body))
    for language in LANGUAGES:
        text = " ".join(t.get(language) for t in body)
        assert RETURN_BUTTON[language] in text
        assert "hello@prichal.example" in text
        assert "+7 812 555-01-23" in text
        assert "24" in text
    assert any("ЮKassa" in t.ru and "YooKassa" in t.en and "YooKassa" in t.zh for t in body)


def test_the_faq_answer_names_the_same_button():
    for language in LANGUAGES:
        answer = " ".join(t.get(language) for t in texts(pages.Q_REFUND))
        assert RETURN_BUTTON[language] in answer
