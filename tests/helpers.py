"""Reading rendered pages: parsed HTML, the language switcher, hreflang links, JSON-LD."""

import json

from bs4 import BeautifulSoup

# The path of each page of the `tree` fixture below the language prefix.
PATHS = {
    "home": "",
    "listing": "excursions/",
    "excursion": "excursions/white-nights/",
    "event": "excursions/jazz/",
    "yacht": "excursions/assol/",
    "standard": "about/",
}
PAGE_KINDS = tuple(PATHS)
PREFIX = {"ru": "ru", "en": "en", "zh-hans": "zh"}
HTML_LANG = {"ru": "ru", "en": "en", "zh-hans": "zh-Hans"}
LANGUAGE_NAMES = {"ru": "Русский", "en": "English", "zh-hans": "简体中文"}
LANGUAGES = tuple(PREFIX)

# Titles per page and language; every one is unique so a test can look for it.
TITLES = {
    "home": {"ru": "Причал", "en": "Prichal", "zh-hans": "码头"},
    "listing": {"ru": "Экскурсии", "en": "Excursions", "zh-hans": "游船游览"},
    "excursion": {
        "ru": "Белые ночи на Неве",
        "en": "White Nights on the Neva",
        "zh-hans": "涅瓦河白夜游",
    },
    "event": {"ru": "Джаз на воде", "en": "Jazz on the Water", "zh-hans": "水上爵士之夜"},
    "yacht": {"ru": "Яхта Ассоль", "en": "Yacht Assol", "zh-hans": "阿索尔号游艇"},
    "standard": {"ru": "О компании", "en": "About us", "zh-hans": "关于我们"},
}
INTROS = {
    "ru": "Разводные мосты, Кронверк (Kronverk) и набережные с борта теплохода.",
    "en": "Drawbridges, the Kronverk and the embankments from the deck.",
    "zh-hans": "从船上欣赏开合桥、Kronverk 和河堤。",
}


def path(kind: str, language: str) -> str:
    return f"/{PREFIX[language]}/{PATHS[kind]}"


def parse(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def text(element) -> str:
    return " ".join(element.get_text(" ").split()) if element is not None else ""


def accessible_text(element) -> str:
    """The text a screen reader announces: without `aria-hidden` parts."""
    copy = BeautifulSoup(str(element), "html.parser")
    for hidden in copy.select('[aria-hidden="true"]'):
        hidden.decompose()
    return text(copy)


def switcher_links(doc) -> dict[str, str]:
    """hreflang → href of the language switcher's links."""
    return {a["hreflang"]: a["href"] for a in doc.select("nav.lang-switch a")}


def alternate_links(doc) -> dict[str, str]:
    return {
        link["hreflang"]: link["href"] for link in doc.select('link[rel="alternate"][hreflang]')
    }


def json_ld(doc) -> list[dict]:
    return [
        json.loads(script.string) for script in doc.select('script[type="application/ld+json"]')
    ]


def card_links(doc) -> list[str]:
    return [a["href"] for a in doc.select("li.card a.card__link")]
