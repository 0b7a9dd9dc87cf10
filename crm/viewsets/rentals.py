"""The set-up of rentals by the hour: a rental plan (which product, which vessel, from
which pier, how long, how dear) with its bookable hours, hourly rates and extras edited
inline on the plan's screen.

Who may do what is Wagtail's model permission policy on the roles' permissions
(`crm.roles`): managers and administrators everything, agents read. The model's
`clean()` (a product of another kind, durations off the step, more guests than the vessel
takes, a season that ends before it starts) shows as form errors next to the fields.
Wagtail's generic views write every create, edit and delete to the audit trail. Saving a
plan brings its one ticket type up to date (`booking.services.rentals.rental_ticket_type`)."""

from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import SnippetViewSet

from booking.models import RentalPlan
from booking.services.rentals import rental_ticket_type
from crm.views.generic import BookingCreateView, BookingEditView


def _hours_text(minutes) -> str:
    hours, rest = divmod(int(minutes or 0), 60)
    return f"{hours}:{rest:02d}"


class RentalTicketTypeMixin:
    """After a plan is saved its one ticket type is brought up to date (made if missing;
    its "from" price follows the rates and the fixed part): the service's rule."""

    def save_instance(self):
        instance = super().save_instance()
        rental_ticket_type(instance)
        return instance


class RentalPlanCreateView(RentalTicketTypeMixin, BookingCreateView):
    pass


class RentalPlanEditView(RentalTicketTypeMixin, BookingEditView):
    pass


class RentalPlanViewSet(SnippetViewSet):
    model = RentalPlan
    add_view_class = RentalPlanCreateView
    edit_view_class = RentalPlanEditView
    icon = "time"
    menu_label = pgettext_lazy("rental plan", "Rental plans")
    list_display = [
        "product",
        "vessel",
        "venue",
        Column(
            "min_minutes",
            label=pgettext_lazy("rental plan", "shortest"),
            accessor=lambda p: _hours_text(p.min_minutes),
        ),
        Column(
            "max_minutes",
            label=pgettext_lazy("rental plan", "longest"),
            accessor=lambda p: _hours_text(p.max_minutes),
        ),
        "max_guests",
        "skipper",
    ]
    list_filter = ["vessel", "venue", "skipper"]
    search_fields = ["product__name", "product__name_en", "vessel__name"]
    panels = [
        MultiFieldPanel(
            [FieldPanel("product"), FieldPanel("vessel"), FieldPanel("venue")],
            heading=pgettext_lazy("rental plan", "What is rented, and from where"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("min_minutes"),
                        FieldPanel("max_minutes"),
                        FieldPanel("step_minutes"),
                    ]
                ),
                FieldRowPanel([FieldPanel("turnaround_minutes"), FieldPanel("notice_minutes")]),
                FieldPanel("horizon_days"),
            ],
            heading=pgettext_lazy("rental plan", "Durations and booking window"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("fixed_price"),
                FieldPanel("max_guests"),
                FieldRowPanel([FieldPanel("skipper"), FieldPanel("skipper_price_per_hour")]),
            ],
            heading=pgettext_lazy("rental plan", "Price, guests and skipper"),
        ),
        InlinePanel(
            "hours",
            heading=pgettext_lazy("rental plan", "Bookable hours"),
            label=pgettext_lazy("rental plan", "bookable hours"),
            min_num=1,
        ),
        InlinePanel(
            "rates",
            heading=pgettext_lazy("rental plan", "Hourly rates"),
            label=pgettext_lazy("rental plan", "hourly rate"),
            min_num=1,
        ),
        InlinePanel(
            "options",
            heading=pgettext_lazy("rental plan", "Extras"),
            label=pgettext_lazy("rental plan", "rental extra"),
        ),
    ]
