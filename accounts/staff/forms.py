from django import forms
from django.utils.translation import gettext_lazy as _

CODE_DIGITS = 6


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app (spaces allowed)."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isascii() or not code.isdigit() or len(code) != CODE_DIGITS:
            raise forms.ValidationError(_("Type the six digits the app shows."))
        return code
