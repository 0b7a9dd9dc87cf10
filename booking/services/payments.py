"""Payments through the gateway (YooKassa): start, refresh, notifications, reconciliation.
(Being written; the signatures below are final.)"""

from booking.models import Order, Payment


def payment_start(*, order: Order, return_url: str) -> Payment:
    """Creates (or re-uses) the order's payment at YooKassa; the caller redirects the
    customer to `payment.confirmation_url`. Raises BookingError("order_not_payable") or
    BookingError("payment_unavailable")."""
    raise NotImplementedError


def order_payment_refresh(*, order: Order) -> Order:
    """Re-fetches the order's pending payment from YooKassa (at most every few seconds)
    and applies what it says; the order page calls it while it waits."""
    return order
