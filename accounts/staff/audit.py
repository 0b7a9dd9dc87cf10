"""Audit entries (Wagtail's `log()`) of staff sign-in and of role changes.

- Sign-ins of staff users, failed sign-ins whose e-mail is a staff user's (never the
  password), sign-outs, sessions ended after inactivity, two-factor enrolment, wrong codes
  and code lockouts: on the user.
- Role changes: a user added to or removed from groups (either side of the relation), a
  group's model permissions, and django-guardian object permissions (pier and vessel
  assignments) given or taken away: on the user or the group.

The actor is the signed-in user of Wagtail's log context (admin views set it) when the
caller gives none; `common.audit` adds the client address. `connect()` is called once,
from `accounts.apps`.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.log_actions import log

from accounts.staff.two_factor import is_staff_user
from common.audit import unwrapped

SIGN_IN_ACTION = "prichal.staff.sign_in"
SIGN_IN_FAILED_ACTION = "prichal.staff.sign_in_failed"
SIGN_OUT_ACTION = "prichal.staff.sign_out"
SESSION_EXPIRED_ACTION = "prichal.staff.session_expired"
TWO_FACTOR_ENROL_ACTION = "prichal.staff.two_factor_enrol"
TWO_FACTOR_FAILED_ACTION = "prichal.staff.two_factor_failed"
TWO_FACTOR_LOCKED_ACTION = "prichal.staff.two_factor_locked"
GROUPS_CHANGED_ACTION = "prichal.staff.groups_changed"
GROUP_PERMISSIONS_CHANGED_ACTION = "prichal.staff.group_permissions_changed"
OBJECT_PERMISSION_ADDED_ACTION = "prichal.staff.object_permission_added"
OBJECT_PERMISSION_REMOVED_ACTION = "prichal.staff.object_permission_removed"

# In the session of a staff user from their sign-in on: the staff-only middleware looks
# at it instead of asking the permissions of every customer on every request.
STAFF_SESSION_KEY = "prichal_staff"
# Set on a request whose sign-out is logged otherwise (the idle timeout).
SKIP_SIGN_OUT_ATTRIBUTE = "_staff_sign_out_logged"


def audit_log(*, instance, action, **kwargs):
    """`log()` with an id for a title (a user's title would be their e-mail); accepts
    `request.user` as the instance or the actor."""
    instance = unwrapped(instance)
    if kwargs.get("user") is not None:
        kwargs["user"] = unwrapped(kwargs["user"])
    title = f"{instance._meta.model_name} #{instance.pk}"
    if isinstance(instance, Group):
        title = instance.name
    return log(instance=instance, action=action, title=title, **kwargs)


_paused: ContextVar[bool] = ContextVar("prichal_role_audit_paused", default=False)


@contextmanager
def role_audit_paused():
    """No role-change entries inside: `crm.roles.roles_sync` setting the groups from code
    (after every migrate and test-database flush, when log entries must not be created:
    they would point at content types that a flush recreates)."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


_CHANGES = {"post_add": "added", "post_remove": "removed", "pre_clear": "removed"}
LOADED_ATTRIBUTE = "_prichal_loaded_raw"


def _mark_loaded(sender, instance, raw=False, **kwargs):
    """A user or group saved raw is being loaded (a fixture, a test database restored
    from its serialized copy), and Django then sets its many-to-many rows: that is no
    role change by anyone, and an entry written then would point at content-type ids
    from before the restore."""
    if raw:
        setattr(instance, LOADED_ATTRIBUTE, True)


def _skipped(instance) -> bool:
    return _paused.get() or getattr(instance, LOADED_ATTRIBUTE, False)


def _signed_in(sender, request, user, **kwargs):
    if is_staff_user(user):
        if request is not None and hasattr(request, "session"):
            request.session[STAFF_SESSION_KEY] = True
        audit_log(instance=user, action=SIGN_IN_ACTION, user=user, data={"user_id": user.pk})


def _signed_out(sender, request, user, **kwargs):
    if user is None or getattr(request, SKIP_SIGN_OUT_ATTRIBUTE, False):
        return
    if is_staff_user(user):
        audit_log(instance=user, action=SIGN_OUT_ACTION, user=user, data={"user_id": user.pk})


def _sign_in_failed(sender, credentials, request=None, **kwargs):
    """Only the e-mail typed is looked at (Django has already masked the password)."""
    User = get_user_model()
    typed = credentials.get(User.USERNAME_FIELD) or credentials.get("username") or ""
    if not isinstance(typed, str) or not typed.strip():
        return
    user = User.objects.filter(email__iexact=typed.strip()).first()
    if user is not None and is_staff_user(user):
        audit_log(instance=user, action=SIGN_IN_FAILED_ACTION, user=None, data={"user_id": user.pk})


def _group_names(pks) -> list[str]:
    return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))


def _membership_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    change = _CHANGES.get(action)
    if change is None or _skipped(instance):
        return
    User = get_user_model()
    if not reverse:  # user.groups.add(...): one user, these groups
        if action == "pre_clear":
            pk_set = set(instance.groups.values_list("pk", flat=True))
        if pk_set:
            audit_log(
                instance=instance,
                action=GROUPS_CHANGED_ACTION,
                data={"change": change, "groups": _group_names(pk_set)},
            )
        return
    # group.user_set.add(...): one group, these users
    if action == "pre_clear":
        pk_set = set(instance.user_set.values_list("pk", flat=True))
    for user in User.objects.filter(pk__in=pk_set or ()):
        audit_log(
            instance=user,
            action=GROUPS_CHANGED_ACTION,
            data={"change": change, "groups": [instance.name]},
        )


def _permission_names(pks) -> list[str]:
    return sorted(
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.filter(pk__in=pks).values_list(
            "content_type__app_label", "codename"
        )
    )


def _group_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    change = _CHANGES.get(action)
    if change is None or reverse or _skipped(instance):
        return
    if action == "pre_clear":
        pk_set = set(instance.permissions.values_list("pk", flat=True))
    if pk_set:
        audit_log(
            instance=instance,
            action=GROUP_PERMISSIONS_CHANGED_ACTION,
            data={"change": change, "permissions": _permission_names(pk_set)},
        )


def _object_permission_data(row) -> dict:
    return {
        "permission": f"{row.permission.content_type.app_label}.{row.permission.codename}",
        "model": row.content_type.model,
        "object_id": str(row.object_pk),
    }


def _holder(row):
    return getattr(row, "user", None) or getattr(row, "group", None)


def _object_permission_added(sender, instance, created, raw=False, **kwargs):
    if created and not raw and not _paused.get():
        audit_log(
            instance=_holder(instance),
            action=OBJECT_PERMISSION_ADDED_ACTION,
            data=_object_permission_data(instance),
        )


def _object_permission_removed(sender, instance, **kwargs):
    holder = _holder(instance)
    if not _paused.get() and holder is not None and holder.pk is not None:
        audit_log(
            instance=holder,
            action=OBJECT_PERMISSION_REMOVED_ACTION,
            data=_object_permission_data(instance),
        )


def connect() -> None:
    from guardian.models import GroupObjectPermission, UserObjectPermission

    from common import audit

    audit.connect()
    uid = "accounts.staff.audit."
    user_logged_in.connect(_signed_in, dispatch_uid=uid + "signed_in")
    user_logged_out.connect(_signed_out, dispatch_uid=uid + "signed_out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid=uid + "sign_in_failed")
    m2m_changed.connect(
        _membership_changed, sender=get_user_model().groups.through, dispatch_uid=uid + "groups"
    )
    m2m_changed.connect(
        _group_permissions_changed,
        sender=Group.permissions.through,
        dispatch_uid=uid + "group_permissions",
    )
    for model in (get_user_model(), Group):
        post_save.connect(_mark_loaded, sender=model, dispatch_uid=uid + f"loaded.{model.__name__}")
    for model in (UserObjectPermission, GroupObjectPermission):
        post_save.connect(
            _object_permission_added, sender=model, dispatch_uid=uid + f"added.{model.__name__}"
        )
        post_delete.connect(
            _object_permission_removed,
            sender=model,
            dispatch_uid=uid + f"removed.{model.__name__}",
        )
