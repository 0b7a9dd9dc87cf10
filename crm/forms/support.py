"""Forms of the support desk's set-up editors (`crm.viewsets.support_setup`) and of the
"open a case (phone call)" action of the customer and order screens
(`crm.views.support_phone`)."""

import datetime
import re

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from support.models import Case, Queue

MIDNIGHT = datetime.time(0)

#: The placeholders a canned reply may use (`support.services.cases.macro_text`).
MACRO_PLACEHOLDERS = ("customer_name", "case_reference", "agent_name")
PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")


def weekday_name(weekday: int) -> str:
    """0 → "Monday" … 6 → "Sunday", in the staff member's language."""
    return str(WEEKDAYS.get(weekday, weekday))


def hours_check(form, opens, closes) -> None:
    """Both times or neither (closed); the desk opens before it closes, 00:00 as the
    closing time being midnight at the end of the day."""
    if (opens is None) != (closes is None):
        form.add_error(
            None,
            _("Give both the opening and the closing time, or leave both empty (closed)."),
        )
    elif opens is not None and closes != MIDNIGHT and opens >= closes:
        form.add_error(
            "closes",
            _("The desk must open before it closes (00:00 as the closing time means midnight)."),
        )


class QueueForm(WagtailAdminModelForm):
    def save(self, commit=True):
        queue = super().save(commit=commit)
        # One default queue: choosing a new one takes the mark off the old.
        if commit and queue.is_default:
            Queue.objects.exclude(pk=queue.pk).filter(is_default=True).update(is_default=False)
        return queue


class MacroForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        for name in ("body_ru", "body_en", "body_zh"):
            unknown = sorted(
                set(PLACEHOLDER.findall(cleaned.get(name) or "")) - set(MACRO_PLACEHOLDERS)
            )
            if unknown:
                self.add_error(
                    name,
                    _("Unknown placeholder: %(names)s. Use %(known)s.")
                    % {
                        "names": ", ".join(f"{{{key}}}" for key in unknown),
                        "known": ", ".join(f"{{{key}}}" for key in MACRO_PLACEHOLDERS),
                    },
                )
        return cleaned


class WorkingHoursForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "weekday" in self.fields:
            field = self.fields["weekday"]
            self.fields["weekday"] = forms.TypedChoiceField(
                label=field.label,
                choices=[(day, weekday_name(day)) for day in range(7)],
                coerce=int,
                help_text="",
            )

    def clean(self):
        cleaned = super().clean()
        hours_check(self, cleaned.get("opens"), cleaned.get("closes"))
        return cleaned


class CalendarOverrideForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        hours_check(self, cleaned.get("opens"), cleaned.get("closes"))
        return cleaned


# Opening a case from a phone call ---------------------------------------------------------


class PhoneCaseForm(forms.Form):
    """What the agent takes down during the call. Empty or wrong values are the
    service's refusals (translated, `support.errors`)."""

    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)
    body = forms.CharField(
        label=_("What the caller said"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=Case.Priority.choices,
        coerce=int,
        initial=Case.Priority.P3,
        error_messages={"invalid_choice": _("Unknown priority.")},
    )
    queue = forms.ModelChoiceField(
        label=_("Queue"),
        queryset=Queue.objects.order_by("name"),
        empty_label=None,
        error_messages={"invalid_choice": _("Unknown queue.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = Queue.objects.filter(is_default=True).first()
        if default is not None:
            self.fields["queue"].initial = default.pk
