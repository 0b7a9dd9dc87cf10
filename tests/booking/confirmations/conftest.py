"""Every confirmation test starts with empty outboxes."""

from tests.booking.confirmations.helpers import _outboxes  # noqa: F401
