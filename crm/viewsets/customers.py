"""Customers in the CRM: a read-only listing with search (orders count and total paid
computed in the query) and the customer screen (`crm.views.customers`). No add, edit or
delete: personal data changes only through the privacy services (export, erasure), behind
the screen's action views."""

from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView

from accounts.models import Customer
from common.money import format_rub
from crm.permissions import customer_policy
from crm.views import customers as customer_views
from crm.views.orders import RoleRequiredMixin
from crm.viewsets.orders import RecordScreenViewSet


def customer_name(customer: Customer) -> str:
    if customer.is_erased:
        return str(_("Anonymised customer #%(id)s") % {"id": customer.pk})
    return customer.name


def _contact(field: str):
    def accessor(customer: Customer) -> str:
        return "" if customer.is_erased else getattr(customer, field)

    return accessor


class CustomerIndexView(RoleRequiredMixin, IndexView):
    template_name = "crm/admin/customers/index.html"
    any_permission_required = ["view"]
    role_policy = customer_policy

    def get_base_queryset(self):
        return customer_views.customer_queryset(self.request.user)

    def user_has_permission(self, permission):
        if permission in ("add", "delete", "change"):
            return False
        return super().user_has_permission(permission)


class CustomerViewSet(RecordScreenViewSet):
    model = Customer
    name = "crm_customers"
    url_prefix = "crm/customers"
    icon = "group"
    menu_label = _("Customers")
    index_view_class = CustomerIndexView
    inspect_view_class = customer_views.CustomerInspectView
    history_view_class = customer_views.CustomerHistoryView
    search_fields = ["name", "email", "phone"]
    search_backend_name = None
    list_per_page = 30
    ordering = ["-created_at"]
    list_display = [
        TitleColumn(
            "name",
            label=capfirst(pgettext_lazy("person", "name")),
            accessor=customer_name,
            sort_key="name",
            get_url=lambda customer: reverse("crm_customers:inspect", args=[customer.pk]),
        ),
        Column("email", label=capfirst(_("e-mail")), accessor=_contact("email"), sort_key="email"),
        Column("phone", label=capfirst(_("phone")), accessor=_contact("phone")),
        Column("orders_count", label=_("Orders"), sort_key="orders_count"),
        Column(
            "total_paid",
            label=_("Total paid"),
            accessor=lambda c: format_rub(c.total_paid),
            sort_key="total_paid",
        ),
        DateColumn("created_at", label=_("Created"), sort_key="created_at"),
    ]

    def action_urls(self):
        # Each checks the customer policy itself.
        return [
            path("note/<int:pk>/", customer_views.CustomerNoteView.as_view(), name="note"),
            path("export/<int:pk>/", customer_views.CustomerExportView.as_view(), name="export"),
            path("erase/<int:pk>/", customer_views.CustomerEraseView.as_view(), name="erase"),
        ]
