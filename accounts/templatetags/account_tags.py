"""The customer account's menu and messages (accounts/templates/accounts/)."""

from django import template
from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

register = template.Library()

# The account's menu, in order: (URL name, label, URL names that count as this item).
# "My data" is the personal-data pages (accounts.privacy: export, consents, erasure).
MENU = (
    (
        "account_orders",
        _("My orders"),
        ("account_orders", "account_order", "account_order_refund", "account_order_refund_confirm"),
    ),
    # Support cases (support.urls; a URL name, no import: support is a higher layer).
    ("support:account_cases", _("Support cases"), ("account_cases", "account_case")),
    ("account_profile", _("Profile"), ("account_profile",)),
    ("account_email", pgettext_lazy("address", "E-mail"), ("account_email",)),
    (
        "account_change_password",
        _("Password"),
        ("account_change_password", "account_set_password"),
    ),
    ("socialaccount_connections", _("VK ID and Yandex ID"), ("socialaccount_connections",)),
    (
        "account_privacy",
        _("My data"),
        ("account_privacy", "account_privacy_erase", "account_privacy_erase_confirm"),
    ),
)
# Messages tagged so belong to the booking pages (booking.templatetags.booking_tags).
BOOKING_TAG = "booking"


def _social_available(request) -> bool:
    from allauth.socialaccount.adapter import get_adapter

    return bool(get_adapter().list_providers(request))


@register.simple_tag(takes_context=True)
def account_menu(context) -> list[dict]:
    request = context.get("request")
    current = getattr(getattr(request, "resolver_match", None), "url_name", None)
    items = []
    for name, label, names in MENU:
        if name == "socialaccount_connections" and not _social_available(request):
            continue
        items.append({"url": reverse(name), "label": label, "current": current in names})
    return items


@register.simple_tag(takes_context=True)
def account_messages(context) -> list:
    """This visitor's messages but the booking pages' own (those are put back)."""
    request = context.get("request")
    if request is None or not hasattr(request, "_messages"):
        return []
    own, others = [], []
    for message in messages.get_messages(request):
        (others if BOOKING_TAG in message.tags.split() else own).append(message)
    for message in others:
        messages.add_message(request, message.level, message.message, message.extra_tags)
    return own


# The sign-in services by the names their owners give them (allauth says "VK", "Yandex").
PROVIDER_LABELS = {"vk": "VK ID", "yandex": _("Yandex ID")}


@register.filter
def provider_label(provider_id) -> str:
    """A social provider's name as shown on the site (by id, or a provider object)."""
    key = getattr(provider_id, "id", provider_id)
    label = PROVIDER_LABELS.get(key)
    if label is None:
        return getattr(provider_id, "name", str(provider_id))
    return str(label)
