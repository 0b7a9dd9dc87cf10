"""Latin slugs for pages titled in Russian.

The admin's slug field transliterates the title in the browser (Wagtail's w-slug
controller, with `WAGTAIL_ALLOW_UNICODE_SLUGS = False`); `latin_slug` does the same on
the server, with the same Russian letter map, for pages saved with an empty or Cyrillic
slug (admin without JavaScript, pages made in code). Whatever is not Russian is reduced
to ASCII the way Django's `slugify` does.
"""

from django.utils.text import slugify

# Wagtail's admin JS RUSSIAN_MAP (wagtailadmin/js/core.js), so that the browser and the
# server make the same slug from the same title.
RUSSIAN = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "j", "k", "l", "m", "n",
            "o", "p", "r", "s", "t", "u", "f", "x", "c", "ch", "sh", "shh", "", "y", "",
            "e", "yu", "ya",
        ],
        strict=True,
    )
)  # fmt: skip
MAX_LENGTH = 255


def latin_slug(text: str) -> str:
    """`text` as a lower-case ASCII slug ("Ночные мосты" → "nochnye-mosty"); '' when
    nothing of it can be written in Latin letters."""
    latin = "".join(RUSSIAN.get(char, char) for char in text.lower())
    return slugify(latin)[:MAX_LENGTH].strip("-")
