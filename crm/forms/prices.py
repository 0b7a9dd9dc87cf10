"""The form of price overrides (`TicketPrice`)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from booking.models import (
    PriceZone,
    TicketPrice,
)


class TicketPriceForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "ticket_type" in self.fields:
            self.fields["ticket_type"].queryset = self.fields[
                "ticket_type"
            ].queryset.select_related("product")
        if "zone" in self.fields:
            field = self.fields["zone"]
            field.queryset = PriceZone.objects.select_related("seat_map__vessel").order_by(
                "seat_map__vessel__name", "seat_map__name", "code"
            )
            field.label_from_instance = lambda z: f"{z.seat_map}: {z.name} ({z.code})"

    def clean(self):
        cleaned = super().clean()
        ticket_type, zone, departure = (
            cleaned.get("ticket_type"),
            cleaned.get("zone"),
            cleaned.get("departure"),
        )
        if not zone and not departure and not self.errors:
            raise ValidationError(
                _("Choose a price zone, a departure or both: the price applies to them.")
            )
        if ticket_type and departure and departure.product_id != ticket_type.product_id:
            self.add_error(
                "departure",
                _("This departure is of another product than the ticket type."),
            )
        if ticket_type and (zone or departure):
            clash = TicketPrice.objects.filter(
                ticket_type=ticket_type, zone=zone, departure=departure
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                raise ValidationError(
                    _("This ticket type already has a price for this zone and departure.")
                )
        return cleaned
