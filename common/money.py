"""Prices in roubles as people read them."""

from decimal import Decimal

from django.utils.formats import number_format


def format_rub(amount) -> str:
    """A price in roubles in the active language's number format: "2 500 ₽", "2,500 ₽",
    kopecks only when there are any; "" for no amount."""
    if amount is None or amount == "":
        return ""
    amount = Decimal(amount)
    places = 0 if amount == amount.to_integral_value() else 2
    return f"{number_format(amount, places, use_l10n=True, force_grouping=True)}\u00a0₽"
