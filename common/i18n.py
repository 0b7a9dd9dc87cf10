"""Languages in URLs: Chinese (Simplified) is `zh-hans` everywhere inside (catalogue
`zh_Hans`, Wagtail locale) but its pages live under `/zh/` and `<html lang>` and
`hreflang` name it `zh-Hans`."""

URL_PREFIX_BY_LANGUAGE = {"ru": "ru", "en": "en", "zh-hans": "zh"}
LANGUAGE_BY_URL_PREFIX = {prefix: code for code, prefix in URL_PREFIX_BY_LANGUAGE.items()}
# BCP 47 tags for `<html lang>` and `hreflang` (Django's codes are lower-case).
HREFLANG_BY_LANGUAGE = {"ru": "ru", "en": "en", "zh-hans": "zh-Hans"}


def url_prefix(language_code: str) -> str:
    return URL_PREFIX_BY_LANGUAGE.get(language_code, language_code)


def hreflang(language_code: str) -> str:
    return HREFLANG_BY_LANGUAGE.get(language_code, language_code)


def language_from_path(path: str) -> str | None:
    first = path.lstrip("/").split("/", 1)[0]
    return LANGUAGE_BY_URL_PREFIX.get(first)
