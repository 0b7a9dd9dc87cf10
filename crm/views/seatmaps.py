"""The seat-map editor in the Wagtail admin: create/edit, live preview, import and export.
The views parse input and call `booking.services.seatmaps`; the rules live there."""

import copy
import json
from collections import Counter
from dataclasses import dataclass

from django.contrib.admin.utils import quote
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.log_actions import log
from wagtail.snippets.views.snippets import IndexView

from booking.models import Seat, SeatMap
from booking.services.errors import BookingError
from booking.services.seatmaps import (
    LayoutError,
    PlannedSeat,
    plan_seats,
    seat_map_apply,
    seat_map_default_guard,
    seat_map_import,
)
from crm.forms.seatmaps import LayoutImportForm, SeatLayoutEditor
from crm.views.generic import BookingCreateView, BookingEditView

SEAT_MAP_URLS = "wagtailsnippets_booking_seatmap"
SEAT_MAP_APPLY_ACTION = "booking.seat_map.apply"
# When the database refuses to drop a seat that `seat_map_apply` thought was free.
SEATS_IN_USE = _("Some seats this layout removes are still used by bookings; nothing was saved.")
# The database refused a second default seat map of the vessel (`seat_map_default_guard`).
DEFAULT_TAKEN = _(
    "“%(map)s” is already the default seat map of %(vessel)s. Untick this box, or untick it "
    "on that seat map first."
)


# Drawing a seat map ------------------------------------------------------------------

ORIGIN_X = 56  # room for row labels on the left
ORIGIN_Y = 44  # room for the first section's name
SEAT_RADIUS = 11
NO_ZONE_COLOUR = "#8d99ae"


def _text_colour(background: str) -> str:
    """Black or white, whichever reads better on the seat's fill."""
    try:
        r, g, b = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))
    except (ValueError, IndexError):
        return "#fff"
    return "#1d1d1d" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.6 else "#fff"


def _num(value: float) -> str:
    # Coordinates go into SVG attributes: never through the locale's number format.
    return f"{value:g}"


@dataclass
class SeatDrawing:
    width: str
    height: str
    seats: list[dict]
    sections: list[dict]
    rows: list[dict]
    zones: list[dict]
    kinds: list[dict]
    total: int
    for_sale: int


def seat_drawing(planned: list[PlannedSeat], zones: list[dict]) -> SeatDrawing | None:
    """What the SVG template needs to draw seats at their layout positions."""
    if not planned:
        return None
    zone_by_code = {
        str(z.get("code")): {
            "code": str(z.get("code")),
            "name": str(z.get("name", "")),
            "color": str(z.get("color") or NO_ZONE_COLOUR),
        }
        for z in zones
    }
    kind_labels = dict(Seat.Kind.choices)
    seats, rows, sections = [], {}, {}
    for seat in planned:
        zone = zone_by_code.get(seat.zone_code) if seat.zone_code else None
        fill = "#d5dae0" if seat.kind == Seat.Kind.BLOCKED else zone["color"] if zone else None
        fill = fill or NO_ZONE_COLOUR
        cx, cy = ORIGIN_X + seat.x, ORIGIN_Y + seat.y
        description = [
            str(
                _("%(section)s, row %(row)s, seat %(number)s")
                % {"section": seat.section, "row": seat.row, "number": seat.number}
            )
        ]
        if seat.kind != Seat.Kind.STANDARD:
            description.append(str(kind_labels.get(seat.kind, seat.kind)))
        if zone:
            description.append(zone["name"] or zone["code"])
        seats.append(
            {
                "section": seat.section,
                "key": f"{seat.row}-{seat.number}",
                "number": seat.number,
                "kind": seat.kind,
                "zone": seat.zone_code or "",
                "x": _num(cx),
                "y": _num(cy),
                "fill": fill,
                "text": "#1d1d1d" if seat.kind == Seat.Kind.BLOCKED else _text_colour(fill),
                "label": " · ".join(description),
            }
        )
        box = sections.setdefault(seat.section, {"name": seat.section, "x": cx, "y": cy})
        box["x"], box["y"] = min(box["x"], cx), min(box["y"], cy)
        rows.setdefault((seat.section, seat.row), {"label": seat.row, "y": cy, "x": cx})
        row = rows[(seat.section, seat.row)]
        row["x"] = min(row["x"], cx)
    max_x = max(ORIGIN_X + s.x for s in planned) + SEAT_RADIUS + 24
    max_y = max(ORIGIN_Y + s.y for s in planned) + SEAT_RADIUS + 16
    section_labels = [
        {"name": s["name"], "x": _num(s["x"] - SEAT_RADIUS), "y": _num(s["y"] - 24)}
        for s in sections.values()
    ]
    row_labels = [
        {"label": r["label"], "x": _num(r["x"] - SEAT_RADIUS - 8), "y": _num(r["y"])}
        for r in rows.values()
    ]
    by_zone = Counter(s.zone_code for s in planned if s.kind != Seat.Kind.BLOCKED)
    by_kind = Counter(s.kind for s in planned)
    zone_legend = [{**z, "count": by_zone.get(code, 0)} for code, z in zone_by_code.items()]
    if by_zone.get(None):
        zone_legend.append(
            {"code": "", "name": _("No zone"), "color": NO_ZONE_COLOUR, "count": by_zone[None]}
        )
    kind_legend = [
        {"kind": kind, "label": label, "count": by_kind.get(kind, 0)}
        for kind, label in Seat.Kind.choices
    ]
    return SeatDrawing(
        width=_num(max(max_x, 240)),
        height=_num(max_y),
        seats=seats,
        sections=section_labels,
        rows=row_labels,
        zones=zone_legend,
        kinds=kind_legend,
        total=len(planned),
        for_sale=len(planned) - by_kind.get(Seat.Kind.BLOCKED, 0),
    )


def saved_seat_drawing(seat_map: SeatMap) -> SeatDrawing | None:
    """The seats as they are in the database, which is what customers see."""
    seats = seat_map.seats.select_related("zone").order_by("pk")
    planned = [
        PlannedSeat(
            section=s.section,
            row=s.row,
            number=s.number,
            x=s.x,
            y=s.y,
            kind=s.kind,
            zone_code=s.zone.code if s.zone else None,
        )
        for s in seats
    ]
    zones = [{"code": z.code, "name": z.name, "color": z.color} for z in seat_map.zones.all()]
    return seat_drawing(planned, zones)


# Seat-map editor ---------------------------------------------------------------------


class SeatMapEditorMixin:
    """Create and edit a seat map: its own fields through the usual Wagtail form, the
    layout through `SeatLayoutEditor`; saving both is one transaction that ends with
    `seat_map_apply`, so a refused layout leaves nothing half-saved."""

    apply_counts = None

    @cached_property
    def layout_editor(self) -> SeatLayoutEditor:
        data = self.request.POST if self.request.method == "POST" else None
        return SeatLayoutEditor(data, layout=self.saved_layout)

    @cached_property
    def saved_layout(self):
        instance = getattr(self, "object", None)
        return copy.deepcopy(instance.layout) if instance is not None and instance.pk else None

    def is_valid(self, form):
        form_ok = form.is_valid()
        layout_ok = self.layout_editor.is_valid()
        if form_ok and layout_ok:
            return True
        self.produced_error_code = "validation_error"
        self.produced_error_message = self.get_error_message()
        return False

    def save_instance(self):
        instance = super().save_instance()
        layout = self.layout_editor.layout
        self.apply_counts = seat_map_apply(seat_map=instance, layout=layout)
        if layout != self.saved_layout:
            log(instance, SEAT_MAP_APPLY_ACTION, user=self.request.user, data=self.apply_counts)
        return instance

    def form_valid(self, form):
        self.form = form
        adding = form.instance._state.adding
        try:
            with seat_map_default_guard(vessel=form.instance.vessel), transaction.atomic():
                self.object = self.save_instance()
        except (LayoutError, ProtectedError, BookingError) as error:
            if adding:  # the insert was rolled back with everything else
                form.instance.pk = None
                form.instance._state.adding = True
            if isinstance(error, BookingError):  # "seat_map_default_taken"
                form.add_error("is_default", DEFAULT_TAKEN % error.params)
            else:
                self.layout_editor.add_errors(
                    error.messages if isinstance(error, LayoutError) else [SEATS_IN_USE]
                )
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response

    def counts_message(self) -> str:
        counts = self.apply_counts or {}
        return str(
            _("Seats: %(created)s added, %(updated)s kept, %(deleted)s removed.")
            % {
                "created": counts.get("created", 0),
                "updated": counts.get("updated", 0),
                "deleted": counts.get("deleted", 0),
            }
        )

    def get_drawing(self):
        editor = self.layout_editor
        if editor.planned is not None:
            return seat_drawing(editor.planned, editor.layout["zones"])
        instance = getattr(self, "object", None)
        if instance is not None and instance.pk:
            return saved_seat_drawing(instance)
        if editor.sections.is_bound:  # posted with errors: they are listed instead
            return None
        try:
            planned, zones = plan_seats(editor_initial_layout(editor))
        except LayoutError:
            return None
        return seat_drawing(planned, zones)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        instance = getattr(self, "object", None)
        context.update(
            editor=self.layout_editor,
            drawing=self.get_drawing(),
            preview_url=reverse(f"{SEAT_MAP_URLS}:layout_preview"),
            seat_kinds=Seat.Kind.choices,
            seats_without_layout=bool(
                instance is not None
                and instance.pk
                and not instance.layout
                and instance.seats.exists()
            ),
        )
        context["media"] += self.layout_editor.media
        return context


def editor_initial_layout(editor: SeatLayoutEditor) -> dict:
    """The layout an unbound editor shows, for the first server-drawn preview."""
    zones = [dict(form.initial) for form in editor.zones.forms]
    sections = []
    for form in editor.sections.forms:
        section = dict(form.initial)
        if not section.get("zone"):
            section.pop("zone", None)
        sections.append(section)
    return {"zones": zones, "sections": sections}


class SeatMapCreateView(SeatMapEditorMixin, BookingCreateView):
    def get_success_message(self, instance):
        return f"{super().get_success_message(instance)} {self.counts_message()}"

    def get_success_url(self):
        # Stay in the editor: the next step is usually marking seats.
        return self.get_edit_url()


class SeatMapEditView(SeatMapEditorMixin, BookingEditView):
    def get_success_message(self):
        return f"{super().get_success_message()} {self.counts_message()}"

    def get_success_url(self):
        return self.get_edit_url()

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        pk = quote(self.object.pk)
        buttons.append(
            Button(
                _("Export JSON"),
                url=reverse(f"{SEAT_MAP_URLS}:export", args=[pk]),
                icon_name="download",
                priority=40,
            )
        )
        buttons.append(
            Button(
                _("Import JSON"),
                url=reverse(f"{SEAT_MAP_URLS}:import_into", args=[pk]),
                icon_name="upload",
                priority=41,
            )
        )
        return buttons


class SeatMapIndexView(IndexView):
    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.user_has_permission("add"):
            buttons.append(
                HeaderButton(
                    _("Import JSON"),
                    url=reverse(f"{SEAT_MAP_URLS}:import"),
                    icon_name="upload",
                )
            )
        return buttons

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        buttons.append(
            Button(
                _("Export JSON"),
                url=reverse(f"{SEAT_MAP_URLS}:export", args=[quote(instance.pk)]),
                icon_name="download",
                priority=25,
            )
        )
        return buttons


class SeatMapLayoutPreviewView(PermissionCheckedMixin, View):
    """The editor's live preview: the posted editor form drawn by the server, so the
    preview shows exactly the seats `plan_seats` would make."""

    model = SeatMap
    any_permission_required = ["add", "change"]

    def post(self, request):
        editor = SeatLayoutEditor(request.POST)
        drawing = None
        if editor.is_valid():
            drawing = seat_drawing(editor.planned, editor.layout["zones"])
        html = render_to_string(
            "crm/admin/includes/seat_map_drawing.html",
            {"drawing": drawing, "errors": preview_errors(editor), "editable": True},
            request=request,
        )
        return HttpResponse(html)


def preview_errors(editor: SeatLayoutEditor) -> list[str]:
    """Every problem of a posted editor as one list, naming the section or zone."""
    errors = list(editor.all_errors)
    for label, formset in ((_("Section %(n)s"), editor.sections), (_("Zone %(n)s"), editor.zones)):
        for number, form in enumerate(formset.forms, start=1):
            if not form.is_bound or not form.errors:
                continue
            for field, field_errors in form.errors.items():
                if field == "seats":
                    continue
                name = form.fields[field].label if field in form.fields else ""
                for error in field_errors:
                    prefix = label % {"n": number}
                    errors.append(f"{prefix}: {name}: {error}" if name else f"{prefix}: {error}")
    return errors


class SeatMapExportView(PermissionCheckedMixin, View):
    model = SeatMap
    any_permission_required = ["change", "view"]

    def get(self, request, pk):
        seat_map = get_object_or_404(SeatMap.objects.select_related("vessel"), pk=pk)
        body = json.dumps(seat_map.layout or {}, ensure_ascii=False, indent=2) + "\n"
        slug = slugify(f"{seat_map.vessel} {seat_map.name}", allow_unicode=True)
        filename = f"seat-map-{seat_map.pk}{'-' + slug if slug else ''}.json"
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response


class SeatMapImportView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """A layout from a JSON file: into an existing seat map (replacing its layout) or as
    a new seat map."""

    model = SeatMap
    form_class = LayoutImportForm
    template_name = "crm/admin/seat_map_import.html"
    header_icon = "upload"

    def setup(self, request, *args, pk=None, **kwargs):
        super().setup(request, *args, pk=pk, **kwargs)
        self.seat_map = get_object_or_404(SeatMap, pk=pk) if pk is not None else None

    @property
    def permission_required(self):
        return "add" if self.seat_map is None else "change"

    def get_page_title(self):
        return _("Import a seat map")

    def get_page_subtitle(self):
        return str(self.seat_map) if self.seat_map else ""

    def get_breadcrumbs_items(self):
        items = [
            *self.breadcrumbs_items,
            {"url": reverse(f"{SEAT_MAP_URLS}:list"), "label": _("Seat maps")},
        ]
        if self.seat_map:
            items.append(
                {
                    "url": reverse(f"{SEAT_MAP_URLS}:edit", args=[quote(self.seat_map.pk)]),
                    "label": str(self.seat_map),
                }
            )
        items.append({"url": "", "label": _("Import JSON")})
        return items

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "seat_map": self.seat_map}

    def form_valid(self, form):
        data = form.cleaned_data
        user = self.request.user
        try:
            with transaction.atomic():
                seat_map, counts = seat_map_import(
                    layout=data["layout"],
                    seat_map=self.seat_map,
                    vessel=data.get("vessel"),
                    name=data.get("name", ""),
                    is_default=data.get("is_default", False),
                )
                if self.seat_map is None:
                    log(seat_map, "wagtail.create", user=user)
                log(seat_map, SEAT_MAP_APPLY_ACTION, user=user, data=counts)
        except LayoutError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        except BookingError as error:  # "seat_map_default_taken"
            form.add_error("is_default", error.message)
            return self.form_invalid(form)
        except ProtectedError:
            form.add_error(None, SEATS_IN_USE)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "Layout imported into “%(map)s”. Seats: %(created)s added, %(updated)s kept, "
                "%(deleted)s removed."
            )
            % {"map": seat_map, **counts},
        )
        return redirect(reverse(f"{SEAT_MAP_URLS}:edit", args=[quote(seat_map.pk)]))

    def form_invalid(self, form):
        messages.error(self.request, _("The layout could not be imported due to errors."))
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["seat_map"] = self.seat_map
        context["drawing"] = saved_seat_drawing(self.seat_map) if self.seat_map else None
        context["media"] = context["form"].media
        return context
