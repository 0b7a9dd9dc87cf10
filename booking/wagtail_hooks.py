"""The booking catalogue in the Wagtail admin. These screens grow into the CRM's
inventory section in later issues."""

import django_filters
from django.db.models import Count
from django.templatetags.static import static
from django.urls import path, reverse_lazy
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, StatusTagColumn
from wagtail.admin.viewsets.base import ViewSet
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from booking import admin_views
from booking.forms import DepartureForm, SeatMapForm, TicketPriceForm
from booking.models import (
    Departure,
    Product,
    ProductTaxes,
    Promotion,
    SeatingMode,
    SeatMap,
    ServiceFee,
    TicketPrice,
    Venue,
    Vessel,
)
from booking.services.checkin import CHECK_IN_ACTION, CHECK_IN_UNDO_ACTION


class YesNoColumn(BooleanColumn):
    """Wagtail's tick/cross, titled "yes"/"no" in the editor's language (Wagtail's own
    titles them "True"/"False")."""

    cell_template_name = "booking/admin/includes/yes_no_cell.html"


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
    add_view_class = admin_views.SeatMapCreateView
    edit_view_class = admin_views.SeatMapEditView
    index_view_class = admin_views.SeatMapIndexView
    create_template_name = "booking/admin/seat_map_create.html"
    edit_template_name = "booking/admin/seat_map_edit.html"
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
                admin_views.SeatMapLayoutPreviewView.as_view(),
                name="layout_preview",
            ),
            path("import/", admin_views.SeatMapImportView.as_view(), name="import"),
            path(
                "import/<int:pk>/",
                admin_views.SeatMapImportView.as_view(),
                name="import_into",
            ),
            path("export/<int:pk>/", admin_views.SeatMapExportView.as_view(), name="export"),
        ]


class ProductViewSet(SnippetViewSet):
    model = Product
    icon = "tag"
    menu_label = _("Products")
    list_display = [
        "name",
        "kind",
        "venue",
        "seating_mode",
        YesNoColumn("is_active", label=_("Active")),
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "name_en", "name_zh", "code"]
    panels = [
        FieldPanel("kind"),
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("name_en"), FieldPanel("name_zh"), FieldPanel("code")],
            heading=_("Name"),
        ),
        FieldPanel("venue"),
        FieldPanel("duration_minutes"),
        FieldPanel("seating_mode"),
        FieldPanel("is_active"),
        InlinePanel("ticket_types", heading=_("Ticket types and prices"), label=_("ticket type")),
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
    index_view_class = admin_views.DepartureIndexView
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
    chooser_viewset_class = admin_views.DepartureChooserViewSet

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
        return [path("", admin_views.DepartureScheduleView.as_view(), name="create")]


class ServiceFeeViewSet(SnippetViewSet):
    model = ServiceFee
    icon = "form"
    menu_label = _("Service fees")
    list_display = ["name", "per", "kind", "value", YesNoColumn("is_active", label=_("Active"))]
    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("name_en"), FieldPanel("name_zh")],
            heading=_("Name in the price breakdown"),
        ),
        FieldPanel("per"),
        FieldPanel("kind"),
        FieldPanel("value"),
        FieldPanel("products"),
        FieldPanel("is_active"),
    ]


class PromotionViewSet(SnippetViewSet):
    model = Promotion
    icon = "pick"
    menu_label = _("Promo codes")
    list_display = [
        "code",
        "name",
        "kind",
        "value",
        "valid_until",
        YesNoColumn("is_active", label=_("Active")),
    ]
    list_filter = ["is_active", "kind"]
    search_fields = ["code", "name"]
    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("value"),
        FieldPanel("min_order_amount"),
        MultiFieldPanel(
            [FieldPanel("valid_from"), FieldPanel("valid_until")], heading=_("Validity")
        ),
        MultiFieldPanel(
            [FieldPanel("max_uses"), FieldPanel("max_uses_per_customer")],
            heading=_("Usage limits"),
        ),
        MultiFieldPanel(
            [FieldPanel("products"), FieldPanel("ticket_types")], heading=_("Applies to")
        ),
        FieldPanel("is_active"),
    ]


class ProductTaxesViewSet(SnippetViewSet):
    model = ProductTaxes
    icon = "doc-full"
    menu_label = _("Receipt settings")
    list_display = ["product", "vat_code", "payment_subject", "payment_mode"]
    panels = [
        FieldPanel("product"),
        FieldPanel("vat_code"),
        FieldPanel("payment_subject"),
        FieldPanel("payment_mode"),
    ]


for viewset in (
    ServiceFeeViewSet,
    PromotionViewSet,
    ProductTaxesViewSet,
    VenueViewSet,
    VesselViewSet,
    SeatMapViewSet,
    ProductViewSet,
    DepartureViewSet,
    TicketPriceViewSet,
):
    viewset.delete_view_class = admin_views.BookingDeleteView
    admin_views.use_booking_views(viewset)


class BookingViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Booking")
    menu_icon = "date"
    menu_order = 200
    items = (
        ProductViewSet,
        DepartureViewSet,
        DepartureScheduleViewSet,
        VenueViewSet,
        VesselViewSet,
        SeatMapViewSet,
        TicketPriceViewSet,
        PromotionViewSet,
        ServiceFeeViewSet,
        ProductTaxesViewSet,
    )


register_snippet(BookingViewSetGroup)


@hooks.register("insert_global_admin_css")
def booking_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin-booking.css"))


@hooks.register("register_log_actions")
def register_booking_log_actions(actions):
    @actions.register_action(admin_views.SEAT_MAP_APPLY_ACTION)
    class SeatMapApplyFormatter(LogFormatter):
        label = _("Apply seat layout")

        def format_message(self, log_entry):
            try:
                return _(
                    "Seat layout applied: %(created)s seats added, %(updated)s kept, "
                    "%(deleted)s removed"
                ) % {key: log_entry.data[key] for key in ("created", "updated", "deleted")}
            except (KeyError, TypeError):
                return _("Seat layout applied")

    @actions.register_action(CHECK_IN_ACTION)
    class CheckInFormatter(LogFormatter):
        label = _("Board")

        def format_message(self, log_entry):
            return _("Ticket boarded")

    @actions.register_action(CHECK_IN_UNDO_ACTION)
    class CheckInUndoFormatter(LogFormatter):
        label = _("Undo a boarding")

        def format_message(self, log_entry):
            try:
                return _("Boarding undone: %(reason)s") % {"reason": log_entry.data["reason"]}
            except (KeyError, TypeError):
                return _("Boarding undone")

    @actions.register_action(admin_views.SCHEDULE_ACTION)
    class DepartureScheduleFormatter(LogFormatter):
        label = _("Create departures")

        def format_message(self, log_entry):
            try:
                return _(
                    "Departures created from %(date_from)s to %(date_to)s: %(created)s new, "
                    "%(skipped)s skipped"
                ) % {
                    key: log_entry.data[key]
                    for key in ("date_from", "date_to", "created", "skipped")
                }
            except (KeyError, TypeError):
                return _("Departures created")


import booking.wagtail_hooks_messaging  # noqa: E402,F401


class CheckInMenuItem(MenuItem):
    """The boarding crew's phone page lives outside the admin; the menu leads there."""

    def is_shown(self, request):
        return request.user.has_perm("booking.check_in_ticket")


@hooks.register("register_admin_menu_item")
def register_check_in_menu_item():
    return CheckInMenuItem(
        _("Boarding check-in"), reverse_lazy("checkin:index"), icon_name="tick", order=210
    )


@hooks.register("register_admin_urls")
def register_check_in_undo_url():
    return [
        path(
            "booking/check-in/undo/<int:ticket_id>/",
            admin_views.CheckInUndoView.as_view(),
            name="booking_check_in_undo",
        )
    ]
