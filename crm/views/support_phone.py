"""Support cases on the customer and order screens: the "Support cases" panel (the cases
of the customer or the order that the viewer may see, `crm.permissions.case_policy`, with
their SLA clock) and the "Open a case (phone call)" action, which takes down what the
caller said and opens a phone case through `support.services.cases.case_open` (audited
there, `support.case.open`, with the staff member who took the call).

The case's own screen is another view's (URL name `crm_cases:inspect`); until it exists,
references are shown without a link and an opened case leads back to the screen it was
opened from."""

from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from accounts.models import Customer
from accounts.phones import phone_e164
from booking.models import Order
from crm.forms.support import PhoneCaseForm
from crm.permissions import case_policy, customer_policy, order_policy
from crm.views.orders import forbidden
from support.errors import SupportError
from support.models import Case
from support.services.cases import CaseRequest, case_open
from support.services.sla import case_clock, desk_calendar

CASE_SCREEN_URL_NAME = "crm_cases:inspect"


def case_url(case: Case) -> str:
    """The case's screen, or "" while that screen does not exist."""
    try:
        return reverse(CASE_SCREEN_URL_NAME, kwargs={"pk": case.pk})
    except NoReverseMatch:
        return ""


def case_rows(user, cases) -> list[dict]:
    """The cases of `cases` the user may see, newest first, as the panel shows them."""
    visible = (
        case_policy.instances_user_has_permission_for(user, "view")
        .filter(pk__in=cases.values("pk"))
        .prefetch_related("pause_set")
        .order_by("-created_at", "-pk")
    )
    rows, calendars, now = [], {}, timezone.now()
    for case in visible:
        # One calendar (a few queries) per kind of clock, not per case.
        if case.is_active and case.all_day not in calendars:
            calendars[case.all_day] = desk_calendar(all_day=case.all_day, around=now)
        clock = case_clock(case, now=now, calendar=calendars.get(case.all_day))
        rows.append(
            {
                "case": case,
                "url": case_url(case),
                "status": case.get_status_display(),
                "priority": case.get_priority_display(),
                "clock": clock.text,
                "clock_state": clock.state,
                "clock_label": clock.label,
            }
        )
    return rows


def may_open_case(user) -> bool:
    return case_policy.user_has_permission(user, "add")


def cases_panel(user, *, customer: Customer | None = None, order: Order | None = None) -> dict:
    """The template context of the "Support cases" panel (empty: no panel)."""
    may_view = case_policy.user_has_permission(user, "view")
    may_open = may_open_case(user) and not (customer or order.customer).is_erased
    if not may_view and not may_open:
        return {}
    if order is not None:
        cases = Case.objects.filter(order=order)
        open_url = reverse("crm_phone_cases:order", args=[order.pk])
    else:
        cases = Case.objects.filter(customer=customer)
        open_url = reverse("crm_phone_cases:customer", args=[customer.pk])
    return {
        "support_cases": case_rows(user, cases) if may_view else [],
        "support_cases_shown": True,
        "support_case_open_url": open_url if may_open else "",
    }


class PhoneCaseOpenView(WagtailAdminTemplateMixin, FormView):
    """The form of a phone call: for whoever may add cases and sees the customer (or
    the order); a record outside the user's records is a 404, anything else refused a
    403."""

    form_class = PhoneCaseForm
    template_name = "crm/admin/support/phone_case.html"
    header_icon = "help"
    page_title = gettext_lazy("Open a case (phone call)")
    order = None

    def load(self, request, pk) -> Customer:
        raise NotImplementedError

    def dispatch(self, request, *args, pk, **kwargs):
        if not may_open_case(request.user):
            return forbidden(request)
        self.customer = self.load(request, pk)
        if self.customer.is_erased:
            messages.error(request, _("The personal data of this customer has been erased."))
            return redirect(self.back_url)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.order.code if self.order else self.customer.name

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            customer=self.customer,
            order=self.order,
            back_url=self.back_url,
            action_url=self.request.path,
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        customer = self.customer
        # A phone number the customer record holds in another form is left out rather
        # than refusing the case (the agent cannot correct it here).
        phone = (phone_e164(customer.phone) or "") if customer.phone else ""
        try:
            case = case_open(
                request=CaseRequest(
                    channel=Case.Channel.PHONE,
                    subject=data["subject"],
                    body=data["body"],
                    email=customer.email,
                    name=customer.name,
                    phone=phone,
                    language=customer.language,
                ),
                user=self.request.user,
                order=self.order,
                queue=data["queue"],
                priority=data["priority"],
            )
        except SupportError as error:
            field = {
                "subject_invalid": "subject",
                "body_invalid": "body",
                "priority_invalid": "priority",
                "queue_invalid": "queue",
            }.get(error.code)
            form.add_error(field, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Case %(reference)s opened.") % {"reference": case.reference}
        )
        url = case_url(case)
        if url and case_policy.user_has_permission_for_instance(self.request.user, "view", case):
            return redirect(url)
        return redirect(self.back_url)


class CustomerPhoneCaseView(PhoneCaseOpenView):
    def load(self, request, pk):
        try:
            return customer_policy.instances_user_has_permission_for(request.user, "view").get(
                pk=pk
            )
        except Customer.DoesNotExist:
            raise Http404 from None

    @cached_property
    def back_url(self):
        return reverse("crm_customers:inspect", args=[self.customer.pk])


class OrderPhoneCaseView(PhoneCaseOpenView):
    def load(self, request, pk):
        try:
            self.order = (
                order_policy.instances_user_has_permission_for(request.user, "view")
                .select_related("customer")
                .get(pk=pk)
            )
        except Order.DoesNotExist:
            raise Http404 from None
        return self.order.customer

    @cached_property
    def back_url(self):
        return reverse("crm_orders:inspect", args=[self.order.pk])


def phone_case_urls():
    return [
        path("customer/<int:pk>/", CustomerPhoneCaseView.as_view(), name="customer"),
        path("order/<int:pk>/", OrderPhoneCaseView.as_view(), name="order"),
    ]
