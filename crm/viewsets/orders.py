"""Orders in the CRM: a read-only listing (filters, ordering, CSV/XLSX export written to the
audit trail) and the order screen (`crm.views.orders`). No add, edit or delete: orders
change only through the domain's verbs (refund, resend, cancel, note), each a small view
of `crm.views.orders`."""

import datetime

import django_filters
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.coreutils import multigetattr
from wagtail.log_actions import log
from wagtail.permissions import policy_registry

from booking.models import Order, Product, Venue
from common.audit import unwrapped
from common.money import format_rub
from crm.views import orders as order_views
from crm.views.orders import RoleRequiredMixin

ORDER_EXPORT_ACTION = "prichal.order.export"


class ScreenURLFinder(ModelAdminURLFinder):
    """Admin URLs of records that have a screen and no edit form: the screen, for whoever
    may view the record."""

    def get_edit_url(self, instance):
        policy = policy_registry.get(instance)
        if (
            self.user
            and policy
            and not policy.user_has_permission_for_instance(self.user, "view", instance)
        ):
            return None
        return self.construct_edit_url(instance)


class RecordScreenViewSet(ModelViewSet):
    """Records of money and people shown on a screen, never edited or deleted from one:
    a listing, the record's screen, its history and the actions a subclass lists in
    `action_urls()` (each action view checks the policy itself)."""

    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False

    @property
    def url_finder_class(self):
        """Links to a record (the history report's) lead to its screen, for whoever
        may view it."""
        return type(
            "_ScreenURLFinder", (ScreenURLFinder,), {"edit_url_name": self.get_url_name("inspect")}
        )

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        view_kwargs.update(add_url_name=None, edit_url_name=None, delete_url_name=None)
        return view_kwargs

    def action_urls(self) -> list:
        return []

    def get_urlpatterns(self):
        # No add, edit, delete, copy or usage screens.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            *self.action_urls(),
        ]


def departure_local(order: Order) -> str:
    """The departure on its pier's clock, e.g. "07.12.2030 21:00 MSK"."""
    return order_views.local_text(order.departure.local_starts_at)


class OrderFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Order.Status.choices)
    product = django_filters.ModelChoiceFilter(
        label=_("Product"), field_name="departure__product", queryset=Product.objects.all()
    )
    departure_date = django_filters.DateFromToRangeFilter(
        label=_("Departure date"), field_name="departure__starts_at", widget=DateRangePickerWidget
    )
    pier = django_filters.ModelChoiceFilter(
        label=_("Pier"), field_name="departure__venue", queryset=Venue.objects.all()
    )
    paid_at = django_filters.DateFromToRangeFilter(
        label=_("Paid date"), widget=DateRangePickerWidget
    )
    promo_code = django_filters.CharFilter(
        label=_("Promo code"), field_name="promotion__code", lookup_expr="iexact"
    )

    class Meta:
        model = Order
        fields = []


class OrderIndexView(RoleRequiredMixin, IndexView):
    template_name = "crm/admin/orders/index.html"
    any_permission_required = ["view"]

    def get_base_queryset(self):
        return order_views.order_queryset(self.request.user)

    def user_has_permission(self, permission):
        # Nothing is added or deleted here, whatever the role.
        if permission in ("add", "delete", "change"):
            return False
        return super().user_has_permission(permission)

    def export_filters(self) -> dict:
        """The filters of an export as the audit keeps them: the filter fields' values
        and whether a search narrowed it (never the search text: it may be a name)."""
        params = {}
        if self.filters is not None:
            for name in self.filters.filters:
                for key in self.request.GET:
                    if key == name or key.startswith(f"{name}_"):
                        params[key] = self.request.GET.get(key)[:100]
        params["search"] = bool(self.request.GET.get("q"))
        return params

    # Times in a spreadsheet on the site's clock (Wagtail writes them in UTC).
    custom_value_preprocess = {
        **IndexView.custom_value_preprocess,
        datetime.datetime: {
            IndexView.FORMAT_XLSX: lambda value: (
                timezone.make_naive(value) if timezone.is_aware(value) else value
            ),
            IndexView.FORMAT_CSV: lambda value: timezone.localtime(value).strftime(
                "%Y-%m-%d %H:%M"
            ),
        },
    }

    def to_row_dict(self, item):
        # The departure on the pier's clock as text: a spreadsheet would get an aware
        # datetime in UTC.
        computed = {
            "departure_local": departure_local,
            "promotion.code": lambda order: order.promotion.code if order.promotion else "",
        }
        return {
            field: computed[field](item) if field in computed else multigetattr(item, field)
            for field in self.list_export
        }

    def render_to_response(self, context, **response_kwargs):
        if self.is_export:
            queryset = context["object_list"]
            user = unwrapped(self.request.user)
            log(
                user,
                ORDER_EXPORT_ACTION,
                user=user,
                title="orders export",
                data={
                    "format": self.request.GET.get("export"),
                    "filters": self.export_filters(),
                    "rows": queryset.count(),
                },
            )
        return super().render_to_response(context, **response_kwargs)


class OrderViewSet(RecordScreenViewSet):
    model = Order
    name = "crm_orders"
    url_prefix = "crm/orders"
    icon = "list-ul"
    menu_label = _("Orders")
    index_view_class = OrderIndexView
    inspect_view_class = order_views.OrderInspectView
    history_view_class = order_views.OrderHistoryView
    search_fields = ["code", "name", "email", "phone"]
    search_backend_name = None
    filterset_class = OrderFilterSet
    list_per_page = 30
    list_display = [
        "code",
        DateColumn("created_at", label=_("Created"), sort_key="created_at"),
        Column("name", label=_("Customer"), sort_key="name"),
        Column("product", label=_("Product"), accessor="departure.product"),
        Column(
            "departure_local",
            label=_("Departs (pier time)"),
            accessor=departure_local,
            sort_key="departure__starts_at",
        ),
        StatusTagColumn(
            "get_status_display",
            label=_("Status"),
            sort_key="status",
            primary=lambda order: order.is_confirmed,
        ),
        Column("total", label=_("Total"), accessor=lambda o: format_rub(o.total), sort_key="total"),
        DateColumn("paid_at", label=_("Paid at"), sort_key="paid_at"),
    ]
    list_export = [
        "code",
        "created_at",
        "name",
        "departure.product",
        "departure_local",
        "get_status_display",
        "total",
        "paid_at",
        "promotion.code",
    ]
    export_headings = {
        "code": _("Order code"),
        "created_at": _("Created"),
        "name": _("Customer"),
        "departure.product": _("Product"),
        "departure_local": _("Departs (pier time)"),
        "get_status_display": _("Status"),
        "total": _("Total"),
        "paid_at": _("Paid at"),
        "promotion.code": _("Promo code"),
    }
    export_filename = "orders"
    ordering = ["-created_at"]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            list_export=self.list_export,
            export_headings=self.export_headings,
            **kwargs,
        )

    def action_urls(self):
        # The agent's actions (each checks the policy's "change" on the order).
        return [
            path("refund/<int:pk>/", order_views.OrderRefundView.as_view(), name="refund"),
            path("resend/<int:pk>/", order_views.OrderResendView.as_view(), name="resend"),
            path("cancel/<int:pk>/", order_views.OrderCancelView.as_view(), name="cancel"),
            path("note/<int:pk>/", order_views.OrderNoteView.as_view(), name="note"),
        ]
