"""Demo texts in three languages, and the translation catalogue built from them.

Every visible string of the demo is written once as `T(ru, en, zh)`. Russian goes into
the pages; the English and Chinese versions become wagtail-localize string translations,
looked up by the exact source string that wagtail-localize extracts from a page.
"""

from __future__ import annotations

import dataclasses

from wagtail_localize.strings import StringValue, extract_strings

LANGUAGES = ("en", "zh-hans")


@dataclasses.dataclass(frozen=True)
class T:
    """One piece of text: Russian (the source) with its English and Chinese translations."""

    ru: str
    en: str
    zh: str

    def get(self, language: str) -> str:
        return {"ru": self.ru, "en": self.en, "zh-hans": self.zh}[language]


def same(text: str) -> T:
    """Text that reads the same in every language (a slug, a phone number…)."""
    return T(text, text, text)


@dataclasses.dataclass(frozen=True)
class Rich:
    """Simple rich text: a list of ("h2" | "h3" | "p", T) and ("ul" | "ol", [T, …]).
    Inline <b> and <i> are allowed inside the strings; links are not (keep it simple
    for translators)."""

    parts: tuple

    def __init__(self, *parts):
        object.__setattr__(self, "parts", tuple(parts))

    def html(self, language: str = "ru") -> str:
        out = []
        for tag, value in self.parts:
            if tag in ("ul", "ol"):
                items = "".join(f"<li>{item.get(language)}</li>" for item in value)
                out.append(f"<{tag}>{items}</{tag}>")
            else:
                out.append(f"<{tag}>{value.get(language)}</{tag}>")
        return "".join(out)


def P(ru: str, en: str, zh: str) -> tuple[str, T]:
    return ("p", T(ru, en, zh))


def H2(ru: str, en: str, zh: str) -> tuple[str, T]:
    return ("h2", T(ru, en, zh))


def H3(ru: str, en: str, zh: str) -> tuple[str, T]:
    return ("h3", T(ru, en, zh))


def UL(*items: T) -> tuple[str, list[T]]:
    return ("ul", list(items))


def OL(*items: T) -> tuple[str, list[T]]:
    return ("ol", list(items))


class CatalogueConflict(Exception):
    pass


class Catalogue:
    """Source string (as wagtail-localize stores it) → {language: translation}."""

    def __init__(self):
        self.entries: dict[str, dict[str, str]] = {}

    def add(self, source: str, translations: dict[str, str]):
        existing = self.entries.get(source)
        if existing is not None and existing != translations:
            raise CatalogueConflict(
                f"{source!r} is translated in two different ways: {existing} and {translations}"
            )
        self.entries[source] = translations

    def add_plain(self, text: T):
        """A plain-text field or block: wagtail-localize escapes it as HTML."""
        self.add(
            StringValue.from_plaintext(text.ru).data,
            {lang: StringValue.from_plaintext(text.get(lang)).data for lang in LANGUAGES},
        )

    def add_rich(self, rich: Rich):
        """Rich text is split into one string per paragraph, heading and list item."""
        _, sources = extract_strings(rich.html("ru"))
        translated = {lang: extract_strings(rich.html(lang))[1] for lang in LANGUAGES}
        for lang, strings in translated.items():
            if len(strings) != len(sources):
                raise CatalogueConflict(f"{lang} rich text does not match: {rich.html('ru')[:80]}")
        for i, (string, _attrs) in enumerate(sources):
            self.add(string.data, {lang: translated[lang][i][0].data for lang in LANGUAGES})

    def collect(self, value):
        """Registers every T and Rich found in nested data (dicts, lists, dataclasses)."""
        if isinstance(value, T):
            self.add_plain(value)
        elif isinstance(value, Rich):
            self.add_rich(value)
        elif isinstance(value, dict):
            for item in value.values():
                self.collect(item)
        elif isinstance(value, list | tuple | set):
            for item in value:
                self.collect(item)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                self.collect(getattr(value, f.name))

    def translate(self, source: str, language: str) -> str | None:
        entry = self.entries.get(source)
        return entry.get(language) if entry else None


def ru(value):
    """The Russian (source) version of a T, or the value itself."""
    return value.ru if isinstance(value, T) else value
