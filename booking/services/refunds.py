"""Refunds of tickets: one rule (`refund_quote`) and one way to ask for it
(`refund_request`), which the customer's order page, the customer API and the agents'
console all call. README, "Refunds".

The rule:
- only a confirmed order (paid or partly refunded) is refunded; a ticket already boarded
  or already refunded is not, nor one of another order;
- a departure the operator cancelled is refunded in full (fees too), whenever;
- otherwise the product's refund policy (`RefundPolicy`; the settings' default when the
  product names none) decides: the ticket is refundable while the departure starts
  strictly more than the window from now (24 h + 1 s: yes; exactly 24 h or less: no),
  for its paid amount to the kopeck, less its share of the service fees when the policy
  keeps them. The amount is the policy's `share_at(time before start)` of that (1 or 0
  today; a tier list later changes the policy, not this module);
- a part of an order that used a promo code with a minimum order amount is refunded only
  if the tickets left keep the order at or above that minimum (by their prices before the
  discount, as the code was judged at checkout): otherwise the customer would keep the
  discount on an order the code never allowed. The whole order can always be refunded.

A request (`refund_request`) is one transaction under the order's row lock and then its
tickets' (in pk order; a check-in scan takes the one ticket's row, so the two are
serialised on it and cannot deadlock): the quote is made again under the locks, the `Refund` is recorded with its own idempotence key, the
tickets become refunded at once (check-in refuses them, their seats and places are for
sale again) and the order partly refunded or refunded. After the commit the refund is
sent to YooKassa at once (a failure leaves it to the `send_refund` task and the
reconciliation: the request stands) and the customer's notice is queued.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from wagtail.log_actions import log

from booking.gateways.yookassa import GatewayError
from booking.models import (
    Departure,
    Order,
    Payment,
    Refund,
    RefundPolicy,
    SeatClaim,
    Ticket,
    WebhookEvent,
)
from booking.services.confirmations import refund_notice_enqueue
from booking.services.errors import BookingError
from booking.services.payments import refund_send
from booking.services.pricing import kopecks
from booking.services.webhooks import refund_payload, webhooks_emit
from common.formats import date_time, month_day_time
from common.money import format_rub
from common.tasks import enqueue

logger = logging.getLogger(__name__)

REFUND_ACTION = "booking.order.refund"
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RefundLine:
    """One ticket of a quote: what is returned for it, and its share of the service fees
    that is kept (zero when the policy refunds fees or the departure was cancelled)."""

    ticket: Ticket
    amount: Decimal
    fee_kept: Decimal


@dataclass(frozen=True)
class RefundQuote:
    """Whether these tickets can be refunded now, how much, and why not.

    `code` is the refusal's `BookingError` code (None when allowed) and `message` says it
    in the active language (with the deadline in the pier's time when the window has
    passed); `deadline` is the last moment of the window (None for a cancelled
    departure); `whole_order` says the refund leaves no valid ticket in the order."""

    allowed: bool
    code: str | None
    message: str
    deadline: datetime.datetime | None
    lines: tuple[RefundLine, ...]
    amount: Decimal
    whole_order: bool
    fees_refunded: bool = True

    @property
    def departure_cancelled(self) -> bool:
        """The operator cancelled the departure: refundable in full, whenever."""
        return self.deadline is None

    @property
    def fees_kept(self) -> Decimal:
        return sum((line.fee_kept for line in self.lines), ZERO)


def refund_policy_for(departure: Departure) -> RefundPolicy:
    """The refund policy of the departure's product: its own, or the default."""
    return departure.product.refund_policy or RefundPolicy.default()


def _deadline(departure: Departure):
    if departure.status == Departure.Status.CANCELLED:
        return None
    return refund_policy_for(departure).deadline(departure.starts_at)


def pier_moment(departure: Departure, moment, now=None) -> str:
    """`moment` on the pier's clock in the active language, as the quote's messages and
    the account's order page write it: "6 декабря, 11:00", with the year when it is not
    this year's."""
    local = departure.local(moment)
    if local.year == departure.local(now or timezone.now()).year:
        return month_day_time(local)
    return date_time(local)


def _order_for_refund(order_id: int, *, lock: bool) -> Order:
    queryset = Order.objects.select_related(
        "departure__venue", "departure__product__refund_policy", "promotion"
    )
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return queryset.get(pk=order_id)


def _order_tickets(order: Order, *, lock: bool) -> list[Ticket]:
    queryset = Ticket.objects.filter(order=order).select_related("ticket_type", "seat")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return list(queryset.order_by("pk"))


def _chosen_ids(tickets) -> list[int]:
    """The pks of the chosen tickets (Ticket objects or ids), each once, in the order
    given; `BookingError("ticket_invalid")` for anything that cannot be a ticket."""
    ids = []
    for ticket in tickets:
        pk = ticket.pk if isinstance(ticket, Ticket) else ticket
        if isinstance(pk, str) and pk.strip().isdecimal() and len(pk.strip()) <= 19:
            pk = int(pk.strip())
        if isinstance(pk, bool) or not isinstance(pk, int) or pk <= 0:
            raise BookingError("ticket_invalid")
        if pk not in ids:
            ids.append(pk)
    return ids


def still_refundable(ticket: Ticket) -> bool:
    """Valid and not boarded: a ticket that may still be chosen for a refund (whether the
    refund is allowed now is `refund_quote`'s answer)."""
    return ticket.status == Ticket.Status.VALID and ticket.checked_in_at is None


def refundable_tickets(order: Order) -> list[Ticket]:
    """The order's tickets that may still be chosen for a refund, in order."""
    return [t for t in _order_tickets(order, lock=False) if still_refundable(t)]


def _chosen(order_tickets: list[Ticket], tickets) -> list[Ticket]:
    """The tickets to refund, checked one by one; None means every ticket still
    refundable (valid, not boarded)."""
    if tickets is None:
        chosen = [t for t in order_tickets if still_refundable(t)]
        if not chosen:
            boarded = any(t.status == Ticket.Status.VALID for t in order_tickets)
            raise BookingError("ticket_boarded" if boarded else "ticket_refunded")
        return chosen
    ids = _chosen_ids(tickets)
    if not ids:
        raise BookingError("no_tickets")
    by_pk = {t.pk: t for t in order_tickets}
    if any(pk not in by_pk for pk in ids):
        raise BookingError("ticket_invalid")
    chosen = [by_pk[pk] for pk in ids]
    for ticket in chosen:
        if ticket.status == Ticket.Status.REFUNDED:
            raise BookingError("ticket_refunded")
        if ticket.status != Ticket.Status.VALID:
            raise BookingError("ticket_invalid")
        if ticket.checked_in_at is not None:
            raise BookingError("ticket_boarded")
    return chosen


def _check_promotion_minimum(order: Order, remaining: list[Ticket]) -> None:
    """A partial refund must leave the order at or above its promo code's minimum (by
    list prices, as the code was judged at checkout)."""
    promotion = order.promotion
    if promotion is None or not promotion.min_order_amount or not remaining:
        return
    left = sum((t.price for t in remaining), ZERO)
    if left < promotion.min_order_amount:
        raise BookingError(
            "promo_minimum", promo=promotion.code, amount=format_rub(promotion.min_order_amount)
        )


def _quote(order: Order, order_tickets: list[Ticket], tickets, now) -> RefundQuote:
    """The quote for an allowed refund; a refusal raises its `BookingError`."""
    if order.status == Order.Status.REFUNDED:
        raise BookingError("ticket_refunded")
    if not order.is_confirmed:
        raise BookingError("order_not_refundable")
    chosen = _chosen(order_tickets, tickets)
    chosen_ids = {t.pk for t in chosen}
    remaining = [
        t for t in order_tickets if t.status == Ticket.Status.VALID and t.pk not in chosen_ids
    ]
    departure = order.departure
    if departure.status == Departure.Status.CANCELLED:
        # Nobody sails: everything paid goes back, fees included, whatever the policy.
        lines = tuple(RefundLine(t, t.paid_amount, ZERO) for t in chosen)
        amount = sum((line.amount for line in lines), ZERO)
        return RefundQuote(
            allowed=True,
            code=None,
            message=gettext(
                "The departure has been cancelled: the whole amount, %(amount)s, is refunded."
            )
            % {"amount": format_rub(amount)},
            deadline=None,
            lines=lines,
            amount=amount,
            whole_order=not remaining,
            fees_refunded=True,
        )
    policy = refund_policy_for(departure)
    deadline = policy.deadline(departure.starts_at)
    share = policy.share_at(departure.starts_at - now)
    if share <= 0:
        raise BookingError("refund_window_passed", deadline=pier_moment(departure, deadline, now))
    _check_promotion_minimum(order, remaining)
    lines = []
    for ticket in chosen:
        fee_kept = ZERO if policy.refunds_fees else ticket.fee
        lines.append(RefundLine(ticket, kopecks((ticket.paid_amount - fee_kept) * share), fee_kept))
    amount = sum((line.amount for line in lines), ZERO)
    kept = sum((line.fee_kept for line in lines), ZERO)
    values = {
        "amount": format_rub(amount),
        "deadline": pier_moment(departure, deadline, now),
        "fee": format_rub(kept),
    }
    if kept:
        message = (
            gettext(
                "You can get %(amount)s back until %(deadline)s (the service fee, %(fee)s, "
                "is not refunded)."
            )
            % values
        )
    else:
        message = gettext("You can get %(amount)s back until %(deadline)s.") % values
    return RefundQuote(
        allowed=True,
        code=None,
        message=message,
        deadline=deadline,
        lines=tuple(lines),
        amount=amount,
        whole_order=not remaining,
        fees_refunded=policy.refunds_fees,
    )


def refund_quote(*, order: Order, tickets=None, now=None) -> RefundQuote:
    """Whether `tickets` (Ticket objects or ids of the order; None: every ticket still
    refundable) can be refunded at `now`, for how much, and if not, why (`code` and a
    translated `message` in the active language). Reads the order afresh; changes
    nothing."""
    now = now or timezone.now()
    order = _order_for_refund(order.pk, lock=False)
    try:
        return _quote(order, _order_tickets(order, lock=False), tickets, now)
    except BookingError as error:
        return RefundQuote(
            allowed=False,
            code=error.code,
            message=error.message,
            deadline=_deadline(order.departure),
            lines=(),
            amount=ZERO,
            whole_order=False,
        )


def _paid_by(order: Order) -> Payment:
    payment = order.paid_by or (
        order.payments.filter(status=Payment.Status.SUCCEEDED).order_by("pk").first()
    )
    if payment is None:
        raise BookingError("order_not_refundable")
    return payment


def refund_request(
    *,
    order: Order,
    tickets=None,
    now=None,
    requested_by=None,
    reason: str = Refund.Reason.CUSTOMER,
    notify: bool = True,
) -> Refund:
    """Refunds `tickets` of the order (as `refund_quote` takes them) if the rule allows it
    now, else raises `BookingError` with the quote's code. In one transaction, under the
    order's and then its tickets' row locks: records the `Refund` (against the payment
    that paid the order, with its own idempotence key), marks the tickets refunded and
    frees their seats, sets the order partly refunded or refunded and writes the audit
    entry (`booking.order.refund`, by `requested_by`). After the commit the refund goes to
    YooKassa at once (on failure the `send_refund` task and the reconciliation retry it;
    the request stands) and the customer's e-mail and SMS are queued (`notify=False`: not,
    because the caller tells the customer itself, as the cancellation of a departure
    does). Returns the refund
    as it stands then (`status` pending or succeeded when YooKassa answered)."""
    now = now or timezone.now()
    user = requested_by if getattr(requested_by, "is_authenticated", False) else None
    with transaction.atomic():
        order = _order_for_refund(order.pk, lock=True)
        order_tickets = _order_tickets(order, lock=True)
        quote = _quote(order, order_tickets, tickets, now)
        payment = _paid_by(order)
        refund = Refund.objects.create(
            payment=payment,
            idempotence_key=str(uuid.uuid4()),
            amount=quote.amount,
            reason=reason,
            fees_refunded=quote.fees_refunded,
            # Nothing to send for free tickets: YooKassa refunds no zero amounts.
            status=Refund.Status.SUCCEEDED if quote.amount == 0 else Refund.Status.CREATED,
        )
        ids = [line.ticket.pk for line in quote.lines]
        refund.tickets.set(ids)
        Ticket.objects.filter(pk__in=ids).update(status=Ticket.Status.REFUNDED)
        # The seats are for sale again at once; general-admission places are counted
        # from valid tickets, so they are free already.
        SeatClaim.objects.filter(ticket_id__in=ids).delete()
        order.status = Order.Status.REFUNDED if quote.whole_order else Order.Status.PARTLY_REFUNDED
        order.save(update_fields=["status"])
        webhooks_emit(event=WebhookEvent.TICKET_REFUNDED, payload=lambda: refund_payload(refund))
        if refund.status == Refund.Status.SUCCEEDED:  # nothing to send: free tickets
            webhooks_emit(
                event=WebhookEvent.REFUND_SUCCEEDED, payload=lambda: refund_payload(refund)
            )
        log(
            instance=order,
            action=REFUND_ACTION,
            user=user,
            data={
                "refund_id": refund.pk,
                "tickets": ids,
                "amount": f"{quote.amount:.2f}",
                "fees_refunded": quote.fees_refunded,
                "reason": reason,
                "departure_cancelled": quote.departure_cancelled,
            },
        )
        transaction.on_commit(lambda: _after_request(refund.pk, notify=notify), robust=True)
    refund.refresh_from_db()
    return refund


def _after_request(refund_id: int, *, notify: bool = True) -> None:
    """After the request's commit: the refund to YooKassa now, so the page can say it was
    sent (a failure is retried by the task; the reconciliation catches the rest), then
    the customer's notice."""
    refund = Refund.objects.get(pk=refund_id)
    if refund.status == Refund.Status.CREATED:
        try:
            refund_send(refund=refund)
        except GatewayError as error:
            logger.warning("Refund %s not sent yet (%s); retried by a task", refund_id, error)
            enqueue("booking.tasks.send_refund", refund_id)
        except Exception:
            logger.exception("Refund %s not sent; left to the reconciliation", refund_id)
    if notify:
        refund_notice_enqueue(refund)
