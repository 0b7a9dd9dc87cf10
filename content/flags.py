"""The feature flags' admin screen (Settings → Feature flags) and what a change does.

django-waffle's Flag, edited as a Wagtail model: per flag on or off for everyone, or
decided per request (a percentage of visitors, staff only). Every edit is written to
Wagtail's audit log with the settings before and after; a change of a flag that alters
cached page HTML (common.flags.PAGE_FLAGS) purges the whole page cache once it commits."""

from decimal import Decimal

from django import forms
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from waffle.models import Flag
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views.generic import EditView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log

from common.flags import PAGE_FLAGS
from content.page_cache import purge_pages

FLAG_CHANGE_ACTION = "prichal.flag.change"
# What the audit log keeps of a flag, before and after a change.
AUDITED_FIELDS = ("everyone", "percent", "staff", "superusers", "authenticated", "testing")


def flag_settings(flag: Flag) -> dict:
    return {
        field: (None if flag.percent is None else str(flag.percent))
        if field == "percent"
        else getattr(flag, field)
        for field in AUDITED_FIELDS
    }


def flag_state_text(flag: Flag) -> str:
    """What the list shows: on, off, or how the flag decides per request."""
    if flag.everyone is True:
        return str(_("On for everyone"))
    if flag.everyone is False:
        return str(_("Off for everyone"))
    parts = []
    if flag.percent:
        parts.append(str(_("%(percent)s%% of visitors") % {"percent": flag.percent}))
    if flag.staff:
        parts.append(str(_("staff")))
    if flag.superusers:
        parts.append(str(_("superusers")))
    if flag.authenticated:
        parts.append(str(_("signed-in visitors")))
    return ", ".join(parts) if parts else str(_("Off for everyone"))


class EveryoneSelect(forms.NullBooleanSelect):
    """Django's yes/no/unknown select (it shows the flag's stored True/False as selected,
    which a plain Select with "true"/"false" choices did not: saving an untouched form
    turned an "on for everyone" flag into "decide per request"), with our labels."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [
            ("unknown", _("Decide per request (percentage, staff)")),
            ("true", _("On for everyone")),
            ("false", _("Off for everyone")),
        ]


class FlagForm(WagtailAdminModelForm):
    everyone = forms.NullBooleanField(
        label=_("Everyone"),
        required=False,
        widget=EveryoneSelect(),
        help_text=_("On or off for everyone overrides the other settings."),
    )
    percent = forms.DecimalField(
        label=_("Percentage of visitors"),
        required=False,
        min_value=0,
        max_value=Decimal("99.9"),
        decimal_places=1,
        help_text=_(
            "Share of visitors (0–99.9) who get the feature; each keeps their draw in a "
            "cookie. Cached public pages ignore it: there the flag is on only for everyone."
        ),
    )

    class Meta:
        model = Flag
        fields = ["name", "everyone", "percent", "staff", "superusers", "authenticated", "note"]
        labels = {
            "name": _("Name"),
            "staff": _("Staff"),
            "superusers": _("Superusers"),
            "authenticated": _("Signed-in visitors"),
            "note": _("Note"),
        }


class FlagEditView(EditView):
    """Saves the flag and writes one audit entry with its settings before and after."""

    def save_instance(self):
        before = flag_settings(Flag.objects.get(pk=self.object.pk))
        instance = self.form.save()
        after = flag_settings(Flag.objects.get(pk=instance.pk))
        log(
            instance=instance,
            action=FLAG_CHANGE_ACTION,
            user=self.request.user,
            data={"name": instance.name, "before": before, "after": after},
            content_changed=before != after,
        )
        return instance


class FlagViewSet(ModelViewSet):
    model = Flag
    name = "feature_flags"
    url_prefix = "feature-flags"
    icon = "tag"
    menu_label = _("Feature flags")
    add_to_settings_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    edit_view_class = FlagEditView
    list_display = [
        "name",
        Column("state", label=_("State"), accessor=flag_state_text),
        BooleanColumn("staff", label=_("Staff")),
        "note",
    ]
    search_fields = ["name", "note"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("everyone"),
            FieldPanel("percent"),
            FieldPanel("staff"),
            FieldPanel("superusers"),
            FieldPanel("authenticated"),
            FieldPanel("note"),
        ],
        base_form_class=FlagForm,
    )


@receiver(post_save, sender=Flag, dispatch_uid="content.flags.purge_on_save")
@receiver(post_delete, sender=Flag, dispatch_uid="content.flags.purge_on_delete")
def purge_pages_on_flag_change(sender, instance: Flag, **kwargs) -> None:
    """Cached pages were rendered with the flag's old setting (the cache key does not
    carry flags): a flag that changes page HTML stales every cached page."""
    if instance.name in PAGE_FLAGS:
        purge_pages((), site=True)
