"""Cancelling departures from the CRM (README, "Cancelling a departure"): step 1 the reason
(weather, technical, other with a note for the passengers), step 2 the dry run of
`departure_cancellation_preview` for every chosen departure and one confirmation, then
`departure_cancel`; the departure's cancellation screen shows the refund job's progress
(refunded n of N, failures with their reasons) and a Retry button for the failed orders.
Many departures at once: tick them in the departures listing and choose "Cancel
departures" (a snippet bulk action that leads here).

Who: the departure policy's "cancel" (`booking.cancel_departure`: administrators and
managers) on every chosen departure; the progress screen needs "view"."""

from django import forms
from django.contrib.admin.utils import quote
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from booking.models import CancelReason, Departure
from booking.services.cancellations import (
    CANCEL_TEXT_MAX,
    MAX_DEPARTURES,
    departure_cancel,
    departure_cancellation_preview,
    departure_cancellation_progress,
    departure_cancellation_retry,
)
from booking.services.errors import BookingError
from common.audit import unwrapped
from crm.permissions import departure_policy
from crm.views.departures import DEPARTURE_URLS, pier_time
from crm.views.orders import forbidden

CANCEL = "cancel"


class CancelForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=CancelReason.choices)
    text = forms.CharField(
        label=_("Note for the passengers"),
        required=False,
        max_length=CANCEL_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Added to the reason in the e-mail and SMS to every passenger. Required for “Other”."
        ),
    )

    def clean(self):
        data = super().clean()
        text = " ".join((data.get("text") or "").split())
        data["text"] = text
        if data.get("reason") == CancelReason.OTHER and not text:
            self.add_error("text", BookingError("cancel_text_required").message)
        return data


def _ids(values) -> list[int] | None:
    """The departure ids asked for, or None when one is not a number."""
    ids = []
    for value in values:
        value = str(value).strip()
        if not value.isdecimal() or len(value) > 18:
            return None
        if int(value) not in ids:
            ids.append(int(value))
    return ids


def progress_url(departure) -> str:
    return reverse("crm_cancel:progress", args=[departure.pk])


class DepartureCancelView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "crm/admin/cancel/start.html"
    header_icon = "warning"
    page_title = _("Cancel departures")

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not departure_policy.user_has_permission(user, CANCEL):
            return forbidden(request)
        source = request.POST if request.method == "POST" else request.GET
        self.ids = _ids(source.getlist("departures"))
        self.error = ""
        self.departures = []
        if self.ids is None or not self.ids:
            self.error = BookingError("no_departures").message
        elif len(self.ids) > MAX_DEPARTURES:
            self.error = BookingError("too_many_departures", limit=MAX_DEPARTURES).message
        else:
            found = (
                departure_policy.instances_user_has_permission_for(user, CANCEL)
                .select_related("product", "venue", "vessel")
                .in_bulk(self.ids)
            )
            if len(found) != len(self.ids):
                raise Http404
            self.departures = sorted(found.values(), key=lambda d: (d.starts_at, d.pk))
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{DEPARTURE_URLS}:list"), "label": _("Departures")},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, form=None, preview=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=form or CancelForm(),
            departures=self.departures,
            error=self.error,
            preview=preview,
            reason_label=(
                CancelReason(form.cleaned_data["reason"]).label
                if preview is not None and form is not None
                else ""
            ),
            action_url=reverse("crm_cancel:start"),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = CancelForm(request.POST)
        if self.error or not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=200)
        try:
            if request.POST.get("step") != "confirm":
                preview = departure_cancellation_preview(departures=self.departures)
                return self.render_to_response(self.get_context_data(form=form, preview=preview))
            cancelled = departure_cancel(
                departures=self.departures,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
                user=unwrapped(request.user),
            )
        except BookingError as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request,
            ngettext(
                "%(count)s departure cancelled: it is off sale and its paid orders are being "
                "refunded.",
                "%(count)s departures cancelled: they are off sale and their paid orders are "
                "being refunded.",
                len(cancelled),
            )
            % {"count": len(cancelled)},
        )
        if len(cancelled) == 1:
            return redirect(progress_url(cancelled[0]))
        return redirect(f"{reverse(f'{DEPARTURE_URLS}:list')}?status=cancelled")


class DepartureCancellationView(WagtailAdminTemplateMixin, TemplateView):
    """A departure's cancellation: the reason, who and when, and the refunds' progress."""

    template_name = "crm/admin/cancel/progress.html"
    header_icon = "warning"
    page_title = _("Cancellation")

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not departure_policy.user_has_permission(user, "view"):
            return forbidden(request)
        try:
            self.departure = (
                departure_policy.instances_user_has_permission_for(user, "view")
                .select_related("product", "venue", "vessel", "cancelled_by")
                .get(pk=kwargs["pk"])
            )
        except Departure.DoesNotExist:
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def can_cancel(self) -> bool:
        return departure_policy.user_has_permission_for_instance(
            self.request.user, CANCEL, self.departure
        )

    def get_page_subtitle(self):
        return str(self.departure)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{DEPARTURE_URLS}:list"), "label": _("Departures")},
            {
                "url": reverse(f"{DEPARTURE_URLS}:edit", args=[quote(self.departure.pk)]),
                "label": str(self.departure),
            },
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        departure = self.departure
        cancelled = departure.status == Departure.Status.CANCELLED
        context.update(
            departure=departure,
            departs_at=pier_time(departure, departure.starts_at),
            cancelled=cancelled,
            progress=departure_cancellation_progress(departure) if cancelled else None,
            can_cancel=self.can_cancel,
            cancel_url=f"{reverse('crm_cancel:start')}?{urlencode({'departures': departure.pk})}",
            retry_url=reverse("crm_cancel:retry", args=[departure.pk]),
            cancelled_at=departure.local(departure.cancelled_at)
            if departure.cancelled_at
            else None,
        )
        return context


class DepartureCancellationRetryView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        user = request.user
        if not departure_policy.user_has_permission(user, CANCEL):
            return forbidden(request)
        try:
            departure = departure_policy.instances_user_has_permission_for(user, CANCEL).get(pk=pk)
        except Departure.DoesNotExist:
            raise Http404 from None
        try:
            count = departure_cancellation_retry(departure=departure, user=unwrapped(user))
        except BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s failed refund queued again.",
                    "%(count)s failed refunds queued again.",
                    count,
                )
                % {"count": count},
            )
        return redirect(progress_url(departure))


class CancelDeparturesBulkAction(SnippetBulkAction):
    """ "Cancel departures" in the departures listing: the ticked departures go to the
    cancellation's first step (which checks the permission on each)."""

    display_name = _("Cancel departures")
    action_type = "cancel_departures"
    aria_label = _("Cancel the selected departures")
    models = [Departure]
    action_priority = 50

    def dispatch(self, request, *args, **kwargs):
        ids = [value for value in request.GET.getlist("id") if value != "all"]
        return redirect(f"{reverse('crm_cancel:start')}?{urlencode({'departures': ids}, True)}")


def cancel_urls():
    return [
        path("", DepartureCancelView.as_view(), name="start"),
        path("<int:pk>/", DepartureCancellationView.as_view(), name="progress"),
        path("<int:pk>/retry/", DepartureCancellationRetryView.as_view(), name="retry"),
    ]


def cancel_buttons(departure, user, policy) -> list:
    """The listing's "More" items for one departure (`crm.wagtail_hooks`)."""
    from wagtail.admin.widgets.button import Button

    if departure.status == Departure.Status.CANCELLED:
        if policy.user_has_permission_for_instance(user, "view", departure):
            return [Button(_("Cancellation"), url=progress_url(departure), icon_name="warning")]
        return []
    if departure.status == Departure.Status.SCHEDULED and policy.user_has_permission_for_instance(
        user, CANCEL, departure
    ):
        url = f"{reverse('crm_cancel:start')}?{urlencode({'departures': departure.pk})}"
        return [Button(_("Cancel the departure"), url=url, icon_name="warning", priority=90)]
    return []
