"""Reads for the personal-data pages: each consent kind's current state."""

from dataclasses import dataclass
from datetime import datetime

from accounts.models import Consent, Customer
from accounts.privacy.services import WITHDRAWABLE


@dataclass(frozen=True)
class ConsentState:
    kind: str
    label: str
    granted: bool
    at: datetime | None  # when it was last given or withdrawn; None: never recorded
    document_url: str
    document_version: str

    @property
    def withdrawable(self) -> bool:
        return self.granted and self.kind in WITHDRAWABLE


def consent_states(customer: Customer) -> list[ConsentState]:
    """Every consent kind with its latest row (one query). Marketing counts as given
    while the customer's flag is on, even without a row (data older than consent rows)."""
    latest: dict[str, Consent] = {}
    for consent in customer.consents.order_by("created_at", "pk"):
        latest[consent.kind] = consent
    states = []
    for kind, label in Consent.Kind.choices:
        row = latest.get(kind)
        granted = row.granted if row is not None else False
        if kind == Consent.Kind.MARKETING and row is None:
            granted = customer.marketing_consent
        states.append(
            ConsentState(
                kind=kind,
                label=str(label),
                granted=granted,
                at=row.created_at if row is not None else None,
                document_url=row.document_url if row is not None else "",
                document_version=row.document_version if row is not None else "",
            )
        )
    return states
