"""The profile form. Its fields are read with the profile service's own rules
(`accounts.services.profile`), so the page shows every problem at once next to its field,
in the visitor's language; the service checks them again when it saves."""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.errors import AccountError
from accounts.services.profile import normalise_language, normalise_name, normalise_phone

ERROR_FIELDS = {
    "name_invalid": "name",
    "phone_invalid": "phone",
    "language_invalid": "language",
}


class PhoneField(forms.CharField):
    """A phone number as people type it (checkout and the profile): the form keeps the
    text, the service normalises it to E.164 (accounts.phones)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Phone"))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text", _("With the country code if it is not a Russian number, e.g. +86 …")
        )
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "type": "tel",
                    "autocomplete": "tel",
                    "inputmode": "tel",
                    "maxlength": 40,
                    "placeholder": "+7 912 345-67-89",
                }
            ),
        )
        super().__init__(max_length=60, **kwargs)


class ProfileForm(forms.Form):
    name = forms.CharField(
        label=_("Name and surname"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name", "maxlength": 150}),
    )
    phone = PhoneField()
    # Each language named in itself, as the language switcher names them.
    language = forms.ChoiceField(
        label=_("Language of e-mails, SMS and tickets"),
        choices=settings.LANGUAGES,
        required=False,
    )
    marketing = forms.BooleanField(
        label=_(
            "Send me news and special offers by e-mail and SMS (optional; "
            "you can unsubscribe at any time)."
        ),
        required=False,
    )

    def _service_clean(self, field: str, normalise):
        try:
            return normalise(self.cleaned_data.get(field, ""))
        except AccountError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def clean_name(self) -> str:
        return self._service_clean("name", normalise_name)

    def clean_phone(self) -> str:
        return self._service_clean("phone", normalise_phone)

    def clean_language(self) -> str:
        return self._service_clean("language", normalise_language)

    def add_account_error(self, error: AccountError) -> None:
        self.add_error(ERROR_FIELDS.get(error.code), error.message)


class SignupForm(AllauthSignupForm):
    """allauth's signup with the e-mail only. "password1" stays in ACCOUNT_SIGNUP_FIELDS
    (so that allauth keeps the password on its sign-in form for those who set one later),
    but a sign-up never takes a password: whoever signs up has not proved the address yet,
    and a password chosen then would let them into the account its owner verifies later
    (pre-account hijacking). A password is set by the signed-in owner on the password page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("password1", None)
        self.fields.pop("password2", None)
