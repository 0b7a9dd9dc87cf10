"""Sign-in lockouts (django-axes) in the Wagtail admin: Settings → Sign-in lockouts lists
the recorded failed sign-ins per account and address; deleting a record unlocks that
account from that address at once. Needs the axes "delete access attempt" permission
(superusers have it)."""

from axes.models import AccessAttempt
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet


class AccessAttemptViewSet(ModelViewSet):
    model = AccessAttempt
    icon = "lock"
    menu_label = _("Sign-in lockouts")
    add_to_settings_menu = True
    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    search_fields = ["username", "ip_address"]
    inspect_view_enabled = True
    # Nothing to add or edit: an administrator only looks and unlocks (deletes).
    form_fields = ["failures_since_start"]


@hooks.register("register_admin_viewset")
def register_access_attempt_viewset():
    return AccessAttemptViewSet("sign_in_lockouts")
