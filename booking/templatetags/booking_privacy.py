"""Labels for the orders section of a customer's printable data copy (the export keeps
the codes: "paid", "valid", "customer")."""

from django import template

from booking.models import Order, Payment, Refund, Ticket

register = template.Library()

CHOICES = {
    "order": Order.Status,
    "ticket": Ticket.Status,
    "payment": Payment.Status,
    "refund": Refund.Status,
    "refund_reason": Refund.Reason,
}


@register.filter
def choice_label(value, kind: str) -> str:
    try:
        return str(CHOICES[kind](value).label)
    except (KeyError, ValueError):
        return str(value or "")
