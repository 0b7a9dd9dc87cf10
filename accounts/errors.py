"""One exception type for the accounts app, carrying a reason code, like
`booking.services.errors.BookingError` (accounts sits below booking and cannot raise
that one). Messages are translated from a catalogue keyed by the code; tests assert the
code; the API answers `{code, message}` for it (config/api.py)."""

from django.utils.translation import gettext_lazy as _

from common.errors import CodedError

MESSAGES = {
    "name_invalid": _("A name is at most 150 characters, without control characters."),
    "phone_invalid": _(
        "Please enter a valid phone number, for example +7 912 345-67-89 or +86 139 1234 5678."
    ),
    "language_invalid": _("Choose one of the site's languages."),
    "marketing_invalid": _("Marketing consent is either given (true) or not (false)."),
    "email_unverified": _(
        "Your account has no confirmed e-mail address yet: confirm it with the code we sent."
    ),
    "note_empty": _("Write the note first: it is empty."),
    "note_too_long": _("A note is at most %(limit)s characters long."),
}


class AccountError(CodedError):
    MESSAGES = MESSAGES
