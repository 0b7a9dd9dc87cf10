"""The support app's audit actions (Wagtail's log): labels and one-line descriptions for
the history of a case. The staff screens themselves are in crm."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from support.models import SlaAlert
from support.services.cases import (
    CHANGE_ACTION,
    MESSAGE_ACTION,
    NOTE_ACTION,
    OPEN_ACTION,
    REPLY_ACTION,
)
from support.services.escalation import BREACH_ACTION, WARNING_ACTION


@hooks.register("register_log_actions")
def register_support_log_actions(actions):
    actions.register_action(OPEN_ACTION, _("Open support case"), _("Support case opened"))
    actions.register_action(
        MESSAGE_ACTION, _("Customer message"), _("The customer wrote in the case")
    )
    actions.register_action(REPLY_ACTION, _("Reply to customer"), _("Public reply sent"))
    actions.register_action(NOTE_ACTION, _("Internal note"), _("Internal note added"))

    @actions.register_action(CHANGE_ACTION)
    class CaseChangeFormatter(LogFormatter):
        label = _("Change support case")

        def format_message(self, log_entry):
            try:
                fields = ", ".join(sorted(log_entry.data))
            except TypeError:
                fields = ""
            return _("Case changed: %(fields)s") % {"fields": fields}


@hooks.register("register_log_actions")
def register_support_sla_log_actions(actions):
    @actions.register_action(WARNING_ACTION)
    class SlaWarningFormatter(LogFormatter):
        label = pgettext_lazy("audit", "SLA warning")

        def format_message(self, log_entry):
            return _sla_message(log_entry, _("SLA warning raised on the clock: %(clock)s"))

    @actions.register_action(BREACH_ACTION)
    class SlaBreachFormatter(LogFormatter):
        label = pgettext_lazy("audit", "SLA breach")

        def format_message(self, log_entry):
            return _sla_message(log_entry, _("SLA breach on the clock: %(clock)s"))


def _sla_message(log_entry, text) -> str:
    try:
        clock = SlaAlert.Clock(log_entry.data["clock"]).label
    except (KeyError, TypeError, ValueError):
        clock = "—"
    return text % {"clock": clock}
