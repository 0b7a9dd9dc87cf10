"""Forms of the departure screens: recurring departures and a departure's own fields."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput

from booking.models import (
    Departure,
    Product,
    SeatingMode,
    Venue,
    Vessel,
)
from booking.services.departures import departure_check_status_change, departure_sold_ticket_count
from booking.services.errors import BookingError

# Recurring departures ----------------------------------------------------------------

TIME_RE = re.compile(r"^(?P<h>\d{1,2})(?:[:.hч](?P<m>\d{2}))?$", re.IGNORECASE)
MAX_TIMES = 48


def parse_times(text: str) -> list[datetime.time]:
    """“11:00, 13:00 15.30” → times of day; every bad piece is named in the error."""
    pieces = [p for p in re.split(r"[\s,;/]+", text or "") if p]
    times, bad = [], []
    for piece in pieces:
        match = TIME_RE.match(piece)
        if not match and re.fullmatch(r"\d{4}", piece):  # 1130
            match = TIME_RE.match(f"{piece[:2]}:{piece[2:]}")
        hour = int(match["h"]) if match else -1
        minute = int(match["m"] or 0) if match else -1
        if 0 <= hour <= 23 and 0 <= minute <= 59:
            times.append(datetime.time(hour, minute))
        else:
            bad.append(piece)
    if bad:
        raise ValidationError(
            ngettext(
                "“%(values)s” is not a time of day. Write times like 11:00, 13:30.",
                "These are not times of day: %(values)s. Write times like 11:00, 13:30.",
                len(bad),
            )
            % {"values": ", ".join(bad)}
        )
    if not times:
        raise ValidationError(_("Enter at least one departure time, e.g. 11:00."))
    unique = sorted(set(times))
    if len(unique) > MAX_TIMES:
        raise ValidationError(_("At most %(max)s departure times a day.") % {"max": MAX_TIMES})
    return unique


class DepartureScheduleForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.all())
    vessel = forms.ModelChoiceField(label=_("Vessel"), queryset=Vessel.objects.all())
    venue = forms.ModelChoiceField(
        label=_("Pier"),
        queryset=Venue.objects.all(),
        required=False,
        help_text=_("Leave empty to use the product's home pier"),
    )
    date_from = forms.DateField(label=_("First date"), widget=AdminDateInput())
    date_to = forms.DateField(label=_("Last date"), widget=AdminDateInput())
    times = forms.CharField(
        label=_("Departure times"),
        max_length=500,
        help_text=_("Local time at the pier, separated by commas, e.g. 11:00, 13:00, 15:00"),
        widget=forms.TextInput(attrs={"placeholder": "11:00, 13:00, 15:00"}),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days of the week"),
        choices=sorted(WEEKDAYS.items()),
        coerce=int,
        initial=list(WEEKDAYS),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "bk-weekdays"}),
        error_messages={"required": _("Choose at least one day of the week.")},
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration, minutes"),
        required=False,
        min_value=1,
        max_value=24 * 60,
        help_text=_("Leave empty to use the product's duration"),
    )
    seating_mode = forms.ChoiceField(
        label=_("Seating"),
        required=False,
        choices=[("", _("As set on the product or vessel")), *SeatingMode.choices],
    )
    # The fingerprint of the schedule last previewed; "Create" only acts on a schedule
    # the editor has seen.
    previewed = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.order_by("name")
        self.fields["product"].label_from_instance = lambda p: (
            p.name if p.is_active else _("%(name)s (not on sale)") % {"name": p.name}
        )

    def clean_times(self):
        return parse_times(self.cleaned_data["times"])

    def clean(self):
        cleaned = super().clean()
        product, venue = cleaned.get("product"), cleaned.get("venue")
        if product and not venue:
            if product.venue_id is None:
                self.add_error("venue", _("Choose a pier: this product has no home pier."))
            else:
                cleaned["venue"] = product.venue
        if (
            product
            and not cleaned.get("duration_minutes")
            and "duration_minutes" not in self.errors
        ):
            cleaned["duration_minutes"] = product.duration_minutes
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The last date is before the first."))
        return cleaned

    def schedule_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "product": data["product"],
            "vessel": data["vessel"],
            "venue": data["venue"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "times": data["times"],
            "weekdays": set(data["weekdays"]),
            "duration_minutes": data["duration_minutes"],
        }

    def fingerprint(self) -> str:
        data = self.cleaned_data
        parts = [
            data["product"].pk,
            data["vessel"].pk,
            data["venue"].pk,
            data["date_from"].isoformat(),
            data["date_to"].isoformat(),
            ",".join(t.strftime("%H:%M") for t in data["times"]),
            ",".join(str(d) for d in sorted(data["weekdays"])),
            data["duration_minutes"],
            data["seating_mode"],
        ]
        return "|".join(str(p) for p in parts)


# Departures --------------------------------------------------------------------------


class DepartureForm(WagtailAdminModelForm):
    """A departure's fields; the status change is checked by
    `departure_check_status_change`, so a departure with sold tickets is not cancelled
    by editing a field. The status stays editable (marking it departed is fine)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("status")
        if field is not None and self.instance.pk is not None:
            sold = departure_sold_ticket_count(departure=self.instance)
            if sold and self.instance.status != Departure.Status.CANCELLED:
                field.help_text = _(
                    "Tickets sold: %(count)s. A departure with sold tickets cannot be "
                    "cancelled here."
                ) % {"count": sold}

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if status:
            try:
                departure_check_status_change(departure=self.instance, status=status)
            except BookingError as error:
                self.add_error("status", error.message)
        return cleaned
