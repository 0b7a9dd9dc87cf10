"""Pier and vessel assignments of staff members (crm.permissions), for administrators.

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
    VENUE_ASSIGNMENT,
    VESSEL_ASSIGNMENT,
)

MANAGE_PERMISSION = "auth.change_group"
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


def _own_objects(user, model, codename):
    return get_objects_for_user(
        user,
        f"booking.{codename}",
        klass=model,
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )


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
            "venues": _own_objects(member, Venue, ASSIGNED_TO_VENUE),
            "vessels": _own_objects(member, Vessel, ASSIGNED_TO_VESSEL),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["staff_member"] = self.staff_member
        context["index_url"] = reverse("crm_staff_assignments:index")
        return context

    def form_valid(self, form):
        member = self.staff_member
        with transaction.atomic():
            for name, model, codename, permission in (
                ("venues", Venue, ASSIGNED_TO_VENUE, VENUE_ASSIGNMENT),
                ("vessels", Vessel, ASSIGNED_TO_VESSEL, VESSEL_ASSIGNMENT),
            ):
                have = set(_own_objects(member, model, codename))
                wanted = set(form.cleaned_data[name])
                for obj in wanted - have:
                    assign_perm(permission, member, obj)
                for obj in have - wanted:
                    remove_perm(permission, member, obj)
        messages.success(self.request, _("The assignments are saved."))
        return redirect("crm_staff_assignments:index")
