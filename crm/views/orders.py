"""The order screen of the agent console (read side): the customer, the departure, the
tickets with their state, payments and refunds, consents and a timeline, each view of it
written to the audit trail. The listing and its export live in `crm.viewsets.orders`."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseForbidden
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from wagtail.admin.views.generic import HistoryView, InspectView
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from booking.models import Order, Refund, Ticket
from crm.permissions import customer_policy, order_policy

PERSONAL_DATA_VIEW_ACTION = "prichal.personal_data.view"


def order_queryset(user):
    """The orders `user` may see, with what every order screen shows in one query."""
    return order_policy.instances_user_has_permission_for(user, "view").select_related(
        "customer",
        "promotion",
        "departure__product",
        "departure__venue",
        "departure__vessel",
    )


def personal_data_viewed(*, customer, user, screen: str, order=None) -> None:
    """The audit entry of a staff member reading a customer's personal data (ids only)."""
    data = {"screen": screen}
    if order is not None:
        data["order_id"] = order.pk
    log(
        customer,
        PERSONAL_DATA_VIEW_ACTION,
        user=user,
        title=f"customer #{customer.pk}",
        data=data,
    )


def local_text(moment) -> str:
    """A moment already on a pier's clock as text ("26.12.2030 21:30 +10"): templates
    would convert it back to the site's time zone."""
    return f"{date_format(moment, 'SHORT_DATE_FORMAT')} {moment:%H:%M} {moment.tzname()}"


def ticket_state(ticket: Ticket) -> str:
    """How an agent reads a ticket: valid, boarded at HH:MM (the pier's clock), refunded,
    cancelled, awaiting payment."""
    if ticket.status == Ticket.Status.VALID and ticket.checked_in_at:
        local = ticket.departure.local(ticket.checked_in_at)
        return _("boarded at %(time)s") % {"time": f"{local:%H:%M}"}
    return {
        Ticket.Status.VALID: _("valid"),
        Ticket.Status.REFUNDED: _("refunded"),
        Ticket.Status.CANCELLED: _("cancelled"),
        Ticket.Status.RESERVED: _("awaiting payment"),
    }.get(ticket.status, ticket.status)


@dataclass(frozen=True)
class LogTimelineEntry:
    """One line of the order's timeline as the audit log tells it."""

    at: datetime
    label: str
    message: str
    user: str


def order_log_timeline(order: Order) -> list[LogTimelineEntry]:
    """PLACEHOLDER until `booking.timeline.order_timeline(order)` is merged: the order's
    own Wagtail log entries, oldest first. Round two replaces this function's use by the
    merged timeline (payments, refunds, messages sent, notifications and the log)."""
    entries = []
    for entry in (
        ModelLogEntry.objects.for_instance(order).select_related("user").order_by("timestamp", "pk")
    ):
        formatter = log_registry.get_formatter(entry)
        entries.append(
            LogTimelineEntry(
                at=entry.timestamp,
                label=str(formatter.label) if formatter else entry.action,
                message=str(formatter.format_message(entry)) if formatter else "",
                user=entry.user_display_name if entry.user_id else "",
            )
        )
    return entries


class RoleRequiredMixin:
    """A screen for those whose role may `role_action` the policy's model: others get a
    plain 403 (Wagtail would turn PermissionDenied into a redirect to the dashboard), and
    nothing is loaded for them (no 404 that tells a hidden record from a missing one)."""

    role_policy = order_policy
    role_action = "view"

    def setup(self, request, *args, **kwargs):
        self.refused = not self.role_policy.user_has_permission(request.user, self.role_action)
        if not self.refused:
            try:
                super().setup(request, *args, **kwargs)
            except PermissionDenied:
                # A record the policy shows but refuses (`PolicyObjectMixin`).
                self.refused = True
        if self.refused:
            self.request, self.args, self.kwargs = request, args, kwargs

    def dispatch(self, request, *args, **kwargs):
        if self.refused:
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


def forbidden(request) -> HttpResponseForbidden:
    return HttpResponseForbidden(
        _("Sorry, you do not have permission to access this area."),
        content_type="text/plain; charset=utf-8",
    )


class PolicyObjectMixin:
    """One record through the policy: outside the user's records → 404, visible but not
    allowed → 403 (never Wagtail's redirect to the dashboard)."""

    policy = order_policy
    policy_action = "view"

    def get_visible_queryset(self):
        return order_queryset(self.request.user)

    def get_object(self, queryset=None):
        try:
            obj = self.get_visible_queryset().get(pk=self.kwargs[self.pk_url_kwarg])
        except (self.model.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
        if not self.policy.user_has_permission_for_instance(
            self.request.user, self.policy_action, obj
        ):
            raise PermissionDenied
        return obj


class OrderInspectView(RoleRequiredMixin, PolicyObjectMixin, InspectView):
    """The order screen."""

    template_name = "crm/admin/orders/order.html"
    any_permission_required = ["view"]
    page_title = capfirst(Order._meta.verbose_name)

    def get_fields(self):
        return []

    def get_edit_url(self):
        return None

    def get_delete_url(self):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        departure = order.departure
        tickets = list(order.tickets.select_related("ticket_type", "seat").order_by("pk"))
        for ticket in tickets:
            ticket.departure = departure  # the pier's clock without another query
        payments = list(order.payments.order_by("created_at", "pk"))
        refunds = list(
            Refund.objects.filter(payment__order=order)
            .select_related("payment")
            .prefetch_related("tickets")
            .order_by("created_at", "pk")
        )
        customer = order.customer
        can_see_customer = customer_policy.user_has_permission_for_instance(
            self.request.user, "view", customer
        )
        context.update(
            order=order,
            departure=departure,
            departure_local=local_text(departure.local_starts_at),
            tickets=[(ticket, ticket_state(ticket)) for ticket in tickets],
            payments=payments,
            refunds=refunds,
            consents=list(order.consents.order_by("created_at", "pk")),
            customer=customer,
            customer_url=(
                reverse("crm_customers:inspect", args=[customer.pk]) if can_see_customer else ""
            ),
            # Round two: booking.timeline.order_timeline(order).
            timeline=order_log_timeline(order),
            history_url=reverse("crm_orders:history", args=[order.pk]),
        )
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        personal_data_viewed(
            customer=self.object.customer, user=request.user, screen="order", order=self.object
        )
        return response


class ScreenHistoryMixin:
    """The history's header leads back to the record's screen (Wagtail's says "Edit")."""

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                label=capfirst(self.model._meta.verbose_name),
                url=self.get_edit_url(self.object),
                icon_name="info-circle",
            )
        ]


class OrderHistoryView(RoleRequiredMixin, ScreenHistoryMixin, HistoryView):
    """Wagtail's history of the order, for whoever may view the order (an accountant
    too: Wagtail's own asks for add/change/delete); other orders are 404."""

    any_permission_required = ["view"]

    def get_base_object_queryset(self):
        return order_queryset(self.request.user)

    def get_edit_url(self, instance):
        return reverse("crm_orders:inspect", args=[instance.pk])
