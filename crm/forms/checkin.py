"""The form of undoing a boarding in the Wagtail admin."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CheckInUndoForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the boarding is undone; it is kept in the audit log."),
        error_messages={"required": _("Say why the boarding is undone.")},
    )
