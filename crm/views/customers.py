"""The customer screen of the agent console (read side): contacts, orders, tickets,
total paid, consents with their document versions and (round two) notes. Each view is
written to the audit trail; an erased customer shows as anonymised."""

from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy
from wagtail.admin.views.generic import HistoryView, InspectView

from accounts.privacy.selectors import consent_states
from booking.models import Order, Payment, Refund, Ticket
from crm.permissions import customer_policy, order_policy
from crm.views.orders import (
    PolicyObjectMixin,
    RoleRequiredMixin,
    ScreenHistoryMixin,
    personal_data_viewed,
)

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
            orders=[(order, reverse("crm_orders:inspect", args=[order.pk])) for order in orders],
            tickets_count=Ticket.objects.filter(order__customer=customer).count(),
            total_paid=customer.total_paid,
            consent_states=consent_states(customer),
            consents=list(customer.consents.order_by("-created_at", "-pk")),
            # Round two: the customer's notes (accounts.services.notes).
            notes=[],
            history_url=reverse("crm_customers:history", args=[customer.pk]),
        )
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        personal_data_viewed(customer=self.object, user=request.user, screen="customer")
        return response


class CustomerHistoryView(RoleRequiredMixin, ScreenHistoryMixin, HistoryView):
    role_policy = customer_policy
    any_permission_required = ["view"]

    def get_base_object_queryset(self):
        return customer_policy.instances_user_has_permission_for(self.request.user, "view")

    def get_page_subtitle(self):
        return f"#{self.object.pk}"

    def get_edit_url(self, instance):
        return reverse("crm_customers:inspect", args=[instance.pk])
