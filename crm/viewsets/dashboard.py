"""The agent's panel on the Wagtail dashboard: the search box, today's departures (the
pier's date) with sold/capacity, orders awaiting payment and the day's refunds. A fixed
number of queries whatever the numbers; only for those who may view orders.
And the signed-in staff member's unread SLA alerts (`SlaAlertsPanel`)."""

import datetime

from django.db.models import Count, Q, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from booking.models import Departure, Order, Refund, Ticket
from crm.permissions import departure_policy, order_policy
from support.models import SlaAlert

LATEST_AWAITING = 5


def departures_today(user, *, now=None) -> list[Departure]:
    """Departures whose date on their pier's clock is today there, with `sold` (valid
    tickets) annotated; a wide UTC window first, the pier's date in Python."""
    now = now or timezone.now()
    window = departure_policy.instances_user_has_permission_for(user, "view").filter(
        starts_at__gte=now - datetime.timedelta(days=1),
        starts_at__lt=now + datetime.timedelta(days=2),
    )
    departures = (
        window.select_related("product", "venue", "vessel")
        .annotate(sold=Count("tickets", filter=Q(tickets__status=Ticket.Status.VALID)))
        .order_by("starts_at")
    )
    today = [d for d in departures if d.local_starts_at.date() == d.local(now).date()]
    for departure in today:
        # On the pier's clock (a template would show it on the site's).
        departure.local_time = f"{departure.local_starts_at:%H:%M}"
    return today


def dashboard_numbers(user, *, now=None) -> dict:
    now = now or timezone.now()
    orders = order_policy.instances_user_has_permission_for(user, "view")
    awaiting = orders.filter(status=Order.Status.AWAITING_PAYMENT, expires_at__gt=now)
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    refunds = (
        Refund.objects.filter(payment__order__in=orders, created_at__gte=day_start)
        .exclude(status=Refund.Status.CANCELED)
        .aggregate(count=Count("pk"), total=Sum("amount"))
    )
    return {
        "departures": departures_today(user, now=now),
        "awaiting_count": awaiting.count(),
        "awaiting_latest": list(
            awaiting.select_related("departure__product", "departure__venue").order_by(
                "-created_at"
            )[:LATEST_AWAITING]
        ),
        "refunds_count": refunds["count"],
        "refunds_total": refunds["total"] or 0,
    }


class CRMDashboardPanel(Component):
    name = "crm_dashboard"
    order = 50
    template_name = "crm/admin/dashboard/panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context.update(dashboard_numbers(self.request.user))
        context["request"] = self.request
        return context


def crm_dashboard_panel(request, panels) -> None:
    """`construct_homepage_panels`: the panel first, for those who may view orders."""
    if order_policy.user_has_permission(request.user, "view"):
        panels.insert(0, CRMDashboardPanel(request))


# --- SLA alerts -----------------------------------------------------------------------------

LATEST_SLA_ALERTS = 20


def case_screen_url(case_id: int) -> str | None:
    """The case's screen in the CRM, or None while there is none."""
    try:
        return reverse("crm_cases:inspect", kwargs={"pk": case_id})
    except NoReverseMatch:
        return None


def unread_sla_alerts(user) -> tuple[int, list[SlaAlert]]:
    """How many SLA alerts `user` has not read, and the latest of them (with `url`)."""
    unread = SlaAlert.objects.filter(recipient=user, read_at=None)
    alerts = list(unread.select_related("case")[:LATEST_SLA_ALERTS])
    for alert in alerts:
        alert.url = case_screen_url(alert.case_id)
    count = len(alerts) if len(alerts) < LATEST_SLA_ALERTS else unread.count()
    return count, alerts


class SlaAlertsPanel(Component):
    """The signed-in staff member's unread SLA warnings and breaches, each with a link to
    its case and a "mark as read" button."""

    name = "sla_alerts"
    order = 40
    template_name = "crm/admin/dashboard/sla_alerts.html"

    def __init__(self, request, count, alerts):
        self.request, self.count, self.alerts = request, count, alerts

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context.update(
            request=self.request,
            alerts=self.alerts,
            count=self.count,
            next_url=self.request.get_full_path(),
        )
        return context


def sla_alerts_panel(request, panels) -> None:
    """`construct_homepage_panels`: first on the dashboard, when there is something unread."""
    if not getattr(request.user, "is_authenticated", False):
        return
    count, alerts = unread_sla_alerts(request.user)
    if alerts:
        panels.insert(0, SlaAlertsPanel(request, count, alerts))
