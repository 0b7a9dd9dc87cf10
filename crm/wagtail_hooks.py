"""The CRM's Wagtail admin: registers the staff screens of `crm.viewsets` in one "CRM" menu
(orders, customers, then the booking editors: inventory, sales, message templates), the
order search (its URL, and "Orders" in the sidebar search), the agent's dashboard panel,
the check-in menu item and the undo-a-boarding URL, the admin stylesheet and the log
formatters of booking's and the console's actions; and the "Support" menu (the support
cases' inbox, `crm.viewsets.cases`), which other support screens join through the hook
`register_support_menu_item`.
Wagtail finds this module because `crm` is an installed app."""

from django.apps import apps
from django.templatetags.static import static
from django.urls import include, path, reverse, reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

import crm.viewsets.staff  # noqa: F401  (its hooks: assignments screen, two-factor item, audit labels)
from accounts.services.notes import NOTE_ACTION as CUSTOMER_NOTE_ACTION
from booking.services import backoffice, blocking
from booking.services.checkin import CHECK_IN_ACTION, CHECK_IN_UNDO_ACTION
from booking.services.payments import REFUND_CANCELED_ACTION
from booking.services.refunds import REFUND_ACTION
from booking.services.webhooks import PAUSE_ACTION, RESEND_ACTION, TEST_ACTION
from common.money import format_rub
from crm.audit import PERSONAL_DATA_VIEW_ACTION, SEARCH_ACTION
from crm.permissions import case_policy
from crm.views.checkin import CheckInUndoView
from crm.views.departures import SCHEDULE_ACTION
from crm.views.generic import BookingDeleteView, use_booking_views
from crm.views.inventory import OCCUPANCY_URLS
from crm.views.search import OrderSearchArea, OrderSearchView
from crm.views.seatmaps import SEAT_MAP_APPLY_ACTION
from crm.views.timeline import VesselTimelineViewSet
from crm.viewsets import cases as case_viewsets
from crm.viewsets.checkin import CheckInMenuItem
from crm.viewsets.customers import CustomerViewSet
from crm.viewsets.dashboard import crm_dashboard_panel
from crm.viewsets.inventory import (
    DepartureScheduleViewSet,
    DepartureViewSet,
    SeatMapViewSet,
    TicketPriceViewSet,
    VenueViewSet,
    VesselViewSet,
)
from crm.viewsets.messaging import MessageTemplateViewSet
from crm.viewsets.orders import ORDER_EXPORT_ACTION, OrderViewSet
from crm.viewsets.rentals import RentalPlanViewSet
from crm.viewsets.sales import (
    ProductTaxesViewSet,
    ProductViewSet,
    PromotionViewSet,
    RefundPolicyViewSet,
    ServiceFeeViewSet,
)
from crm.viewsets.webhooks import WebhookDeliveryViewSet, WebhookSubscriptionViewSet

for viewset in (
    ServiceFeeViewSet,
    PromotionViewSet,
    ProductTaxesViewSet,
    RefundPolicyViewSet,
    VenueViewSet,
    VesselViewSet,
    SeatMapViewSet,
    ProductViewSet,
    RentalPlanViewSet,
    DepartureViewSet,
    TicketPriceViewSet,
):
    viewset.delete_view_class = BookingDeleteView
    use_booking_views(viewset)


class CRMMessageTemplateViewSet(MessageTemplateViewSet):
    """Message templates inside the CRM menu instead of a top-level item."""

    add_to_admin_menu = False


use_booking_views(CRMMessageTemplateViewSet)


class CRMViewSetGroup(SnippetViewSetGroup):
    """One "CRM" menu: the agent's screens first, then the booking editors. Each item
    shows only to those who may use it (a marketer sees message templates only)."""

    menu_label = _("CRM")
    menu_name = "crm"
    menu_icon = "date"
    menu_order = 200
    items = (
        OrderViewSet,
        CustomerViewSet,
        ProductViewSet,
        RentalPlanViewSet,
        DepartureViewSet,
        DepartureScheduleViewSet,
        VesselTimelineViewSet,
        VenueViewSet,
        VesselViewSet,
        SeatMapViewSet,
        TicketPriceViewSet,
        PromotionViewSet,
        ServiceFeeViewSet,
        ProductTaxesViewSet,
        RefundPolicyViewSet,
        CRMMessageTemplateViewSet,
        WebhookSubscriptionViewSet,
        WebhookDeliveryViewSet,
    )


register_snippet(CRMViewSetGroup)


@hooks.register("register_admin_urls")
def register_crm_search_url():
    return [path("crm/search/", OrderSearchView.as_view(), name="crm_search")]


@hooks.register("register_admin_search_area")
def register_crm_search_area():
    return OrderSearchArea(
        _("Orders"), reverse_lazy("crm_search"), name="crm-orders", icon_name="list-ul", order=150
    )


hooks.register("construct_homepage_panels", crm_dashboard_panel)


@hooks.register("register_log_actions")
def register_crm_console_log_actions(actions):
    @actions.register_action(PERSONAL_DATA_VIEW_ACTION)
    class PersonalDataViewFormatter(LogFormatter):
        label = _("View personal data")

        def format_message(self, log_entry):
            try:
                if log_entry.data["screen"] == "order":
                    return _("Personal data viewed on the screen of order #%(order)s") % {
                        "order": log_entry.data["order_id"]
                    }
                if log_entry.data["screen"] == "case":
                    return _("Personal data viewed on the screen of support case S-%(case)s") % {
                        "case": log_entry.data["case_id"]
                    }
                if log_entry.data["screen"] == "case_attachment":
                    return _("An attachment of support case S-%(case)s downloaded") % {
                        "case": log_entry.data["case_id"]
                    }
            except (KeyError, TypeError):
                pass
            return _("Personal data viewed on the customer screen")

    @actions.register_action(SEARCH_ACTION)
    class PersonalDataSearchFormatter(LogFormatter):
        label = _("Search orders")

        def format_message(self, log_entry):
            try:
                return _("Orders searched: %(hits)s found") % {"hits": log_entry.data["hits"]}
            except (KeyError, TypeError):
                return _("Orders searched")

    @actions.register_action(ORDER_EXPORT_ACTION)
    class OrderExportFormatter(LogFormatter):
        label = _("Export orders")

        def format_message(self, log_entry):
            try:
                return _("Orders exported (%(format)s): %(rows)s rows") % {
                    "format": log_entry.data["format"],
                    "rows": log_entry.data["rows"],
                }
            except (KeyError, TypeError):
                return _("Orders exported")


@hooks.register("insert_global_admin_css")
def booking_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin-booking.css"))


def _blocked_places_message(data: dict) -> str:
    """Blocking and unblocking general-admission places both set their number."""
    return _("Places blocked: %(places)s (before: %(previous)s)") % {
        "places": data.get("places"),
        "previous": data.get("previous"),
    }


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
                return _("Tickets refunded: %(count)s, %(amount)s") % {
                    "count": len(log_entry.data["tickets"]),
                    "amount": format_rub(log_entry.data["amount"]),
                }
            except (KeyError, TypeError, ArithmeticError):
                return _("Tickets refunded")

    @actions.register_action(REFUND_CANCELED_ACTION)
    class RefundCanceledFormatter(LogFormatter):
        label = _("Refund cancelled by YooKassa")

        def format_message(self, log_entry):
            try:
                return _(
                    "YooKassa cancelled the refund of %(amount)s (%(reason)s): "
                    "pay the customer back another way"
                ) % {
                    "amount": format_rub(log_entry.data["amount"]),
                    "reason": log_entry.data["reason"],
                }
            except (KeyError, TypeError, ArithmeticError):
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

    @actions.register_action(backoffice.RESEND_ACTION)
    class OrderResendFormatter(LogFormatter):
        label = _("Resend the confirmation")

        def format_message(self, log_entry):
            try:
                results = log_entry.data["results"]
                parts = [
                    f"{channel}: " + (_("sent") if result == "ok" else _("not sent"))
                    for channel, result in results.items()
                ]
                return _("Confirmation sent again (%(results)s)") % {"results": ", ".join(parts)}
            except (KeyError, TypeError, AttributeError):
                return _("Confirmation sent again")

    @actions.register_action(backoffice.CONTACT_CHANGE_ACTION)
    class OrderContactChangeFormatter(LogFormatter):
        label = _("Correct the contact details")

        def format_message(self, log_entry):
            try:
                changes = log_entry.data["changes"]
                return _("Contact details corrected: %(changes)s") % {
                    "changes": "; ".join(
                        f"{change['old']} → {change['new']}" for change in changes.values()
                    )
                }
            except (KeyError, TypeError, AttributeError):
                return _("Contact details corrected")

    @actions.register_action(backoffice.CANCEL_ACTION)
    class OrderCancelFormatter(LogFormatter):
        label = _("Cancel an unpaid order")

        def format_message(self, log_entry):
            try:
                reason = log_entry.data["reason"]
            except (KeyError, TypeError):
                reason = ""
            if reason:
                return _("Unpaid order cancelled: %(reason)s") % {"reason": reason}
            return _("Unpaid order cancelled")

    @actions.register_action(backoffice.NOTE_ACTION)
    class OrderNoteFormatter(LogFormatter):
        label = _("Add a note")

        def format_message(self, log_entry):
            return _("Note added to the order")

    @actions.register_action(CUSTOMER_NOTE_ACTION)
    class CustomerNoteFormatter(LogFormatter):
        label = _("Add a note")

        def format_message(self, log_entry):
            return _("Note added to the customer")

    @actions.register_action(blocking.BLOCK_ACTION)
    class DepartureBlockFormatter(LogFormatter):
        label = _("Block seats or places")

        def format_message(self, log_entry):
            data = log_entry.data if isinstance(log_entry.data, dict) else {}
            if "places" in data:
                return _blocked_places_message(data)
            if "labels" in data:
                return _("Seats blocked: %(seats)s") % {"seats": data["labels"]}
            return _("Seats blocked")

    @actions.register_action(blocking.UNBLOCK_ACTION)
    class DepartureUnblockFormatter(LogFormatter):
        label = _("Unblock seats or places")

        def format_message(self, log_entry):
            data = log_entry.data if isinstance(log_entry.data, dict) else {}
            if "places" in data:
                return _blocked_places_message(data)
            if "labels" in data:
                return _("Seats put on sale again: %(seats)s") % {"seats": data["labels"]}
            return _("Seats put on sale again")


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


@hooks.register("register_admin_urls")
def register_departure_occupancy_urls():
    return [path("crm/departures/", OCCUPANCY_URLS)]


@hooks.register("construct_reports_menu")
def show_site_history_to_the_back_office(request, menu_items):
    """Wagtail shows "Site history" only to page editors; the audit trail of the back
    office (refunds, resends, personal data viewed …) is read by its staff too. The report
    itself lists only entries of the kinds of records the user may see."""
    if any(item.name == "site-history" for item in menu_items):
        return
    if request.user.has_perm("booking.view_order"):
        menu_items.append(
            MenuItem(
                _("Site history"),
                reverse("wagtailadmin_reports:site_history"),
                name="site-history",
                icon_name="history",
                order=1000,
            )
        )


# --- support: the SLA alerts panel and the managers' report ---------------------------------


@hooks.register("register_admin_urls")
def register_support_report_urls():
    from crm.views.sla_alerts import SlaAlertReadView
    from crm.views.support_reports import SupportReportView

    return [
        path("crm/sla-alerts/read/", SlaAlertReadView.as_view(), name="crm_sla_alert_read"),
        path("reports/support/", SupportReportView.as_view(), name="crm_support_report"),
    ]


@hooks.register("register_reports_menu_item")
def register_support_report_menu_item():
    from crm.views.support_reports import PERMISSION

    class SupportReportMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.has_perm(PERMISSION)

    return SupportReportMenuItem(
        pgettext_lazy("support report", "Support cases"),
        reverse_lazy("crm_support_report"),
        name="support-cases",
        icon_name="table",
        order=900,
    )


@hooks.register("construct_homepage_panels")
def show_sla_alerts_panel(request, panels):
    from crm.viewsets.dashboard import sla_alerts_panel

    sla_alerts_panel(request, panels)


@hooks.register("construct_homepage_panels")
def show_role_panels(request, panels):
    from crm.viewsets.dashboard import conversion_panel, sales_panel, support_panel

    sales_panel(request, panels)
    support_panel(request, panels)
    conversion_panel(request, panels)


@hooks.register("register_log_actions")
def register_support_report_log_actions(actions):
    from crm.views.support_reports import SUPPORT_REPORT_EXPORT_ACTION

    @actions.register_action(SUPPORT_REPORT_EXPORT_ACTION)
    class SupportReportExportFormatter(LogFormatter):
        label = pgettext_lazy("support report", "Export the support report")

        def format_message(self, log_entry):
            try:
                return pgettext_lazy(
                    "support report", "Support report exported (%(format)s): %(period)s"
                ) % {
                    "format": log_entry.data["format"],
                    "period": f"{log_entry.data['date_from']} – {log_entry.data['date_to']}",
                }
            except (KeyError, TypeError):
                return pgettext_lazy("support report", "Support report exported")


@hooks.register("register_admin_viewset")
def register_support_desk_setup():
    """The "Support desk" menu: queues, queue assignments, canned replies, SLA policies,
    working hours, calendar overrides (issue 12)."""
    from crm.viewsets.support_setup import SupportDeskViewSetGroup

    return SupportDeskViewSetGroup()


@hooks.register("register_admin_urls")
def register_phone_case_urls():
    """The "open a case (phone call)" action of the customer and order screens."""
    from crm.views.support_phone import phone_case_urls

    return [path("crm/phone-cases/", include((phone_case_urls(), "crm_phone_cases")))]


# Support cases (issue 12): the agents' inbox and the case screen -----------------------


@hooks.register("register_admin_viewset")
def register_case_viewset():
    return case_viewsets.case_viewset


class CaseInboxMenuItem(MenuItem):
    """One listing of the inbox, for whoever may view support cases."""

    def is_shown(self, request):
        return case_policy.user_has_permission(request.user, "view")


#: The "Support" menu: the inbox's listings first (order < 100); other support screens
#: (queues, canned replies, SLA policies …) add theirs with the hook
#: `register_support_menu_item`.
support_menu = Menu(
    register_hook_name="register_support_menu_item", construct_hook_name="construct_support_menu"
)


@hooks.register("register_admin_menu_item")
def register_support_menu():
    return SubmenuMenuItem(
        apps.get_app_config("support").verbose_name,
        support_menu,
        name="support",
        icon_name="help",
        order=205,
    )


_INBOX_ITEMS = (
    ("mine", _("My cases"), "user", 10),
    ("unassigned", _("Unassigned"), "help", 20),
    ("breaching", _("Breaching soon"), "warning", 30),
    ("waiting", _("Waiting"), "time", 40),
    ("", _("All cases"), "list-ul", 50),
)


def _inbox_menu_item(inbox, label, icon, order):
    """A hook function that builds one inbox item (called when the menu is first built,
    during a request, when the admin's URLs exist)."""

    def register():
        return CaseInboxMenuItem(
            label,
            case_viewsets.inbox_url(inbox),
            name=f"support-cases-{inbox or 'all'}",
            icon_name=icon,
            order=order,
        )

    return register


for _inbox in _INBOX_ITEMS:
    hooks.register("register_support_menu_item", _inbox_menu_item(*_inbox))


# Departure manifests (issue 13): the screen, the PDF and the exports ---------------------


@hooks.register("register_admin_urls")
def register_manifest_urls():
    from crm.views.manifests import MANIFEST_URLS

    return [path("crm/departures/", MANIFEST_URLS)]


@hooks.register("register_log_actions")
def register_manifest_log_actions(actions):
    from crm.audit import MANIFEST_ACTION

    @actions.register_action(MANIFEST_ACTION)
    class ManifestFormatter(LogFormatter):
        label = _("View or export a manifest")

        def format_message(self, log_entry):
            try:
                return _("Manifest read (%(format)s): %(rows)s tickets") % {
                    "format": log_entry.data["format"],
                    "rows": log_entry.data["rows"],
                }
            except (KeyError, TypeError):
                return _("Manifest read")


# Cancelling departures (issue 13): the cancel / retry screens and their audit labels ----


@hooks.register("register_admin_urls")
def register_departure_cancel_urls():
    from crm.views.cancellations import cancel_urls

    return [path("crm/departures/cancel/", include((cancel_urls(), "crm_cancel")))]


@hooks.register("register_log_actions")
def register_departure_cancel_log_actions(actions):
    from booking.services.cancellations import CANCEL_ACTION, RETRY_ACTION

    @actions.register_action(CANCEL_ACTION)
    class DepartureCancelFormatter(LogFormatter):
        label = _("Cancel the departure")

        def format_message(self, log_entry):
            try:
                return _(
                    "Departure cancelled (%(reason)s): %(orders)s paid orders, %(total)s to refund"
                ) % {
                    "reason": log_entry.data["reason"],
                    "orders": log_entry.data["paid_orders"],
                    "total": format_rub(log_entry.data["refund_total"]),
                }
            except (KeyError, TypeError, ArithmeticError):
                return _("Departure cancelled")

    @actions.register_action(RETRY_ACTION)
    class DepartureCancelRetryFormatter(LogFormatter):
        label = _("Retry the refunds of a cancelled departure")

        def format_message(self, log_entry):
            return _("Refunds of the cancelled departure retried")


def _register_cancel_bulk_action():
    from crm.views.cancellations import CancelDeparturesBulkAction

    hooks.register("register_bulk_action", CancelDeparturesBulkAction)


_register_cancel_bulk_action()


@hooks.register("register_snippet_listing_buttons")
def departure_cancel_listing_buttons(snippet, user, next_url=None):
    """In each departure's "More" menu: its cancellation screen once cancelled, or
    "Cancel the departure" for whoever may cancel it."""
    from booking.models import Departure
    from crm.permissions import departure_policy
    from crm.views.cancellations import cancel_buttons

    if not isinstance(snippet, Departure):
        return []
    return cancel_buttons(snippet, user, departure_policy)


# --- the operator's reports (issue 15): sales, refunds, promotions, occupancy ---------------


@hooks.register("register_admin_urls")
def register_report_urls():
    from crm.views import reports

    return [
        path("reports/sales/", reports.SalesReportView.as_view(), name="crm_report_sales"),
        path("reports/refunds/", reports.RefundsReportView.as_view(), name="crm_report_refunds"),
        path(
            "reports/promotions/",
            reports.PromotionsReportView.as_view(),
            name="crm_report_promotions",
        ),
        path(
            "reports/occupancy/",
            reports.OccupancyReportView.as_view(),
            name="crm_report_occupancy",
        ),
        path("reports/funnel/", reports.FunnelReportView.as_view(), name="crm_report_funnel"),
    ]


class ReportMenuItem(MenuItem):
    """A report in Wagtail's Reports menu, shown to holders of its permission
    (`booking.view_reports`, or `booking.view_funnel` for the sales funnel)."""

    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


def _report_menu_item(name: str, order: int) -> MenuItem:
    from crm.views.reports import REPORTS

    return ReportMenuItem(
        REPORTS[name].title,
        reverse_lazy(f"crm_report_{name}"),
        permission=REPORTS[name].permission,
        name=f"report-{name}",
        icon_name="table",
        order=order,
    )


@hooks.register("register_reports_menu_item")
def register_sales_report_menu_item():
    return _report_menu_item("sales", 800)


@hooks.register("register_reports_menu_item")
def register_refunds_report_menu_item():
    return _report_menu_item("refunds", 810)


@hooks.register("register_reports_menu_item")
def register_promotions_report_menu_item():
    return _report_menu_item("promotions", 820)


@hooks.register("register_reports_menu_item")
def register_occupancy_report_menu_item():
    return _report_menu_item("occupancy", 830)


# --- the payments reconciliation report (issue 15) ------------------------------------------


@hooks.register("register_admin_urls")
def register_reconciliation_report_url():
    from crm.views.reconciliation import ReconciliationReportView

    return [
        path(
            "reports/reconciliation/",
            ReconciliationReportView.as_view(),
            name="crm_report_reconciliation",
        )
    ]


@hooks.register("register_reports_menu_item")
def register_reconciliation_report_menu_item():
    from crm.views.reconciliation import RECONCILIATION

    return ReportMenuItem(
        RECONCILIATION.title,
        reverse_lazy("crm_report_reconciliation"),
        permission=RECONCILIATION.permission,
        name="report-reconciliation",
        icon_name="table",
        order=840,
    )


@hooks.register("register_reports_menu_item")
def register_funnel_report_menu_item():
    return _report_menu_item("funnel", 850)


@hooks.register("register_log_actions")
def register_report_log_actions(actions):
    from crm.views.reports import REPORT_EXPORT_ACTION

    @actions.register_action(REPORT_EXPORT_ACTION)
    class ReportExportFormatter(LogFormatter):
        label = pgettext_lazy("report", "Export a report")

        def format_message(self, log_entry):
            try:
                return pgettext_lazy(
                    "report", "Report “%(report)s” exported (%(format)s): %(period)s"
                ) % {
                    "report": log_entry.data["report"],
                    "format": log_entry.data["format"],
                    "period": f"{log_entry.data['date_from']} – {log_entry.data['date_to']}",
                }
            except (KeyError, TypeError):
                return pgettext_lazy("report", "Report exported")


@hooks.register("register_log_actions")
def register_webhook_log_actions(actions):
    @actions.register_action(RESEND_ACTION)
    class WebhookResendFormatter(LogFormatter):
        label = _("Resend a webhook")

        def format_message(self, log_entry):
            try:
                return _("Webhook event %(event)s resent") % {"event": log_entry.data["event_id"]}
            except (KeyError, TypeError):
                return _("Webhook event resent")

    @actions.register_action(TEST_ACTION)
    class WebhookTestFormatter(LogFormatter):
        label = _("Send a test event")

        def format_message(self, log_entry):
            return _("Test event sent")

    @actions.register_action(PAUSE_ACTION)
    class WebhookPauseFormatter(LogFormatter):
        label = _("Pause a webhook subscription")

        def format_message(self, log_entry):
            return _("Paused after its deliveries kept failing")
