"""Boarding with a weak or no connection: what a crew member's phone keeps of a departure,
and the check-ins it queued while offline, admitted when it is back.

The phone validates a ticket by itself with `offline_bundle`: the public keys that verify
a signed ticket token (`booking.tickets.tokens`), the departure's boarding window, the
manifest rows (each with the digest of its ticket's secret, so a scanned token finds its
row) and the revocation list (digests of refunded and cancelled tickets). A secret's
digest gives nothing away: the secret cannot be recovered from it, and a token needs the
signature, which only the server's private key makes. Phones are deliberately left out,
as is everything else a gangway does not need.

`offline_check_ins_sync` replays the queued scans through `ticket_check_in`, one
transaction each, at the time each was scanned (the boarding time is the scan's, and the
window is judged at that time). Exactly once stays the database's decision: a batch sent
twice, or a ticket another phone boarded meanwhile, is answered "already used", never
admitted twice; `repeat` says when the boarding on record is this very scan (the answer
to the first sync was lost), which is not a conflict."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from booking.models import Departure, Ticket
from booking.services.checkin import (
    ALREADY_USED,
    CheckInResult,
    boarding_window,
    ticket_check_in,
)
from booking.services.manifests import departure_manifest
from booking.tickets.tokens import public_keys, secret_digest

MAX_SYNC_ITEMS = 200
MAX_CLIENT_ID = 64
# The statuses whose tickets no longer board: their digests are the revocation list.
REVOKED_STATUSES = (Ticket.Status.REFUNDED, Ticket.Status.CANCELLED)


@dataclass(frozen=True)
class OfflineRow:
    ticket_id: int
    digest: str  # `secret_digest` of the ticket's secret
    order_code: str
    name: str
    ticket_type: str
    seat: str
    state: str  # the manifest's: valid (expected), boarded, refunded
    boarded_time: str  # HH:MM on the pier's clock, "" when not boarded


@dataclass(frozen=True)
class OfflineBundle:
    departure: Departure
    local_starts_at: datetime.datetime
    time_zone: str
    boarding_opens_at: datetime.datetime
    boarding_closes_at: datetime.datetime
    cancelled: bool
    public_keys: list[str]
    rows: list[OfflineRow]
    revoked: list[str]  # digests of refunded and cancelled tickets
    generated_at: datetime.datetime
    generated_time: str  # HH:MM on the pier's clock


def offline_bundle(*, departure: Departure, now=None) -> OfflineBundle:
    """What the phone keeps of `departure` to board it offline. Reading it is reading the
    manifest: the caller checks the permission and writes the audit entry."""
    now = now or timezone.now()
    manifest = departure_manifest(departure)
    secrets = dict(
        Ticket.objects.filter(
            departure_id=departure.pk, status__in=(Ticket.Status.VALID, *REVOKED_STATUSES)
        ).values_list("pk", "secret")
    )
    revoked = Ticket.objects.filter(departure_id=departure.pk, status__in=REVOKED_STATUSES)
    rows = [
        OfflineRow(
            ticket_id=row.ticket_id,
            digest=secret_digest(secrets[row.ticket_id]),
            order_code=row.order_code,
            name=row.name,
            ticket_type=row.ticket_type,
            seat=row.seat,
            state=row.state,
            boarded_time=row.boarded_time,
        )
        for row in manifest.rows
        if row.ticket_id in secrets
    ]
    opens, closes = boarding_window(departure)
    return OfflineBundle(
        departure=departure,
        local_starts_at=manifest.local_starts_at,
        time_zone=manifest.time_zone,
        boarding_opens_at=opens,
        boarding_closes_at=closes,
        cancelled=departure.status == Departure.Status.CANCELLED,
        public_keys=public_keys(),
        rows=rows,
        revoked=sorted(
            secret_digest(secret) for secret in revoked.values_list("secret", flat=True)
        ),
        generated_at=now,
        generated_time=departure.local(now).strftime("%H:%M"),
    )


@dataclass(frozen=True)
class QueuedCheckIn:
    """One scan the phone admitted offline."""

    client_id: str
    token: str
    scanned_at: datetime.datetime


@dataclass(frozen=True)
class SyncOutcome:
    client_id: str
    result: CheckInResult
    # The ticket's boarding on record is this very scan (sent before, answer lost).
    repeat: bool


def _scan_time(scanned_at: datetime.datetime, now: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(scanned_at):
        scanned_at = scanned_at.replace(tzinfo=datetime.UTC)
    # A phone's clock ahead of the server's does not board anyone in the future.
    return min(scanned_at, now)


def offline_check_ins_sync(
    *, departure_id: int, items: list[QueuedCheckIn], user, now=None
) -> list[SyncOutcome]:
    """Admit the check-ins a phone queued offline, each as if scanned when it was: one
    outcome per item, in order. At most `MAX_SYNC_ITEMS` (the API refuses more)."""
    if len(items) > MAX_SYNC_ITEMS:
        raise ValueError(f"At most {MAX_SYNC_ITEMS} check-ins are synced at once.")
    now = now or timezone.now()
    outcomes = []
    for item in items:
        moment = _scan_time(item.scanned_at, now)
        result = ticket_check_in(
            token=item.token, departure_id=departure_id, user=user, now=moment, offline=True
        )
        repeat = (
            result.code == ALREADY_USED
            and result.ticket is not None
            and result.ticket.checked_in_at == moment
        )
        outcomes.append(SyncOutcome(client_id=item.client_id, result=result, repeat=repeat))
    return outcomes
