"""Price overrides (`TicketPrice`): a ticket type's price for a price zone, a departure or
both. Every caller — the admin, an import, a later API — saves them through
`ticket_price_save`, so these rules hold whoever writes:

- an override has a scope: a zone, a departure or both (a check constraint);
- one override per ticket type × zone × departure, an empty zone or departure included (a
  unique constraint with NULLS NOT DISTINCT, so two editors saving at once cannot both
  succeed);
- an override for a departure belongs to a departure of the ticket type's own product
  (`ticket_price_check`: the database cannot compare across tables).

Refusals are `BookingError`s with codes "ticket_price_no_scope", "ticket_price_exists" and
"ticket_price_departure_product"."""

from django.db import IntegrityError, transaction

from booking.models import Departure, PriceZone, TicketPrice, TicketType
from booking.services.errors import BookingError, violated_constraint

UNIQUE_SCOPE = "booking_ticketprice_unique_scope"
HAS_SCOPE = "booking_ticketprice_has_scope"


def ticket_price_check(
    *, ticket_type: TicketType, zone: PriceZone | None, departure: Departure | None
) -> None:
    """The rule the database cannot state: an override for a departure belongs to a
    departure of the ticket type's own product ("ticket_price_departure_product"). The
    scope and uniqueness rules are the model's constraints (a model form reports them
    with their messages; `ticket_price_save` turns their refusal into a `BookingError`)."""
    if departure is not None and departure.product_id != ticket_type.product_id:
        raise BookingError("ticket_price_departure_product")


def ticket_price_save(*, ticket_price: TicketPrice) -> TicketPrice:
    """Checks and saves an override (new or changed) in one transaction. The database's
    constraints decide a race that the check could not see."""
    ticket_price_check(
        ticket_type=ticket_price.ticket_type,
        zone=ticket_price.zone,
        departure=ticket_price.departure,
    )
    try:
        with transaction.atomic():
            ticket_price.save()
    except IntegrityError as error:
        constraint = violated_constraint(error)
        if constraint == UNIQUE_SCOPE:
            raise BookingError("ticket_price_exists") from error
        if constraint == HAS_SCOPE:
            raise BookingError("ticket_price_no_scope") from error
        raise
    return ticket_price
