"""Sales screens: products with their ticket types, promo codes, service fees, receipt
settings and refund policies."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.snippets.views.snippets import SnippetViewSet

from booking.models import (
    Product,
    ProductTaxes,
    Promotion,
    RefundPolicy,
    ServiceFee,
)
from crm.viewsets.columns import YesNoColumn


class ProductViewSet(SnippetViewSet):
    model = Product
    icon = "tag"
    menu_label = _("Products")
    list_display = [
        "name",
        "kind",
        "venue",
        "seating_mode",
        YesNoColumn("is_active", label=_("Active")),
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "name_en", "name_zh", "code"]
    panels = [
        FieldPanel("kind"),
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("name_en"), FieldPanel("name_zh"), FieldPanel("code")],
            heading=_("Name"),
        ),
        FieldPanel("venue"),
        FieldPanel("duration_minutes"),
        FieldPanel("seating_mode"),
        FieldPanel("refund_policy"),
        FieldPanel("is_active"),
        InlinePanel("ticket_types", heading=_("Ticket types and prices"), label=_("ticket type")),
    ]


class ServiceFeeViewSet(SnippetViewSet):
    model = ServiceFee
    icon = "form"
    menu_label = _("Service fees")
    list_display = ["name", "per", "kind", "value", YesNoColumn("is_active", label=_("Active"))]
    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("name_en"), FieldPanel("name_zh")],
            heading=_("Name in the price breakdown"),
        ),
        FieldPanel("per"),
        FieldPanel("kind"),
        FieldPanel("value"),
        FieldPanel("products"),
        FieldPanel("is_active"),
    ]


class PromotionViewSet(SnippetViewSet):
    model = Promotion
    icon = "pick"
    menu_label = _("Promo codes")
    list_display = [
        "code",
        "name",
        "kind",
        "value",
        "valid_until",
        YesNoColumn("is_active", label=_("Active")),
    ]
    list_filter = ["is_active", "kind"]
    search_fields = ["code", "name"]
    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("value"),
        FieldPanel("min_order_amount"),
        MultiFieldPanel(
            [FieldPanel("valid_from"), FieldPanel("valid_until")], heading=_("Validity")
        ),
        MultiFieldPanel(
            [FieldPanel("max_uses"), FieldPanel("max_uses_per_customer")],
            heading=_("Usage limits"),
        ),
        MultiFieldPanel(
            [FieldPanel("products"), FieldPanel("ticket_types")], heading=_("Applies to")
        ),
        FieldPanel("is_active"),
    ]


class ProductTaxesViewSet(SnippetViewSet):
    model = ProductTaxes
    icon = "doc-full"
    menu_label = _("Receipt settings")
    list_display = ["product", "vat_code", "payment_subject", "payment_mode"]
    panels = [
        FieldPanel("product"),
        FieldPanel("vat_code"),
        FieldPanel("payment_subject"),
        FieldPanel("payment_mode"),
    ]


class RefundPolicyViewSet(SnippetViewSet):
    model = RefundPolicy
    icon = "rotate"
    menu_label = _("Refund policies")
    list_display = ["name", "window_hours", YesNoColumn("refunds_fees", label=_("Fees refunded"))]
    panels = [FieldPanel("name"), FieldPanel("window_hours"), FieldPanel("refunds_fees")]
