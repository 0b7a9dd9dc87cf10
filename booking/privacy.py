"""What booking holds about a customer, for their personal-data rights (accounts.privacy).

accounts sits below booking and cannot look at orders; booking registers the section
"orders" in `BookingConfig.ready()` (`register()` below), and accounts calls it when a
customer downloads their data or asks for erasure.

Erasure keeps what accounting law needs — every order with its code, amounts and status,
its tickets, payments, refunds and fiscal receipts — and removes the person from them:

| where | what goes |
|---|---|
| Order | name, e-mail (the placeholder), phone |
| Payment.raw, Refund.raw | YooKassa's object as last fetched: a receipt's `customer`, and any e-mail, phone or name in it (SberPay and mobile-balance payments carry the payer's phone) |
| PaymentNotification.excerpt | the start of the notification's body (the same object) |
| SentMessage.recipient | the e-mail or phone each message about the orders went to |
| OrderNote.text | staff's notes on the orders: the text becomes "[erased]", author and time stay |
| the orders' "contact corrected" audit entries | the old and new e-mail or phone, which may be a mistyped address found nowhere else |

Tickets carry no person (a seat, a price, a QR secret); fiscal receipts are recorded by
kind, status and id only. Messages sent are recorded (`SentMessage`: kind, channel,
recipient, result), never their text: the recipient goes.

While an order awaits payment the erasure waits: a payment may still arrive, and its
tickets and receipt go to the buyer's address. An order that is no longer awaiting
payment has no hold (its hold, with the client's address, is deleted when the order is
paid, cancelled or expires), so there is no hold to anonymise.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.privacy.erasure import ERASED
from booking.i18n import localized_value
from booking.models import Order, OrderNote, Payment, PaymentNotification, Refund, SentMessage
from booking.services.backoffice import CONTACT_CHANGE_ACTION


def _orders(customer):
    return Order.objects.filter(customer=customer)


# --- export ------------------------------------------------------------------------


def _payment_method(raw: dict) -> str:
    method = (raw or {}).get("payment_method") or {}
    return str(method.get("title") or method.get("type") or "")


def orders_export(customer) -> list[dict]:
    orders = (
        _orders(customer)
        .select_related("departure__product", "departure__venue", "hold", "promotion")
        .prefetch_related(
            "tickets__ticket_type", "tickets__seat", "payments__refunds__tickets", "receipts"
        )
        .order_by("created_at", "pk")
    )
    return [_order_data(order) for order in orders]


def _order_data(order: Order) -> dict:
    departure = order.departure
    messages = []
    if order.confirmation_sent_at:
        messages.append(
            {"channel": "email", "to": order.email, "sent_at": order.confirmation_sent_at}
        )
    if order.sms_sent_at:
        messages.append({"channel": "sms", "to": order.phone, "sent_at": order.sms_sent_at})
    hold = order.hold
    return {
        "code": order.code,
        "status": order.status,
        "language": order.language,
        "created_at": order.created_at,
        "paid_at": order.paid_at,
        "name": order.name,
        "email": order.email,
        "phone": order.phone,
        "product": localized_value(departure.product, "name"),
        "departure": {
            "starts_at": departure.local_starts_at,
            "pier": localized_value(departure.venue, "name"),
            "timezone": departure.venue.timezone,
        },
        "promo_code": order.promotion.code if order.promotion else None,
        "subtotal": order.subtotal,
        "discount_total": order.discount_total,
        "fees_total": order.fees_total,
        "total": order.total,
        "tickets": [
            {
                "id": ticket.pk,
                "type": localized_value(ticket.ticket_type, "name"),
                "seat": ticket.seat.short_label if ticket.seat else None,
                "status": ticket.status,
                "price": ticket.price,
                "discount": ticket.discount,
                "fee": ticket.fee,
                "paid_amount": ticket.paid_amount,
                "boarded_at": ticket.checked_in_at,
            }
            for ticket in order.tickets.all()
        ],
        "payments": [
            {
                "id": payment.pk,
                "yookassa_id": payment.provider_id,
                "status": payment.status,
                "amount": payment.amount,
                "method": _payment_method(payment.raw),
                "created_at": payment.created_at,
                "succeeded_at": payment.succeeded_at,
                "refunds": [
                    {
                        "id": refund.pk,
                        "yookassa_id": refund.provider_id,
                        "status": refund.status,
                        "reason": refund.reason,
                        "amount": refund.amount,
                        "created_at": refund.created_at,
                        "tickets": [ticket.pk for ticket in refund.tickets.all()],
                    }
                    for refund in payment.refunds.all()
                ],
            }
            for payment in order.payments.all()
        ],
        "receipts": [
            {"kind": receipt.kind, "status": receipt.status, "sent_at": receipt.sent_at}
            for receipt in order.receipts.all()
        ],
        "messages": messages,
        "placed_from": (
            {"ip_address": hold.client_ip, "at": hold.created_at} if hold is not None else None
        ),
    }


# --- erasure -----------------------------------------------------------------------


def orders_identifiers(customer) -> list[str]:
    """The names, e-mails and phones the orders were placed under."""
    values = []
    for row in _orders(customer).values_list("name", "email", "phone"):
        values += row
    return values


def orders_erasure_blockers(customer) -> list[str]:
    return [
        _("Order %(code)s is awaiting payment. Pay for it or let it expire, then erase your data.")
        % {"code": code}
        for code in _orders(customer)
        .filter(status=Order.Status.AWAITING_PAYMENT)
        .values_list("code", flat=True)
    ]


def erase_orders(erasure) -> None:
    _orders(erasure.customer).update(name="", email=erasure.email, phone="")


def _scrubbed_raw(erasure, raw):
    """YooKassa's object without the receipt's customer and without the person."""
    if not isinstance(raw, dict):
        return erasure.identifiers.scrub(raw)
    raw = dict(raw)
    if isinstance(raw.get("receipt"), dict):
        raw["receipt"] = {k: v for k, v in raw["receipt"].items() if k != "customer"}
    return erasure.identifiers.scrub(raw)


def erase_payments(erasure) -> None:
    for payment_id, raw in Payment.objects.filter(order__customer=erasure.customer).values_list(
        "pk", "raw"
    ):
        scrubbed = _scrubbed_raw(erasure, raw)
        if scrubbed != raw:
            Payment.objects.filter(pk=payment_id).update(raw=scrubbed)


def erase_refunds(erasure) -> None:
    for refund_id, raw in Refund.objects.filter(
        payment__order__customer=erasure.customer
    ).values_list("pk", "raw"):
        scrubbed = _scrubbed_raw(erasure, raw)
        if scrubbed != raw:
            Refund.objects.filter(pk=refund_id).update(raw=scrubbed)


def erase_payment_notifications(erasure) -> None:
    """Notifications about the person's payments and refunds, and any other that
    mentions their e-mail or phone."""
    customer = erasure.customer
    object_ids = {
        *Payment.objects.filter(order__customer=customer).values_list("provider_id", flat=True),
        *Refund.objects.filter(payment__order__customer=customer).values_list(
            "provider_id", flat=True
        ),
    } - {None, ""}
    rows = PaymentNotification.objects.filter(
        Q(object_id__in=object_ids) | erasure.identifiers.containing("excerpt")
    )
    for notification_id, excerpt in rows.values_list("pk", "excerpt"):
        scrubbed = erasure.identifiers.scrub(excerpt)
        if scrubbed != excerpt:
            PaymentNotification.objects.filter(pk=notification_id).update(excerpt=scrubbed)


def erase_sent_messages(erasure) -> None:
    SentMessage.objects.filter(order__customer=erasure.customer).exclude(recipient="").update(
        recipient=""
    )


def erase_order_notes(erasure) -> None:
    OrderNote.objects.filter(order__customer=erasure.customer).exclude(text=ERASED).update(
        text=ERASED
    )


def _erased_changes(changes):
    """{"email": {"old": …, "new": …}} → the same fields, both values "[erased]"."""
    if not isinstance(changes, dict):
        return ERASED
    return {
        name: {"old": ERASED, "new": ERASED} if isinstance(change, dict) else ERASED
        for name, change in changes.items()
    }


def erase_contact_changes(erasure) -> None:
    """Staff's corrections of an order's e-mail or phone are audited with the old and new
    values (`CONTACT_CHANGE_ACTION`); the old one may be a mistyped address that no other
    row holds any more, so the search by identifiers would miss it. Both values go; which
    field was corrected, by whom and when stay."""
    from wagtail.models import ModelLogEntry

    order_ids = [str(pk) for pk in _orders(erasure.customer).values_list("pk", flat=True)]
    entries = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Order),
        object_id__in=order_ids,
        action=CONTACT_CHANGE_ACTION,
    )
    for entry_id, data in entries.values_list("pk", "data"):
        data = dict(data) if isinstance(data, dict) else {}
        scrubbed = {**data, "changes": _erased_changes(data.get("changes"))}
        if scrubbed != data:
            ModelLogEntry.objects.filter(pk=entry_id).update(data=scrubbed)


# In this order; tests remove each in turn to show that it is needed.
ERASE_STEPS = (
    erase_orders,
    erase_payments,
    erase_refunds,
    erase_payment_notifications,
    erase_sent_messages,
    erase_order_notes,
    erase_contact_changes,
)


def orders_erase(erasure) -> None:
    for step in ERASE_STEPS:
        step(erasure)


def register() -> None:
    from accounts.privacy import register_personal_data

    register_personal_data(
        "orders",
        export=orders_export,
        erase=orders_erase,
        identifiers=orders_identifiers,
        erasure_blockers=orders_erasure_blockers,
        title=gettext_lazy("Orders"),
        template="booking/privacy/orders.html",
    )
