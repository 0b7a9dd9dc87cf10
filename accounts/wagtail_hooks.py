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
