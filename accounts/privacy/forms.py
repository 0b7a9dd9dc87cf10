"""The second step of erasure: the person types their account's e-mail and ticks that they
understand it cannot be undone. Both, so that neither a stray tap nor a form filled in by
the browser erases anyone."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureConfirmForm(forms.Form):
    email = forms.CharField(
        label=_("Your account's e-mail"),
        max_length=254,
        error_messages={"required": _("Type the e-mail of your account.")},
        widget=forms.EmailInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    understood = forms.BooleanField(
        label=_("I understand that erasure is final and cannot be undone."),
        error_messages={"required": _("Tick this box to confirm.")},
    )

    def __init__(self, *args, account_email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email

    def clean_email(self):
        typed = self.cleaned_data["email"].strip()
        if typed.lower() != self.account_email.strip().lower():
            raise forms.ValidationError(_("This is not the e-mail of your account."))
        return typed
