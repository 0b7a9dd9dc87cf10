"""The vessel timeline (issue 13, "Admin: a calendar/timeline of each vessel's rentals and
departures"): one vessel, one week (Monday to Sunday, Moscow time: the piers' clock), each
day a track from 00:00 to 24:00 with a block per busy stretch of the vessel
(`booking.services.vessel_timeline`): departures with their sold places against capacity,
linked to their occupancy screen; rentals in another colour with the customer and the
order code, linked to the order, and their turnaround buffer as a hatched tail. Cancelled
departures free the vessel and are not drawn. Each block carries its text (times, name,
counts), so it reads without colour; at phone width the tracks become stacked lists.

Who: whoever may view departures (`departure_policy` "view"). A staff member with
assignments (`crm.permissions`) sees only the vessels they are assigned to and the
vessels that sail from their piers (another vessel → 403); on a shared vessel, the
departures outside their scope are drawn as "Busy" without details. Bad query
parameters (a date or vessel that is not one) are a message on the page, never an
error page."""

import datetime
import zoneinfo

from django.conf import settings
from django.db.models import Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.snippets.views.snippets import IndexView

from booking.models import Departure, Vessel
from booking.services.vessel_timeline import VesselBusy, vessel_timeline
from crm.permissions import departure_policy, order_policy, user_assignments
from crm.views.generic import BookingEditView
from crm.views.inventory import OCCUPANCY_URL
from crm.views.orders import forbidden

TIMELINE_URL = "crm_vessel_timeline:index"
DAY_MINUTES = 24 * 60
# Dates outside these years are refused: a week must stay within what Python can count.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def timeline_url(vessel_id=None, week: datetime.date | None = None) -> str:
    query = {}
    if vessel_id is not None:
        query["vessel"] = vessel_id
    if week is not None:
        query["week"] = week.isoformat()
    url = reverse(TIMELINE_URL)
    return f"{url}?{urlencode(query)}" if query else url


def may_view_timeline(user) -> bool:
    return departure_policy.user_has_permission(user, "view")


def timeline_vessels(user):
    """The vessels whose timeline `user` may see: all without assignments; else those
    they are assigned to and those that sail from their piers."""
    if not may_view_timeline(user):
        return Vessel.objects.none()
    assignments = user_assignments(user)
    if not assignments.any:
        return Vessel.objects.all()
    from_piers = Departure.objects.filter(venue_id__in=assignments.venue_ids).values("vessel_id")
    return Vessel.objects.filter(Q(pk__in=assignments.vessel_ids) | Q(pk__in=from_piers))


def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _percent(minutes: float) -> str:
    # Written for CSS, never localised (a Russian admin would get a decimal comma).
    return f"{minutes * 100 / DAY_MINUTES:.3f}"


def _minutes(moment: datetime.datetime, day_start: datetime.datetime) -> float:
    return min(max((moment - day_start).total_seconds() / 60, 0), DAY_MINUTES)


def _clock(moment: datetime.datetime, day: datetime.date) -> str:
    """`moment` on the Moscow clock, marked "(+1)" or "(−1)" when on the day after or
    before `day` (a block across midnight), with its date when further away."""
    local = moment.astimezone(_zone())
    days = (local.date() - day).days
    if days == 0:
        return f"{local:%H:%M}"
    if days == 1 and (local.hour, local.minute) == (0, 0):
        return "24:00"
    if days in (1, -1):
        return f"{local:%H:%M} ({days:+d})".replace("-", "\u2212")
    return f"{date_format(local, 'SHORT_DATE_FORMAT')} {local:%H:%M}"


class VesselTimelineView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "crm/admin/inventory/vessel_timeline.html"
    header_icon = "calendar-alt"
    page_title = _("Vessel timeline")
    _show_breadcrumbs = True

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not may_view_timeline(user):
            return forbidden(request)
        self.error = ""
        self.status = 200
        self.vessels = list(timeline_vessels(user).order_by("name", "pk"))
        self.vessel = self.chosen_vessel(request.GET.get("vessel", ""))
        if self.status == 403:
            return forbidden(request)
        self.monday = self.chosen_week(request.GET.get("week", ""))
        return super().dispatch(request, *args, **kwargs)

    def fail(self, message, status=400):
        if not self.error:
            self.error, self.status = message, status

    def chosen_vessel(self, value: str) -> Vessel | None:
        value = value.strip()
        if not value:
            return self.vessels[0] if self.vessels else None
        if not value.isdecimal() or len(value) > 18:
            self.fail(
                _("“%(value)s” is not a vessel: choose one from the list.") % {"value": value}
            )
            return None
        for vessel in self.vessels:
            if vessel.pk == int(value):
                return vessel
        if Vessel.objects.filter(pk=int(value)).exists():
            self.status = 403
        else:
            self.fail(_("There is no vessel number %(value)s.") % {"value": value}, status=404)
        return None

    def chosen_week(self, value: str) -> datetime.date | None:
        value = value.strip()
        if not value:
            day = timezone.now().astimezone(_zone()).date()
        else:
            try:
                day = datetime.date.fromisoformat(value)
            except ValueError:
                day = None
            if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.fail(
                    _(
                        "“%(value)s” is not a date: pick a day (YYYY-MM-DD) between %(first)s and %(last)s."
                    )
                    % {"value": value[:20], "first": FIRST_YEAR, "last": LAST_YEAR}
                )
                return None
        return day - datetime.timedelta(days=day.weekday())

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("wagtailsnippets_booking_vessel:list"), "label": _("Vessels")},
            {"url": "", "label": self.page_title},
        ]

    def get_page_subtitle(self):
        return str(self.vessel) if self.vessel else ""

    def render_to_response(self, context, **response_kwargs):
        response_kwargs.setdefault("status", self.status)
        return super().render_to_response(context, **response_kwargs)

    # The week ------------------------------------------------------------------------

    @cached_property
    def can_view_orders(self) -> bool:
        return order_policy.user_has_permission(self.request.user, "view")

    def block(self, busy: VesselBusy, day: datetime.date, day_start) -> dict:
        start = _minutes(busy.starts_at, day_start)
        end = _minutes(busy.ends_at, day_start)
        departure = busy.departure
        block = {
            "left": _percent(start),
            "width": _percent(max(end - start, 1)),
            "right": _percent(DAY_MINUTES - end),
            # Opened on hover, a block late in the day grows leftwards (stays on the track).
            "late": start > DAY_MINUTES * 0.6,
            "starts": _clock(busy.starts_at, day),
            "ends": _clock(busy.ends_at, day),
            "from_before": busy.starts_at < day_start,
            "goes_on": busy.ends_at > day_start + datetime.timedelta(days=1),
            "buffer": None,
            "url": "",
            "kind": "busy",
            "title": _("Busy"),
            "details": "",
        }
        visible = departure is not None and departure_policy.user_has_permission_for_instance(
            self.request.user, "view", departure
        )
        if busy.buffer_from is not None:
            # The rental ends where its buffer begins; the tail is drawn on the day(s) it
            # falls on, as its share of the block's width.
            buffer_start = _minutes(busy.buffer_from, day_start)
            block["ends"] = _clock(busy.buffer_from, day)
            block["buffer"] = {
                "width": f"{max(end - buffer_start, 0) * 100 / max(end - start, 1):.3f}",
                "until": _clock(busy.ends_at, day),
            }
        if not visible:
            return block
        block["url"] = reverse(OCCUPANCY_URL, args=[departure.pk])
        block["departure_id"] = departure.pk
        if busy.is_rental:
            block["kind"] = "rental"
            block["title"] = _("Rental")
            order = busy.order
            if order is not None and self.can_view_orders:
                block["details"] = f"{order.name} · {order.code}"
                block["url"] = reverse("crm_orders:inspect", args=[order.pk])
            else:
                block["details"] = str(departure.product)
        else:
            block["kind"] = "departure"
            block["title"] = str(departure.product)
            block["details"] = _("%(sold)s / %(capacity)s sold") % {
                "sold": busy.sold,
                "capacity": busy.capacity,
            }
        return block

    def days(self) -> list[dict]:
        zone = _zone()
        start = datetime.datetime.combine(self.monday, datetime.time(0), zone)
        end = datetime.datetime.combine(
            self.monday + datetime.timedelta(days=7), datetime.time(0), zone
        )
        stretches = vessel_timeline(vessel=self.vessel, starts_at=start, ends_at=end)
        today = timezone.now().astimezone(zone).date()
        days = []
        for offset in range(7):
            day = self.monday + datetime.timedelta(days=offset)
            day_start = datetime.datetime.combine(day, datetime.time(0), zone)
            day_end = datetime.datetime.combine(
                day + datetime.timedelta(days=1), datetime.time(0), zone
            )
            days.append(
                {
                    "date": day,
                    "label": f"{date_format(day, 'l')}, {date_format(day, 'MONTH_DAY_FORMAT')}",
                    "is_today": day == today,
                    "blocks": [
                        self.block(busy, day, day_start)
                        for busy in stretches
                        if busy.starts_at < day_end and busy.ends_at > day_start
                    ],
                }
            )
        return days

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            error=self.error,
            vessels=self.vessels,
            vessel=self.vessel,
            week_value=self.request.GET.get("week", "")[:20]
            if self.monday is None
            else self.monday.isoformat(),
            action_url=reverse(TIMELINE_URL),
            hours=[
                {"label": f"{hour:02d}:00", "left": _percent(hour * 60)} for hour in range(0, 25, 3)
            ],
        )
        if self.vessel is not None and self.monday is not None:
            sunday = self.monday + datetime.timedelta(days=6)
            context.update(
                days=self.days(),
                week_label=(
                    f"{date_format(self.monday, 'DATE_FORMAT')} – "
                    f"{date_format(sunday, 'DATE_FORMAT')}"
                ),
                previous_url=timeline_url(self.vessel.pk, self.monday - datetime.timedelta(days=7)),
                next_url=timeline_url(self.vessel.pk, self.monday + datetime.timedelta(days=7)),
                this_week_url=timeline_url(self.vessel.pk),
                zone_name=settings.TIME_ZONE,
            )
        return context


# The menu item and the links from the vessels' screens --------------------------------


class VesselTimelineMenuItem(MenuItem):
    def is_shown(self, request):
        return may_view_timeline(request.user)


class VesselTimelineViewSet(ViewSet):
    """The vessel timeline in the CRM menu, next to the departures."""

    name = "crm_vessel_timeline"
    url_prefix = "crm/vessels/timeline"
    icon = "calendar-alt"
    menu_label = _("Vessel timeline")
    menu_item_class = VesselTimelineMenuItem

    def get_urlpatterns(self):
        return [path("", VesselTimelineView.as_view(), name="index")]


def _timeline_button(vessel, **kwargs):
    return Button(_("Timeline"), url=timeline_url(vessel.pk), icon_name="calendar-alt", **kwargs)


class VesselIndexView(IndexView):
    """The vessels listing with "Timeline" in each row's "More" menu."""

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if may_view_timeline(self.request.user):
            buttons.append(_timeline_button(instance, priority=5))
        return buttons


class VesselEditView(BookingEditView):
    """The vessel's edit screen with a "Timeline" header button."""

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if may_view_timeline(self.request.user):
            buttons.append(
                HeaderButton(
                    _("Timeline"), url=timeline_url(self.object.pk), icon_name="calendar-alt"
                )
            )
        return buttons
