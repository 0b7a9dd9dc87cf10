"""django-q2 entry points. They take ids (or nothing) and call services."""

from booking.services.holds import holds_delete_expired


def sweep_expired_holds() -> int:
    return holds_delete_expired()
