"""Departure screens beyond the declarative viewset: the chooser, the listing's "Create
departures" button and recurring departures (preview, then create through
`departures_create_recurring`)."""

import zoneinfo
from collections import Counter

from django.db import IntegrityError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log
from wagtail.snippets.views.snippets import IndexView

from booking.models import Departure
from booking.services.departures import (
    ScheduleError,
    departure_schedule_plan,
    departures_create_recurring,
)
from booking.services.errors import BookingError
from crm.forms.departures import DepartureScheduleForm
from crm.views.generic import PermissionCheckedChooserViewSet

DEPARTURE_URLS = "wagtailsnippets_booking_departure"
SCHEDULE_ACTION = "booking.departures.schedule"


def pier_time(departure: Departure, moment) -> str:
    """`moment` (the departure, now …) as a date and time on the departure's pier clock,
    with the zone's abbreviation."""
    local = departure.local(moment)
    return f"{date_format(local, 'SHORT_DATE_FORMAT')} {local:%H:%M} {local.tzname()}"


class DepartureChooserViewSet(PermissionCheckedChooserViewSet):
    def get_object_list(self):
        # Each departure is named by its product and its pier's local time.
        return Departure.objects.select_related("product", "venue")


# Recurring departures ----------------------------------------------------------------

STATUS_LABELS = {
    "new": _("New"),
    "exists": _("Already exists"),
    "vessel_busy": _("Vessel busy"),
}


class DepartureIndexView(IndexView):
    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.user_has_permission("add"):
            buttons.append(
                HeaderButton(
                    _("Create departures"),
                    url=reverse("booking_departure_schedule:create"),
                    icon_name="calendar-alt",
                )
            )
        return buttons


class DepartureScheduleView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """A season of departures at once: preview what would be created, then create the
    new ones with `departures_create_recurring`, which skips what exists."""

    model = Departure
    permission_required = "add"
    form_class = DepartureScheduleForm
    template_name = "crm/admin/departure_schedule.html"
    page_title = _("Create departures")
    header_icon = "calendar-alt"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{DEPARTURE_URLS}:list"), "label": _("Departures")},
            {"url": "", "label": self.page_title},
        ]

    def get_initial(self):
        initial = super().get_initial()
        for name in ("product", "vessel", "venue"):
            value = self.request.GET.get(name, "")
            if value.isdigit():
                initial[name] = int(value)
        return initial

    def form_valid(self, form):
        kwargs = form.schedule_kwargs()
        try:
            plan = departure_schedule_plan(**kwargs)
        except ScheduleError as error:
            return self.schedule_error(form, error)
        fingerprint = form.fingerprint()
        if "create" in self.request.POST:
            if form.cleaned_data["previewed"] != fingerprint:
                messages.warning(
                    self.request,
                    _("The schedule has changed since the preview. Check it, then create."),
                )
            elif not any(slot.status == "new" for slot in plan):
                messages.warning(
                    self.request,
                    _(
                        "Nothing to create: every departure of this schedule exists already "
                        "or the vessel is busy then."
                    ),
                )
            else:
                try:
                    created = departures_create_recurring(
                        **kwargs, seating_mode=form.cleaned_data["seating_mode"]
                    )
                except ScheduleError as error:
                    return self.schedule_error(form, error)
                except BookingError as error:
                    # Another editor or a rental took some of the vessel's time meanwhile
                    # (the exclusion constraint): the service rolled everything back.
                    form.add_error(None, error.message)
                    return self.form_invalid(form)
                except IntegrityError:
                    # A slot the plan saw as free is taken after all (e.g. by a cancelled
                    # departure at the same time): the service rolled everything back.
                    form.add_error(
                        None,
                        _(
                            "Some of these departures exist already (perhaps cancelled), so "
                            "nothing was created. Narrow the dates or times and try again."
                        ),
                    )
                    return self.form_invalid(form)
                return self.created(form, plan, created)
        return self.render_to_response(
            self.get_context_data(
                form=form, plan=self.plan_rows(form, plan), fingerprint=fingerprint
            )
        )

    def schedule_error(self, form, error):
        for message in error.messages:
            form.add_error(None, message)
        return self.form_invalid(form)

    def created(self, form, plan, created):
        product = form.cleaned_data["product"]
        skipped = max(len(plan) - len(created), 0)
        data = form.cleaned_data
        log(
            product,
            SCHEDULE_ACTION,
            user=self.request.user,
            data={
                "created": len(created),
                "skipped": skipped,
                "vessel": data["vessel"].pk,
                "venue": data["venue"].pk,
                "date_from": data["date_from"].isoformat(),
                "date_to": data["date_to"].isoformat(),
                "times": [t.strftime("%H:%M") for t in data["times"]],
                "weekdays": sorted(data["weekdays"]),
            },
        )
        messages.success(
            self.request,
            ngettext(
                "%(created)s departure created, %(skipped)s skipped.",
                "%(created)s departures created, %(skipped)s skipped.",
                len(created),
            )
            % {"created": len(created), "skipped": skipped},
        )
        return redirect(f"{reverse(f'{DEPARTURE_URLS}:list')}?product={product.pk}")

    def plan_rows(self, form, plan):
        tz = zoneinfo.ZoneInfo(form.cleaned_data["venue"].timezone)
        rows = []
        for slot in plan:
            starts, ends = slot.starts_at.astimezone(tz), slot.ends_at.astimezone(tz)
            rows.append(
                {
                    "date": date_format(starts, "SHORT_DATE_FORMAT"),
                    "weekday": date_format(starts, "D"),
                    "starts": starts.strftime("%H:%M"),
                    "ends": ends.strftime("%H:%M")
                    + ("" if ends.date() == starts.date() else " (+1)"),
                    "tz": starts.tzname(),
                    "status": slot.status,
                    "status_label": STATUS_LABELS[slot.status],
                }
            )
        return rows

    def form_invalid(self, form):
        messages.error(self.request, _("The departures could not be planned due to errors."))
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = context.get("plan")
        if plan is not None:
            counts = Counter(row["status"] for row in plan)
            context["counts"] = {
                "total": len(plan),
                "new": counts.get("new", 0),
                "exists": counts.get("exists", 0),
                "vessel_busy": counts.get("vessel_busy", 0),
            }
            context["venue"] = context["form"].cleaned_data["venue"]
        context["media"] = context["form"].media
        return context
