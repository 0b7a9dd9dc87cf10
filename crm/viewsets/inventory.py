"""Inventory screens: piers, vessels, seat maps (edited in the seat-map editor), departures
with the recurring-departure scheduler, and price overrides."""

import django_filters
from django.db.models import Count
from django.urls import path
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.viewsets.base import ViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from booking.models import (
    Departure,
    SeatingMode,
    SeatMap,
    TicketPrice,
    Venue,
    Vessel,
)
from crm.forms.departures import DepartureForm
from crm.forms.prices import TicketPriceForm
from crm.forms.seatmaps import SeatMapForm
from crm.views import departures as departure_views
from crm.views import inventory as occupancy_views
from crm.views import seatmaps as seat_map_views
from crm.views import timeline as timeline_views
from crm.viewsets.columns import YesNoColumn


class VenueViewSet(SnippetViewSet):
    model = Venue
    icon = "site"
    menu_label = _("Piers")
    list_display = ["name", "address", "timezone"]
    search_fields = ["name", "name_en", "address"]
    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("name_en"), FieldPanel("name_zh"), FieldPanel("slug")],
            heading=_("Name"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldPanel("address_en"),
                FieldPanel("address_zh"),
                FieldPanel("latitude"),
                FieldPanel("longitude"),
                FieldPanel("timezone"),
            ],
            heading=_("Location"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("boarding_instructions"),
                FieldPanel("boarding_instructions_en"),
                FieldPanel("boarding_instructions_zh"),
            ],
            heading=_("Boarding"),
        ),
    ]


class VesselViewSet(SnippetViewSet):
    model = Vessel
    icon = "pick"
    menu_label = _("Vessels")
    # "Timeline" in each row's "More" menu and on the edit screen.
    index_view_class = timeline_views.VesselIndexView
    edit_view_class = timeline_views.VesselEditView
    list_display = ["name", "capacity", "seating_mode"]
    list_filter = ["seating_mode"]
    search_fields = ["name", "name_en"]
    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("name_en"), FieldPanel("name_zh")],
            heading=_("Name"),
        ),
        FieldPanel("capacity"),
        FieldPanel("seating_mode"),
    ]


class SeatMapViewSet(SnippetViewSet):
    """Seat maps, edited in the seat-map editor instead of as JSON."""

    model = SeatMap
    icon = "grid"
    menu_label = _("Seat maps")
    add_view_class = seat_map_views.SeatMapCreateView
    edit_view_class = seat_map_views.SeatMapEditView
    index_view_class = seat_map_views.SeatMapIndexView
    create_template_name = "crm/admin/seat_map_create.html"
    edit_template_name = "crm/admin/seat_map_edit.html"
    copy_view_enabled = False
    list_display = [
        "name",
        "vessel",
        YesNoColumn("is_default", label=_("Default")),
        Column("seat_count", label=_("Seats"), sort_key="seat_count"),
    ]
    list_filter = ["vessel"]
    search_fields = ["name", "vessel__name"]
    edit_handler = ObjectList(
        [FieldPanel("vessel"), FieldPanel("name"), FieldPanel("is_default")],
        base_form_class=SeatMapForm,
    )

    def get_queryset(self, request):
        return SeatMap.objects.select_related("vessel").annotate(seat_count=Count("seats"))

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "layout-preview/",
                seat_map_views.SeatMapLayoutPreviewView.as_view(),
                name="layout_preview",
            ),
            path("import/", seat_map_views.SeatMapImportView.as_view(), name="import"),
            path(
                "import/<int:pk>/",
                seat_map_views.SeatMapImportView.as_view(),
                name="import_into",
            ),
            path("export/<int:pk>/", seat_map_views.SeatMapExportView.as_view(), name="export"),
        ]


def _local_start(departure: Departure) -> str:
    local = departure.local_starts_at
    return f"{date_format(local, 'SHORT_DATE_FORMAT')} {local:%H:%M} {local.tzname()}"


def _seating(departure: Departure):
    label = SeatingMode(departure.effective_seating_mode).label
    if departure.seating_mode:
        return format_html("{} <small>({})</small>", label, _("this departure"))
    return label


class DepartureFilterSet(WagtailFilterSet):
    starts_at = django_filters.DateFromToRangeFilter(label=_("Date"), widget=DateRangePickerWidget)

    class Meta:
        model = Departure
        fields = ["product", "status", "venue", "vessel", "starts_at"]


class DepartureViewSet(SnippetViewSet):
    model = Departure
    icon = "date"
    menu_label = _("Departures")
    index_view_class = occupancy_views.DepartureOccupancyIndexView
    add_view_class = occupancy_views.DepartureCreateView
    copy_view_class = occupancy_views.DepartureCopyView
    edit_view_class = occupancy_views.DepartureEditView
    list_display = [
        "product",
        Column(
            "local_start",
            label=_("Departs (pier time)"),
            accessor=_local_start,
            sort_key="starts_at",
        ),
        "vessel",
        "venue",
        Column("seating", label=_("Seating"), accessor=_seating),
        StatusTagColumn(
            "get_status_display",
            label=_("Status"),
            sort_key="status",
            primary=lambda d: d.status == Departure.Status.SCHEDULED,
        ),
    ]
    filterset_class = DepartureFilterSet
    ordering = ["starts_at"]
    edit_handler = ObjectList(
        [
            FieldPanel("product"),
            FieldPanel("vessel"),
            FieldPanel("venue"),
            MultiFieldPanel(
                [FieldPanel("starts_at"), FieldPanel("ends_at"), FieldPanel("status")],
                heading=_("When"),
            ),
            MultiFieldPanel(
                [FieldPanel("seating_mode"), FieldPanel("seat_map"), FieldPanel("capacity")],
                heading=_("Seating"),
            ),
            MultiFieldPanel(
                [FieldPanel("on_sale_from"), FieldPanel("on_sale_until")],
                heading=_("Sale window"),
            ),
        ],
        base_form_class=DepartureForm,
    )
    chooser_viewset_class = departure_views.DepartureChooserViewSet

    def get_queryset(self, request):
        return Departure.objects.select_related("product", "vessel", "venue")


class TicketPriceViewSet(SnippetViewSet):
    """Prices that differ from a ticket type's own price for a zone, a departure or
    both."""

    model = TicketPrice
    icon = "decimal"
    menu_label = _("Price overrides")
    list_display = [
        "ticket_type",
        Column("zone", label=_("Price zone"), accessor=lambda p: _zone_label(p.zone)),
        "departure",
        "price",
    ]
    list_filter = ["ticket_type__product"]
    search_fields = ["ticket_type__name", "ticket_type__product__name"]
    edit_handler = ObjectList(
        [
            FieldPanel("ticket_type"),
            FieldPanel("zone"),
            FieldPanel("departure"),
            FieldPanel("price"),
        ],
        base_form_class=TicketPriceForm,
    )

    def get_queryset(self, request):
        return TicketPrice.objects.select_related(
            "ticket_type__product",
            "zone__seat_map__vessel",
            "departure__product",
            "departure__venue",
        )


def _zone_label(zone) -> str:
    return f"{zone.seat_map}: {zone.name}" if zone else ""


class DepartureScheduleMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("booking.add_departure")


class DepartureScheduleViewSet(ViewSet):
    """Recurring departures: a season of departures at once."""

    name = "booking_departure_schedule"
    url_prefix = "booking/departures/schedule"
    icon = "calendar-alt"
    menu_label = _("Create departures")
    menu_item_class = DepartureScheduleMenuItem

    def get_urlpatterns(self):
        return [path("", departure_views.DepartureScheduleView.as_view(), name="create")]
