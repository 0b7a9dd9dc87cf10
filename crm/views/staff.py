"""Pier and vessel assignments of staff members (crm.permissions), for administrators, and
their support queue assignments (`support.work_in_queue`), for managers and administrators.

The list shows every staff user with the piers and vessels they are assigned to (their
own assignments; a group's are shown on the group's row of the role, not here). The edit
form gives or takes away the guardian object permissions; each row added or removed is
audited by `accounts.staff.audit` with the acting administrator (Wagtail's log context)."""

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from booking.models import Venue, Vessel
from crm.permissions import (
    ASSIGNED_TO_VENUE,
    ASSIGNED_TO_VESSEL,
    HANDLE_ANY_QUEUE,
    VENUE_ASSIGNMENT,
    VESSEL_ASSIGNMENT,
    WORK_IN_QUEUE,
    assignments_forget,
)
from support.models import Queue

MANAGE_PERMISSION = "auth.change_group"
QUEUE_ASSIGNMENT = f"support.{WORK_IN_QUEUE}"
ADMIN_ACCESS = "wagtailadmin.access_admin"


def may_manage_assignments(user) -> bool:
    return user.is_active and user.has_perm(MANAGE_PERMISSION)


def staff_users():
    """Users who may use the admin: staff, superusers, or a role with admin access."""
    access = Q(groups__permissions__codename="access_admin") | Q(
        user_permissions__codename="access_admin"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_staff=True) | Q(is_superuser=True) | access)
        .distinct()
        .order_by("email")
    )


def _own_objects(user, model, permission):
    """The objects `user` holds `permission` on by a grant of their own (not a group's)."""
    return get_objects_for_user(
        user,
        permission,
        klass=model,
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )


def _own_objects_set(member, model, permission, wanted) -> None:
    """Gives and takes away `permission` so that `member` holds it on exactly `wanted`."""
    have = set(_own_objects(member, model, permission))
    wanted = set(wanted)
    for obj in wanted - have:
        assign_perm(permission, member, obj)
    for obj in have - wanted:
        remove_perm(permission, member, obj)


class AssignmentsForm(forms.Form):
    venues = forms.ModelMultipleChoiceField(
        label=_("Piers"),
        queryset=Venue.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    vessels = forms.ModelMultipleChoiceField(
        label=_("Vessels"),
        queryset=Vessel.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ManageAssignmentsMixin(WagtailAdminTemplateMixin):
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not may_manage_assignments(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Pier and vessel assignments")


class AssignmentsIndexView(ManageAssignmentsMixin, TemplateView):
    template_name = "crm/admin/staff/assignments_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        users = list(staff_users())
        rows = UserObjectPermission.objects.filter(
            user__in=users, permission__codename__in=(ASSIGNED_TO_VENUE, ASSIGNED_TO_VESSEL)
        ).values_list("user_id", "permission__codename", "object_pk")
        venues = {str(v.pk): v for v in Venue.objects.all()}
        vessels = {str(v.pk): v for v in Vessel.objects.all()}
        found = {user.pk: {"venues": [], "vessels": []} for user in users}
        for user_id, codename, object_pk in rows:
            if codename == ASSIGNED_TO_VENUE and object_pk in venues:
                found[user_id]["venues"].append(venues[object_pk])
            elif codename == ASSIGNED_TO_VESSEL and object_pk in vessels:
                found[user_id]["vessels"].append(vessels[object_pk])
        context["rows"] = [(user, found[user.pk]) for user in users]
        return context


class AssignmentsEditView(ManageAssignmentsMixin, FormView):
    form_class = AssignmentsForm
    template_name = "crm/admin/staff/assignments_edit.html"

    def dispatch(self, request, *args, user_id, **kwargs):
        self.staff_member = get_object_or_404(staff_users(), pk=user_id)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return f"#{self.staff_member.pk}"

    def get_initial(self):
        member = self.staff_member
        return {
            "venues": _own_objects(member, Venue, VENUE_ASSIGNMENT),
            "vessels": _own_objects(member, Vessel, VESSEL_ASSIGNMENT),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["staff_member"] = self.staff_member
        context["index_url"] = reverse("crm_staff_assignments:index")
        return context

    def form_valid(self, form):
        member = self.staff_member
        with transaction.atomic():
            for name, model, permission in (
                ("venues", Venue, VENUE_ASSIGNMENT),
                ("vessels", Vessel, VESSEL_ASSIGNMENT),
            ):
                _own_objects_set(member, model, permission, form.cleaned_data[name])
        messages.success(self.request, _("The assignments are saved."))
        return redirect("crm_staff_assignments:index")


# Support queue assignments ---------------------------------------------------------------

# Managers and administrators (who edit the queues) give staff their queues.
MANAGE_QUEUES_PERMISSION = "support.change_queue"


def may_manage_queue_assignments(user) -> bool:
    return user.is_active and user.has_perm(MANAGE_QUEUES_PERMISSION)


class QueueAssignmentsForm(forms.Form):
    queues = forms.ModelMultipleChoiceField(
        label=_("Support queues"),
        queryset=Queue.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Unknown queue.")},
    )


class ManageQueueAssignmentsMixin(WagtailAdminTemplateMixin):
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not may_manage_queue_assignments(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Support queue assignments")


class QueueAssignmentsIndexView(ManageQueueAssignmentsMixin, TemplateView):
    """Every staff member with the queues they work in (their own assignments; a
    group's show on no row here)."""

    template_name = "crm/admin/staff/queue_assignments_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        users = list(staff_users())
        rows = UserObjectPermission.objects.filter(
            user__in=users,
            permission__codename=WORK_IN_QUEUE,
            permission__content_type__app_label="support",
        ).values_list("user_id", "object_pk")
        queues = {str(q.pk): q for q in Queue.objects.order_by("name")}
        found = {user.pk: [] for user in users}
        for user_id, object_pk in rows:
            if object_pk in queues:
                found[user_id].append(queues[object_pk])
        context["rows"] = [
            (user, sorted(found[user.pk], key=lambda q: q.name), user.has_perm(HANDLE_ANY_QUEUE))
            for user in users
        ]
        return context


class QueueAssignmentsEditView(ManageQueueAssignmentsMixin, FormView):
    """Gives or takes away `support.work_in_queue` (django-guardian); each change is
    written to the audit trail by `accounts.staff.audit` (an object permission given or
    taken away, with the acting user)."""

    form_class = QueueAssignmentsForm
    template_name = "crm/admin/staff/assignments_edit.html"

    def dispatch(self, request, *args, user_id, **kwargs):
        self.staff_member = get_object_or_404(staff_users(), pk=user_id)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return f"#{self.staff_member.pk}"

    def get_initial(self):
        return {"queues": _own_objects(self.staff_member, Queue, QUEUE_ASSIGNMENT)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["staff_member"] = self.staff_member
        context["index_url"] = reverse("crm_queue_assignments:index")
        return context

    def form_valid(self, form):
        member = self.staff_member
        with transaction.atomic():
            _own_objects_set(member, Queue, QUEUE_ASSIGNMENT, form.cleaned_data["queues"])
        assignments_forget(member)
        assignments_forget(self.request.user)
        messages.success(self.request, _("The assignments are saved."))
        return redirect("crm_queue_assignments:index")
