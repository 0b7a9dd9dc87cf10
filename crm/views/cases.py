"""The support case screen of the agent console: the case's facts, both SLA clocks, the
conversation (the customer's messages, public replies, internal notes), attachments, the
case's history, and the agent's actions (reply, possibly with a canned reply; internal
note; change status, priority, queue, assignee and tags), each a POST that calls
`support.services.cases`. Also the inbox's bulk assignment and the staff download of an
attachment. The listing lives in `crm.viewsets.cases`.

Who: the case policy (`crm.permissions.case_policy`): a role without "view" gets a 403;
a case outside the user's queues is a 404; every action needs "change" on the case
(403 otherwise)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case as When_
from django.db.models import F, When
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic import HistoryView, InspectView
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import ModelLogEntry

from crm.audit import personal_data_viewed
from crm.forms.cases import (
    AssignForm,
    ChangeForm,
    NoteForm,
    ReplyForm,
    field_label,
    staff_label,
    uploads_of,
)
from crm.permissions import case_policy, customer_policy, order_policy
from crm.views.orders import (
    PolicyObjectMixin,
    RoleRequiredMixin,
    ScreenHistoryMixin,
    forbidden,
    language_text,
    local_text,
)
from support.clock import MOSCOW
from support.errors import SupportError
from support.models import Case, CaseAttachment
from support.services.attachments import INLINE_TYPES
from support.services.cases import (
    case_update,
    cases_assign,
    macro_text,
    note_add,
    reply_add,
)
from support.services.sla import Clock, case_clock, desk_calendar, running_clock

#: What the inbox calls a clock's state, next to its colour (never colour alone).
CLOCK_STATES = {
    "ok": gettext_lazy("On time"),
    "warning": gettext_lazy("Breaching soon"),
    "breached": gettext_lazy("Breached"),
    "paused": gettext_lazy("Paused"),
}


def case_queryset(user, action: str = "view"):
    """The cases `user` may `action`, with what a listing row and the screen show, and
    the due moment of the clock that matters now (`current_due`)."""
    return (
        case_policy.instances_user_has_permission_for(user, action)
        .select_related("customer", "queue", "assignee", "order", "departure__product")
        .prefetch_related("pause_set", "tags")
        .annotate(
            current_due=When_(
                When(first_responded_at__isnull=True, then=F("first_response_due")),
                default=F("resolution_due"),
            )
        )
    )


def moscow_text(moment: datetime | None) -> str:
    """A moment on Moscow's clock: "07.12.2030 14:30 MSK"."""
    if moment is None:
        return ""
    return local_text(moment.astimezone(MOSCOW))


class Calendars:
    """The desk's calendars (office hours and around the clock), read once per request."""

    def __init__(self, now: datetime | None = None):
        self.now = now or timezone.now()
        self._calendars = {}

    def __getitem__(self, all_day: bool):
        if all_day not in self._calendars:
            self._calendars[all_day] = desk_calendar(all_day=all_day, around=self.now)
        return self._calendars[all_day]

    def clock(self, case: Case) -> Clock:
        return case_clock(case, now=self.now, calendar=self[case.all_day])


@dataclass(frozen=True)
class ClockView:
    """A clock as a screen shows it: its name, state (CSS class and words), text and due
    moment on Moscow's clock."""

    label: str
    state: str
    text: str
    due_text: str = ""

    @property
    def state_label(self) -> str:
        return str(CLOCK_STATES.get(self.state, ""))

    @property
    def css_class(self) -> str:
        return f"crm-sla crm-sla--{self.state}"


def clock_view(clock: Clock) -> ClockView:
    return ClockView(clock.label, clock.state, clock.text, moscow_text(clock.due))


def case_clocks(case: Case, calendars: Calendars) -> list[ClockView]:
    """Both clocks of the case: first response and resolution, met or running."""
    views = []
    for which, done_at in (
        ("first_response", case.first_responded_at),
        ("resolution", case.resolved_at if not case.is_active else None),
    ):
        due = getattr(case, f"{which}_due")
        if done_at is not None:
            label = Clock(which, "met", None, None, 0.0).label
            late = due is not None and done_at > due
            text = (_("Met late, at %(time)s") if late else _("Met at %(time)s")) % {
                "time": moscow_text(done_at)
            }
            views.append(ClockView(label, "breached" if late else "met", text, moscow_text(due)))
        elif not case.is_active:
            views.append(clock_view(Clock(which, "none", None, None, 0.0)))
        else:
            clock = running_clock(case, which, now=calendars.now, calendar=calendars[case.all_day])
            views.append(clock_view(clock))
    return views


def log_entries(case: Case) -> list[dict]:
    """The case's history (Wagtail's log): when, who, what, a one-line description."""
    rows = []
    entries = (
        ModelLogEntry.objects.for_instance(case)
        .select_related("user")
        .order_by("-timestamp", "-pk")[:100]
    )
    for entry in entries:
        try:
            label = log_action_registry.get_action_label(entry.action)
        except KeyError:
            label = entry.action
        rows.append(
            {
                "timestamp": entry.timestamp,
                "user": entry.user_display_name,
                "label": label,
                "message": entry.message,
            }
        )
    return rows


def form_errors(form) -> str:
    """All of a form's errors as one message."""
    seen = []
    for errors in form.errors.values():
        for error in errors:
            if error not in seen:
                seen.append(error)
    return " ".join(seen)


class CaseObjectMixin(RoleRequiredMixin, PolicyObjectMixin):
    role_policy = case_policy
    policy = case_policy
    model = Case
    pk_url_kwarg = "pk"

    def get_visible_queryset(self):
        return case_queryset(self.request.user)


class CaseInspectView(CaseObjectMixin, InspectView):
    """The case screen."""

    template_name = "crm/cases/case.html"
    any_permission_required = ["view"]
    page_title = capfirst(Case._meta.verbose_name)

    def get_fields(self):
        return []

    def get_edit_url(self):
        return None

    def get_delete_url(self):
        return None

    def get_page_subtitle(self):
        return str(self.object)

    @cached_property
    def may_change(self) -> bool:
        return case_policy.user_has_permission_for_instance(
            self.request.user, "change", self.object
        )

    def forms(self) -> dict:
        case = self.object
        return {
            "reply_form": ReplyForm(prefix="reply"),
            "note_form": NoteForm(prefix="note"),
            "change_form": ChangeForm(prefix="change", case=case),
        }

    def get_context_data(self, **kwargs):
        forms = self.forms() if self.may_change else {}
        forms.update({k: v for k, v in kwargs.items() if k.endswith("_form")})
        context = super().get_context_data(**kwargs)
        case = self.object
        user = self.request.user
        calendars = Calendars()
        conversation = list(case.messages.select_related("author").prefetch_related("attachments"))
        customer = case.customer
        order = case.order
        context.update(
            forms,
            case=case,
            customer=customer,
            customer_language=language_text(case.language),
            customer_url=(
                reverse("crm_customers:inspect", args=[customer.pk])
                if customer_policy.user_has_permission_for_instance(user, "view", customer)
                else ""
            ),
            order=order,
            order_url=(
                reverse("crm_orders:inspect", args=[order.pk])
                if order and order_policy.user_has_permission_for_instance(user, "view", order)
                else ""
            ),
            departure_local=(
                local_text(case.departure.local_starts_at) if case.departure_id else ""
            ),
            clocks=case_clocks(case, calendars),
            created_at_text=moscow_text(case.created_at),
            updated_at_text=moscow_text(case.updated_at),
            conversation=conversation,
            history=log_entries(case),
            history_url=reverse("crm_cases:history", args=[case.pk]),
            may_change=self.may_change,
            reply_url=reverse("crm_cases:reply", args=[case.pk]),
            note_url=reverse("crm_cases:note", args=[case.pk]),
            change_url=reverse("crm_cases:change", args=[case.pk]),
            assignee_text=staff_label(case.assignee) if case.assignee else "",
            created_by_text=staff_label(case.created_by) if case.created_by else "",
            updated_by_text=staff_label(case.updated_by) if case.updated_by else "",
            tag_names=sorted(case.tags.names()),
            labels={
                name: field_label(name)
                for name in ("order", "channel", "priority", "queue", "assignee", "tags")
            },
        )
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        personal_data_viewed(
            customer=self.object.customer, user=request.user, screen="case", case_id=self.object.pk
        )
        return response


class CaseActionView(CaseInspectView):
    """One action on the case screen, for whoever may change the case: a POST with CSRF;
    on a refusal or bad input, the screen again with the form as sent and a message
    (nothing changed); on success, back to the screen with a message."""

    role_action = "change"
    policy_action = "change"
    http_method_names = ["post"]
    form_class = None
    form_prefix = ""

    def bound_form(self):
        return self.form_class(self.request.POST, self.request.FILES, prefix=self.form_prefix)

    @property
    def case_url(self) -> str:
        return reverse("crm_cases:inspect", args=[self.object.pk])

    def again(self, form, error: str = ""):
        """The screen with this form as sent and its errors (a 200: nothing changed)."""
        messages.error(self.request, error or form_errors(form))
        return self.render_to_response(self.get_context_data(**{f"{self.form_prefix}_form": form}))

    def post(self, request, *args, **kwargs):
        form = self.bound_form()
        if not form.is_valid():
            return self.again(form)
        try:
            response = self.perform(form)
        except SupportError as error:
            form.add_error(None, error.message)
            return self.again(form, str(error.message))
        return response or redirect(self.case_url)

    def perform(self, form):
        raise NotImplementedError


class CaseReplyView(CaseActionView):
    """A public reply (`reply_add`): e-mailed to the customer in the case's language.
    "Use this macro" (no JavaScript needed) shows the screen again with the canned reply's
    text, in the case's language with its placeholders filled, and its status chosen."""

    form_class = ReplyForm
    form_prefix = "reply"

    def perform(self, form):
        data = form.cleaned_data
        macro = data["macro"]
        if self.request.POST.get("use_macro"):
            prefilled = ReplyForm(
                prefix="reply",
                initial={
                    "macro": macro.pk,
                    "body": macro_text(macro, self.object, self.request.user),
                    "status": macro.set_status or Case.Status.WAITING_CUSTOMER,
                },
            )
            return self.render_to_response(self.get_context_data(reply_form=prefilled))
        reply_add(
            case=self.object,
            user=self.request.user,
            body=data["body"],
            status=data["status"],
            macro=macro,
            attachments=uploads_of(data["files"]),
        )
        messages.success(self.request, _("The reply has been sent to the customer."))
        return None


class CaseNoteView(CaseActionView):
    """An internal note (`note_add`): never e-mailed."""

    form_class = NoteForm
    form_prefix = "note"

    def perform(self, form):
        note_add(case=self.object, user=self.request.user, body=form.cleaned_data["body"])
        messages.success(self.request, _("The note has been added."))
        return None


class CaseChangeView(CaseActionView):
    """Status, priority, queue, assignee, tags (`case_update`, audited field by field)."""

    form_class = ChangeForm
    form_prefix = "change"

    def bound_form(self):
        return ChangeForm(self.request.POST, prefix="change", case=self.object)

    def perform(self, form):
        data = form.cleaned_data
        before = self.object.updated_at
        case = case_update(
            case=self.object,
            user=self.request.user,
            status=data["status"],
            priority=data["priority"],
            queue=data["queue"],
            assignee=data["assignee"],
            tags=data["tags"],
        )
        if case.updated_at != before:
            messages.success(self.request, _("The case has been changed."))
        else:
            messages.info(self.request, _("Nothing to change."))
        return None


class CaseHistoryView(RoleRequiredMixin, ScreenHistoryMixin, HistoryView):
    """Wagtail's history of the case, for whoever may view it; other cases are 404."""

    role_policy = case_policy
    any_permission_required = ["view"]

    def get_base_object_queryset(self):
        return case_queryset(self.request.user)

    def get_edit_url(self, instance):
        return reverse("crm_cases:inspect", args=[instance.pk])


class CaseAttachmentView(View):
    """An attachment of a case, for staff who may view the case: images and PDF inline,
    anything else as a download, never cached, never sniffed; written to the audit trail
    as a view of the customer's personal data."""

    def get(self, request, pk, attachment_id):
        if not case_policy.user_has_permission(request.user, "view"):
            return forbidden(request)
        try:
            attachment = CaseAttachment.objects.select_related("message__case__customer").get(
                pk=attachment_id, message__case_id=pk
            )
        except CaseAttachment.DoesNotExist:
            raise Http404 from None
        case = attachment.message.case
        if not case_queryset(request.user).filter(pk=case.pk).exists():
            raise Http404
        if not case_policy.user_has_permission_for_instance(request.user, "view", case):
            return forbidden(request)
        try:
            handle = attachment.file.open("rb")
        except OSError:
            raise Http404 from None
        personal_data_viewed(
            customer=case.customer,
            user=request.user,
            screen="case_attachment",
            case_id=case.pk,
            attachment_id=attachment.pk,
        )
        response = FileResponse(
            handle,
            as_attachment=attachment.content_type not in INLINE_TYPES,
            filename=attachment.filename,
            content_type=attachment.content_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class CaseAssignView(View):
    """The inbox's bulk "Assign to…": each chosen case (of those the user may change)
    through `cases_assign`; a case whose queue the assignee does not work in is refused
    with a message and left as it was."""

    def post(self, request):
        if not case_policy.user_has_permission(request.user, "change"):
            return forbidden(request)
        back = request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = ""
        back = back or reverse("crm_cases:index")
        changeable = case_queryset(request.user, "change")
        ids = []
        for raw in request.POST.getlist("cases"):
            try:
                ids.append(int(raw))
            except (TypeError, ValueError):
                continue
        visible_ids = list(changeable.filter(pk__in=ids).values_list("pk", flat=True))
        form = AssignForm(request.POST, case_ids=visible_ids)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return redirect(back)
        assignee = form.cleaned_data["assignee"]
        cases = list(changeable.filter(pk__in=form.cleaned_data["cases"]).order_by("pk"))
        changed, refused_cases = cases_assign(cases=cases, user=request.user, assignee=assignee)
        refused = [case.reference for case in refused_cases]
        if refused:
            messages.error(
                request,
                _("%(name)s cannot work on the cases of these queues; not assigned: %(cases)s")
                % {"name": staff_label(assignee), "cases": ", ".join(refused)},
            )
        if changed:
            messages.success(
                request,
                _("Cases assigned to %(name)s: %(count)s")
                % {"name": staff_label(assignee), "count": changed},
            )
        elif not refused:
            messages.info(request, _("Nothing to change."))
        return redirect(back)


def due_soon_window() -> timedelta:
    """How close a due moment counts as "breaching soon" in the inbox."""
    return timedelta(hours=2)
