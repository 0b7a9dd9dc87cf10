"""Forms of the departure occupancy screen: block or unblock seats (assigned seating) and
set the number of blocked places (general admission). They only parse what staff typed;
`booking.services.blocking` decides whether it may be done."""

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.services.blocking import REASON_MAX

PLACES_MAX = 100_000


class SeatBlockForm(forms.Form):
    """Seats of the departure's seat map, ticked in the list under the map."""

    BLOCK = "block"
    UNBLOCK = "unblock"

    action = forms.ChoiceField(
        choices=((BLOCK, _("Block")), (UNBLOCK, _("Unblock"))),
        error_messages={
            "required": _("Choose whether to block or unblock the seats."),
            "invalid_choice": _("Choose whether to block or unblock the seats."),
        },
    )
    seats = forms.TypedMultipleChoiceField(
        coerce=int,
        label=_("Seats"),
        error_messages={
            "required": _("Choose at least one seat."),
            "invalid_choice": _("Some of the chosen seats are not on this departure's seat map."),
        },
    )
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, required=False)

    def __init__(self, *args, seats, **kwargs):
        super().__init__(*args, **kwargs)
        self.seat_labels = {seat.pk: seat.short_label for seat in seats}
        self.fields["seats"].choices = [(str(pk), label) for pk, label in self.seat_labels.items()]

    def chosen_labels(self) -> list[str]:
        return [self.seat_labels[pk] for pk in self.cleaned_data["seats"]]


class PlacesBlockForm(forms.Form):
    """How many places of a general-admission departure are off sale (0 lifts them)."""

    quantity = forms.IntegerField(
        label=_("Blocked places"),
        min_value=0,
        max_value=PLACES_MAX,
        error_messages={
            "required": _("Enter the number of places."),
            "invalid": _("The number of places must be a whole number, 0 or more."),
            "min_value": _("The number of places must be a whole number, 0 or more."),
            "max_value": _("The number of places is at most %(limit_value)s."),
        },
    )
