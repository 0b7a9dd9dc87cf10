"""Outbound webhooks in the CRM menu (README, "Outbound webhooks"): the subscriptions
(`WebhookSubscriptionViewSet`) and their delivery log (`WebhookDeliveryViewSet`), with
"Send a test event" on a subscription and "Resend" on a delivery. The rules are
`booking.services.webhooks`; these screens only call them.

Who may do what is the roles' model permissions (`crm.roles`): administrators and managers
manage subscriptions (and so see their secret, on the edit screen, and resend or test);
accountants read subscriptions (without the secret) and the log; nobody writes the log by
hand (`DeliveryLogPermissionPolicy`)."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, HelpPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import EditView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from booking.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from booking.services.webhooks import (
    delivery_resend,
    subscription_activate,
    subscription_test_event,
    webhook_events_check,
    webhook_url_check,
)
from common.audit import unwrapped

SUBSCRIPTIONS = "crm_webhook_subscriptions"
DELIVERIES = "crm_webhook_deliveries"
CHANGE_SUBSCRIPTION = "booking.change_webhooksubscription"


class WebhookSubscriptionForm(WagtailAdminModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "owner" in self.fields:
            self.fields["owner"].required = True
            self.fields["owner"].queryset = (
                get_user_model()
                .objects.filter(Q(is_superuser=True) | Q(groups__isnull=False), is_active=True)
                .distinct()
                .order_by("email")
            )

    def clean_url(self):
        url = self.cleaned_data["url"]
        webhook_url_check(url)
        return url

    def clean_events(self):
        return webhook_events_check(self.cleaned_data["events"])

    def save(self, commit=True):
        was_paused = (
            self.instance.pk is not None
            and "status" in self.changed_data
            and self.initial.get("status") == WebhookSubscription.Status.PAUSED
        )
        subscription = super().save(commit=commit)
        if commit and was_paused and subscription.status == WebhookSubscription.Status.ACTIVE:
            subscription_activate(subscription)
        return subscription


class SecretPanel(HelpPanel):
    """The signing secret, on the edit screen only (those who may change the subscription
    may see it; readers never do)."""

    class BoundPanel(HelpPanel.BoundPanel):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            secret = self.instance.secret if self.instance.pk else ""
            self.content = format_html(
                "<p>{}</p><p><code>{}</code></p>",
                _("The receiver checks the X-Prichal-Signature header with this secret."),
                secret or _("It is made when the subscription is saved."),
            )


class SubscriptionEditView(EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(
            Button(
                _("Send a test event"),
                url=reverse(f"{SUBSCRIPTIONS}:test", args=[self.object.pk]),
                icon_name="mail",
                priority=40,
            )
        )
        buttons.append(
            Button(
                _("Delivery log"),
                url=reverse(f"{DELIVERIES}:index") + f"?subscription={self.object.pk}",
                icon_name="list-ul",
                priority=41,
            )
        )
        return buttons


class ConfirmActionView(WagtailAdminTemplateMixin, TemplateView):
    """A confirmation page (GET) and the action (POST), for those who may change
    subscriptions."""

    template_name = "crm/webhooks/confirm.html"
    header_icon = "link-external"
    text = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_SUBSCRIPTION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.page_title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.get_object(self.kwargs["pk"])
        context["text"] = self.text
        context["back_url"] = self.back_url(context["object"])
        return context


class SubscriptionTestView(ConfirmActionView):
    page_title = _("Send a test event")
    text = _("A webhook.test event is sent to this subscription's URL now, signed like any other.")

    def get_object(self, pk):
        return get_object_or_404(WebhookSubscription, pk=pk)

    def back_url(self, subscription):
        return reverse(f"{SUBSCRIPTIONS}:edit", args=[subscription.pk])

    def post(self, request, pk):
        delivery = subscription_test_event(
            subscription=self.get_object(pk), user=unwrapped(request.user)
        )
        messages.success(
            request, _("The test event was queued; the delivery log shows its answer.")
        )
        return redirect(f"{DELIVERIES}:inspect", delivery.pk)


class DeliveryResendView(ConfirmActionView):
    page_title = _("Resend")
    text = _(
        "The event is sent again with the same event id (the receiver's idempotence key), "
        "as a new delivery with its own retries."
    )

    def get_object(self, pk):
        return get_object_or_404(WebhookDelivery.objects.select_related("subscription"), pk=pk)

    def back_url(self, delivery):
        return reverse(f"{DELIVERIES}:inspect", args=[delivery.pk])

    def post(self, request, pk):
        copy = delivery_resend(delivery=self.get_object(pk), user=unwrapped(request.user))
        messages.success(request, _("The event was queued again."))
        return redirect(f"{DELIVERIES}:inspect", copy.pk)


def _events_text(subscription) -> str:
    labels = dict(WebhookEvent.choices)
    return ", ".join(str(labels.get(event, event)) for event in subscription.events)


class WebhookSubscriptionViewSet(ModelViewSet):
    model = WebhookSubscription
    name = SUBSCRIPTIONS
    url_prefix = "crm/webhooks/subscriptions"
    icon = "link-external"
    menu_label = _("Webhook subscriptions")
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    edit_view_class = SubscriptionEditView
    # Never the secret: readers (accountants) open this screen.
    inspect_view_fields = ["name", "url", "events", "status", "owner", "failing_since", "paused_at"]
    list_display = [
        "name",
        "url",
        Column("events", label=_("Events"), accessor=_events_text),
        "status",
        "owner",
    ]
    list_filter = ["status"]
    search_fields = ["name", "url"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("url"),
            FieldPanel("events"),
            FieldPanel("status"),
            FieldPanel("owner"),
            SecretPanel(heading=_("Signing secret")),
        ],
        base_form_class=WebhookSubscriptionForm,
    )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/test/", SubscriptionTestView.as_view(), name="test"),
        ]


class DeliveryLogPermissionPolicy(ModelPermissionPolicy):
    """The log is written by the system: people may only read it."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(WebhookDelivery, DeliveryLogPermissionPolicy(WebhookDelivery))


class DeliveryInspectView(InspectView):
    template_name = "crm/webhooks/delivery_inspect.html"

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.request.user.has_perm(CHANGE_SUBSCRIPTION):
            buttons.append(
                Button(
                    _("Resend"),
                    url=reverse(f"{DELIVERIES}:resend", args=[self.object.pk]),
                    icon_name="rotate",
                    priority=40,
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attempts"] = self.object.attempt_set.order_by("at", "pk")
        return context


class WebhookDeliveryViewSet(ModelViewSet):
    model = WebhookDelivery
    name = DELIVERIES
    url_prefix = "crm/webhooks/deliveries"
    icon = "list-ul"
    menu_label = _("Webhook deliveries")
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = DeliveryInspectView
    inspect_view_fields = [
        "subscription",
        "event",
        "event_id",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "delivered_at",
        "body",
    ]
    form_fields = ["status"]  # no form is ever shown (no add or edit screens)
    list_display = [
        "event",
        "subscription",
        "event_id",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
    ]
    list_filter = ["subscription", "status", "event"]
    search_fields = []
    ordering = ["-created_at", "-pk"]

    def get_urlpatterns(self):
        # The log has no add, edit or delete screens.
        keep = {"index", "index_results", "inspect", "history"}
        return [
            *(pattern for pattern in super().get_urlpatterns() if pattern.name in keep),
            path("<int:pk>/resend/", DeliveryResendView.as_view(), name="resend"),
        ]
