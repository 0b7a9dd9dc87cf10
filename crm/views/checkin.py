"""Undoing a boarding in the Wagtail admin (the crew's own pages are `crm.checkin`)."""

from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from booking.models import Ticket
from booking.services.checkin import UNDO_PERMISSION, ticket_check_in_undo
from crm.forms.checkin import CheckInUndoForm
from crm.permissions import BOARD, departure_policy

# Undoing a boarding ------------------------------------------------------------------


class CheckInUndoView(WagtailAdminTemplateMixin, FormView):
    """An administrator undoes a ticket's boarding, with a reason, through
    `ticket_check_in_undo` (which checks the permission too and writes the audit log)."""

    form_class = CheckInUndoForm
    template_name = "crm/admin/check_in_undo.html"
    header_icon = "undo"

    def dispatch(self, request, *args, ticket_id, **kwargs):
        if not request.user.has_perm(UNDO_PERMISSION):
            return permission_denied(request)
        self.ticket = get_object_or_404(
            Ticket.objects.select_related(
                "order", "ticket_type", "departure__product", "departure__venue"
            ),
            pk=ticket_id,
        )
        # Only at a departure the user may board: a manager limited to other piers may not.
        if not departure_policy.user_has_permission_for_instance(
            request.user, BOARD, self.ticket.departure
        ):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Undo a boarding")

    def get_page_subtitle(self):
        return str(self.ticket)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        checked_in_at = self.ticket.checked_in_at
        local = self.ticket.departure.local(checked_in_at) if checked_in_at else None
        context.update(ticket=self.ticket, checked_in_local=local)
        return context

    def form_valid(self, form):
        result = ticket_check_in_undo(
            ticket_id=self.ticket.pk, user=self.request.user, reason=form.cleaned_data["reason"]
        )
        if not result.ok:
            form.add_error(None, result.message)
            return self.form_invalid(form)
        messages.success(self.request, result.message)
        return redirect("checkin:scanner", departure_id=self.ticket.departure_id)
