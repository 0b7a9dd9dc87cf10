"""Forms of the agent console's customer actions (`crm.views.customer_actions`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models.customers import NOTE_MAX_LENGTH


class CustomerNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        required=False,  # an empty note is the service's refusal (translated)
        strip=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ExportForm(forms.Form):
    PURPOSES = [
        ("customer_request", _("The customer asked for a copy of their data")),
        ("authority_request", _("A lawful request of an authority")),
        ("internal_check", _("An internal check of the data we hold")),
    ]
    purpose = forms.ChoiceField(
        label=_("Why is the copy made?"),
        choices=PURPOSES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say why the copy is made."),
            "invalid_choice": _("Say why the copy is made."),
        },
    )


class EraseForm(forms.Form):
    email = forms.CharField(
        label=_("Type the customer's e-mail to confirm"), required=False, max_length=254
    )
    understood = forms.BooleanField(
        label=_("I understand that the erasure is irreversible"),
        required=True,
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )

    def __init__(self, *args, customer_email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer_email = customer_email

    def clean_email(self):
        value = (self.cleaned_data.get("email") or "").strip()
        if value.casefold() != (self.customer_email or "").strip().casefold():
            raise forms.ValidationError(_("This is not the customer's e-mail."))
        return value
