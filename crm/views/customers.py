"""The customer screen of the agent console: contacts, orders, tickets, total paid,
consents with their document versions, the support cases (`crm.views.support_phone`) and
the staff's notes. Each view is written to the
audit trail; an erased customer shows as anonymised. Its actions: add a note (whoever
may view the customer and write on orders), and, for those who may manage personal data,
a JSON export and the erasure (`accounts.privacy.services`)."""

import json
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic import HistoryView, InspectView, WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from accounts.errors import AccountError
from accounts.models import Customer, CustomerNote
from accounts.phones import phone_display
from accounts.privacy.selectors import consent_states
from accounts.privacy.services import (
    PrivacyError,
    erasure_blockers,
    personal_data_erase,
    personal_data_export,
)
from accounts.services.notes import customer_note_add
from booking.models import Order, Payment, Refund, Ticket
from crm.audit import personal_data_viewed
from crm.forms.customers import CustomerNoteForm, EraseForm, ExportForm
from crm.permissions import customer_policy, order_policy
from crm.views.orders import (
    PolicyObjectMixin,
    RoleRequiredMixin,
    ScreenHistoryMixin,
    forbidden,
    language_text,
)
from crm.views.support_phone import cases_panel

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))


def _sum_by_customer(queryset, customer_path: str):
    return Coalesce(
        Subquery(
            queryset.filter(**{customer_path: OuterRef("pk")})
            .order_by()
            .values(customer_path)
            .annotate(total=Sum("amount"))
            .values("total")[:1],
            output_field=DecimalField(max_digits=12, decimal_places=2),
        ),
        ZERO,
    )


def with_totals(queryset):
    """Customers with `orders_count` and `total_paid`: what they paid and kept, to the
    kopeck, in the query: succeeded payments minus succeeded refunds (a confirmed order's
    total less its refunds; a duplicate or late payment refunded in full counts zero)."""
    paid = _sum_by_customer(
        Payment.objects.filter(status=Payment.Status.SUCCEEDED), "order__customer"
    )
    refunded = _sum_by_customer(
        Refund.objects.filter(status=Refund.Status.SUCCEEDED), "payment__order__customer"
    )
    return queryset.annotate(orders_count=_orders_count(), total_paid=paid - refunded)


def _orders_count():
    return Coalesce(
        Subquery(
            Order.objects.filter(customer=OuterRef("pk"))
            .order_by()
            .values("customer")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


def customer_queryset(user):
    return with_totals(customer_policy.instances_user_has_permission_for(user, "view"))


class CustomerInspectView(RoleRequiredMixin, PolicyObjectMixin, InspectView):
    """The customer screen."""

    policy = customer_policy
    role_policy = customer_policy
    template_name = "crm/admin/customers/customer.html"
    any_permission_required = ["view"]
    page_title = gettext_lazy("Customer")

    def get_visible_queryset(self):
        return customer_queryset(self.request.user)

    def get_page_subtitle(self):
        if self.object.is_erased:
            return str(gettext_lazy("Anonymised customer #%(id)s") % {"id": self.object.pk})
        return self.object.name

    def get_fields(self):
        return []

    def get_edit_url(self):
        return None

    def get_delete_url(self):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = self.object
        user = self.request.user
        orders = list(
            order_policy.instances_user_has_permission_for(user, "view")
            .filter(customer=customer)
            .select_related("departure__product", "departure__venue")
            .order_by("-created_at")
        )
        context.update(
            customer=customer,
            customer_phone=phone_display(customer.phone),
            customer_language=language_text(customer.language),
            orders=[(order, reverse("crm_orders:inspect", args=[order.pk])) for order in orders],
            tickets_count=Ticket.objects.filter(order__customer=customer).count(),
            total_paid=customer.total_paid,
            consent_states=consent_states(customer),
            consents=list(customer.consents.order_by("-created_at", "-pk")),
            notes=list(
                CustomerNote.objects.filter(customer=customer)
                .select_related("author")
                .order_by("-created_at", "-pk")
            ),
            note_url=(
                reverse("crm_customers:note", args=[customer.pk])
                if may_write_notes(user, customer)
                else ""
            ),
            history_url=reverse("crm_customers:history", args=[customer.pk]),
            **cases_panel(user, customer=customer),
        )
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        personal_data_viewed(customer=self.object, user=request.user, screen="customer")
        return response

    @cached_property
    def header_buttons(self):
        customer = self.object
        if not may_manage_personal_data(self.request.user, customer) or customer.is_erased:
            return []
        return [
            HeaderButton(
                pgettext("action", "Export personal data"),
                url=reverse("crm_customers:export", args=[customer.pk]),
                icon_name="download",
            ),
            HeaderButton(
                pgettext("action", "Erase personal data"),
                url=reverse("crm_customers:erase", args=[customer.pk]),
                icon_name="bin",
            ),
        ]


class CustomerHistoryView(RoleRequiredMixin, ScreenHistoryMixin, HistoryView):
    role_policy = customer_policy
    any_permission_required = ["view"]

    def get_base_object_queryset(self):
        return customer_policy.instances_user_has_permission_for(self.request.user, "view")

    def get_page_subtitle(self):
        return f"#{self.object.pk}"

    def get_edit_url(self, instance):
        return reverse("crm_customers:inspect", args=[instance.pk])


# Actions on a customer -----------------------------------------------------------------


def may_write_notes(user, customer) -> bool:
    """Notes are written by whoever sees the customer and may change customers or orders
    (the agents: their notes on a customer are part of serving the customer's orders)."""
    return customer_policy.user_has_permission_for_instance(user, "view", customer) and (
        customer_policy.user_has_permission_for_instance(user, "change", customer)
        or order_policy.user_has_permission(user, "change")
    )


def may_manage_personal_data(user, customer) -> bool:
    return customer_policy.user_has_permission_for_instance(user, "manage_personal_data", customer)


class CustomerActionView(WagtailAdminTemplateMixin, FormView):
    """One action on one customer: refused (403) unless `allowed(user, customer)`,
    checked again on every request; a customer outside the user's records is a 404."""

    header_icon = "group"
    action_title = ""

    def allowed(self, user, customer) -> bool:
        raise NotImplementedError

    def dispatch(self, request, *args, pk, **kwargs):
        if not customer_policy.user_has_permission(request.user, "view"):
            return forbidden(request)
        try:
            self.customer = customer_policy.instances_user_has_permission_for(
                request.user, "view"
            ).get(pk=pk)
        except Customer.DoesNotExist:
            raise Http404 from None
        if not self.allowed(request.user, self.customer):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def customer_url(self) -> str:
        return reverse("crm_customers:inspect", args=[self.customer.pk])

    def get_page_title(self):
        return self.action_title

    def get_page_subtitle(self):
        return f"#{self.customer.pk}"

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": reverse("crm_customers:index"), "label": _("Customers")},
            {"url": self.customer_url, "label": f"#{self.customer.pk}"},
            {"url": "", "label": self.action_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            customer=self.customer, customer_url=self.customer_url, action_url=self.request.path
        )
        return context


class CustomerNoteView(CustomerActionView):
    form_class = CustomerNoteForm
    template_name = "crm/admin/customers/note.html"
    action_title = gettext_lazy("Add a note")

    def allowed(self, user, customer):
        return may_write_notes(user, customer)

    def form_valid(self, form):
        try:
            customer_note_add(
                customer=self.customer, user=self.request.user, text=form.cleaned_data["text"]
            )
        except AccountError as error:
            form.add_error("text", error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("The note has been added."))
        return redirect(self.customer_url)


class CustomerExportView(CustomerActionView):
    """A copy of everything we hold about the customer, as the customer's own download
    (JSON), made on a POST that says why (written to the audit trail)."""

    form_class = ExportForm
    template_name = "crm/admin/customers/export.html"
    action_title = gettext_lazy("Export personal data")

    def allowed(self, user, customer):
        return may_manage_personal_data(user, customer)

    def form_valid(self, form):
        if self.customer.is_erased:
            form.add_error(None, _("The personal data of this customer has already been erased."))
            return self.form_invalid(form)
        data = personal_data_export(
            customer=self.customer,
            requested_by=self.request.user,
            purpose=f"staff:{form.cleaned_data['purpose']}",
        )
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        filename = f"prichal-personal-data-customer-{self.customer.pk}-{timezone.localdate():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


class CustomerEraseView(CustomerActionView):
    """What would block the erasure; with nothing in the way, the confirmation (the
    customer's e-mail typed and a ticked box), then `personal_data_erase`."""

    form_class = EraseForm
    template_name = "crm/admin/customers/erase.html"
    action_title = gettext_lazy("Erase personal data")

    def allowed(self, user, customer):
        return may_manage_personal_data(user, customer)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["customer_email"] = self.customer.email
        return kwargs

    @cached_property
    def blockers(self) -> list[str]:
        if self.customer.is_erased:
            return []
        return erasure_blockers(customer=self.customer)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(blockers=self.blockers)
        return context

    def form_valid(self, form):
        if self.customer.is_erased:
            form.add_error(None, _("The personal data of this customer has already been erased."))
            return self.form_invalid(form)
        if self.blockers:
            form.add_error(None, _("The personal data cannot be erased yet."))
            return self.form_invalid(form)
        try:
            personal_data_erase(customer=self.customer, requested_by=self.request.user)
        except PrivacyError as error:
            for reason in error.reasons or [error.message]:
                form.add_error(None, reason)
            return self.form_invalid(form)
        messages.success(self.request, _("The customer's personal data has been erased."))
        return redirect(self.customer_url)
