"""The checkout tests' `shop`, built once per module (tests/booking/checkout/helpers.py)."""

from tests.booking.checkout.helpers import _module_shop, shop  # noqa: F401
