"""Where the apps above accounts declare the personal data they hold about a customer.

accounts owns the person (user account, customer record, consents) and the rights over
their data (152-FZ), but it sits below booking and may not import it. So every app that
stores something about a customer registers a *section* here, usually from its
`AppConfig.ready()` (booking does, in booking/apps.py → booking/privacy.py), and
`accounts.privacy.services` asks every section in turn:

- `export(customer) -> dict | list`: what the section holds about the customer, as plain
  Python (str, int, bool, None, Decimal, datetime, dict, list); the service makes it JSON.
- `erase(erasure)`: anonymises the section's rows inside the erasure's transaction. It
  gets an `Erasure` (accounts.privacy.erasure): the customer (locked, not yet
  anonymised), its user account, the time, the placeholder e-mail (`erasure.email`) and
  the person's identifiers (`erasure.identifiers`) with `scrub()` for free-form text and
  JSON and `containing(*fields)` to find other rows that mention the person.
- `identifiers(customer) -> iterable of str`: e-mails, phones and names the section
  stores that the customer record may not (an order placed under another name). They are
  collected from every section *before* anything is erased, so that `scrub()` knows them.
- `erasure_blockers(customer) -> list of str`: translated reasons why erasure must wait
  (an order awaiting payment); empty when it may go ahead.
- `title` and `template` show the section on the printable page (`template` is rendered
  with `data`, the section's export; without one the data is shown as a plain list).

Sections run in registration order; registering a name again replaces the section (so a
reloaded module does not register twice).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]


@dataclass(frozen=True)
class PersonalDataSection:
    name: str
    export: Exporter
    erase: Eraser
    identifiers: Callable[[Any], Iterable[str]] | None = None
    erasure_blockers: Callable[[Any], list[str]] | None = None
    title: Any = ""
    template: str | None = None


_sections: dict[str, PersonalDataSection] = {}


def register_personal_data(
    name: str,
    *,
    export: Exporter,
    erase: Eraser,
    identifiers: Callable[[Any], Iterable[str]] | None = None,
    erasure_blockers: Callable[[Any], list[str]] | None = None,
    title: Any = "",
    template: str | None = None,
) -> PersonalDataSection:
    """Declares section `name` (a JSON key of the export: lower-case, no spaces)."""
    if not name or not name.replace("_", "").isalnum() or name != name.lower():
        raise ValueError(f"A personal data section name must be a lower-case word: {name!r}")
    if name in RESERVED_NAMES:
        raise ValueError(f"{name!r} is a key of the export itself")
    section = PersonalDataSection(
        name=name,
        export=export,
        erase=erase,
        identifiers=identifiers,
        erasure_blockers=erasure_blockers,
        title=title or name,
        template=template,
    )
    _sections[name] = section
    return section


def personal_data_sections() -> list[PersonalDataSection]:
    return list(_sections.values())


# The keys accounts itself writes at the top of an export.
RESERVED_NAMES = frozenset(
    {"format", "exported_at", "customer", "account", "consents", "sign_in_attempts"}
)
