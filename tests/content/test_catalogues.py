"""The gettext catalogues (locale/ru, locale/en, locale/zh_Hans): complete, valid, not
fuzzy, and covering every string the code and templates mark for translation."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Russian has three plural forms; catalogues made with Transifex (Django's own) use four,
# with a fourth for fractions, and Django accepts either.
CATALOGUES = {
    "ru": ("ru", (3, 4)),
    "en": ("en", (2,)),
    "zh_Hans": ("zh_Hans", (1,)),
}
# The project's packages (the test suite and benchmarks are not translated).
SOURCE_DIRS = sorted(
    p.name
    for p in BASE_DIR.iterdir()
    if (p / "__init__.py").is_file() and p.name not in {"tests", "bench"}
)
CYRILLIC = re.compile("[а-яА-ЯёЁ]")
CJK = re.compile("[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{?\s*\w+\s*\}?\}")
ENGLISH_WORD = re.compile(r"\b[a-z]{4,}\b")


def po_path(locale: str) -> Path:
    return BASE_DIR / "locale" / locale / "LC_MESSAGES" / "django.po"


def parse_po(text: str) -> list[dict]:
    """A small .po reader: entries with msgctxt, msgid, msgid_plural, msgstr (a list) and
    flags; obsolete (#~) entries are skipped."""
    entries, entry, key = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    def unquote(s: str) -> str:
        return bytes(s.strip()[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode()

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            continue
        if not line:
            finish()
            entry, key = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if key[0] == "msgstr":
                entry["msgstr"][key[1]] += unquote(line)
            else:
                entry[key[0]] += unquote(line)
        else:
            keyword, _, rest = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                key = ("msgstr", int(match.group(1)))
                entry["msgstr"][key[1]] = unquote(rest)
            elif keyword == "msgstr":
                key = ("msgstr", 0)
                entry["msgstr"][0] = unquote(rest)
            else:
                key = (keyword, None)
                if keyword in entry:  # a new entry without a blank line before it
                    finish()
                    entry = {"flags": set(), "msgstr": {}}
                entry[keyword] = unquote(rest)
    finish()
    return entries


def messages(locale: str) -> list[dict]:
    return [e for e in parse_po(po_path(locale).read_text("utf-8")) if e["msgid"]]


def header(locale: str) -> str:
    return next(e for e in parse_po(po_path(locale).read_text("utf-8")) if e["msgid"] == "")[
        "msgstr"
    ][0]


def key(entry: dict) -> tuple:
    return entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural")


@pytest.mark.parametrize("locale", list(CATALOGUES))
def test_catalogue_exists(locale):
    assert po_path(locale).is_file()


@pytest.mark.parametrize("locale", list(CATALOGUES))
def test_msgfmt_accepts_the_catalogue(locale):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po_path(locale))],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
    )
    print(result.stderr)

    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr
    assert "untranslated" not in result.stderr
    assert re.match(r"\d+ translated messages?\.", result.stderr.strip())


@pytest.mark.parametrize("locale", list(CATALOGUES))
def test_no_entry_is_fuzzy_or_empty(locale):
    entries = messages(locale)

    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    empty = [e["msgid"] for e in entries if not all(e["msgstr"].values()) or not e["msgstr"]]
    assert empty == []


@pytest.mark.parametrize(("locale", "expected"), list(CATALOGUES.items()))
def test_header_names_the_language_and_its_plural_forms(locale, expected):
    language, allowed_nplurals = expected
    text = header(locale)

    assert f"Language: {language}\n" in text
    assert "charset=UTF-8" in text
    match = re.search(r"Plural-Forms:\s*nplurals\s*=\s*(\d+)\s*;", text)
    assert match, "no Plural-Forms header"
    nplurals = int(match.group(1))
    assert nplurals in allowed_nplurals
    for entry in messages(locale):
        if "msgid_plural" in entry:
            assert sorted(entry["msgstr"]) == list(range(nplurals)), entry["msgid"]


@pytest.mark.parametrize("locale", list(CATALOGUES))
def test_placeholders_survive_translation(locale):
    for entry in messages(locale):
        wanted = set(PLACEHOLDER.findall(entry["msgid"] + entry.get("msgid_plural", "")))
        for form, translation in entry["msgstr"].items():
            found = set(PLACEHOLDER.findall(translation))
            if "msgid_plural" in entry and locale != "zh_Hans":
                # Russian's "one" form may legitimately spell the number out.
                assert found <= wanted, (entry["msgid"], form, translation)
            else:
                assert found == wanted, (
                    entry["msgid"],
                    form,
                    translation,
                )


@pytest.mark.parametrize(("locale", "script"), [("ru", CYRILLIC), ("zh_Hans", CJK)])
def test_translations_are_in_the_target_language(locale, script):
    """An English phrase left as its own translation is a missed translation."""
    missed = []
    for entry in messages(locale):
        english = PLACEHOLDER.sub("", entry["msgid"])
        if not ENGLISH_WORD.search(english):
            continue  # names, abbreviations, codes
        for translation in entry["msgstr"].values():
            if not script.search(translation):
                missed.append((entry["msgid"], translation))
    assert missed == []


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[tuple]:
    """Run makemessages over a copy of the sources and read what it finds."""
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext is not installed (Debian package gettext)", pytrace=False)
    work = tmp_path_factory.mktemp("makemessages")
    for name in SOURCE_DIRS:
        shutil.copytree(
            BASE_DIR / name,
            work / name,
            ignore=shutil.ignore_patterns("__pycache__", "migrations"),
        )
    shutil.copy(BASE_DIR / "manage.py", work / "manage.py")
    (work / "locale").mkdir()
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ru", "-e", "html,txt,py"],
        cwd=work,
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "PYTHONPATH": str(work),
        },
    )
    assert result.returncode == 0, result.stderr
    po = work / "locale" / "ru" / "LC_MESSAGES" / "django.po"
    return {key(e) for e in parse_po(po.read_text("utf-8")) if e["msgid"]}


@pytest.mark.parametrize("locale", list(CATALOGUES))
def test_every_marked_string_is_in_the_catalogue(extracted, locale):
    present = {key(e) for e in messages(locale)}

    missing = sorted(extracted - present, key=str)
    assert missing == []


@pytest.mark.parametrize("locale", list(CATALOGUES))
def test_catalogue_has_no_stale_strings(extracted, locale):
    present = {key(e) for e in messages(locale)}

    stale = sorted(present - extracted, key=str)
    assert stale == []
