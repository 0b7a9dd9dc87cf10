"""The Wagtail dashboard's panels, each for the roles it serves (issue 15):
- the agent's console (`CRMDashboardPanel`): the search box, today's departures (the
  pier's date) with sold/capacity and boarded, orders awaiting payment and the day's
  refunds; for those who may view orders;
- the day's sales beside the same weekday last week (`SalesPanel`), for those who see the
  reports;
- the support desk's open cases and SLA breaches (`SupportPanel`), for those who see cases;
- the last week's conversion by funnel step (`ConversionPanel`), for those who see the
  sales funnel;
- the signed-in staff member's unread SLA alerts (`SlaAlertsPanel`).
Each answers in a fixed number of queries whatever the numbers."""

import datetime

from django.db.models import Count, Q, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import pgettext
from wagtail.admin.ui.components import Component

from booking.models import Departure, Order, Refund, Ticket
from booking.reports import DaySales, funnel_conversion, funnel_rows, sales_today_and_week_ago
from crm.permissions import case_policy, departure_policy, office_venue_ids, order_policy
from crm.roles import VIEW_FUNNEL, VIEW_REPORTS
from support.models import Case, SlaAlert

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
        .annotate(
            sold=Count("tickets", filter=Q(tickets__status=Ticket.Status.VALID)),
            boarded=Count(
                "tickets",
                filter=Q(tickets__status=Ticket.Status.VALID, tickets__checked_in_at__isnull=False),
            ),
        )
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


class RequestPanel(Component):
    """A dashboard panel drawn for the signed-in member of staff (`request.user`)."""

    def __init__(self, request):
        self.request = request


class CRMDashboardPanel(RequestPanel):
    name = "crm_dashboard"
    order = 50
    template_name = "crm/admin/dashboard/panel.html"

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context.update(dashboard_numbers(self.request.user))
        context["request"] = self.request
        return context


def crm_dashboard_panel(request, panels) -> None:
    """`construct_homepage_panels`: the panel first, for those who may view orders."""
    if order_policy.user_has_permission(request.user, "view"):
        panels.insert(0, CRMDashboardPanel(request))


# --- the day's sales -------------------------------------------------------------------------


def sales_chart_svg(today: DaySales, week_ago: DaySales, hour_now: int) -> str:
    """Cumulative sales by hour: today (solid, up to this hour) and the same weekday last
    week (dashed, the whole day). The two lines differ by dash and both are named in the
    legend, so the chart reads without colour; the figures are written beside it."""
    width, height, left, right, top, bottom = 360, 150, 8, 8, 28, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(today.paid, week_ago.paid) or 1

    def points(values) -> str:
        return " ".join(
            f"{left + plot_w * (hour + 1) / 24:.1f},{top + plot_h * (1 - float(value / peak)):.1f}"
            for hour, value in enumerate(values)
        )

    today_label = pgettext("dashboard", "Today")
    week_label = pgettext("dashboard", "Same weekday last week")
    title = pgettext("dashboard", "Sales by hour, cumulative")
    start = f"{left},{top + plot_h}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11" '
        'class="crm-sales-chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#767676"/>',
        f'<polyline fill="none" stroke="#767676" stroke-width="2" stroke-dasharray="5 4" '
        f'points="{start} {points(week_ago.by_hour)}"/>',
        f'<polyline fill="none" stroke="#1a5e8c" stroke-width="3" '
        f'points="{start} {points(today.by_hour[: hour_now + 1])}"/>',
        f'<line x1="{left}" y1="10" x2="{left + 24}" y2="10" stroke="#1a5e8c" stroke-width="3"/>',
        f'<text x="{left + 30}" y="14">{escape(today_label)}</text>',
        f'<line x1="{left + 150}" y1="10" x2="{left + 174}" y2="10" stroke="#767676" '
        'stroke-width="2" stroke-dasharray="5 4"/>',
        f'<text x="{left + 180}" y="14">{escape(week_label)}</text>',
    ]
    for hour in (0, 6, 12, 18, 24):
        x = left + plot_w * hour / 24
        parts.append(
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle">{hour:02d}:00</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def sales_change(now_value, then_value) -> str:
    """ "+12 %", "−5 %" or "" when there is nothing to compare with."""
    if not then_value:
        return ""
    change = round((now_value - then_value) * 100 / then_value)
    return f"+{change} %" if change > 0 else f"−{-change} %" if change < 0 else "0 %"


class SalesPanel(RequestPanel):
    name = "crm_sales"
    order = 60
    template_name = "crm/admin/dashboard/sales.html"

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        now = timezone.localtime()
        today, week_ago = sales_today_and_week_ago(
            now=now, piers=office_venue_ids(self.request.user)
        )
        context.update(
            today=today,
            week_ago=week_ago,
            change=sales_change(today.paid, week_ago.so_far_paid),
            chart=sales_chart_svg(today, week_ago, now.hour),
            time_now=f"{now:%H:%M}",
            paid_today=number_format(today.paid, 2, force_grouping=True),
        )
        return context


def sales_panel(request, panels) -> None:
    """`construct_homepage_panels`: for those who see the reports."""
    if request.user.has_perm(VIEW_REPORTS):
        panels.append(SalesPanel(request))


# --- the conversion by funnel step -----------------------------------------------------------

CONVERSION_DAYS = 7


def conversion_rows(days: int = CONVERSION_DAYS, *, today=None) -> list[list]:
    """[label, count, share of the step before, share of the first step] per funnel step
    over the last `days` days: the funnel report's rows, overall (`funnel_rows`)."""
    steps = {step: count for step, _label, count in funnel_conversion(days, today=today)}
    rows = funnel_rows(steps)
    if rows:
        rows[0][3] = None  # the first step is the base: no share written beside its bar
    return rows


class ConversionPanel(Component):
    name = "crm_conversion"
    order = 65
    template_name = "crm/admin/dashboard/conversion.html"

    def get_context_data(self, parent_context):
        from crm.views.reports import funnel_svg

        context = super().get_context_data(parent_context)
        rows = conversion_rows()
        context.update(
            days=CONVERSION_DAYS,
            chart=funnel_svg(rows) if any(row[1] for row in rows) else "",
            paid_share=(
                None
                if not rows or rows[-1][3] is None
                else f"{number_format(round(rows[-1][3] * 100, 1), 1)} %"
            ),
        )
        return context


def conversion_panel(request, panels) -> None:
    """`construct_homepage_panels`: for those who see the sales funnel."""
    if request.user.has_perm(VIEW_FUNNEL):
        panels.append(ConversionPanel())


# --- the support desk --------------------------------------------------------------------


def support_numbers(user) -> dict:
    """Open cases the user may see, and how many of them breached an SLA target."""
    cases = case_policy.instances_user_has_permission_for(user, "view").filter(
        status__in=Case.ACTIVE
    )
    breached = Q(first_response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False)
    return cases.aggregate(
        open=Count("pk"),
        breached=Count("pk", filter=breached),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
    )


class SupportPanel(RequestPanel):
    name = "crm_support"
    order = 55
    template_name = "crm/admin/dashboard/support.html"

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context.update(support_numbers(self.request.user))
        context["cases_url"] = case_list_url()
        return context


def case_list_url() -> str | None:
    try:
        return reverse("crm_cases:index")
    except NoReverseMatch:
        return None


def support_panel(request, panels) -> None:
    """`construct_homepage_panels`: for those who may view support cases."""
    if case_policy.user_has_permission(request.user, "view"):
        panels.append(SupportPanel(request))


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
