"""Listing columns shared by the CRM's viewsets."""

from wagtail.admin.ui.tables import BooleanColumn


class YesNoColumn(BooleanColumn):
    """Wagtail's tick/cross, titled "yes"/"no" in the editor's language (Wagtail's own
    titles them "True"/"False")."""

    cell_template_name = "crm/admin/includes/yes_no_cell.html"
