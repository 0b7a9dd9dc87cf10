"""A departure's manifest for the staff: the screen, the printable PDF and the CSV/XLSX
exports (`booking.services.manifests.departure_manifest`).

Who: the office roles that may view the departure (`departure_policy` "view", limited by
their pier assignments) and the boarding crew who may board it ("board": their piers or
vessels). Anyone else gets a 403, a departure that does not exist a 404. Every view and
every file is written to the audit trail (`crm.audit.manifest_viewed`, with its format).

The PDF is the paper boarding list: A4, in Russian whatever the admin's language, times on
the pier's clock, a box to tick per passenger; WeasyPrint with the tickets' fonts (Noto
Sans / DejaVu Sans for Cyrillic, Noto Sans CJK for anything else). The exports use
Wagtail's spreadsheet writer (as the orders' export does), in the admin's language."""

import datetime
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import include, path, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from booking.models import Departure
from booking.services.manifests import BOARDED, REFUNDED, Manifest, departure_manifest
from crm.audit import manifest_viewed
from crm.permissions import BOARD, departure_policy, order_policy
from crm.views.orders import forbidden

MANIFEST_URL = "crm_manifests:manifest"
FILE_URL = "crm_manifests:file"
FILE_FORMATS = ("pdf", "csv", "xlsx")
PDF_TEMPLATE = "crm/manifests/manifest_pdf.html"


def manifest_departure(pk) -> Departure | None:
    return Departure.objects.select_related("product", "venue", "vessel").filter(pk=pk).first()


def may_read_manifest(user, departure: Departure) -> bool:
    """Office staff who may view the departure, or crew who may board it."""
    return departure_policy.user_has_permission_for_instance(
        user, "view", departure
    ) or departure_policy.user_has_permission_for_instance(user, BOARD, departure)


def manifest_urls(departure_id: int) -> dict[str, str]:
    return {
        "screen": reverse(MANIFEST_URL, args=[departure_id]),
        **{fmt: reverse(FILE_URL, args=[departure_id, fmt]) for fmt in FILE_FORMATS},
    }


def state_label(row) -> str:
    """A row's state in the active language."""
    if row.state == REFUNDED:
        return _("Refunded")
    if row.state == BOARDED:
        return _("Boarded at %(time)s") % {"time": row.boarded_time}
    return _("Expected")


def pier_when(manifest: Manifest) -> str:
    local = manifest.local_starts_at
    return f"{date_format(local, 'DATE_FORMAT')}, {local:%H:%M} ({manifest.time_zone})"


class ManifestAccessMixin:
    """Loads the departure (404 when there is none) and refuses (403) who may not read
    its manifest."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.departure = manifest_departure(kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        if self.departure is None:
            raise Http404
        if not may_read_manifest(request.user, self.departure):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


class DepartureManifestView(ManifestAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "crm/manifests/manifest.html"
    header_icon = "list-ul"
    page_title = gettext_lazy("Manifest")
    _show_breadcrumbs = True

    def get_page_subtitle(self):
        return str(self.departure)

    def get_breadcrumbs_items(self):
        # Not the departures' editor: the crew, who may see a manifest, may not edit.
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    @cached_property
    def manifest(self) -> Manifest:
        return departure_manifest(self.departure)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        can_view = departure_policy.user_has_permission_for_instance(user, "view", self.departure)
        can_board = departure_policy.user_has_permission_for_instance(user, BOARD, self.departure)
        context.update(
            departure=self.departure,
            manifest=self.manifest,
            rows=[(row, state_label(row)) for row in self.manifest.rows],
            when=pier_when(self.manifest),
            urls=manifest_urls(self.departure.pk),
            occupancy_url=(
                reverse("crm_inventory:departure", args=[self.departure.pk]) if can_view else ""
            ),
            checkin_url=(reverse("checkin:scanner", args=[self.departure.pk]) if can_board else ""),
            link_orders=can_view and order_policy.user_has_permission(user, "view"),
        )
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        manifest_viewed(
            departure=self.departure,
            user=request.user,
            format="screen",
            rows=len(self.manifest.rows),
        )
        return response


# Files ----------------------------------------------------------------------------------


def render_manifest_pdf(
    departure: Departure, *, printed_at: datetime.datetime
) -> tuple[bytes, int]:
    """The paper boarding list of `departure` in Russian, and how many rows it has."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    with translation.override("ru"):
        manifest = departure_manifest(departure)
        html = render_to_string(
            PDF_TEMPLATE,
            {
                "departure": departure,
                "manifest": manifest,
                "rows": [(row, state_label(row)) for row in manifest.rows],
                "when": pier_when(manifest),
                "printed_at": departure.local(printed_at).strftime("%d.%m.%Y %H:%M"),
            },
        )
    document = HTML(
        string=html,
        base_url=str(Path(settings.BASE_DIR)),
        # Nothing to fetch: the list is text only.
        url_fetcher=URLFetcher(allowed_protocols={"data"}),
    )
    return document.write_pdf(), len(manifest.rows)


class ManifestSpreadsheet(SpreadsheetExportMixin):
    """Wagtail's spreadsheet writer over the manifest's rows (not a queryset)."""

    list_export = [
        "name",
        "phone",
        "ticket_type",
        "child",
        "seat",
        "order_code",
        "state",
        "boarded_time",
    ]

    def __init__(self, departure: Departure):
        self.departure = departure
        self.export_headings = {
            "name": _("Name on the order"),
            "phone": _("Phone"),
            "ticket_type": _("Ticket type"),
            "child": _("Child"),
            "seat": _("Seat"),
            "order_code": _("Order code"),
            "state": _("State"),
            "boarded_time": _("Boarded at (pier time)"),
        }

    def get_filename(self):
        local = self.departure.local_starts_at
        return f"manifest-{local:%Y-%m-%d-%H%M}-{self.departure.pk}"

    def row_dict(self, row) -> dict:
        return {
            "name": row.name,
            "phone": row.phone,
            "ticket_type": row.ticket_type,
            "child": _("yes") if row.is_child else "",
            "seat": row.seat,
            "order_code": row.order_code,
            "state": state_label(row),
            "boarded_time": row.boarded_time,
        }

    def to_row_dict(self, item):
        # The rows are made before the response streams (in the request's language).
        return item

    def response(self, manifest: Manifest, fmt: str):
        return self.as_spreadsheet([self.row_dict(row) for row in manifest.rows], fmt)


class DepartureManifestFileView(ManifestAccessMixin, View):
    def get(self, request, *args, pk, fmt, **kwargs):
        if fmt not in FILE_FORMATS:
            raise Http404
        departure = self.departure
        if fmt == "pdf":
            content, rows = render_manifest_pdf(departure, printed_at=timezone.now())
            response = HttpResponse(content, content_type="application/pdf")
            local = departure.local_starts_at
            response["Content-Disposition"] = (
                f'inline; filename="manifest-{local:%Y-%m-%d-%H%M}-{departure.pk}.pdf"'
            )
        else:
            manifest = departure_manifest(departure)
            rows = len(manifest.rows)
            response = ManifestSpreadsheet(departure).response(manifest, fmt)
        manifest_viewed(departure=departure, user=request.user, format=fmt, rows=rows)
        return response


# `crm_manifests:manifest` and `crm_manifests:file`, under /admin/crm/departures/
# (`crm.wagtail_hooks`).
MANIFEST_URLS = include(
    (
        [
            path("<int:pk>/manifest/", DepartureManifestView.as_view(), name="manifest"),
            path("<int:pk>/manifest/<str:fmt>/", DepartureManifestFileView.as_view(), name="file"),
        ],
        "crm_manifests",
    ),
    namespace="crm_manifests",
)
