"""accounts in the Wagtail admin.

- Sign-in lockouts (django-axes): Settings → Sign-in lockouts lists the recorded failed
  sign-ins per account and address; deleting a record unlocks that account from that
  address at once. Needs the axes "delete access attempt" permission (superusers have it).
- The labels of the personal-data actions in the audit log (accounts.privacy): exports,
  erasures and consent withdrawals, shown in a customer's history and in Reports → Site
  history. Their entries carry the customer's id only.
"""

from axes.models import AccessAttempt
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import LogFormatter

from accounts.models import Consent
from accounts.privacy import CONSENT_WITHDRAW_ACTION, ERASE_ACTION, EXPORT_ACTION


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
def register_personal_data_log_actions(actions):
    @actions.register_action(EXPORT_ACTION)
    class PersonalDataExportFormatter(LogFormatter):
        label = _("Export personal data")

        def format_message(self, log_entry):
            purpose = (log_entry.data or {}).get("purpose")
            if purpose == "html":
                return _("Personal data viewed as a page")
            if purpose == "json":
                return _("Personal data downloaded (JSON)")
            return _("Personal data exported")

    actions.register_action(
        ERASE_ACTION, _("Erase personal data"), _("Personal data erased (irreversible)")
    )

    @actions.register_action(CONSENT_WITHDRAW_ACTION)
    class ConsentWithdrawFormatter(LogFormatter):
        label = _("Withdraw consent")

        def format_message(self, log_entry):
            kind = (log_entry.data or {}).get("kind")
            try:
                name = Consent.Kind(kind).label
            except ValueError:
                return _("Consent withdrawn")
            return _("Consent withdrawn: %(consent)s") % {"consent": name}


@hooks.register("register_log_actions")
def register_account_log_actions(actions):
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
