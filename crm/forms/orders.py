"""Forms of the agent console's order actions (`crm.views.order_actions`): they only parse
what the agent sends; the rules are the domain's (`booking.services.refunds`,
`booking.services.backoffice`), whose coded errors the views turn into form errors."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models.customers import NOTE_MAX_LENGTH
from booking.models import SentMessage
from booking.services.backoffice import CANCEL_REASON_MAX
from booking.services.errors import BookingError

# A domain error's code → the form field it belongs to (others are the form's own).
ERROR_FIELDS = {
    "email_invalid": "email",
    "phone_invalid": "phone",
    "resend_channels_invalid": "channels",
    "note_empty": "text",
    "note_too_long": "text",
    "no_tickets": "tickets",
    "ticket_invalid": "tickets",
    "ticket_refunded": "tickets",
    "ticket_boarded": "tickets",
}


def add_domain_error(form: forms.Form, error: BookingError) -> None:
    """The domain's refusal as a form error, on its field when the form has it."""
    field = ERROR_FIELDS.get(error.code)
    form.add_error(field if field in form.fields else None, error.message)


class ConfirmStepForm(forms.Form):
    """A form shown twice: filled in, then confirmed ("confirm" posted with the same
    values, which are validated again)."""


class RefundForm(ConfirmStepForm):
    tickets = forms.TypedMultipleChoiceField(
        label=_("Tickets to refund"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one ticket to refund."),
            "invalid_choice": _(
                "A chosen ticket cannot be refunded (it is not in this order, or it has "
                "been refunded or has boarded meanwhile)."
            ),
        },
    )
    # The quote the agent confirmed, in kopecks: a confirmation is refused when the
    # quote has changed since.
    # (text: a tampered value is the same refusal as a changed quote, on the form).
    quoted = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args, tickets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tickets"].choices = [(t.pk, label) for t, label in tickets]


class ResendForm(ConfirmStepForm):
    channels = forms.MultipleChoiceField(
        label=_("Send by"),
        choices=SentMessage.Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose how to send it: by e-mail, by SMS or both."),
            "invalid_choice": _("Choose how to send it: by e-mail, by SMS or both."),
        },
    )
    email = forms.CharField(
        label=_("Corrected e-mail"),
        required=False,
        max_length=254,
        help_text=_("Leave empty to send to the order's e-mail."),
    )
    phone = forms.CharField(
        label=_("Corrected phone"),
        required=False,
        max_length=32,
        help_text=_("Leave empty to send to the order's phone."),
    )


class CancelForm(ConfirmStepForm):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=CANCEL_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        required=False,  # an empty note is the service's refusal (translated)
        strip=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
