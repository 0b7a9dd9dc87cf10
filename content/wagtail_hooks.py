from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from content.page_cache import mark_page


@hooks.register("before_serve_page")
def page_cache_mark(page, request, serve_args, serve_kwargs):
    """Marks a public page for the whole-page cache (content.page_cache)."""
    mark_page(page, request)


@hooks.register("register_admin_viewset")
def register_feature_flags():
    """Settings → Feature flags (content.flags)."""
    from content.flags import FlagViewSet

    return FlagViewSet()


@hooks.register("register_log_actions")
def register_flag_log_actions(actions):
    from wagtail.log_actions import LogFormatter

    from content.flags import FLAG_CHANGE_ACTION

    @actions.register_action(FLAG_CHANGE_ACTION)
    class FlagChangeFormatter(LogFormatter):
        label = _("Change a feature flag")

        def format_message(self, log_entry):
            try:
                return _("Feature flag %(name)s changed: %(before)s → %(after)s") % {
                    "name": log_entry.data["name"],
                    "before": _flag_text(log_entry.data["before"]),
                    "after": _flag_text(log_entry.data["after"]),
                }
            except (KeyError, TypeError):
                return _("Feature flag changed")


def _flag_text(settings: dict) -> str:
    everyone = settings.get("everyone")
    if everyone is True:
        return str(_("on for everyone"))
    if everyone is False:
        return str(_("off for everyone"))
    parts = [f"{settings['percent']}%"] if settings.get("percent") else []
    if settings.get("staff"):
        parts.append(str(_("staff")))
    return ", ".join(parts) or str(_("off for everyone"))
