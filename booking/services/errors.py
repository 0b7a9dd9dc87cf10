"""One exception type for the booking app, carrying a reason code. Messages are
translated from a catalogue keyed by the code; tests assert the code."""

from django.utils.translation import gettext_lazy as _

from common.errors import CodedError

MESSAGES = {
    "departure_not_found": _("This departure does not exist."),
    "departure_cancelled": _("This departure has been cancelled."),
    "departure_has_tickets": _(
        "This departure has sold tickets (%(count)s), so it cannot be cancelled by changing "
        "its status: the buyers would be neither refunded nor told. Leave it scheduled and "
        "use “Cancel the departure” in the departures list, which refunds and informs every "
        "buyer."
    ),
    # Catalogue rules every caller meets (booking.services.seatmaps, ticket_prices).
    "seat_map_default_taken": _("“%(map)s” is already the default seat map of %(vessel)s."),
    "ticket_price_no_scope": _(
        "Choose a price zone, a departure or both: the price applies to them."
    ),
    "ticket_price_exists": _("This ticket type already has a price for this zone and departure."),
    "ticket_price_departure_product": _(
        "This departure is of another product than the ticket type."
    ),
    "vessel_busy": _("The vessel %(vessel)s is busy from %(start)s to %(end)s."),
    "departure_past": _("This departure has already left."),
    "departure_not_on_sale": _("Tickets for this departure are not on sale now."),
    "no_tickets": _("Choose at least one ticket."),
    "too_many_tickets": _("One booking can hold at most this many tickets: %(limit)s."),
    "ticket_type_invalid": _("This ticket type is not sold for this departure."),
    "quantity_invalid": _("Ticket quantities must be whole numbers from 1 to %(limit)s."),
    "seat_unknown": _("There is no such seat on this boat."),
    "seat_blocked": _("This seat is not for sale."),
    "seat_taken": _("Sorry, someone has just taken: %(seats)s. Please choose other seats."),
    "seats_required": _("This departure has assigned seating: choose seats on the map."),
    "seats_not_allowed": _("This departure has no assigned seats: choose a number of tickets."),
    "not_enough_places": _("Not enough places left on this departure. Places left: %(remaining)s."),
    "hold_not_found": _("This booking was not found or has expired."),
    "hold_expired": _(
        "Your booking time has run out and the places were released. Please choose again."
    ),
    "hold_already_extended": _("The booking time can be extended only once."),
    "hold_ordered": _(
        "These places are already in your order: pay for it on the order page, or wait "
        "until it runs out to choose again."
    ),
    "busy": _("Many people are booking right now. Please try again in a moment."),
    "rate_limited": _("Too many attempts. Please wait a minute and try again."),
    "too_many_holds": _(
        "One customer can have at most %(limit)s bookings in progress at once. Pay for one "
        "or release it to choose more."
    ),
    "too_many_places_held": _(
        "One customer can hold at most %(limit)s places at once. Pay for your bookings in "
        "progress or release some to choose more."
    ),
    "promo_rate_limited": _("Too many wrong promo codes. Please try again in a few minutes."),
    "date_invalid": _("Dates must be real calendar dates written as YYYY-MM-DD."),
    "date_out_of_range": _("Choose dates between %(earliest)s and %(latest)s."),
    "promo_unknown": _("There is no such promo code."),
    "promo_expired": _("This promo code is not valid now."),
    "promo_not_applicable": _("This promo code does not apply to these tickets."),
    "promo_min_order": _("This promo code needs an order of at least %(amount)s ₽."),
    "promo_used_up": _("This promo code has been used up."),
    "promo_customer_limit": _("You have already used this promo code."),
    "name_invalid": _("Please enter your name."),
    "email_invalid": _("Please enter a valid e-mail address."),
    "phone_invalid": _(
        "Please enter a valid phone number, for example +7 912 345-67-89 or +86 139 1234 5678."
    ),
    "consent_required": _("Please give your consent to the processing of personal data."),
    "offer_required": _("Please accept the public offer and the refund rules."),
    "order_not_found": _("This order was not found."),
    "order_not_payable": _("This order can no longer be paid."),
    "payment_unavailable": _(
        "The payment service is not answering right now. Your places are still held: "
        "please try again in a minute."
    ),
    # Refunds (booking.services.refunds).
    "order_not_refundable": _("Only a paid order can be refunded."),
    "ticket_invalid": _("A ticket you chose is not in this order."),
    "ticket_boarded": _("A ticket you chose has already been used for boarding."),
    "ticket_refunded": _("A ticket you chose has already been refunded."),
    "refund_window_passed": _("A refund was possible until %(deadline)s; that time has passed."),
    "promo_minimum": _(
        "This order used the promo code %(promo)s, which needs an order of at least "
        "%(amount)s. Without these tickets the order would cost less than that, so they "
        "cannot be refunded on their own; you can refund the whole order instead."
    ),
    # The back office (booking.services.backoffice, booking.services.blocking).
    "resend_channels_invalid": _("Choose how to send it: by e-mail, by SMS or both."),
    "order_not_confirmed": _(
        "Only a paid order has a confirmation to send: this order is not paid or has been "
        "refunded in full."
    ),
    "order_not_cancellable": _("Only an order awaiting payment can be cancelled."),
    "note_empty": _("Write the note first: it is empty."),
    "note_too_long": _("A note is at most %(limit)s characters long."),
    "block_reason_too_long": _("The reason is at most %(limit)s characters long."),
    "block_no_seats": _("Choose at least one seat."),
    "block_seats_taken": _(
        "These seats are held or sold, so they cannot be blocked: %(seats)s. Nothing was blocked."
    ),
    "block_seats_not_blocked": _("These seats are not blocked: %(seats)s. Nothing was changed."),
    "block_not_seated": _(
        "This departure has no assigned seating: block a number of places instead."
    ),
    "block_seated": _("This departure has assigned seating: block seats on the seat map instead."),
    "block_places_invalid": _("The number of places must be a whole number, 0 or more."),
    "block_places_too_many": _(
        "Only %(available)s places can be blocked on this departure now: the others are "
        "held or sold."
    ),
    # Cancelling departures (booking.services.cancellations).
    "departure_already_cancelled": _("The departure %(departure)s is cancelled already."),
    "departure_already_departed": _(
        "The departure %(departure)s has already left, so it cannot be cancelled."
    ),
    "departure_not_cancelled": _("This departure is not cancelled."),
    "cancel_reason_invalid": _("Choose why the departure is cancelled."),
    "cancel_text_required": _("Write the reason for the passengers: it is empty."),
    "no_departures": _("Choose at least one departure."),
    # Rentals by the hour (booking.services.rentals).
    "rental_start_invalid": _(
        "A rental cannot start at this time: choose one of the start times offered."
    ),
    "rental_duration_invalid": _(
        "A rental lasts from %(shortest)s to %(longest)s, in the steps offered."
    ),
    "rental_ends_after_hours": _("From this start the rental must end by %(end)s."),
    "rental_guests_invalid": _("The number of guests must be from 1 to %(limit)s."),
    "rental_option_invalid": _("An extra you chose is not offered with this rental."),
    "rental_too_soon": _("A rental must be booked at least %(hours)s before it starts."),
    "rental_too_far": _("A rental can be booked at most %(days)s days ahead."),
    "too_many_departures": _("At most %(limit)s departures can be cancelled at once."),
}


class BookingError(CodedError):
    MESSAGES = MESSAGES


def violated_constraint(error) -> str | None:
    """The name of the database constraint an `IntegrityError` reports (PostgreSQL), so
    a service can turn the refusal of one of its constraints into its `BookingError`."""
    return getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
