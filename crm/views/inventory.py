"""The occupancy screen of a departure: capacity, free, held, sold, boarded and blocked
places (`booking.services.blocking.departure_occupancy`), the seat map with each seat's
state for assigned seating, and the staff's blocks: seats blocked or unblocked with a
reason, or a number of blocked places for general admission. Each change is shown as a
summary to confirm first, then made by the blocking service; its refusals are shown as
form errors and nothing changes.

Who: viewing needs the departure policy's "view" on the departure, blocking its "change"
(managers and administrators; agents view only). Plain forms: no JavaScript needed."""

from django.contrib.admin.utils import quote
from django.http import Http404
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import CopyViewMixin
from wagtail.admin.widgets.button import Button, HeaderButton

from booking.models import Departure, PriceZone, Seat
from booking.services.blocking import (
    departure_occupancy,
    departure_places_block,
    departure_seats_block,
    departure_seats_unblock,
)
from booking.services.errors import BookingError
from booking.services.seatmaps import PlannedSeat
from crm.forms.inventory import PlacesBlockForm, SeatBlockForm
from crm.permissions import departure_policy
from crm.views.cancellations import cancel_buttons
from crm.views.departures import DEPARTURE_URLS, DepartureIndexView, pier_time
from crm.views.generic import BookingCreateView, BookingEditView
from crm.views.orders import forbidden
from crm.views.seatmaps import seat_drawing

OCCUPANCY_URL = "crm_inventory:departure"

# A seat's state → its label; the template gives each state its own shape and mark, so
# the map reads without colour too.
STATE_LABELS = {
    "free": pgettext_lazy("occupancy", "Free"),
    "held": pgettext_lazy("occupancy", "Held"),
    "sold": pgettext_lazy("occupancy", "Sold"),
    "boarded": pgettext_lazy("occupancy", "Boarded"),
    "blocked": pgettext_lazy("occupancy", "Blocked"),
}
NOT_FOR_SALE = "unsold"


class DepartureOccupancyView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "crm/admin/inventory/occupancy.html"
    header_icon = "date"
    page_title = _("Occupancy")
    _show_breadcrumbs = True

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.departure = None
        user = request.user
        if not departure_policy.user_has_permission(user, "view"):
            return
        try:
            departure = (
                departure_policy.instances_user_has_permission_for(user, "view")
                .select_related("product", "vessel", "venue")
                .get(pk=kwargs["pk"])
            )
        except (Departure.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
        if departure_policy.user_has_permission_for_instance(user, "view", departure):
            self.departure = departure

    def dispatch(self, request, *args, **kwargs):
        if self.departure is None:
            return forbidden(request)
        if request.method == "POST" and not self.can_change:
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def can_change(self) -> bool:
        return departure_policy.user_has_permission_for_instance(
            self.request.user, "change", self.departure
        )

    @property
    def url(self) -> str:
        return reverse(OCCUPANCY_URL, args=[self.departure.pk])

    def get_page_subtitle(self):
        return str(self.departure)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{DEPARTURE_URLS}:list"), "label": _("Departures")},
            {
                "url": reverse(f"{DEPARTURE_URLS}:edit", args=[quote(self.departure.pk)]),
                "label": str(self.departure),
            },
            {"url": "", "label": _("Occupancy")},
        ]

    # Seats -----------------------------------------------------------------------------

    @cached_property
    def seats(self) -> list[Seat]:
        if not self.departure.is_assigned_seating or not self.departure.effective_seat_map_id:
            return []
        return list(
            Seat.objects.filter(seat_map_id=self.departure.effective_seat_map_id)
            .select_related("zone")
            .order_by("pk")
        )

    @cached_property
    def sellable_seats(self) -> list[Seat]:
        return [seat for seat in self.seats if seat.kind != Seat.Kind.BLOCKED]

    def seat_form(self, data=None) -> SeatBlockForm:
        return SeatBlockForm(data, seats=self.sellable_seats, prefix="seats")

    def places_form(self, data=None) -> PlacesBlockForm:
        return PlacesBlockForm(
            data, prefix="places", initial={"quantity": self.departure.blocked_places}
        )

    def drawing(self, states: dict[int, str], chosen: set[int]):
        """The seat map drawn as the editor draws it, each seat with its state."""
        if not self.seats:
            return None, []
        zones = [
            {"code": z.code, "name": z.name, "color": z.color}
            for z in PriceZone.objects.filter(seat_map_id=self.departure.effective_seat_map_id)
        ]
        planned = [
            PlannedSeat(
                section=s.section,
                row=s.row,
                number=s.number,
                x=s.x,
                y=s.y,
                kind=s.kind,
                zone_code=s.zone.code if s.zone else None,
            )
            for s in self.seats
        ]
        drawing = seat_drawing(planned, zones)
        sections: dict[str, dict] = {}
        for seat, drawn in zip(self.seats, drawing.seats, strict=True):
            state = states.get(seat.pk, NOT_FOR_SALE)
            state_label = STATE_LABELS.get(state, _("Not for sale"))
            drawn.update(
                id=seat.pk,
                state=state,
                state_label=state_label,
                label=f"{drawn['label']} · {state_label}",
            )
            rows = sections.setdefault(seat.section, {"name": seat.section, "rows": {}})["rows"]
            rows.setdefault(seat.row, []).append(
                {
                    "id": seat.pk,
                    "number": seat.number,
                    "state": state,
                    "state_label": state_label,
                    "label": drawn["label"],
                    "checked": seat.pk in chosen,
                    "choosable": state != NOT_FOR_SALE,
                }
            )
        seat_list = [
            {"name": s["name"], "rows": [{"row": r, "seats": v} for r, v in s["rows"].items()]}
            for s in sections.values()
        ]
        return drawing, seat_list

    # Screen ----------------------------------------------------------------------------

    def get_context_data(self, seat_form=None, places_form=None, confirm=None, **kwargs):
        context = super().get_context_data(**kwargs)
        departure = self.departure
        occupancy = departure_occupancy(departure)
        chosen = set()
        if seat_form is not None and seat_form.is_bound:
            chosen = {int(v) for v in seat_form.data.getlist("seats-seats", []) if str(v).isdigit()}
        drawing, seat_list = self.drawing(occupancy.seat_states, chosen)
        counts = [
            ("capacity", pgettext_lazy("occupancy", "Capacity"), occupancy.capacity),
            ("free", pgettext_lazy("occupancy", "Free"), occupancy.free),
            ("held", pgettext_lazy("occupancy", "Held"), occupancy.held),
            ("sold", pgettext_lazy("occupancy", "Sold"), occupancy.sold),
            ("boarded", pgettext_lazy("occupancy", "Boarded"), occupancy.boarded),
            ("blocked", pgettext_lazy("occupancy", "Blocked"), occupancy.blocked),
        ]
        legend = [
            {"state": state, "label": label, "count": getattr(occupancy, state)}
            for state, label in STATE_LABELS.items()
        ]
        context.update(
            departure=departure,
            occupancy=occupancy,
            counts=counts,
            legend=legend,
            drawing=drawing,
            seat_list=seat_list,
            has_unsold=any(s.kind == Seat.Kind.BLOCKED for s in self.seats),
            departs_at=pier_time(departure, departure.starts_at),
            pier_now=pier_time(departure, timezone.now()),
            pier_zone=departure.venue.timezone,
            can_change=self.can_change,
            seat_form=seat_form or (self.seat_form() if occupancy.assigned_seating else None),
            places_form=places_form or (None if occupancy.assigned_seating else self.places_form()),
            confirm=confirm,
            action_url=self.url,
            edit_url=reverse(f"{DEPARTURE_URLS}:edit", args=[quote(departure.pk)]),
            # "Cancel the departure" (or its cancellation's progress), where allowed.
            cancel_buttons=cancel_buttons(departure, self.request.user, departure_policy),
        )
        return context

    def post(self, request, *args, **kwargs):
        # The form of the departure's seating only: what the other one posts is refused
        # by this one's validation.
        if self.departure.is_assigned_seating:
            return self.post_seats(request)
        return self.post_places(request)

    def post_seats(self, request):
        form = self.seat_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(seat_form=form))
        action, seat_ids = form.cleaned_data["action"], form.cleaned_data["seats"]
        reason = form.cleaned_data["reason"]
        labels = form.chosen_labels()
        if not request.POST.get("confirm"):
            title = (
                _("Block these seats?")
                if action == SeatBlockForm.BLOCK
                else _("Put these seats on sale again?")
            )
            confirm = {
                "title": title,
                "items": labels,
                "reason": reason if action == SeatBlockForm.BLOCK else "",
                "hidden": [("seats-action", action), ("seats-reason", reason)]
                + [("seats-seats", seat_id) for seat_id in seat_ids],
            }
            return self.render_to_response(self.get_context_data(seat_form=form, confirm=confirm))
        try:
            if action == SeatBlockForm.BLOCK:
                blocks = departure_seats_block(
                    departure=self.departure, seat_ids=seat_ids, user=request.user, reason=reason
                )
                count = len(blocks)
                message = ngettext(
                    "%(count)s seat blocked: %(seats)s.",
                    "%(count)s seats blocked: %(seats)s.",
                    count,
                )
            else:
                count = departure_seats_unblock(
                    departure=self.departure, seat_ids=seat_ids, user=request.user
                )
                message = ngettext(
                    "%(count)s seat put on sale again: %(seats)s.",
                    "%(count)s seats put on sale again: %(seats)s.",
                    count,
                )
        except BookingError as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(seat_form=form))
        messages.success(request, message % {"count": count, "seats": "; ".join(labels)})
        return redirect(self.url)

    def post_places(self, request):
        form = self.places_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(places_form=form))
        quantity = form.cleaned_data["quantity"]
        previous = self.departure.blocked_places
        if not request.POST.get("confirm"):
            confirm = {
                "title": _("Change the blocked places?"),
                "items": [
                    _("Blocked places: %(previous)s → %(quantity)s")
                    % {"previous": previous, "quantity": quantity}
                ],
                "reason": "",
                "hidden": [("places-quantity", quantity)],
            }
            return self.render_to_response(self.get_context_data(places_form=form, confirm=confirm))
        try:
            departure_places_block(departure=self.departure, quantity=quantity, user=request.user)
        except BookingError as error:
            form.add_error("quantity", error.message)
            return self.render_to_response(self.get_context_data(places_form=form))
        messages.success(
            request,
            _("Blocked places: %(previous)s → %(quantity)s.")
            % {"previous": previous, "quantity": quantity},
        )
        return redirect(self.url)


# Links from the departures' screens ----------------------------------------------------


def _occupancy_button(departure, **kwargs):
    return Button(
        _("Occupancy"),
        url=reverse(OCCUPANCY_URL, args=[departure.pk]),
        icon_name="table",
        **kwargs,
    )


class DepartureOccupancyIndexView(DepartureIndexView):
    """The departures listing with an "Occupancy" item in each row's "More" menu."""

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if departure_policy.user_has_permission_for_instance(self.request.user, "view", instance):
            buttons.append(_occupancy_button(instance, priority=5))
        return buttons


class VesselBusyMixin:
    """Saving a departure into a time its vessel is busy (the exclusion constraint on
    PostgreSQL, even when another editor took the time a moment ago) is a form error."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except BookingError as error:
            if error.code != "vessel_busy":
                raise
            form.add_error(None, error.message)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class DepartureCreateView(VesselBusyMixin, BookingCreateView):
    pass


class DepartureCopyView(CopyViewMixin, DepartureCreateView):
    pass


class DepartureEditView(VesselBusyMixin, BookingEditView):
    """The departure's edit screen with an "Occupancy" header button."""

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        buttons.append(
            HeaderButton(
                _("Occupancy"),
                url=reverse(OCCUPANCY_URL, args=[self.object.pk]),
                icon_name="table",
            )
        )
        return buttons


# `crm_inventory:departure`, under /admin/crm/departures/ (`crm.wagtail_hooks`).
OCCUPANCY_URLS = include(
    (
        [path("<int:pk>/occupancy/", DepartureOccupancyView.as_view(), name="departure")],
        "crm_inventory",
    ),
    namespace="crm_inventory",
)
