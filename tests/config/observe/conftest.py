"""The checkout tests' shop for the logged purchase (test_logs.py)."""

from tests.booking.checkout.helpers import _module_shop, shop  # noqa: F401
