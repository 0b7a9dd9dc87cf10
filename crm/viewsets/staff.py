"""Staff access in the Wagtail admin: the "Pier and vessel assignments" screen (Settings
menu, administrators only), the support queue assignments (a viewset of the "Support desk"
menu), the two-factor item of the account page, and the labels of
the staff audit entries (`accounts.staff.audit`). Imported at the end of
`crm.wagtail_hooks` so that Wagtail registers these hooks."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet
from wagtail.log_actions import LogFormatter

from accounts.staff import audit
from accounts.staff.two_factor import is_staff_user, two_factor_enrolled
from crm.views.staff import (
    AssignmentsEditView,
    AssignmentsIndexView,
    QueueAssignmentsEditView,
    QueueAssignmentsIndexView,
    may_manage_assignments,
    may_manage_queue_assignments,
)


class AssignmentsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_manage_assignments(request.user)


@hooks.register("register_admin_urls")
def register_staff_assignment_urls():
    urls = [
        path("", AssignmentsIndexView.as_view(), name="index"),
        path("<int:user_id>/", AssignmentsEditView.as_view(), name="edit"),
    ]
    return [path("staff-assignments/", include((urls, "crm_staff_assignments")))]


@hooks.register("register_settings_menu_item")
def register_staff_assignments_menu_item():
    return AssignmentsMenuItem(
        _("Pier and vessel assignments"),
        reverse("crm_staff_assignments:index"),
        icon_name="group",
        name="staff-assignments",
        order=610,
    )


class QueueAssignmentsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_manage_queue_assignments(request.user)


class QueueAssignmentsViewSet(ViewSet):
    """The support queue assignments (`crm.views.staff`), an item of the "Support desk"
    menu (`crm.viewsets.support_setup`), for managers and administrators."""

    name = "crm_queue_assignments"
    url_prefix = "support/queue-assignments"
    icon = "group"
    menu_label = _("Queue assignments")
    menu_order = 150
    menu_item_class = QueueAssignmentsMenuItem

    def get_urlpatterns(self):
        return [
            path("", QueueAssignmentsIndexView.as_view(), name="index"),
            path("<int:user_id>/", QueueAssignmentsEditView.as_view(), name="edit"),
        ]


@hooks.register("register_account_menu_item")
def register_two_factor_account_item(request):
    if not is_staff_user(request.user):
        return None
    enrolled = two_factor_enrolled(request.user)
    return {
        "url": reverse("staff_two_factor:enrol"),
        "label": _("Two-factor sign-in"),
        "help_text": _("On: every sign-in asks for a code from your phone.")
        if enrolled
        else _("Protect your account with a code from an authenticator app on your phone."),
    }


class GroupsChangedFormatter(LogFormatter):
    label = _("Change roles")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        groups = ", ".join(data.get("groups", []))
        if data.get("change") == "removed":
            return _("Removed from the groups: %(groups)s") % {"groups": groups}
        return _("Added to the groups: %(groups)s") % {"groups": groups}


class GroupPermissionsFormatter(LogFormatter):
    label = _("Change a group's permissions")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        names = ", ".join(data.get("permissions", []))
        if data.get("change") == "removed":
            return _("Permissions taken away: %(names)s") % {"names": names}
        return _("Permissions given: %(names)s") % {"names": names}


def _object_permission(log_entry) -> dict:
    data = log_entry.data or {}
    return {
        "permission": data.get("permission", ""),
        "model": data.get("model", ""),
        "id": data.get("object_id", ""),
    }


class ObjectPermissionAddedFormatter(LogFormatter):
    label = _("Give an object permission")

    def format_message(self, log_entry):
        return _("Given %(permission)s on %(model)s #%(id)s") % _object_permission(log_entry)


class ObjectPermissionRemovedFormatter(LogFormatter):
    label = _("Take away an object permission")

    def format_message(self, log_entry):
        return _("Taken away %(permission)s on %(model)s #%(id)s") % _object_permission(log_entry)


class SessionExpiredFormatter(LogFormatter):
    label = _("Staff session expired")

    def format_message(self, log_entry):
        minutes = (log_entry.data or {}).get("minutes", "")
        return _("Signed out after %(minutes)s minutes without activity") % {"minutes": minutes}


@hooks.register("register_log_actions")
def register_staff_log_actions(actions):
    actions.register_action(audit.SIGN_IN_ACTION, _("Staff sign-in"), _("Signed in to the admin"))
    actions.register_action(
        audit.SIGN_IN_FAILED_ACTION,
        _("Failed staff sign-in"),
        _("A sign-in to the admin failed (wrong password or locked out)"),
    )
    actions.register_action(
        audit.SIGN_OUT_ACTION, _("Staff sign-out"), _("Signed out of the admin")
    )
    actions.register_action(
        audit.TWO_FACTOR_ENROL_ACTION,
        _("Set up two-factor sign-in"),
        _("Two-factor sign-in set up with an authenticator app"),
    )
    actions.register_action(
        audit.TWO_FACTOR_FAILED_ACTION,
        _("Wrong two-factor code"),
        _("A wrong two-factor code was typed"),
    )
    actions.register_action(
        audit.TWO_FACTOR_LOCKED_ACTION,
        _("Two-factor codes locked"),
        _("Too many wrong two-factor codes: code entry locked for a while"),
    )
    actions.register_action(audit.SESSION_EXPIRED_ACTION)(SessionExpiredFormatter)
    actions.register_action(audit.GROUPS_CHANGED_ACTION)(GroupsChangedFormatter)
    actions.register_action(audit.GROUP_PERMISSIONS_CHANGED_ACTION)(GroupPermissionsFormatter)
    actions.register_action(audit.OBJECT_PERMISSION_ADDED_ACTION)(ObjectPermissionAddedFormatter)
    actions.register_action(audit.OBJECT_PERMISSION_REMOVED_ACTION)(
        ObjectPermissionRemovedFormatter
    )
