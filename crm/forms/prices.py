"""The form of price overrides (`TicketPrice`): it checks with and saves through
`booking.services.ticket_prices`."""

from wagtail.admin.forms import WagtailAdminModelForm

from booking.models import PriceZone
from booking.services.errors import BookingError
from booking.services.ticket_prices import ticket_price_check, ticket_price_save


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
        # The scope and one-price-per-scope rules are the model's constraints, reported by
        # the model validation with their own messages; the service states the rest.
        cleaned = super().clean()
        ticket_type, zone, departure = (
            cleaned.get("ticket_type"),
            cleaned.get("zone"),
            cleaned.get("departure"),
        )
        if ticket_type:
            try:
                ticket_price_check(ticket_type=ticket_type, zone=zone, departure=departure)
            except BookingError as error:  # "ticket_price_departure_product"
                self.add_error("departure", error.message)
        return cleaned

    def save(self, commit=True):
        instance = super().save(commit=False)
        if commit:
            ticket_price_save(ticket_price=instance)
        return instance
