"""The CRM API's own refusals, answered as `{code, message}` like every other
(config/api.py maps the codes to HTTP statuses: forbidden 403, customer_not_found and
case_not_found 404, macro_not_found 422)."""

from django.utils.translation import gettext_lazy as _

from common.errors import CodedError


class CrmApiError(CodedError):
    MESSAGES = {
        "forbidden": _("Your role does not allow this."),
        "customer_not_found": _("This customer was not found."),
        "case_not_found": _("This case was not found."),
        "macro_not_found": _("This canned reply was not found."),
    }
