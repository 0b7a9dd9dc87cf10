"""Small readers shared by the booking tests: what a hold claims and holds."""

from django.utils import timezone

from booking.models import HoldLine, SeatClaim
from booking.services.holds import SeatRequest


def seat_requests(*seats):
    return [SeatRequest(seat.pk) for seat in seats]


def ticket_types(departure):
    return list(departure.product.ticket_types.order_by("sort_order", "pk"))


def claimed_seat_ids(hold):
    return set(SeatClaim.objects.filter(hold=hold).values_list("seat_id", flat=True))


def held_places(departure):
    return sum(
        HoldLine.objects.filter(
            hold__departure=departure, hold__expires_at__gt=timezone.now()
        ).values_list("quantity", flat=True)
    )
