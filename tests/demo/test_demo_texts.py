"""The demo's texts promise only what the site does.

Customer accounts and self-service refunds come with a later issue: until then no demo
page, in any language, may send a customer to a personal account, a registration or a
"Return" button; a refund is asked for by writing to or calling the company. The texts
are Python data (`demo`), so they are checked without seeding a database."""

import dataclasses
import re

from demo import company, pages
from demo.text import Rich, T

LANGUAGES = ("ru", "en", "zh-hans")

# What a text about an account, a registration or a self-service refund button looks like.
PROMISES = {
    "ru": [r"личн\w* кабинет", r"кабинет", r"регистрац", r"кнопк\w* «Вернуть»"],
    "en": [r"\baccounts?\b", r"\bregist", r"\bsign(ed)? in\b", r"Return button"],
    "zh-hans": [r"账户", r"个人中心", r"注册(?!号)", r"登录", r"“退票”按钮"],
}


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


def test_no_demo_text_promises_an_account_or_a_refund_button():
    offending = [
        (language, pattern, text.get(language)[:120])
        for text in all_texts()
        for language in LANGUAGES
        for pattern in PROMISES[language]
        if re.search(pattern, text.get(language), flags=re.IGNORECASE)
    ]
    assert offending == []


def test_refund_rules_say_how_to_ask_for_a_refund_in_every_language():
    rules = next(spec for spec in pages.PAGES if spec.key == "refund-rules")
    body = list(texts(rules.body))
    for language in LANGUAGES:
        text = " ".join(t.get(language) for t in body)
        assert "hello@prichal.example" in text
        assert "+7 812 555-01-23" in text
        assert "24" in text
    assert any("ЮKassa" in t.ru and "YooKassa" in t.en and "YooKassa" in t.zh for t in body)
