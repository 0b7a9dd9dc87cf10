"""The order screen of the agent console: the customer, the departure, the tickets with
their state, payments and refunds, consents, the messages sent, the notes and the
timeline, the support cases (`crm.views.support_phone`), each view of it written to the audit trail; and the agent's actions on the
order (refund tickets, send the confirmation again, cancel an unpaid order, add a note),
each a small form with a confirmation step that calls the domain's service. The listing
and its export live in `crm.viewsets.orders`."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import get_language_info, gettext_lazy, ngettext, pgettext
from django.utils.translation import gettext as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.views.generic import HistoryView, InspectView, WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button, HeaderButton

from accounts.phones import phone_display
from booking.models import Order, OrderNote, Refund, SentMessage, Ticket
from booking.services.backoffice import (
    order_cancel_unpaid,
    order_cancellable,
    order_confirmation_resend,
    order_note_add,
)
from booking.services.errors import BookingError
from booking.services.orders import normalise_email, normalise_phone
from booking.services.refunds import refund_quote, refund_request, refundable_tickets
from booking.timeline import order_timeline
from common.money import format_rub
from crm.audit import personal_data_viewed
from crm.forms.orders import CancelForm, NoteForm, RefundForm, ResendForm, add_domain_error
from crm.permissions import customer_policy, order_policy


def order_queryset(user):
    """The orders `user` may see, with what every order screen shows in one query."""
    return order_policy.instances_user_has_permission_for(user, "view").select_related(
        "customer",
        "promotion",
        "departure__product",
        "departure__venue",
        "departure__vessel",
    )


def local_text(moment) -> str:
    """A moment already on a pier's clock as text ("26.12.2030 21:30 +10"): templates
    would convert it back to the site's time zone."""
    return f"{date_format(moment, 'SHORT_DATE_FORMAT')} {moment:%H:%M} {moment.tzname()}"


def language_text(code: str) -> str:
    """A language code ("ru", "zh-hans") as the language's name in the staff member's
    language ("Russian" → "русский"); the code itself when Django does not know it."""
    if not code:
        return ""
    try:
        return capfirst(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def ticket_state(ticket: Ticket) -> str:
    """How an agent reads a ticket: valid, boarded at HH:MM (the pier's clock), refunded,
    cancelled, awaiting payment."""
    if ticket.status == Ticket.Status.VALID and ticket.checked_in_at:
        local = ticket.departure.local(ticket.checked_in_at)
        return _("boarded at %(time)s") % {"time": f"{local:%H:%M}"}
    return {
        Ticket.Status.VALID: _("valid"),
        Ticket.Status.REFUNDED: _("refunded"),
        Ticket.Status.CANCELLED: _("cancelled"),
        Ticket.Status.RESERVED: _("awaiting payment"),
    }.get(ticket.status, ticket.status)


# What each kind of timeline entry is called on the screen.
TIMELINE_KINDS = {
    "order": gettext_lazy("order"),
    "payment": gettext_lazy("payment"),
    "refund": gettext_lazy("refund"),
    "notification": gettext_lazy("YooKassa"),
    "message": gettext_lazy("message"),
    "consent": gettext_lazy("consent"),
    "note": gettext_lazy("note"),
    "check_in": gettext_lazy("boarding"),
    "audit": gettext_lazy("audit"),
}


class RoleRequiredMixin:
    """A screen for those whose role may `role_action` the policy's model: others get a
    plain 403 (Wagtail would turn PermissionDenied into a redirect to the dashboard), and
    nothing is loaded for them (no 404 that tells a hidden record from a missing one)."""

    role_policy = order_policy
    role_action = "view"

    def setup(self, request, *args, **kwargs):
        self.refused = not self.role_policy.user_has_permission(request.user, self.role_action)
        if not self.refused:
            try:
                super().setup(request, *args, **kwargs)
            except PermissionDenied:
                # A record the policy shows but refuses (`PolicyObjectMixin`).
                self.refused = True
        if self.refused:
            self.request, self.args, self.kwargs = request, args, kwargs

    def dispatch(self, request, *args, **kwargs):
        if self.refused:
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


def forbidden(request) -> HttpResponseForbidden:
    return HttpResponseForbidden(
        _("Sorry, you do not have permission to access this area."),
        content_type="text/plain; charset=utf-8",
    )


class PolicyObjectMixin:
    """One record through the policy: outside the user's records → 404, visible but not
    allowed → 403 (never Wagtail's redirect to the dashboard)."""

    policy = order_policy
    policy_action = "view"

    def get_visible_queryset(self):
        return order_queryset(self.request.user)

    def get_object(self, queryset=None):
        try:
            obj = self.get_visible_queryset().get(pk=self.kwargs[self.pk_url_kwarg])
        except (self.model.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
        if not self.policy.user_has_permission_for_instance(
            self.request.user, self.policy_action, obj
        ):
            raise PermissionDenied
        return obj


class OrderInspectView(RoleRequiredMixin, PolicyObjectMixin, InspectView):
    """The order screen."""

    template_name = "crm/admin/orders/order.html"
    any_permission_required = ["view"]
    page_title = capfirst(Order._meta.verbose_name)

    def get_fields(self):
        return []

    def get_edit_url(self):
        return None

    def get_delete_url(self):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        departure = order.departure
        tickets = list(order.tickets.select_related("ticket_type", "seat").order_by("pk"))
        for ticket in tickets:
            ticket.departure = departure  # the pier's clock without another query
        payments = list(order.payments.order_by("created_at", "pk"))
        refunds = list(
            Refund.objects.filter(payment__order=order)
            .select_related("payment")
            .prefetch_related("tickets")
            .order_by("created_at", "pk")
        )
        customer = order.customer
        can_see_customer = customer_policy.user_has_permission_for_instance(
            self.request.user, "view", customer
        )
        context.update(
            order=order,
            departure=departure,
            departure_local=local_text(departure.local_starts_at),
            tickets=[(ticket, ticket_state(ticket)) for ticket in tickets],
            payments=payments,
            refunds=refunds,
            consents=list(order.consents.order_by("created_at", "pk")),
            customer=customer,
            customer_phone=phone_display(order.phone),
            customer_language=language_text(order.language),
            customer_url=(
                reverse("crm_customers:inspect", args=[customer.pk]) if can_see_customer else ""
            ),
            timeline=[
                (entry, TIMELINE_KINDS.get(entry.kind, entry.kind))
                for entry in order_timeline(order)
            ],
            sent_messages=list(
                SentMessage.objects.filter(order=order)
                .select_related("sent_by")
                .order_by("-created_at", "-pk")
            ),
            notes=list(
                OrderNote.objects.filter(order=order)
                .select_related("author")
                .order_by("-created_at", "-pk")
            ),
            note_url=(reverse("crm_orders:note", args=[order.pk]) if self.may_change else ""),
            history_url=reverse("crm_orders:history", args=[order.pk]),
            **self.support_cases_panel(),
        )
        return context

    def support_cases_panel(self) -> dict:
        """The order's support cases and the "open a case (phone call)" action."""
        from crm.views.support_phone import cases_panel  # it imports this module

        return cases_panel(self.request.user, order=self.object)

    @cached_property
    def may_change(self) -> bool:
        return order_policy.user_has_permission_for_instance(
            self.request.user, "change", self.object
        )

    @cached_property
    def actions(self) -> list[Button]:
        """The agent's actions on this order, for whoever may change it, most used first."""
        if not self.may_change:
            return []
        order = self.object
        actions = []
        if order.is_confirmed:
            actions.append(
                Button(
                    _("Refund the tickets"),
                    priority=10,
                    url=reverse("crm_orders:refund", args=[order.pk]),
                    icon_name="rotate",
                )
            )
            actions.append(
                Button(
                    _("Send the confirmation again"),
                    priority=20,
                    url=reverse("crm_orders:resend", args=[order.pk]),
                    icon_name="mail",
                )
            )
        if order_cancellable(order):
            actions.append(
                Button(
                    _("Cancel the order"),
                    priority=30,
                    url=reverse("crm_orders:cancel", args=[order.pk]),
                    icon_name="cross",
                )
            )
        actions.append(
            Button(
                pgettext("action", "Add a note"),
                priority=40,
                url=reverse("crm_orders:note", args=[order.pk]),
                icon_name="edit",
            )
        )
        return actions

    @cached_property
    def header_buttons(self):
        """The first action as a button, the others in the "…" menu
        (`header_more_buttons`), so that the order's code in the header is never cut off.
        On a phone the first one goes into the menu too (`crm-wide-only`/`crm-narrow-only`
        in admin-booking.css)."""
        if not self.actions:
            return []
        first = self.actions[0]
        return [
            HeaderButton(
                first.label,
                url=first.url,
                icon_name=first.icon_name,
                priority=first.priority,
                classname="crm-wide-only",
            )
        ]

    @cached_property
    def header_more_buttons(self):
        if not self.actions:
            return []
        first = self.actions[0]
        return [
            Button(
                first.label,
                url=first.url,
                icon_name=first.icon_name,
                priority=first.priority,
                classname="crm-narrow-only",
            ),
            *self.actions[1:],
        ]

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        personal_data_viewed(
            customer=self.object.customer, user=request.user, screen="order", order=self.object
        )
        return response


class HistoryPaginator(WagtailPaginator):
    """The history's footer counts entries ("2 записи"), not "model log entries"."""

    @cached_property
    def items_count_label(self):
        return ngettext("%(count)s entry", "%(count)s entries", self.count) % {"count": self.count}


class ScreenHistoryMixin:
    """The history's header leads back to the record's screen (Wagtail's says "Edit"); its
    footer counts entries."""

    paginator_class = HistoryPaginator

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                label=capfirst(self.model._meta.verbose_name),
                url=self.get_edit_url(self.object),
                icon_name="info-circle",
            )
        ]


class OrderHistoryView(RoleRequiredMixin, ScreenHistoryMixin, HistoryView):
    """Wagtail's history of the order, for whoever may view the order (an accountant
    too: Wagtail's own asks for add/change/delete); other orders are 404."""

    any_permission_required = ["view"]

    def get_base_object_queryset(self):
        return order_queryset(self.request.user)

    def get_edit_url(self, instance):
        return reverse("crm_orders:inspect", args=[instance.pk])


# The agent's actions on an order ------------------------------------------------------


def kopecks_of(amount) -> int:
    return int(amount * 100)


class OrderActionView(WagtailAdminTemplateMixin, FormView):
    """One action on one order, for whoever may change it: others get a 403 (an order
    outside the user's records a 404), checked again on every request. The form is
    filled in, then confirmed (`step=confirm`, the same values validated again); only
    the confirmation calls the service, whose refusals become form errors."""

    template_name = "crm/admin/orders/action.html"
    header_icon = "list-ul"
    action_title = ""
    submit_label = gettext_lazy("Continue")
    confirm_label = gettext_lazy("Confirm")
    confirm_question = ""
    needs_confirmation = True

    def dispatch(self, request, *args, pk, **kwargs):
        if not order_policy.user_has_permission(request.user, "change"):
            return forbidden(request)
        try:
            self.order = order_queryset(request.user).get(pk=pk)
        except Order.DoesNotExist:
            raise Http404 from None
        if not order_policy.user_has_permission_for_instance(request.user, "change", self.order):
            return forbidden(request)
        if not self.order_allows():
            messages.error(request, self.refusal())
            return redirect(self.order_url)
        return super().dispatch(request, *args, **kwargs)

    def order_allows(self) -> bool:
        return True

    def refusal(self) -> str:
        return ""

    @cached_property
    def order_url(self) -> str:
        return reverse("crm_orders:inspect", args=[self.order.pk])

    @property
    def confirming(self) -> bool:
        return self.request.method == "POST" and self.request.POST.get("step") == "confirm"

    def get_page_title(self):
        return self.action_title

    def get_page_subtitle(self):
        return self.order.code

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {
                "url": reverse("crm_orders:index"),
                "label": capfirst(Order._meta.verbose_name_plural),
            },
            {"url": self.order_url, "label": self.order.code},
            # As Wagtail's edit views: the action, and which record it acts on.
            {"url": "", "label": self.action_title, "sublabel": self.order.code},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            order=self.order,
            order_url=self.order_url,
            order_phone=phone_display(self.order.phone),
            action_url=self.request.path,
            submit_label=self.submit_label,
            confirm_label=self.confirm_label,
            confirm_question=self.confirm_question,
            review=kwargs.get("review", False),
        )
        return context

    def review_rows(self, form) -> list[tuple[str, str]]:
        """What the confirmation page lists: (label, the chosen value as text)."""
        rows = []
        for field in form:
            if field.is_hidden:
                continue
            value = form.cleaned_data.get(field.name)
            choices = getattr(field.field, "choices", None)
            if choices:
                chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}
                text = "; ".join(str(label) for key, label in choices if str(key) in chosen)
            else:
                text = str(value or "")
            rows.append((str(field.label), text or "—"))
        return rows

    def review(self, form):
        """The confirmation page: what will be done, the values as hidden fields."""
        return self.render_to_response(
            self.get_context_data(form=form, review=True, review_rows=self.review_rows(form))
        )

    def form_valid(self, form):
        if self.needs_confirmation and not self.confirming:
            return self.review(form)
        try:
            response = self.perform(form)
        except BookingError as error:
            add_domain_error(form, error)
            return self.form_invalid(form)
        return response or redirect(self.order_url)

    def perform(self, form):
        raise NotImplementedError


def _ticket_label(ticket: Ticket) -> str:
    seat = f", {ticket.seat.short_label}" if ticket.seat_id else ""
    return f"#{ticket.pk} — {ticket.ticket_type}{seat}, {format_rub(ticket.paid_amount)}"


class OrderRefundView(OrderActionView):
    """Refund chosen tickets: the quote (per ticket, fees kept or refunded, the deadline on
    the pier's clock) or why not, then `refund_request` on confirmation. No override of
    the refund window exists."""

    form_class = RefundForm
    template_name = "crm/admin/orders/refund.html"
    action_title = gettext_lazy("Refund tickets")
    submit_label = gettext_lazy("Calculate the refund")
    confirm_label = gettext_lazy("Refund the tickets")

    def order_allows(self):
        return self.order.is_confirmed

    def refusal(self):
        return str(BookingError("order_not_refundable").message)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["tickets"] = [(t, _ticket_label(t)) for t in refundable_tickets(self.order)]
        return kwargs

    def review(self, form):
        tickets = form.cleaned_data["tickets"]
        quote = refund_quote(order=self.order, tickets=tickets)
        if not quote.allowed:
            form.add_error(None, quote.message)
            return self.form_invalid(form)
        departure = self.order.departure
        return self.render_to_response(
            self.get_context_data(
                form=form,
                review=True,
                quote=quote,
                quoted=kopecks_of(quote.amount),
                deadline_local=(
                    local_text(departure.local(quote.deadline)) if quote.deadline else ""
                ),
            )
        )

    def perform(self, form):
        tickets = form.cleaned_data["tickets"]
        quote = refund_quote(order=self.order, tickets=tickets)
        if not quote.allowed:
            form.add_error(None, quote.message)
            return self.form_invalid(form)
        if form.cleaned_data.get("quoted") != str(kopecks_of(quote.amount)):
            form.add_error(
                None,
                _("The refund has changed since it was calculated: check it and confirm again."),
            )
            return self.form_invalid(form)
        refund = refund_request(
            order=self.order,
            tickets=tickets,
            requested_by=self.request.user,
            reason=Refund.Reason.CUSTOMER,
        )
        messages.success(
            self.request,
            _("Refund #%(id)s of %(amount)s requested: the tickets are refunded.")
            % {"id": refund.pk, "amount": format_rub(refund.amount)},
        )
        return None


class OrderResendView(OrderActionView):
    """Send the confirmation again by e-mail and/or SMS, optionally to a corrected
    address or phone (`order_confirmation_resend`); the result per channel."""

    form_class = ResendForm
    template_name = "crm/admin/orders/action.html"
    action_title = gettext_lazy("Send the confirmation again")
    confirm_label = gettext_lazy("Send")
    confirm_question = gettext_lazy("Send the order's confirmation again?")

    def order_allows(self):
        return self.order.is_confirmed

    def refusal(self):
        return str(BookingError("order_not_confirmed").message)

    def review(self, form):
        """Also where each message will go: the corrected address or phone (checked as the
        service will check it), else the order's."""
        data = form.cleaned_data
        try:
            email = normalise_email(data["email"]) if data["email"].strip() else ""
            phone = normalise_phone(data["phone"]) if data["phone"].strip() else ""
        except BookingError as error:
            add_domain_error(form, error)
            return self.form_invalid(form)
        rows = self.review_rows(form)[:1]
        if SentMessage.Channel.EMAIL in data["channels"]:
            rows.append((_("The e-mail will go to"), email or self.order.email or "—"))
        if SentMessage.Channel.SMS in data["channels"]:
            rows.append((_("The SMS will go to"), phone_display(phone or self.order.phone) or "—"))
        return self.render_to_response(
            self.get_context_data(form=form, review=True, review_rows=rows)
        )

    def perform(self, form):
        data = form.cleaned_data
        result = order_confirmation_resend(
            order=self.order,
            channels=data["channels"],
            email=data["email"],
            phone=data["phone"],
            user=self.request.user,
        )
        for message in result.messages:
            values = {
                "channel": message.get_channel_display(),
                "recipient": message.recipient,
                "error": message.error,
            }
            if message.ok:
                messages.success(self.request, _("%(channel)s to %(recipient)s: sent.") % values)
            else:
                messages.error(
                    self.request,
                    _("%(channel)s to %(recipient)s: not sent (%(error)s).") % values,
                )
        return None


class OrderCancelView(OrderActionView):
    """Cancel an order that awaits payment (`order_cancel_unpaid`)."""

    form_class = CancelForm
    action_title = gettext_lazy("Cancel the order")
    confirm_label = gettext_lazy("Cancel the order")
    confirm_question = gettext_lazy(
        "Cancel this unpaid order? Its seats and places are put on sale again at once."
    )

    def order_allows(self):
        return order_cancellable(self.order)

    def refusal(self):
        return str(BookingError("order_not_cancellable").message)

    def perform(self, form):
        order_cancel_unpaid(
            order=self.order, user=self.request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(self.request, _("The order has been cancelled."))
        return None


class OrderNoteView(OrderActionView):
    """Add an internal note (`order_note_add`); the form is its own confirmation."""

    form_class = NoteForm
    action_title = gettext_lazy("Add a note")
    submit_label = gettext_lazy("Add the note")
    needs_confirmation = False

    def perform(self, form):
        order_note_add(order=self.order, user=self.request.user, text=form.cleaned_data["text"])
        messages.success(self.request, _("The note has been added."))
        return None
