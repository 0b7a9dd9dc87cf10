"""Booking records are not duplicated per language (DESIGN.md): a customer-visible text
has a Russian field and optional English and Chinese siblings (`name`, `name_en`,
`name_zh`). The visitor's language picks one; an empty translation falls back to Russian."""

from django.db import models
from django.utils import translation

FIELD_SUFFIX_BY_LANGUAGE = {"en": "en", "zh-hans": "zh"}


def localized_value(obj, field: str, language_code: str | None = None) -> str:
    suffix = FIELD_SUFFIX_BY_LANGUAGE.get(language_code or translation.get_language() or "")
    if suffix:
        value = getattr(obj, f"{field}_{suffix}", "")
        if value:
            return value
    return getattr(obj, field)


class LocalizedTextMixin(models.Model):
    class Meta:
        abstract = True

    def localized(self, field: str, language_code: str | None = None) -> str:
        return localized_value(self, field, language_code)

    @property
    def display_name(self) -> str:
        return self.localized("name")
