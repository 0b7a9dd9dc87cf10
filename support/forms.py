"""The customer's support forms: a new case (the site's contact form, also rendered by
the content block `SupportFormBlock`) and a reply in the account. They check what a form
can check (required fields, the number and size of files before reading them) and read
the files into `AttachmentUpload`s; the rules themselves are the services' (`case_open`,
`customer_message_add`, `attachments_check`), whose `SupportError`s the views put back on
the fields with `add_support_error`."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.services.customers import customer_for_user
from support.errors import SupportError
from support.services.attachments import AttachmentUpload, attachments_check
from support.services.cases import BODY_MAX, SUBJECT_MAX

#: What the file picker offers (the server decides by the files' first bytes anyway).
ACCEPT = "image/jpeg,image/png,image/gif,image/webp,image/heic,.heic,application/pdf"

#: Which field a service's refusal belongs to; other codes are the form's own errors.
ERROR_FIELDS = {
    "name_invalid": "name",
    "email_invalid": "email",
    "phone_invalid": "phone",
    "subject_invalid": "subject",
    "body_invalid": "message",
    "order_not_matched": "order_code",
    "too_many_attachments": "attachments",
    "attachment_too_large": "attachments",
    "attachment_type": "attachments",
    "attachment_empty": "attachments",
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one `<input type="file" multiple>`; cleans to a list."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [file for file in files if file]


def _uploads(files) -> tuple[AttachmentUpload, ...]:
    """The chosen files as uploads, checked as the site's form is (`strict`). Too many or
    too large files are refused before any is read into memory."""
    limit = settings.SUPPORT_ATTACHMENTS_MAX
    max_bytes = settings.SUPPORT_ATTACHMENT_MAX_BYTES
    if len(files) > limit:
        raise SupportError("too_many_attachments", max=limit)
    uploads = []
    for file in files:
        name = (getattr(file, "name", "") or "")[:255]
        if file.size > max_bytes:
            raise SupportError("attachment_too_large", name=name, max=max_bytes // 2**20)
        file.seek(0)
        uploads.append(
            AttachmentUpload(
                filename=name, content=file.read(), content_type=file.content_type or ""
            )
        )
    attachments_check(uploads, strict=True)
    return tuple(uploads)


def initial_for(request) -> dict:
    """A signed-in customer's name and e-mail, to prefill the form."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    customer = customer_for_user(user)
    if customer is not None and customer.erased_at is None:
        return {"name": customer.name, "email": customer.email, "phone": customer.phone}
    return {"name": user.get_full_name(), "email": user.email}


def add_support_error(form: forms.Form, error: SupportError) -> None:
    """Shows a service's refusal next to the field it is about."""
    field = ERROR_FIELDS.get(error.code)
    form.add_error(field if field in form.fields else None, str(error.message))


class SupportForm(forms.Form):
    """Shared: the files field and ARIA ties between inputs, help texts and errors."""

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        try:
            return _uploads(files)
        except SupportError as error:
            raise forms.ValidationError(str(error.message)) from None

    def describe(self) -> "SupportForm":
        """Ties each input to its help text and its error for screen readers (as the
        checkout form does); call after validation."""
        errors = self.errors if self.is_bound else {}
        for name, field in self.fields.items():
            ids = []
            if field.help_text:
                ids.append(f"{self.auto_id_for(name)}-help")
            if name in errors:
                ids.append(f"{self.auto_id_for(name)}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
            if field.required:
                field.widget.attrs["required"] = True
        return self

    def auto_id_for(self, name: str) -> str:
        return self[name].id_for_label or name


def _attachments_field():
    return MultipleFileField(
        label=pgettext_lazy("support", "Files"),
        help_text=_(
            "Up to %(max)s photos (JPEG, PNG, GIF, WebP, HEIC) or PDF files, each at most "
            "%(size)s MB."
        )
        % {
            "max": settings.SUPPORT_ATTACHMENTS_MAX,
            "size": settings.SUPPORT_ATTACHMENT_MAX_BYTES // 2**20,
        },
    )


def _service_messages(form: forms.Form, **codes) -> None:
    """A missing, too long or malformed value reads as the service's own message (in the
    visitor's language, so set per instance)."""
    for name, code in codes.items():
        text = SupportError(code).message
        messages = form.fields[name].error_messages
        for key in ("required", "invalid", "max_length"):
            messages[key] = text


class CaseForm(SupportForm):
    """A new case from the site."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(
        label=pgettext_lazy("address", "E-mail"),
        max_length=254,
        help_text=_("We answer to this address."),
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    subject = forms.CharField(label=pgettext_lazy("support", "Subject"), max_length=SUBJECT_MAX)
    message = forms.CharField(
        label=_("Message"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 7})
    )
    order_code = forms.CharField(
        label=_("Order code (optional)"),
        max_length=40,
        required=False,
        help_text=_("From your confirmation e-mail, if your question is about an order."),
    )
    attachments = None  # set per instance: its help text names the current limits

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget = forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "maxlength": 40}
        )
        self.fields["order_code"].widget.attrs["autocomplete"] = "off"
        _service_messages(
            self,
            name="name_invalid",
            email="email_invalid",
            subject="subject_invalid",
            message="body_invalid",
        )


class ReplyForm(SupportForm):
    """The customer's message on a case in their account."""

    message = forms.CharField(
        label=_("Your message"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()
        _service_messages(self, message="body_invalid")
