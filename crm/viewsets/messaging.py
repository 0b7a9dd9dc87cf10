"""Message templates (confirmation, late-payment and refund e-mails and SMS) in the Wagtail
admin: marketers reword them per language; empty fields keep the defaults in code."""

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.snippets.views.snippets import SnippetViewSet

from booking.models.messaging import PLACEHOLDER_HELP, MessageTemplate


def _placeholders_help() -> str:
    rows = format_html_join(
        "",
        "<li><code>{{{}}}</code> — {}</li>",
        # Every placeholder of every kind; those of one kind only say which.
        ((name, help_text) for name, help_text in PLACEHOLDER_HELP.items()),
    )
    return format_html(
        "<p>{}</p><ul>{}</ul>",
        _(
            "Texts may use these placeholders, which are replaced by the order's values. "
            "Any other text in curly braces is refused."
        ),
        rows,
    )


class PlaceholdersHelpPanel(HelpPanel):
    """The list of placeholders, built when the form is shown (in the editor's
    language)."""

    class BoundPanel(HelpPanel.BoundPanel):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.content = _placeholders_help()


class MessageTemplateViewSet(SnippetViewSet):
    model = MessageTemplate
    icon = "mail"
    menu_label = _("Message templates")
    add_to_admin_menu = True
    menu_order = 210
    list_display = ["kind", "language", "email_subject", "updated_at"]
    list_filter = ["kind", "language"]
    search_fields = ["email_subject", "email_body", "sms_text"]
    panels = [
        MultiFieldPanel([FieldPanel("kind"), FieldPanel("language")], heading=_("Message")),
        PlaceholdersHelpPanel(heading=_("Placeholders")),
        MultiFieldPanel(
            [FieldPanel("email_subject"), FieldPanel("email_body")], heading=_("E-mail")
        ),
        FieldPanel("sms_text"),
    ]
