"""The CRM's Wagtail admin: registers the staff screens of `crm.viewsets` (the booking
group: inventory and sales; message templates), the check-in menu item and the
undo-a-boarding URL, the admin stylesheet and the log formatters of booking's actions.
Wagtail finds this module because `crm` is an installed app."""

from django.templatetags.static import static
from django.urls import path, reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from booking.services.checkin import CHECK_IN_ACTION, CHECK_IN_UNDO_ACTION
from booking.services.payments import REFUND_CANCELED_ACTION
from booking.services.refunds import REFUND_ACTION
from crm.views.checkin import CheckInUndoView
from crm.views.departures import SCHEDULE_ACTION
from crm.views.generic import BookingDeleteView, use_booking_views
from crm.views.seatmaps import SEAT_MAP_APPLY_ACTION
from crm.viewsets.checkin import CheckInMenuItem
from crm.viewsets.inventory import (
    DepartureScheduleViewSet,
    DepartureViewSet,
    SeatMapViewSet,
    TicketPriceViewSet,
    VenueViewSet,
    VesselViewSet,
)
from crm.viewsets.messaging import MessageTemplateViewSet
from crm.viewsets.sales import (
    ProductTaxesViewSet,
    ProductViewSet,
    PromotionViewSet,
    RefundPolicyViewSet,
    ServiceFeeViewSet,
)

for viewset in (
    ServiceFeeViewSet,
    PromotionViewSet,
    ProductTaxesViewSet,
    RefundPolicyViewSet,
    VenueViewSet,
    VesselViewSet,
    SeatMapViewSet,
    ProductViewSet,
    DepartureViewSet,
    TicketPriceViewSet,
):
    viewset.delete_view_class = BookingDeleteView
    use_booking_views(viewset)


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
        RefundPolicyViewSet,
    )


register_snippet(BookingViewSetGroup)

use_booking_views(MessageTemplateViewSet)
register_snippet(MessageTemplateViewSet)


@hooks.register("insert_global_admin_css")
def booking_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin-booking.css"))


@hooks.register("register_log_actions")
def register_booking_log_actions(actions):
    @actions.register_action(SEAT_MAP_APPLY_ACTION)
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

    @actions.register_action(REFUND_ACTION)
    class RefundFormatter(LogFormatter):
        label = _("Refund tickets")

        def format_message(self, log_entry):
            try:
                return _("Tickets refunded: %(count)s, %(amount)s RUB") % {
                    "count": len(log_entry.data["tickets"]),
                    "amount": log_entry.data["amount"],
                }
            except (KeyError, TypeError):
                return _("Tickets refunded")

    @actions.register_action(REFUND_CANCELED_ACTION)
    class RefundCanceledFormatter(LogFormatter):
        label = _("Refund cancelled by YooKassa")

        def format_message(self, log_entry):
            try:
                return _(
                    "YooKassa cancelled the refund of %(amount)s RUB (%(reason)s): "
                    "pay the customer back another way"
                ) % {"amount": log_entry.data["amount"], "reason": log_entry.data["reason"]}
            except (KeyError, TypeError):
                return _("YooKassa cancelled a refund")

    @actions.register_action(SCHEDULE_ACTION)
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
            CheckInUndoView.as_view(),
            name="booking_check_in_undo",
        )
    ]


import crm.viewsets.staff  # noqa: E402, F401  (staff access: assignments, 2FA item, audit labels)
