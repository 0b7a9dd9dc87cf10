"""The booking catalogue in the Wagtail admin. These screens grow into the CRM's
inventory section in later issues."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from booking.models import Departure, Product, Venue, Vessel


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
    list_display = ["name", "capacity"]
    search_fields = ["name", "name_en"]


class ProductViewSet(SnippetViewSet):
    model = Product
    icon = "tag"
    menu_label = _("Products")
    list_display = ["name", "kind", "venue", "is_active"]
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
        FieldPanel("is_active"),
        InlinePanel("ticket_types", heading=_("Ticket types and prices"), label=_("ticket type")),
    ]


class DepartureViewSet(SnippetViewSet):
    model = Departure
    icon = "date"
    menu_label = _("Departures")
    list_display = ["product", "starts_at", "vessel", "venue", "status"]
    list_filter = ["status", "product", "venue"]
    ordering = ["starts_at"]


class BookingViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Booking")
    menu_icon = "date"
    menu_order = 200
    items = (ProductViewSet, DepartureViewSet, VenueViewSet, VesselViewSet)


register_snippet(BookingViewSetGroup)
