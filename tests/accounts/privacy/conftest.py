"""The checkout tests' shop (tests/booking/checkout/helpers.py), built once per module."""

from tests.booking.checkout.helpers import _module_shop, shop  # noqa: F401
