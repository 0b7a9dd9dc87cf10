"""The customer's personal-data rights (152-FZ): export, consent withdrawal, erasure.

Public API (other apps import from here):

- `register_personal_data(name, *, export, erase, identifiers=None, erasure_blockers=None,
  title="", template=None)`: an app declares what it holds about a customer
  (accounts.privacy.registry explains the callables);
- `personal_data_export(*, customer, requested_by=None, purpose="json") -> dict`;
- `personal_data_erase(*, customer, requested_by=None, now=None) -> None`;
- `erasure_blockers(*, customer) -> list[str]`;
- `consent_withdraw(*, customer, kind, ip, user_agent, requested_by=None) -> Consent | None`;
- `PrivacyError` (`.code`, `.message`, `.reasons`);
- `Erasure` and `Identifiers`, what a section's `erase` receives.
"""

from accounts.privacy.erasure import ERASED, Erasure, Identifiers, placeholder_email
from accounts.privacy.registry import personal_data_sections, register_personal_data
from accounts.privacy.services import (
    CONSENT_WITHDRAW_ACTION,
    ERASE_ACTION,
    EXPORT_ACTION,
    WITHDRAWABLE,
    PrivacyError,
    consent_current,
    consent_withdraw,
    erasure_blockers,
    personal_data_erase,
    personal_data_export,
)

__all__ = [
    "CONSENT_WITHDRAW_ACTION",
    "ERASED",
    "ERASE_ACTION",
    "EXPORT_ACTION",
    "WITHDRAWABLE",
    "Erasure",
    "Identifiers",
    "PrivacyError",
    "consent_current",
    "consent_withdraw",
    "erasure_blockers",
    "personal_data_erase",
    "personal_data_export",
    "personal_data_sections",
    "placeholder_email",
    "register_personal_data",
]
