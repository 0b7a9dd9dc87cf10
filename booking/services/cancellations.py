"""Cancelling departures (weather, a breakdown …) with full refunds. README, "Cancelling a
departure".

- `departure_cancellation_preview` is the dry run: per departure and in total, the paid
  orders, their tickets, the people (valid tickets), the total to refund, the live holds
  and the unpaid orders. It reads only.
- `departure_cancel` closes the departures to sale at once (status cancelled, with the
  reason, the note, who and when), releases their live holds, cancels their unpaid orders,
  records one `CancellationRefund` row per paid order, writes the audit entry and queues
  the job `booking.tasks.refund_cancelled_departure` per departure. One transaction.
- `departure_cancellation_refunds` is the job: for every row not refunded yet, in its own
  transaction together with the row, the order's still-refundable tickets are refunded
  through `booking.services.refunds.refund_request` (a cancelled departure is refunded in
  full whatever the window; each refund has its own idempotence key and receipt), then the
  customer is told once by e-mail and SMS in their language. A worker that dies halfway
  leaves every order either refunded with its row or neither: running the job again (or
  twice at once: the rows are locked) never refunds an order twice. A refusal is recorded
  on the row (failed, with the reason) and `departure_cancellation_retry` queues the job
  again. The crew assigned to the pier or the vessel gets one e-mail.
"""

import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermission, UserObjectPermission
from wagtail.log_actions import log

from booking.models import (
    CancellationRefund,
    CancelReason,
    Departure,
    Hold,
    Order,
    Refund,
    SentMessage,
    Ticket,
    Venue,
    Vessel,
    WebhookEvent,
)
from booking.models.messaging import MessageKind
from booking.services.backoffice import order_cancel_unpaid
from booking.services.confirmations import (
    message_values,
    order_email_message,
    order_for_messages,
    outgoing_message,
    send_email_or_raise,
    send_once_locked,
    send_order_sms,
)
from booking.services.errors import BookingError
from booking.services.refunds import refund_request, refundable_tickets, still_refundable
from booking.services.webhooks import departure_data, webhooks_emit
from common.money import format_rub
from common.tasks import enqueue

logger = logging.getLogger(__name__)

CANCEL_ACTION = "booking.departure.cancel"
RETRY_ACTION = "booking.departure.cancel_retry"
JOB = "booking.tasks.refund_cancelled_departure"
CANCEL_TEXT_MAX = 500
# One run of the job refunds for at most this long, then queues the next run for the rest:
# a run stays well inside the worker's timeout (Q_CLUSTER["timeout"], 120 s), whose kill
# would not be retried.
JOB_SECONDS = 60
MAX_DEPARTURES = 200
ZERO = Decimal("0.00")

# What the customers read about why, in their language; the manager's note follows.
REASON_TEXTS = {
    CancelReason.WEATHER: _("The weather does not allow the boat to sail safely."),
    CancelReason.TECHNICAL: _("The boat has a technical fault and cannot sail."),
    CancelReason.OTHER: _("The departure cannot take place."),
}


def reason_text(departure: Departure, language: str) -> str:
    """Why the departure was cancelled, for a customer in `language`: the reason's text,
    then the manager's note, if any."""
    with translation.override(language):
        text = str(REASON_TEXTS.get(departure.cancel_reason, REASON_TEXTS[CancelReason.OTHER]))
    return f"{text} {departure.cancel_text}".strip() if departure.cancel_text else text


# The dry run ----------------------------------------------------------------------------


@dataclass
class Figures:
    """What cancelling affects: paid orders, their tickets (all issued), the people (valid
    tickets), the total to refund (the refunds service's full refund of what is still
    refundable), live holds and unpaid orders."""

    paid_orders: int = 0
    tickets: int = 0
    people: int = 0
    refund_total: Decimal = ZERO
    holds: int = 0
    unpaid_orders: int = 0

    def add(self, other: "Figures") -> None:
        for name in ("paid_orders", "tickets", "people", "refund_total", "holds", "unpaid_orders"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_data(self) -> dict:
        return {
            "paid_orders": self.paid_orders,
            "tickets": self.tickets,
            "people": self.people,
            "refund_total": f"{self.refund_total:.2f}",
            "holds": self.holds,
            "unpaid_orders": self.unpaid_orders,
        }


@dataclass
class DepartureFigures:
    departure: Departure
    figures: Figures
    refusal: str = ""  # why it cannot be cancelled (translated), empty when it can


@dataclass
class CancellationPreview:
    rows: list[DepartureFigures] = field(default_factory=list)
    total: Figures = field(default_factory=Figures)

    @property
    def allowed(self) -> bool:
        return bool(self.rows) and not any(row.refusal for row in self.rows)


def departure_figures(departure: Departure, now=None) -> Figures:
    now = now or timezone.now()
    confirmed = Order.objects.filter(departure=departure, status__in=Order.CONFIRMED_STATUSES)
    tickets = list(
        Ticket.objects.filter(order__in=confirmed).only(
            "status", "checked_in_at", "paid_amount", "order_id"
        )
    )
    refundable = [t for t in tickets if still_refundable(t)]
    return Figures(
        paid_orders=len({t.order_id for t in refundable}),
        tickets=len(tickets),
        people=sum(1 for t in tickets if t.status == Ticket.Status.VALID),
        refund_total=sum((t.paid_amount for t in refundable), ZERO),
        holds=Hold.objects.filter(
            departure=departure, expires_at__gt=now, order__isnull=True
        ).count(),
        unpaid_orders=Order.objects.filter(
            departure=departure, status=Order.Status.AWAITING_PAYMENT
        ).count(),
    )


def _refusal(departure: Departure, now) -> BookingError | None:
    if departure.status == Departure.Status.CANCELLED:
        return BookingError("departure_already_cancelled", departure=str(departure))
    if departure.status == Departure.Status.DEPARTED or departure.starts_at <= now:
        return BookingError("departure_already_departed", departure=str(departure))
    return None


def _departure_ids(departures) -> list[int]:
    ids = []
    for departure in departures:
        pk = departure.pk if isinstance(departure, Departure) else departure
        if isinstance(pk, str) and pk.strip().isdecimal() and len(pk.strip()) <= 18:
            pk = int(pk.strip())
        if isinstance(pk, bool) or not isinstance(pk, int) or pk <= 0:
            raise BookingError("departure_not_found")
        if pk not in ids:
            ids.append(pk)
    if not ids:
        raise BookingError("no_departures")
    if len(ids) > MAX_DEPARTURES:
        raise BookingError("too_many_departures", limit=MAX_DEPARTURES)
    return ids


def departure_cancellation_preview(*, departures, now=None) -> CancellationPreview:
    """The dry run of cancelling `departures` (Departure objects or ids): the figures per
    departure and in total, and per departure why it cannot be cancelled (already
    cancelled or departed). Changes nothing."""
    now = now or timezone.now()
    ids = _departure_ids(departures)
    found = Departure.objects.select_related("product", "venue").in_bulk(ids)
    if len(found) != len(ids):
        raise BookingError("departure_not_found")
    preview = CancellationPreview()
    for departure in sorted(found.values(), key=lambda d: (d.starts_at, d.pk)):
        figures = departure_figures(departure, now)
        refusal = _refusal(departure, now)
        preview.rows.append(
            DepartureFigures(departure, figures, refusal.message if refusal else "")
        )
        preview.total.add(figures)
    return preview


# Cancelling -------------------------------------------------------------------------------


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def _clean(reason: str, text: str) -> tuple[str, str]:
    if reason not in CancelReason.values:
        raise BookingError("cancel_reason_invalid")
    text = " ".join((text or "").split())
    if len(text) > CANCEL_TEXT_MAX:
        raise BookingError("note_too_long", limit=CANCEL_TEXT_MAX)
    if reason == CancelReason.OTHER and not text:
        raise BookingError("cancel_text_required")
    return reason, text


def _close_sale(departure: Departure, user) -> dict:
    """Releases the departure's live holds and cancels its unpaid orders (their holds and
    seats go with them). Idempotent: the job runs it again for anything that slipped in."""
    released = Hold.objects.filter(departure=departure, order__isnull=True).delete()[0]
    cancelled = []
    unpaid = Order.objects.filter(departure=departure, status=Order.Status.AWAITING_PAYMENT)
    for order in unpaid.order_by("pk"):
        try:
            order_cancel_unpaid(
                order=order, user=user, reason=gettext("The departure was cancelled")
            )
        except BookingError:
            continue  # paid or ended meanwhile: the rows below take a paid one
        cancelled.append(order.pk)
    return {"holds_released": released, "unpaid_cancelled": cancelled}


def _add_rows(departure: Departure) -> int:
    """One `CancellationRefund` per paid order of the departure that has none yet."""
    orders = Order.objects.filter(departure=departure, status__in=Order.CONFIRMED_STATUSES).exclude(
        cancellation_refund__isnull=False
    )
    rows = [CancellationRefund(departure=departure, order=order) for order in orders]
    CancellationRefund.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def departure_cancel(*, departures, reason: str, text: str = "", user=None, now=None):
    """Cancels `departures` (Departure objects or ids; one or many) for `reason` (a
    `CancelReason` value; "other" needs `text`) in one transaction: each is closed to sale
    at once, its live holds released and unpaid orders cancelled, a row recorded per paid
    order for the refund job, the audit entry written (with the dry run's figures) and the
    job queued. Refuses (`BookingError`, nothing changed) when one of them has departed or
    is cancelled already. Returns the departures."""
    now = now or timezone.now()
    reason, text = _clean(reason, text)
    ids = _departure_ids(departures)
    user = _user(user)
    with transaction.atomic():
        locked = list(
            Departure.objects.select_for_update(of=("self",))
            .select_related("product", "venue")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        if len(locked) != len(ids):
            raise BookingError("departure_not_found")
        for departure in locked:
            refusal = _refusal(departure, now)
            if refusal is not None:
                raise refusal
        for departure in locked:
            figures = departure_figures(departure, now)
            departure.status = Departure.Status.CANCELLED
            departure.cancelled_at = now
            departure.cancel_reason = reason
            departure.cancel_text = text
            departure.cancelled_by = user
            departure.save(
                update_fields=[
                    "status",
                    "cancelled_at",
                    "cancel_reason",
                    "cancel_text",
                    "cancelled_by",
                ]
            )
            closed = _close_sale(departure, user)
            _add_rows(departure)
            log(
                instance=departure,
                action=CANCEL_ACTION,
                user=user,
                data={
                    "reason": reason,
                    "text": text,
                    **figures.as_data(),
                    **closed,
                    "together_with": [d.pk for d in locked if d.pk != departure.pk],
                },
            )
            webhooks_emit(
                event=WebhookEvent.DEPARTURE_CANCELLED,
                # Built from what is loaded already (the product, the figures): no query.
                payload={
                    "departure": departure_data(departure),
                    "reason": reason,
                    "paid_orders": figures.paid_orders,
                    "refund_total": f"{figures.refund_total:.2f}",
                },
            )
            enqueue(JOB, departure.pk)
    return locked


def departure_cancellation_retry(*, departure: Departure, user=None) -> int:
    """Queues the job again for the failed rows of a cancelled departure (they become
    pending) and for any still pending (a run that never finished); returns how many
    failed rows were put back. Audited."""
    current = Departure.objects.filter(pk=departure.pk).values_list("status", flat=True).first()
    if current != Departure.Status.CANCELLED:
        raise BookingError("departure_not_cancelled")
    with transaction.atomic():
        count = CancellationRefund.objects.filter(
            departure=departure, status=CancellationRefund.Status.FAILED
        ).update(status=CancellationRefund.Status.PENDING)
        log(instance=departure, action=RETRY_ACTION, user=_user(user), data={"orders": count})
        enqueue(JOB, departure.pk)
    return count


# The job ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    total: int
    refunded: int
    failed: int
    pending: int
    sent_to_bank: int  # refunds YooKassa has accepted (succeeded)
    notified: int
    failures: list  # (order code, error)

    @property
    def done(self) -> bool:
        return self.total == self.refunded


def departure_cancellation_progress(departure: Departure) -> Progress:
    rows = list(
        CancellationRefund.objects.filter(departure=departure).select_related("order", "refund")
    )
    status = CancellationRefund.Status
    return Progress(
        total=len(rows),
        refunded=sum(1 for r in rows if r.status == status.REFUNDED),
        failed=sum(1 for r in rows if r.status == status.FAILED),
        pending=sum(1 for r in rows if r.status == status.PENDING),
        sent_to_bank=sum(
            1
            for r in rows
            if r.status == status.REFUNDED
            and (r.refund is None or r.refund.status == Refund.Status.SUCCEEDED)
        ),
        notified=sum(1 for r in rows if r.email_sent_at and r.sms_sent_at),
        failures=[(r.order.code, failure_text(r.error)) for r in rows if r.status == status.FAILED],
    )


def failure_text(error: str) -> str:
    """A failed row's error in the active language: a `BookingError` code's message (one
    without parameters; the code otherwise), else the recorded text (an exception's
    class)."""
    message = BookingError.MESSAGES.get(error)
    if message is None:
        return error
    text = str(message)
    return error if "%(" in text else text


def _refund_row(row_id: int) -> str:
    """Refunds one order of the cancelled departure in full, in one transaction with its
    row (so that both or neither are recorded); a refusal marks the row failed."""
    with transaction.atomic():
        row = (
            CancellationRefund.objects.select_for_update(of=("self",))
            .select_related("departure")
            .get(pk=row_id)
        )
        if row.status == CancellationRefund.Status.REFUNDED:
            return row.status
        row.attempts += 1
        try:
            with transaction.atomic():
                order = Order.objects.get(pk=row.order_id)
                if refundable_tickets(order):
                    refund = refund_request(
                        order=order,
                        requested_by=row.departure.cancelled_by,
                        reason=Refund.Reason.DEPARTURE_CANCELLED,
                        notify=False,
                    )
                    row.refund = refund
                    row.amount = refund.amount
                row.status = CancellationRefund.Status.REFUNDED
                row.error = ""
        except BookingError as error:
            # The code: the screen says it in the reader's language (`failure_text`).
            row.status = CancellationRefund.Status.FAILED
            row.error = error.code[:300]
        except Exception as error:
            logger.exception("Cancelled departure: order %s not refunded", row.order_id)
            row.status = CancellationRefund.Status.FAILED
            row.error = type(error).__name__[:300]
        row.save(update_fields=["status", "refund", "amount", "error", "attempts", "updated_at"])
        return row.status


def _notice_values(row: CancellationRefund, order: Order) -> dict:
    with translation.override(order.language):
        amount = format_rub(row.amount)
    return {"refund_amount": amount, "reason": reason_text(row.departure, order.language)}


def _is_notifiable(row: CancellationRefund) -> bool:
    return row.status == CancellationRefund.Status.REFUNDED and row.refund_id is not None


def departure_cancelled_notice(row_id: int) -> dict[str, bool]:
    """Tells the customer of one refunded order (e-mail and SMS, in the order's language)
    that the departure is cancelled, why, and what is refunded; each message at most once
    (`email_sent_at`/`sms_sent_at` under the row's lock). A failure is recorded as a
    `SentMessage` and raised after the other channel was tried."""
    row = CancellationRefund.objects.select_related("departure").get(pk=row_id)
    sent = {"email": False, "sms": False}
    if not _is_notifiable(row):
        return sent
    order = order_for_messages(row.order_id)
    values = _notice_values(row, order)
    kind = MessageKind.DEPARTURE_CANCELLED
    failure = None
    if row.email_sent_at is None:
        try:
            email = order_email_message(
                order,
                kind,
                with_tickets=False,
                values=values,
                extra={"refund_amount": values["refund_amount"]},
            )
            sent["email"] = send_once_locked(
                CancellationRefund,
                row_id,
                "email_sent_at",
                _is_notifiable,
                lambda: send_email_or_raise(email),
                outgoing_message(order, kind, SentMessage.Channel.EMAIL, row.refund),
            )
        except Exception as error:
            failure = error
    if row.sms_sent_at is None:
        from booking.messaging import render_message

        try:
            text = render_message(
                kind, order.language, {**message_values(order), **values}
            ).sms_text
            sent["sms"] = send_once_locked(
                CancellationRefund,
                row_id,
                "sms_sent_at",
                _is_notifiable,
                lambda: send_order_sms(order, text),
                outgoing_message(order, kind, SentMessage.Channel.SMS, row.refund),
            )
        except Exception as error:
            failure = failure or error
    if failure is not None:
        raise failure
    return sent


def departure_crew(departure: Departure):
    """The active staff assigned to the departure's pier or vessel (django-guardian
    permissions `booking.assigned_to_venue` / `assigned_to_vessel`, held directly or by a
    group): who is told of the cancellation."""
    types = ContentType.objects.get_for_models(Venue, Vessel)
    venue = Q(
        content_type=types[Venue],
        permission__codename="assigned_to_venue",
        object_pk=str(departure.venue_id),
    )
    vessel = Q(
        content_type=types[Vessel],
        permission__codename="assigned_to_vessel",
        object_pk=str(departure.vessel_id),
    )
    user_ids = UserObjectPermission.objects.filter(venue | vessel).values("user_id")
    group_ids = GroupObjectPermission.objects.filter(venue | vessel).values("group_id")
    return (
        get_user_model()
        .objects.filter(Q(pk__in=user_ids) | Q(groups__in=group_ids), is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _crew_language(user) -> str:
    profile = getattr(user, "wagtail_userprofile", None)
    language = getattr(profile, "preferred_language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def departure_crew_notice(departure: Departure) -> int:
    """One e-mail to each member of the departure's crew, once per departure
    (`crew_notified_at`, set under the departure's lock before sending: a crew member
    gets it at most once). Returns how many were sent."""
    with transaction.atomic():
        locked = Departure.objects.select_for_update().get(pk=departure.pk)
        if locked.crew_notified_at is not None:
            return 0
        Departure.objects.filter(pk=departure.pk).update(crew_notified_at=timezone.now())
    departure = Departure.objects.select_related("product", "venue", "vessel").get(pk=departure.pk)
    sent = 0
    for member in departure_crew(departure):
        language = _crew_language(member)
        with translation.override(language):
            local = departure.local_starts_at
            subject = gettext("Departure cancelled: %(departure)s") % {"departure": departure}
            body = gettext(
                "The departure %(product)s on %(when)s (%(vessel)s, %(pier)s) is cancelled. "
                "Reason: %(reason)s\n\nThe passengers are refunded and told by the system; "
                "nobody boards."
            ) % {
                "product": departure.product,
                "when": f"{local:%Y-%m-%d %H:%M}",
                "vessel": departure.vessel,
                "pier": departure.venue,
                "reason": reason_text(departure, language),
            }
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [member.email])
            sent += 1
        except Exception:
            logger.exception("Crew member %s not told of a cancellation", member.pk)
    return sent


def _notify(row_id: int) -> Exception | None:
    """The customer's notice of one row, right after its refund; a failure is returned
    (and tried again at the end of the run, then by the job's retry)."""
    try:
        departure_cancelled_notice(row_id)
    except Exception as error:
        logger.warning("Cancellation notice of row %s not sent (%s)", row_id, error)
        return error
    return None


def departure_cancellation_refunds(*, departure_id: int) -> Progress:
    """The job: for a cancelled departure, anything that slipped onto sale is closed again,
    every paid order gets its row, the rows not refunded yet are refunded one order per
    transaction (pending ones, and failed ones only when the staff pressed Retry, which
    makes them pending), each customer is told once, the crew once. Safe to run twice or
    after a crash. Raises at the end when a message could not be sent (the queue retries
    the job; nothing is refunded twice)."""
    departure = Departure.objects.get(pk=departure_id)
    if departure.status != Departure.Status.CANCELLED:
        return departure_cancellation_progress(departure)
    _close_sale(departure, None)
    _add_rows(departure)
    rows = CancellationRefund.objects.filter(departure=departure)
    deadline = time.monotonic() + JOB_SECONDS
    pending = rows.filter(status=CancellationRefund.Status.PENDING).order_by("pk")
    for done, row_id in enumerate(pending.values_list("pk", flat=True)):
        if done and time.monotonic() > deadline:
            # The rest in the next run (each order it refunds is committed already).
            enqueue(JOB, departure.pk)
            return departure_cancellation_progress(departure)
        _refund_row(row_id)
        _notify(row_id)
    failure = None
    unsent = rows.filter(status=CancellationRefund.Status.REFUNDED, refund__isnull=False).filter(
        Q(email_sent_at__isnull=True) | Q(sms_sent_at__isnull=True)
    )
    for row_id in unsent.values_list("pk", flat=True):
        failure = _notify(row_id) or failure
    departure_crew_notice(departure)
    if failure is not None:
        raise failure
    return departure_cancellation_progress(departure)
