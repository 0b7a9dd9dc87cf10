"""The checkout form: who buys (name, e-mail, phone), the promo code and the three
separate consents. The fields are checked with the order service's own rules (so the
page shows every problem at once, next to its field, in the visitor's language); the
service checks them again when it creates the order."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.forms import PhoneField
from booking.services.errors import BookingError
from booking.services.orders import normalise_email, normalise_name, normalise_phone

# Which field a service error belongs to; any other code is shown above the form.
ERROR_FIELDS = {
    "name_invalid": "name",
    "email_invalid": "email",
    "phone_invalid": "phone",
    "consent_required": "personal_data_consent",
    "offer_required": "offer_accepted",
}
PROMO_PREFIX = "promo_"


def error_field(code: str) -> str | None:
    if code.startswith(PROMO_PREFIX):
        return "promo_code"
    return ERROR_FIELDS.get(code)


class CheckoutForm(forms.Form):
    name = forms.CharField(
        label=_("Name and surname"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name", "maxlength": 150}),
    )
    email = forms.CharField(
        label=pgettext_lazy("address", "E-mail"),
        max_length=300,
        required=False,
        help_text=_("Your tickets will be sent here."),
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "inputmode": "email", "maxlength": 254}
        ),
    )
    phone = PhoneField()
    promo_code = forms.CharField(
        label=_("Promo code"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "maxlength": 40}
        ),
    )
    personal_data_consent = forms.BooleanField(required=False)
    offer_accepted = forms.BooleanField(required=False)
    marketing_consent = forms.BooleanField(required=False)

    def _service_clean(self, field: str, normalise) -> str:
        try:
            return normalise(self.cleaned_data.get(field, ""))
        except BookingError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def clean_name(self) -> str:
        return self._service_clean("name", normalise_name)

    def clean_email(self) -> str:
        return self._service_clean("email", normalise_email)

    def clean_phone(self) -> str:
        return self._service_clean("phone", normalise_phone)

    def clean_promo_code(self) -> str:
        return (self.cleaned_data.get("promo_code") or "").strip()

    def clean_personal_data_consent(self) -> bool:
        if not self.cleaned_data.get("personal_data_consent"):
            error = BookingError("consent_required")
            raise forms.ValidationError(error.message, code=error.code)
        return True

    def clean_offer_accepted(self) -> bool:
        if not self.cleaned_data.get("offer_accepted"):
            error = BookingError("offer_required")
            raise forms.ValidationError(error.message, code=error.code)
        return True

    def add_booking_error(self, error: BookingError) -> None:
        """A service's refusal, next to the field it is about (or above the form)."""
        self.add_error(error_field(error.code), forms.ValidationError(error.message))

    def entered_promo_code(self) -> str:
        """The promo code as typed, whatever the rest of the form holds; a value no code
        can be (too long, control characters) raises `ValidationError`."""
        if not self.is_bound:
            return ""
        field = self.fields["promo_code"]
        value = field.clean(field.widget.value_from_datadict(self.data, self.files, "promo_code"))
        return (value or "").strip()

    @property
    def entered_email(self) -> str:
        """The e-mail if it is valid (promo codes limited per customer need it)."""
        if not self.is_bound:
            return ""
        try:
            return normalise_email(str(self.data.get("email", ""))[:300].replace("\x00", ""))
        except BookingError:
            return ""

    def contact_fields(self) -> list:
        return [self[name] for name in ("name", "email", "phone")]

    def describe(self) -> None:
        """Ties each input to its help text and its error for screen readers."""
        errors = self.errors if self.is_bound else {}
        for name, field in self.fields.items():
            ids = []
            if field.help_text:
                ids.append(f"{name}-help")
            if name in errors:
                ids.append(f"{name}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
            if name in ("personal_data_consent", "offer_accepted"):
                field.widget.attrs["required"] = True
