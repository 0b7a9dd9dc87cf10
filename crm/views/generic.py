"""Generic pieces of every CRM snippet screen: choosers that check the model's permission,
save and delete messages worded for any model, and a delete that explains what still uses
the record instead of failing."""

from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.permissions import policy_registry
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
)
from wagtail.snippets.views.snippets import CreateView, DeleteView, EditView

# Choosing ------------------------------------------------------------------------------

# Wagtail's snippet choosers answer anyone who may enter the admin; ours answer only
# those who may see the model's listing too (a boarding crew member may enter the admin
# for the check-in menu, but must not read promo codes through a chooser).
CHOOSER_PERMISSIONS = ["add", "change", "delete", "view"]


class ModelPermissionChooserMixin:
    def dispatch(self, request, *args, **kwargs):
        policy = policy_registry.get_by_type(self.model_class)
        if not policy.user_has_any_permission(request.user, CHOOSER_PERMISSIONS):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)


class PermissionCheckedChooseView(ModelPermissionChooserMixin, ChooseView):
    pass


class PermissionCheckedChooseResultsView(ModelPermissionChooserMixin, ChooseResultsView):
    pass


class PermissionCheckedChosenView(ModelPermissionChooserMixin, SnippetChosenView):
    pass


class PermissionCheckedChosenMultipleView(ModelPermissionChooserMixin, SnippetChosenMultipleView):
    pass


class PermissionCheckedChooserViewSet(SnippetChooserViewSet):
    """A snippet chooser whose every URL checks the chosen model's permission; the
    "create" URL already checks "add"."""

    choose_view_class = PermissionCheckedChooseView
    choose_results_view_class = PermissionCheckedChooseResultsView
    chosen_view_class = PermissionCheckedChosenView
    chosen_multiple_view_class = PermissionCheckedChosenMultipleView


# Saving ------------------------------------------------------------------------------

# Wagtail's Russian messages are feminine for every model ("Рейс … обновлена"); ours are
# worded to agree with a model of any gender.
CREATED_MESSAGE = _("%(model_name)s “%(object)s” created.")
SAVED_MESSAGE = _("%(model_name)s “%(object)s” saved.")
DELETED_MESSAGE = _("%(model_name)s “%(object)s” deleted.")


def _saved_message(message, instance) -> str:
    return capfirst(message % {"model_name": instance._meta.verbose_name, "object": instance})


class BookingCreateView(CreateView):
    def get_success_message(self, instance=None):
        return _saved_message(CREATED_MESSAGE, instance or self.object)


class BookingEditView(EditView):
    def get_success_message(self, instance=None):
        return _saved_message(SAVED_MESSAGE, instance or self.object)


def use_booking_views(viewset) -> None:
    """Our chooser (with permission checks) and save messages for a snippet viewset."""
    if not issubclass(viewset.chooser_viewset_class, PermissionCheckedChooserViewSet):
        viewset.chooser_viewset_class = PermissionCheckedChooserViewSet
    if viewset.add_view_class is CreateView:
        viewset.add_view_class = BookingCreateView
    if viewset.edit_view_class is EditView:
        viewset.edit_view_class = BookingEditView


# Deleting -----------------------------------------------------------------------------


class ProtectedDeleteMixin:
    """Deleting a record that others still use (a pier with departures, a seat map whose
    seats were held or sold, a support queue with cases…) is refused with a message, not
    an error page."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError as error:
            used_by = sorted(
                {str(obj._meta.verbose_name_plural) for obj in error.protected_objects}
            )
            messages.error(
                self.request,
                _("“%(object)s” cannot be deleted because it is still used by: %(used_by)s.")
                % {"object": self.object, "used_by": ", ".join(used_by)},
            )
            return redirect(self.get_delete_url())


class BookingDeleteView(ProtectedDeleteMixin, DeleteView):
    def get_success_message(self):
        return _saved_message(DELETED_MESSAGE, self.object)
