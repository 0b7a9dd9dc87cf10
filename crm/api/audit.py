"""The audit entry of a member of staff seeing a person's data (an order's contact, a
customer) through the CRM API: `prichal.personal_data.view` on the order or the customer,
with `{"via": "api", "token": <API token id>}`; the title is an id, never a name.

Its formatter is registered with Wagtail's `register_log_actions` hook when this module is
imported (by `crm.api.endpoints`, which the URL configuration loads)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter

VIEW_ACTION = "prichal.personal_data.view"


@hooks.register("register_log_actions")
def register_crm_api_log_actions(actions):
    @actions.register_action(VIEW_ACTION)
    class PersonalDataViewFormatter(LogFormatter):
        label = _("View personal data")

        def format_message(self, log_entry):
            if (log_entry.data or {}).get("via") == "api":
                return _("Personal data viewed through the CRM API")
            return _("Personal data viewed")
