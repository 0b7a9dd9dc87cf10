"""The customer's API under /api/v1/ (mounted by `config.api`): `public` (catalogue,
departures, seat maps, holds) and `payments` (YooKassa's notifications).

`ErrorOut` and the public `router` are re-exported here for callers that import them
from `booking.api`."""

from booking.api.public import ErrorOut, router

__all__ = ["ErrorOut", "router"]
