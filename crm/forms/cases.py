"""Forms of the support case screens (`crm.views.cases`): they only parse what the agent
sends; the rules are the domain's (`support.services.cases`), whose coded errors the views
turn into messages and form errors."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from taggit.utils import edit_string_for_tags, parse_tags

from support.errors import MESSAGES as SUPPORT_MESSAGES
from support.errors import SupportError
from support.models import Case, CaseMessage, Macro, Queue
from support.services.attachments import AttachmentUpload
from support.services.cases import BODY_MAX, may_work_in

#: At most this many files with one reply (the service checks sizes and counts again).
REPLY_FILES_MAX = 5


def field_label(name: str):
    """A case field's name as a form label ("Priority"), from the model's own."""
    return capfirst(Case._meta.get_field(name).verbose_name)


def staff_for_cases():
    """Active staff who may change support cases at all (their role), by name."""
    User = get_user_model()
    may_change = Q(
        groups__permissions__codename="change_case",
        groups__permissions__content_type__app_label="support",
    ) | Q(
        user_permissions__codename="change_case",
        user_permissions__content_type__app_label="support",
    )
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | may_change)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def staff_label(user) -> str:
    return user.get_full_name() or user.get_username()


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return staff_label(obj)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        if len(files) > REPLY_FILES_MAX:
            raise forms.ValidationError(
                SupportError("too_many_attachments", max=REPLY_FILES_MAX).message
            )
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


def uploads_of(files) -> tuple[AttachmentUpload, ...]:
    return tuple(
        AttachmentUpload(
            filename=file.name, content=file.read(), content_type=file.content_type or ""
        )
        for file in files
    )


class ReplyForm(forms.Form):
    """A public reply: its text (or a macro's, filled in by "Use this macro"), files, and
    the status the case takes after it."""

    macro = forms.ModelChoiceField(
        label=_("Canned reply"),
        queryset=Macro.objects.all(),
        required=False,
        empty_label=_("— none —"),
        error_messages={"invalid_choice": _("Unknown canned reply.")},
    )
    body = forms.CharField(
        label=_("Reply to the customer"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=BODY_MAX,
        required=False,
    )
    files = MultipleFileField(label=_("Attach files"), required=False)
    status = forms.ChoiceField(
        label=_("Then set the status"),
        choices=Case.Status.choices,
        initial=Case.Status.WAITING_CUSTOMER,
        required=False,
        error_messages={"invalid_choice": SUPPORT_MESSAGES["status_invalid"]},
    )

    def clean(self):
        data = super().clean()
        if "status" not in self.errors and not data.get("status"):
            data["status"] = Case.Status.WAITING_CUSTOMER
        # "Use this macro" needs a macro, not a text; sending needs a text.
        if self.data.get("use_macro"):
            if not data.get("macro"):
                self.add_error("macro", _("Choose a canned reply to use."))
        elif not (data.get("body") or "").strip() and "body" not in self.errors:
            self.add_error("body", _("Please write the reply."))
        return data


class NoteForm(forms.Form):
    body = forms.CharField(
        label=CaseMessage.Kind.NOTE.label,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=BODY_MAX,
        error_messages={"required": _("Please write the note.")},
    )


class ChangeForm(forms.Form):
    """Status, priority, queue, assignee and tags. The assignee is one of the staff who
    may work in the case's queue (anyone else is refused as an unknown choice)."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=Case.Status.choices,
        error_messages={"invalid_choice": SUPPORT_MESSAGES["status_invalid"]},
    )
    priority = forms.TypedChoiceField(
        label=field_label("priority"),
        choices=Case.Priority.choices,
        coerce=int,
        error_messages={"invalid_choice": SUPPORT_MESSAGES["priority_invalid"]},
    )
    queue = forms.ModelChoiceField(
        label=field_label("queue"),
        queryset=Queue.objects.all(),
        empty_label=None,
        error_messages={"invalid_choice": SUPPORT_MESSAGES["queue_invalid"]},
    )
    assignee = StaffChoiceField(
        label=field_label("assignee"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("— nobody —"),
        error_messages={"invalid_choice": SUPPORT_MESSAGES["assignee_invalid"]},
    )
    tags = forms.CharField(
        label=field_label("tags"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas."),
    )

    def __init__(self, *args, case: Case, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "status": case.status,
                "priority": case.priority,
                "queue": case.queue_id,
                "assignee": case.assignee_id,
                "tags": edit_string_for_tags(list(case.tags.all())),
            },
        )
        super().__init__(*args, **kwargs)
        self.case = case
        allowed = [user.pk for user in staff_for_cases() if may_work_in(user, case.queue)]
        if case.assignee_id:
            allowed.append(case.assignee_id)  # kept as they are until changed
        self.fields["assignee"].queryset = staff_for_cases().filter(pk__in=allowed)

    def clean_tags(self):
        return parse_tags(self.cleaned_data.get("tags") or "")


class AssignForm(forms.Form):
    """The inbox's bulk assignment: the chosen cases to one staff member."""

    cases = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={
            "required": _("Choose at least one case."),
            "invalid_choice": _("A chosen case is not one of yours to assign."),
        },
    )
    assignee = StaffChoiceField(
        label=_("Assign to"),
        queryset=get_user_model().objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Choose whom to assign the cases to."),
            "invalid_choice": _("Choose whom to assign the cases to."),
        },
    )

    def __init__(self, *args, case_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(pk, pk) for pk in case_ids]
        self.fields["assignee"].queryset = staff_for_cases()
