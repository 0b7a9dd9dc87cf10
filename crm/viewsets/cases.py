"""Support cases in the CRM: the agents' inbox (a Wagtail listing of the cases the user
may see: mine, unassigned, breaching soon, waiting, all; filters; each row's SLA clock in
words and colour; bulk "Assign to…") and the case screen (`crm.views.cases`). Cases are
never added, edited or deleted from a form here: they change only through the support
services' verbs (reply, note, change, assign)."""

import django_filters
from django.db.models import F, Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView

from crm.forms.cases import AssignForm, field_label, staff_for_cases, staff_label
from crm.permissions import case_policy
from crm.views import cases as case_views
from crm.views.orders import RoleRequiredMixin
from crm.viewsets.orders import RecordScreenViewSet
from support.models import Case, Queue

MINE, UNASSIGNED, BREACHING, WAITING = "mine", "unassigned", "breaching", "waiting"

#: The inbox's listings (a filter of the listing; the "Support" menu links to each).
INBOXES = [
    (MINE, _("Mine")),
    (UNASSIGNED, _("Unassigned")),
    (BREACHING, _("Breaching soon")),
    (WAITING, _("Waiting")),
]

RUNNING = [status for status in Case.ACTIVE if status != Case.Status.WAITING_CUSTOMER]


def breaching_soon(queryset, now=None):
    """Active cases whose clock runs and is due within `due_soon_window()` or already
    overdue, or whose 80 % warning has been raised (`support` stamps it once)."""
    soon = (now or timezone.now()) + case_views.due_soon_window()
    first = Q(first_responded_at__isnull=True) & (
        Q(first_response_due__lte=soon) | Q(first_response_warned_at__isnull=False)
    )
    resolution = Q(first_responded_at__isnull=False) & (
        Q(resolution_due__lte=soon) | Q(resolution_warned_at__isnull=False)
    )
    return queryset.filter(status__in=RUNNING).filter(first | resolution)


class CaseFilterSet(WagtailFilterSet):
    inbox = django_filters.ChoiceFilter(
        label=_("Inbox"), choices=INBOXES, method="filter_inbox", empty_label=_("All cases")
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Case.Status.choices)
    priority = django_filters.ChoiceFilter(
        label=field_label("priority"), choices=Case.Priority.choices
    )
    queue = django_filters.ModelChoiceFilter(
        label=field_label("queue"), queryset=Queue.objects.all()
    )
    assignee = django_filters.ModelChoiceFilter(
        label=field_label("assignee"), queryset=lambda request: staff_for_cases()
    )
    channel = django_filters.ChoiceFilter(
        label=field_label("channel"), choices=Case.Channel.choices
    )
    tag = django_filters.CharFilter(
        label=_("Tag"), field_name="tags__name", lookup_expr="iexact", distinct=True
    )

    class Meta:
        model = Case
        fields = []

    def filter_inbox(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value == MINE:
            return queryset.filter(assignee_id=getattr(user, "pk", None), status__in=Case.ACTIVE)
        if value == UNASSIGNED:
            return queryset.filter(assignee__isnull=True, status__in=Case.ACTIVE)
        if value == BREACHING:
            return breaching_soon(queryset)
        if value == WAITING:
            return queryset.filter(
                status__in=[Case.Status.WAITING_CUSTOMER, Case.Status.WAITING_US]
            )
        return queryset


class ClockColumn(Column):
    """The SLA clock that matters now: its state in words and colour, and the business
    time left ("Due in 2 h 10 min (business time)")."""

    cell_template_name = "crm/cases/clock_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        clock = getattr(instance, "sla_clock", None)
        context["clock"] = case_views.clock_view(clock) if clock else None
        return context


class SelectColumn(Column):
    """A checkbox per row for the bulk assignment (the form is above the listing; the
    checkboxes join it with the `form` attribute, no JavaScript needed)."""

    cell_template_name = "crm/cases/select_cell.html"


def customer_text(case: Case) -> str:
    customer = case.customer
    return customer.name or customer.email or f"#{customer.pk}"


class CaseIndexView(RoleRequiredMixin, IndexView):
    template_name = "crm/cases/index.html"
    any_permission_required = ["view"]
    role_policy = case_policy

    def get_base_queryset(self):
        return case_views.case_queryset(self.request.user)

    def user_has_permission(self, permission):
        # Cases are opened by the customer (or from the customer or order screen), never
        # added or deleted here.
        if permission in ("add", "delete", "change"):
            return False
        return super().user_has_permission(permission)

    @property
    def inbox(self) -> str:
        value = self.request.GET.get("inbox", "")
        return value if value in dict(INBOXES) else ""

    def order_queryset(self, queryset):
        if self.inbox == BREACHING and "ordering" not in self.request.GET:
            return queryset.order_by(F("current_due").asc(nulls_last=True), "pk")
        return super().order_queryset(queryset)

    def get_page_subtitle(self):
        return str(dict(INBOXES).get(self.inbox, _("All cases")))

    def get_table(self, object_list):
        # Each row's clock, on calendars read once for the page.
        object_list = list(object_list)
        calendars = case_views.Calendars()
        for case in object_list:
            case.sla_clock = calendars.clock(case)
        return super().get_table(object_list)

    @property
    def may_assign(self) -> bool:
        return case_policy.user_has_permission(self.request.user, "change")

    @property
    def columns(self):
        columns = super().columns
        if not self.may_assign:
            columns = [c for c in columns if not isinstance(c, SelectColumn)]
        return columns

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if self.may_assign and not self.results_only:
            context["assign_form"] = AssignForm(auto_id="crm-assign-%s")
            context["assign_url"] = reverse("crm_cases:assign")
        return context


class CaseViewSet(RecordScreenViewSet):
    model = Case
    name = "crm_cases"
    url_prefix = "crm/cases"
    icon = "help"
    menu_label = _("Support cases")
    add_to_admin_menu = False
    index_view_class = CaseIndexView
    inspect_view_class = case_views.CaseInspectView
    history_view_class = case_views.CaseHistoryView
    search_fields = ["subject", "customer__email", "customer__name"]
    search_backend_name = None
    filterset_class = CaseFilterSet
    list_per_page = 50
    ordering = ["-created_at"]
    list_display = [
        SelectColumn("select", label=_("Select"), accessor="pk"),
        TitleColumn(
            "reference",
            label=_("Case"),
            accessor="reference",
            sort_key="id",
            get_url=lambda case: reverse("crm_cases:inspect", args=[case.pk]),
        ),
        Column("subject", label=field_label("subject"), sort_key="subject"),
        Column("customer", label=_("Customer"), accessor=customer_text),
        StatusTagColumn(
            "get_status_display",
            label=_("Status"),
            sort_key="status",
            primary=lambda case: case.is_active,
        ),
        Column(
            "priority",
            label=field_label("priority"),
            accessor="get_priority_display",
            sort_key="priority",
        ),
        Column("queue", label=field_label("queue"), accessor="queue.name"),
        Column(
            "assignee",
            label=field_label("assignee"),
            accessor=lambda case: staff_label(case.assignee) if case.assignee else "—",
        ),
        ClockColumn("sla", label=_("SLA"), sort_key="current_due"),
    ]

    def action_urls(self):
        # The actions render the case screen again on bad input: built as the screen is.
        def screen_action(view_class):
            return self.construct_view(view_class, **self.get_inspect_view_kwargs())

        return [
            path("reply/<int:pk>/", screen_action(case_views.CaseReplyView), name="reply"),
            path("note/<int:pk>/", screen_action(case_views.CaseNoteView), name="note"),
            path("change/<int:pk>/", screen_action(case_views.CaseChangeView), name="change"),
            path("assign/", case_views.CaseAssignView.as_view(), name="assign"),
            path(
                "attachment/<int:pk>/<int:attachment_id>/",
                case_views.CaseAttachmentView.as_view(),
                name="attachment",
            ),
        ]


case_viewset = CaseViewSet()


def inbox_url(inbox: str = "") -> str:
    url = reverse("crm_cases:index")
    return f"{url}?inbox={inbox}" if inbox else url
