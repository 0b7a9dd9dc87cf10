"""The agent console's one search box: `/admin/crm/search/?q=…` → `booking.search`'s hits,
only those the user may see; one exact hit goes straight to the order screen. Also Wagtail's
sidebar search offers it ("Orders") on every admin screen.

Searching is not reading a record, but the results show names and e-mails: each search is
written to the audit trail with the query's length and the number of hits (never the
text, which is personal data itself)."""

import unicodedata

from django import forms
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.search import SearchArea
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from booking.search import MAX_QUERY_LENGTH, orders_search
from crm.audit import orders_searched
from crm.permissions import order_policy
from crm.views.orders import forbidden

MIN_QUERY_LENGTH = 2
KIND_LABELS = {
    "code": _("order code"),
    "ticket": _("ticket"),
    "email": _("e-mail"),
    "phone": _("phone"),
    "name": _("name"),
}


class OrderSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find an order"),
        min_length=MIN_QUERY_LENGTH,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "required": _("Type an order code, an e-mail, a phone, a name or a ticket code."),
            "min_length": _("Type at least %(limit_value)d characters."),
            "max_length": _("The search text is too long (at most %(limit_value)d characters)."),
        },
    )

    def clean_q(self):
        text = self.cleaned_data["q"]
        if any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in text):
            raise forms.ValidationError(
                _("The search text contains characters that cannot be searched."),
                code="control",
            )
        return text


def user_may_search(user) -> bool:
    return order_policy.user_has_permission(user, "view")


class OrderSearchArea(SearchArea):
    """ "Orders" in the sidebar search of every admin screen, for those who may see them."""

    def is_shown(self, request):
        return user_may_search(request.user)


class OrderSearchView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "crm/admin/search/results.html"
    page_title = _("Find an order")
    header_icon = "search"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get(self, request):
        if not user_may_search(request.user):
            return forbidden(request)
        raw = request.GET.get("q", "")
        # A NUL byte or a huge paste is refused by the form, never sent to the database.
        form = OrderSearchForm({"q": raw[: MAX_QUERY_LENGTH * 4]}) if "q" in request.GET else None
        rows = []
        if form is not None and form.is_valid():
            query = form.cleaned_data["q"]
            hits = orders_search(query, limit=50)
            visible = (
                order_policy.instances_user_has_permission_for(request.user, "view")
                .filter(pk__in=[hit.order.pk for hit in hits])
                .select_related("customer", "departure__product", "departure__venue")
            )
            orders = {order.pk: order for order in visible}
            rows = [
                {
                    "order": orders[hit.order.pk],
                    "kind": KIND_LABELS.get(hit.kind, hit.kind),
                    "exact": hit.exact,
                    "url": reverse("crm_orders:inspect", args=[hit.order.pk]),
                }
                for hit in hits
                if hit.order.pk in orders
            ]
            orders_searched(user=request.user, query_length=len(query), hits=len(rows))
            exact = [row for row in rows if row["exact"]]
            if len(exact) == 1:
                return redirect(exact[0]["url"])
        context = self.get_context_data(
            form=form,
            rows=rows,
            crm_search_query=raw if form is not None and form.is_valid() else "",
            searched=form is not None and form.is_valid(),
        )
        return self.render_to_response(context)
