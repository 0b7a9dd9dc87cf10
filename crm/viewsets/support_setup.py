"""The support desk's set-up in the Wagtail admin: queues, canned replies (macros), SLA
policies, working hours and calendar overrides, and the queue assignments of staff, in one
"Support desk" menu (`SupportDeskViewSetGroup`, registered by `crm.wagtail_hooks`).

Who may do what is Wagtail's `ModelPermissionPolicy` on the roles' model permissions
(`crm.roles`): managers and administrators everything, agents read macros and queues,
others nothing (the menu shows each item only to those who may use it). Wagtail's generic
views write every create, edit and delete to the audit trail (`wagtail.create`,
`wagtail.edit`, `wagtail.delete`). A queue that still has cases cannot be deleted (the
cases' foreign key is PROTECT): the delete view says so instead of failing."""

import datetime

from django.db.models import Count
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.models import (
    CreateView,
    DeleteView,
    EditView,
    IndexView,
    InspectView,
)
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from crm.forms.support import (
    CalendarOverrideForm,
    MacroForm,
    QueueForm,
    WorkingHoursForm,
    weekday_name,
)
from crm.views.generic import (
    CREATED_MESSAGE,
    DELETED_MESSAGE,
    SAVED_MESSAGE,
    ProtectedDeleteMixin,
    _saved_message,
)
from crm.viewsets.columns import YesNoColumn
from crm.viewsets.staff import QueueAssignmentsViewSet
from support.clock import describe_remaining
from support.models import CalendarOverride, Macro, Queue, SlaPolicy, WorkingHours


def time_text(value) -> str:
    return value.strftime("%H:%M") if value else "—"


def object_title(obj) -> str:
    """How a record is named in headers and messages: a weekday's hours by the weekday's
    name ("Monday 09:00–18:00"), not the model's "0: 09:00:00–18:00:00"."""
    if isinstance(obj, WorkingHours):
        return f"{weekday_name(obj.weekday)} {time_text(obj.opens)}–{time_text(obj.closes)}"
    return str(obj)


class TitledObject:
    def __init__(self, obj):
        self.obj = obj
        self._meta = obj._meta

    def __str__(self):
        return object_title(self.obj)


def _message(message, instance) -> str:
    return _saved_message(message, TitledObject(instance))


class ObjectTitleMixin:
    def get_page_subtitle(self):
        return object_title(self.object)


class SetupCreateView(CreateView):
    def get_success_message(self, instance=None):
        return _message(CREATED_MESSAGE, instance or self.object)


class SetupEditView(ObjectTitleMixin, EditView):
    def get_success_message(self, instance=None):
        return _message(SAVED_MESSAGE, instance or self.object)


class SetupInspectView(ObjectTitleMixin, InspectView):
    pass


class SetupHistoryView(ObjectTitleMixin, HistoryView):
    pass


class SetupDeleteView(ObjectTitleMixin, ProtectedDeleteMixin, DeleteView):
    def get_success_message(self):
        return _message(DELETED_MESSAGE, self.object)


class SetupViewSet(ModelViewSet):
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True  # what read-only users (agents) open
    add_view_class = SetupCreateView
    edit_view_class = SetupEditView
    inspect_view_class = SetupInspectView
    history_view_class = SetupHistoryView
    delete_view_class = SetupDeleteView


def minutes_text(minutes: int | None) -> str:
    """480 → "8 h", 90 → "1 h 30 min" (translated)."""
    if not minutes:
        return "—"
    return describe_remaining(datetime.timedelta(minutes=minutes))


class QueueViewSet(SetupViewSet):
    model = Queue
    name = "support_queues"
    url_prefix = "support/queues"
    icon = "folder-open-inverse"
    menu_label = _("Queues")
    menu_order = 100
    list_display = [
        "name",
        "slug",
        "manager",
        YesNoColumn("is_default", label=_("Default")),
        Column("case_count", label=_("Cases"), sort_key="case_count"),
    ]
    search_fields = ["name", "slug"]
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("slug"), FieldPanel("manager"), FieldPanel("is_default")],
        base_form_class=QueueForm,
    )

    def get_queryset(self, request):
        return Queue.objects.select_related("manager").annotate(case_count=Count("cases"))


PLACEHOLDERS_HELP = _(
    "Placeholders, replaced when the reply is sent: {customer_name} (the customer's name), "
    "{case_reference} (the case's reference, e.g. S-1042), {agent_name} (your name)."
)


class MacroViewSet(SetupViewSet):
    model = Macro
    name = "support_macros"
    url_prefix = "support/macros"
    icon = "openquote"
    menu_label = _("Canned replies")
    menu_order = 200
    list_display = ["name", "set_status", "set_priority"]
    list_filter = ["set_status", "set_priority"]
    search_fields = ["name", "body_ru", "body_en", "body_zh"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            MultiFieldPanel(
                [
                    HelpPanel(content=PLACEHOLDERS_HELP),
                    FieldPanel("body_ru"),
                    FieldPanel("body_en"),
                    FieldPanel("body_zh"),
                ],
                heading=_("Text"),
            ),
            MultiFieldPanel(
                [FieldPanel("set_status"), FieldPanel("set_priority")],
                heading=_("When the reply is sent"),
            ),
        ],
        base_form_class=MacroForm,
    )


class SlaPolicyViewSet(SetupViewSet):
    model = SlaPolicy
    name = "support_sla_policies"
    url_prefix = "support/sla-policies"
    icon = "time"
    menu_label = _("SLA policies")
    menu_order = 300
    list_display = [
        "name",
        "priority",
        Column("queue", label=_("Queue"), accessor=lambda p: p.queue or _("any")),
        Column(
            "channel", label=_("Channel"), accessor=lambda p: p.get_channel_display() or _("any")
        ),
        Column(
            "first_response_minutes",
            label=_("First response"),
            accessor=lambda p: minutes_text(p.first_response_minutes),
            sort_key="first_response_minutes",
        ),
        Column(
            "resolution_minutes",
            label=_("Resolution"),
            accessor=lambda p: minutes_text(p.resolution_minutes),
            sort_key="resolution_minutes",
        ),
        YesNoColumn("all_day", label=_("Around the clock")),
        YesNoColumn("raise_priority_on_breach", label=_("Raise the priority on a breach")),
    ]
    list_filter = ["priority", "queue", "channel"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            MultiFieldPanel(
                [FieldPanel("priority"), FieldPanel("queue"), FieldPanel("channel")],
                heading=_("Applies to"),
            ),
            MultiFieldPanel(
                [FieldPanel("first_response_minutes"), FieldPanel("resolution_minutes")],
                heading=_("Targets"),
            ),
            FieldPanel("all_day"),
            FieldPanel("raise_priority_on_breach"),
        ]
    )

    def get_queryset(self, request):
        return SlaPolicy.objects.select_related("queue")


class WorkingHoursIndexView(IndexView):
    @cached_property
    def columns(self):
        columns = super().columns
        # The weekday by name, linking to the row's form like any first column.
        columns[0] = self._get_title_column(
            "weekday", accessor=lambda row: weekday_name(row.weekday)
        )
        return columns


class WorkingHoursViewSet(SetupViewSet):
    model = WorkingHours
    name = "support_working_hours"
    url_prefix = "support/working-hours"
    icon = "time"
    menu_label = _("Working hours")
    menu_order = 400
    index_view_class = WorkingHoursIndexView
    list_display = [
        "weekday",
        Column("opens", label=_("Opens"), accessor=lambda row: time_text(row.opens)),
        Column("closes", label=_("Closes"), accessor=lambda row: time_text(row.closes)),
    ]
    ordering = ["weekday"]
    edit_handler = ObjectList(
        [
            HelpPanel(
                content=_(
                    "Moscow time. Leave both times empty for a day the desk is closed; 00:00 "
                    "as the closing time means midnight. Russian public holidays are closed "
                    "unless a calendar override says otherwise."
                )
            ),
            FieldPanel("weekday"),
            FieldRowPanel([FieldPanel("opens"), FieldPanel("closes")]),
        ],
        base_form_class=WorkingHoursForm,
    )


class CalendarOverrideViewSet(SetupViewSet):
    model = CalendarOverride
    name = "support_calendar_overrides"
    url_prefix = "support/calendar-overrides"
    icon = "date"
    menu_label = _("Calendar overrides")
    menu_order = 500
    list_display = [
        "date",
        Column("opens", label=_("Opens"), accessor=lambda row: time_text(row.opens)),
        Column("closes", label=_("Closes"), accessor=lambda row: time_text(row.closes)),
        "note",
    ]
    ordering = ["-date"]
    edit_handler = ObjectList(
        [
            FieldPanel("date"),
            FieldRowPanel([FieldPanel("opens"), FieldPanel("closes")]),
            FieldPanel("note"),
        ],
        base_form_class=CalendarOverrideForm,
    )


class SupportDeskViewSetGroup(ViewSetGroup):
    """The "Support desk" menu: its set-up editors and the queue assignments."""

    menu_label = _("Support desk")
    menu_name = "support-desk-setup"
    menu_icon = "cog"
    # Inside the "Support" menu (crm/wagtail_hooks.py), after the inbox's listings.
    menu_hook = "register_support_menu_item"
    menu_order = 100
    items = (
        QueueViewSet,
        QueueAssignmentsViewSet,
        MacroViewSet,
        SlaPolicyViewSet,
        WorkingHoursViewSet,
        CalendarOverrideViewSet,
    )
