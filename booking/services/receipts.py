"""54-FZ receipts sent through the gateway (YooKassa): the items of a payment's or a
partial refund's receipt, and the prepayment-settlement receipt of a paid order once its
departure has taken place.

Fiscal documents are in Russian whatever the order's language. The items of one receipt
sum to exactly what its tickets' paid amounts (and fees) sum to. A settlement receipt is
recorded (`FiscalReceipt`, with its idempotence key) before the call, so a retry returns
the receipt YooKassa already made.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation

from booking.gateways.yookassa import GatewayError, get_gateway
from booking.models import (
    PREPAYMENT_MODES,
    FiscalReceipt,
    Order,
    Payment,
    PaymentMode,
    Ticket,
)
from booking.services.pricing import Breakdown, product_taxes

RECEIPT_DESCRIPTION_MAX = 128
FEE_DESCRIPTION = "Сервисный сбор"


def _receipt_customer(order: Order) -> dict:
    customer = {"email": order.email}
    if order.phone:
        customer["phone"] = order.phone.lstrip("+")
    return customer


def _ticket_item_description(order: Order, ticket_type_name: str, seat_label: str) -> str:
    departure = order.departure
    local = departure.local_starts_at
    parts = [f"Билет: {departure.product.name}", f"{local:%d.%m.%Y %H:%M}", ticket_type_name]
    if seat_label:
        parts.append(seat_label)
    return ", ".join(parts)[:RECEIPT_DESCRIPTION_MAX]


def receipt_items(
    order: Order, *, payment_mode: str, tickets=None, with_fees: bool = True
) -> list[dict]:
    """The receipt's items: one per ticket (its price after the discount) and one per fee
    (for these tickets), each with the product's VAT code and payment subject. They sum
    to exactly what the tickets' paid amounts sum to; without the fees (`with_fees`
    off: a refund that keeps them) to what was paid for the tickets alone. Fiscal
    documents are in Russian."""
    taxes = product_taxes(order.departure.product_id)
    tickets = list(
        tickets
        if tickets is not None
        else order.tickets.select_related("ticket_type", "seat").order_by("pk")
    )
    common = {
        "vat_code": taxes.vat_code,
        "payment_subject": taxes.payment_subject,
        "payment_mode": payment_mode,
    }
    items = []
    with translation.override("ru"):
        for ticket in tickets:
            amount = ticket.price - ticket.discount
            if amount > 0:
                seat = ticket.seat.short_label if ticket.seat else ""
                description = _ticket_item_description(order, ticket.ticket_type.name, seat)
                items.append(_item(description, amount, common))
    if not with_fees:
        return items
    fees = Breakdown.from_json(order.breakdown).fees
    fee_total = sum((t.fee for t in tickets), Decimal("0"))
    if fee_total == sum((f.amount for f in fees), Decimal("0")):
        # All of the order's fees: each as its own item, as the breakdown shows them.
        items += [_item(f.names.get("ru") or FEE_DESCRIPTION, f.amount, common) for f in fees]
    elif fee_total > 0:
        # Some tickets of the order (a partial refund): their share of the fees.
        items.append(_item(FEE_DESCRIPTION, fee_total, common))
    return items


def _item(description: str, amount: Decimal, common: dict) -> dict:
    return {
        "description": description[:RECEIPT_DESCRIPTION_MAX],
        "quantity": "1.00",
        "amount": {"value": f"{amount:.2f}", "currency": "RUB"},
        **common,
    }


def refund_receipt(order: Order, tickets, *, with_fees: bool = True) -> dict | None:
    """The receipt of a partial refund: the refunded tickets' items (their fees only when
    the refund returns them), in the product's payment mode; the items sum to the
    refunded amount. A refund of the whole payment carries none: YooKassa reuses the
    payment's."""
    if not settings.YOOKASSA_RECEIPTS:
        return None
    taxes = product_taxes(order.departure.product_id)
    receipt = {
        "customer": _receipt_customer(order),
        "items": receipt_items(
            order,
            payment_mode=taxes.payment_mode,
            tickets=tickets.select_related("ticket_type", "seat").order_by("pk"),
            with_fees=with_fees,
        ),
    }
    if settings.YOOKASSA_TAX_SYSTEM_CODE:
        receipt["tax_system_code"] = settings.YOOKASSA_TAX_SYSTEM_CODE
    return receipt


def receipt_total(receipt: dict) -> Decimal:
    """What a receipt's items add up to."""
    return sum(
        (Decimal(item["amount"]["value"]) * Decimal(item["quantity"]) for item in receipt["items"]),
        Decimal("0"),
    )


def payment_receipt(order: Order) -> dict | None:
    """The 54-FZ receipt sent with the payment (the sale is a prepayment unless the
    product is configured otherwise)."""
    if not settings.YOOKASSA_RECEIPTS:
        return None
    taxes = product_taxes(order.departure.product_id)
    receipt = {
        "customer": _receipt_customer(order),
        "items": receipt_items(order, payment_mode=taxes.payment_mode),
    }
    if settings.YOOKASSA_TAX_SYSTEM_CODE:
        receipt["tax_system_code"] = settings.YOOKASSA_TAX_SYSTEM_CODE
    return receipt


def settlement_receipt_send(*, order: Order, now=None) -> FiscalReceipt | None:
    """The prepayment-settlement receipt of a paid order whose departure has taken place
    (54-FZ: an advance sale is a prepayment, settled when the service is delivered).
    `POST /v3/receipts` with type "payment" and a prepayment settlement; items of the
    tickets still valid, in full-payment mode. Idempotent: one receipt per order."""
    if not settings.YOOKASSA_RECEIPTS:
        return None
    taxes = product_taxes(order.departure.product_id)
    if taxes.payment_mode not in PREPAYMENT_MODES:
        return None
    payment = order.payments.filter(status=Payment.Status.SUCCEEDED).order_by("pk").first()
    if payment is None:
        return None
    record, _created = FiscalReceipt.objects.get_or_create(
        order=order,
        kind=FiscalReceipt.Kind.SETTLEMENT,
        defaults={"idempotence_key": str(uuid.uuid4())},
    )
    if record.sent_at:
        return record
    tickets = list(
        order.tickets.filter(status=Ticket.Status.VALID).select_related("ticket_type", "seat")
    )
    amount = sum((t.paid_amount for t in tickets), Decimal("0"))
    if amount <= 0:
        return record
    receipt = {
        "type": "payment",
        "payment_id": payment.provider_id,
        "send": True,
        "customer": _receipt_customer(order),
        "items": receipt_items(order, payment_mode=PaymentMode.FULL_PAYMENT, tickets=tickets),
        "settlements": [
            {"type": "prepayment", "amount": {"value": f"{amount:.2f}", "currency": "RUB"}}
        ],
    }
    if settings.YOOKASSA_TAX_SYSTEM_CODE:
        receipt["tax_system_code"] = settings.YOOKASSA_TAX_SYSTEM_CODE
    try:
        answer = get_gateway().create_receipt(
            receipt=receipt, idempotence_key=record.idempotence_key
        )
    except GatewayError as error:
        record.error = str(error)[:255]
        record.save(update_fields=["error"])
        raise
    record.provider_id = str(answer.get("id", ""))
    record.status = str(answer.get("status", ""))
    record.sent_at = now or timezone.now()
    record.error = ""
    record.save(update_fields=["provider_id", "status", "sent_at", "error"])
    return record


def settlement_receipts_due(*, now=None) -> list[int]:
    """Ids of paid orders whose departure has started and whose settlement receipt has not
    been sent."""
    now = now or timezone.now()
    return list(
        Order.objects.filter(
            status__in=Order.CONFIRMED_STATUSES,
            departure__starts_at__lte=now,
        )
        .exclude(receipts__kind=FiscalReceipt.Kind.SETTLEMENT, receipts__sent_at__isnull=False)
        .values_list("pk", flat=True)[:500]
    )
