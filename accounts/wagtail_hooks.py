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


@hooks.register("register_log_actions")
def register_account_log_actions(actions):
    from wagtail.log_actions import LogFormatter

    from accounts.services.customers import CLAIM_ACTION, RELEASE_ACTION
    from accounts.services.profile import PROFILE_UPDATE_ACTION
    from accounts.signin import CREDENTIALS_REVOKED_ACTION

    @actions.register_action(CREDENTIALS_REVOKED_ACTION)
    class CredentialsRevokedFormatter(LogFormatter):
        label = _("Sign-in means set before the address was confirmed removed")

        def format_message(self, log_entry):
            return _(
                "The owner confirmed the address with a code: the connected services and "
                "the password set before were removed"
            )

    @actions.register_action(CLAIM_ACTION)
    class CustomerClaimFormatter(LogFormatter):
        label = _("Link to a site account")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            if data.get("created"):
                return _("Customer created for a confirmed account address")
            if data.get("address_changed"):
                return _("The account's confirmed address changed; the customer follows it")
            return _("Customer linked to the site account that confirmed its address")

    @actions.register_action(RELEASE_ACTION)
    class CustomerReleaseFormatter(LogFormatter):
        label = _("Unlink from a site account")

        def format_message(self, log_entry):
            return _("Customer unlinked: the account confirmed another address")

    @actions.register_action(PROFILE_UPDATE_ACTION)
    class ProfileUpdateFormatter(LogFormatter):
        label = _("Profile changed by the customer")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            fields = ", ".join(data.get("fields", []))
            if "marketing" in data:
                consent = (
                    _("marketing consent given")
                    if data["marketing"]
                    else _("marketing consent withdrawn")
                )
                return _("Profile changed (%(fields)s): %(consent)s") % {
                    "fields": fields,
                    "consent": consent,
                }
            return _("Profile changed: %(fields)s") % {"fields": fields}
