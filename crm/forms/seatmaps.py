"""Forms of the seat-map editor: a seat map's own fields plus one form per section and a
zones table that together describe the layout `plan_seats` understands, and layout import.
They parse and check input; the services do the work."""

import json
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from booking.models import (
    SeatMap,
    Vessel,
)
from booking.services.seatmaps import MAX_SEATS, LayoutError, plan_seats

SEAT_KINDS = ("standard", "wheelchair", "companion", "blocked")
MAX_SECTIONS = 30
MAX_ZONES = 20
MAX_LAYOUT_BYTES = 1024 * 1024
DEFAULT_ZONE_COLOUR = "#2f7ab8"


class NumberListField(forms.CharField):
    """“4, 8” → [4, 8]: seat or row numbers typed as a list."""

    default_error_messages = {
        "invalid": _("Enter whole numbers separated by commas, e.g. 4, 8."),
    }

    def __init__(self, *, max_items=100, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 400)
        self.max_items = max_items
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(n) for n in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return []
        parts = [p for p in re.split(r"[\s,;]+", text) if p]
        if not all(p.isdigit() for p in parts) or len(parts) > self.max_items:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return sorted({int(p) for p in parts})


class ColourInput(forms.TextInput):
    input_type = "color"


colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #rrggbb, e.g. #2f7ab8.")
)


class SeatOverridesField(forms.JSONField):
    """The per-seat marks of one section, {"<row>-<seat>": {"kind": …, "zone": …}}. The
    editor's preview writes it when a seat is clicked; it is hidden, so its errors are
    shown with the section."""

    widget = forms.HiddenInput
    default_error_messages = {
        "invalid": _("The seat marks of this section could not be read. Reload the page."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in (None, ""):
            return {}
        if not isinstance(value, dict) or len(value) > MAX_SEATS:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        cleaned = {}
        for key, override in value.items():
            if not isinstance(override, dict) or not re.fullmatch(r"[0-9A-Z]{1,4}-\d{1,3}", key):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            kind = override.get("kind", "standard")
            zone = override.get("zone")
            if kind not in SEAT_KINDS or not (zone is None or isinstance(zone, str)):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            mark = {}
            if kind != "standard":
                mark["kind"] = kind
            if zone:
                mark["zone"] = zone
            if mark:
                cleaned[key] = mark
        return cleaned


class SectionForm(forms.Form):
    name = forms.CharField(label=_("Section name"), max_length=60)
    rows = forms.IntegerField(label=_("Rows"), min_value=1, max_value=100, initial=5)
    seats_per_row = forms.IntegerField(
        label=_("Seats per row"), min_value=1, max_value=100, initial=10
    )
    aisles_after = NumberListField(
        label=_("Aisles after seat"),
        help_text=_("Seat numbers followed by an aisle, e.g. 4, 8"),
    )
    gaps_after_row = NumberListField(
        label=_("Gaps after row"),
        help_text=_("Counted from the front (1, 2, 3 …), also when rows have letters"),
    )
    row_labels = forms.ChoiceField(
        label=_("Row labels"),
        choices=[("numbers", _("1, 2, 3 …")), ("letters", _("A, B, C …"))],
        initial="numbers",
    )
    zone = forms.CharField(
        label=_("Price zone"),
        required=False,
        max_length=30,
        widget=forms.Select(),
        help_text=_("Seats of this section belong to this zone unless marked otherwise"),
    )
    seats = SeatOverridesField()

    def __init__(self, *args, zone_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].widget.choices = [("", _("No zone")), *zone_choices]
        # The preview script finds a section by these markers.
        self.fields["name"].widget.attrs["data-section-name"] = ""
        self.fields["seats"].widget.attrs["data-section-seats"] = ""
        self.fields["zone"].widget.attrs["data-zone-select"] = ""

    def clean(self):
        cleaned = super().clean()
        per_row, rows = cleaned.get("seats_per_row"), cleaned.get("rows")
        aisles, gaps = cleaned.get("aisles_after") or [], cleaned.get("gaps_after_row") or []
        if per_row and any(n >= per_row for n in aisles):
            self.add_error(
                "aisles_after",
                _("An aisle can follow seats 1 to %(last)s: the last seat has no aisle after it.")
                % {"last": per_row - 1},
            )
        if rows and any(n >= rows for n in gaps):
            self.add_error(
                "gaps_after_row",
                _("A gap can follow rows 1 to %(last)s: the last row has no gap after it.")
                % {"last": rows - 1},
            )
        return cleaned

    def to_layout(self) -> dict:
        data = self.cleaned_data
        section = {
            "name": data["name"].strip(),
            "rows": data["rows"],
            "seats_per_row": data["seats_per_row"],
            "aisles_after": data["aisles_after"],
            "gaps_after_row": data["gaps_after_row"],
            "row_labels": data["row_labels"],
        }
        if data["zone"]:
            section["zone"] = data["zone"]
        if data["seats"]:
            section["seats"] = data["seats"]
        return section


class ZoneForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=30,
        help_text=_("Latin letters, digits, “-” or “_”: used in price overrides and files"),
    )
    name = forms.CharField(label=_("Name (Russian)"), max_length=80)
    name_en = forms.CharField(label=_("Name (English)"), max_length=80, required=False)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=80, required=False)
    color = forms.CharField(
        label=_("Colour"),
        max_length=7,
        initial=DEFAULT_ZONE_COLOUR,
        validators=[colour_validator],
        widget=ColourInput(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["data-zone-code"] = ""
        self.fields["name"].widget.attrs["data-zone-name"] = ""
        self.fields["color"].widget.attrs["data-zone-color"] = ""

    def to_layout(self) -> dict:
        return {key: self.cleaned_data[key].strip() for key in self.base_fields}


class BaseSectionFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": _("Add at least one section."),
        "too_many_forms": _("A seat map can have at most %(num)d sections."),
    }

    def clean(self):
        names = [
            form.cleaned_data["name"].strip()
            for form in self.forms
            if form not in self.deleted_forms and form.cleaned_data.get("name")
        ]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValidationError(
                _("Every section needs its own name; used twice: %(names)s.")
                % {"names": ", ".join(duplicates)}
            )


class BaseZoneFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": _("A seat map can have at most %(num)d price zones."),
    }

    def clean(self):
        codes = [
            form.cleaned_data["code"]
            for form in self.forms
            if form not in self.deleted_forms and form.cleaned_data.get("code")
        ]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValidationError(
                _("Every zone needs its own code; used twice: %(codes)s.")
                % {"codes": ", ".join(duplicates)}
            )


SectionFormSet = forms.formset_factory(
    SectionForm,
    formset=BaseSectionFormSet,
    extra=0,
    can_delete=True,
    min_num=1,
    validate_min=True,
    max_num=MAX_SECTIONS,
    validate_max=True,
)
ZoneFormSet = forms.formset_factory(
    ZoneForm,
    formset=BaseZoneFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_ZONES,
    validate_max=True,
)


def default_layout() -> dict:
    return {
        "zones": [],
        "sections": [
            {
                "name": str(_("Main deck")),
                "rows": 5,
                "seats_per_row": 10,
                "aisles_after": [5],
                "gaps_after_row": [],
                "row_labels": "numbers",
            }
        ],
    }


def _filled_forms(formset) -> list:
    """The forms of a valid formset that say something: not removed, not left blank."""
    return [
        form for form in formset.forms if form not in formset.deleted_forms and form.cleaned_data
    ]


def _as_list(value) -> list:
    return value if isinstance(value, list) else []


class SeatLayoutEditor:
    """The sections and zones formsets of the seat-map editor. `is_valid()` checks them,
    builds the layout and runs it through `plan_seats`, so a layout that passes here is
    one `seat_map_apply` accepts (unless seats in use would have to go)."""

    def __init__(self, data=None, *, layout=None):
        if not isinstance(layout, dict) or not layout.get("sections"):
            layout = default_layout()
        zones = [z for z in _as_list(layout.get("zones")) if isinstance(z, dict)]
        sections = [s for s in _as_list(layout.get("sections")) if isinstance(s, dict)]
        zone_initial = [
            {
                "code": z.get("code", ""),
                "name": z.get("name", ""),
                "name_en": z.get("name_en", ""),
                "name_zh": z.get("name_zh", ""),
                "color": z.get("color") or DEFAULT_ZONE_COLOUR,
            }
            for z in zones
        ]
        section_initial = [
            {
                "name": s.get("name", ""),
                "rows": s.get("rows"),
                "seats_per_row": s.get("seats_per_row"),
                "aisles_after": _as_list(s.get("aisles_after")),
                "gaps_after_row": _as_list(s.get("gaps_after_row")),
                "row_labels": s.get("row_labels") or "numbers",
                "zone": s.get("zone") or "",
                "seats": s.get("seats") if isinstance(s.get("seats"), dict) else {},
            }
            for s in sections
        ]
        self.zones = ZoneFormSet(data, prefix="zones", initial=zone_initial)
        zone_choices = self._zone_choices(data, zone_initial)
        self.sections = SectionFormSet(
            data,
            prefix="sections",
            initial=section_initial,
            form_kwargs={"zone_choices": zone_choices},
        )
        self.errors: list[str] = []
        self.layout: dict | None = None
        self.planned = None

    def _zone_choices(self, data, zone_initial):
        """Zone codes offered to sections: the ones typed into the zones table."""
        if data is None:
            rows = [(z["code"], z["name"]) for z in zone_initial]
        else:
            try:
                total = min(int(data.get("zones-TOTAL_FORMS", 0)), MAX_ZONES + 5)
            except (TypeError, ValueError):
                total = 0
            rows = [
                (data.get(f"zones-{i}-code", "").strip(), data.get(f"zones-{i}-name", "").strip())
                for i in range(total)
                if not data.get(f"zones-{i}-DELETE")
            ]
        return [(code, f"{name} ({code})" if name else code) for code, name in rows if code]

    @property
    def media(self):
        return self.sections.media + self.zones.media

    def is_valid(self) -> bool:
        sections_ok = self.sections.is_valid()
        zones_ok = self.zones.is_valid()
        if not (sections_ok and zones_ok):
            return False
        zones = [form.to_layout() for form in _filled_forms(self.zones)]
        codes = {z["code"] for z in zones}
        sections = []
        for form in _filled_forms(self.sections):
            section = form.to_layout()
            if section.get("zone") and section["zone"] not in codes:
                form.add_error("zone", _("Zone “%(zone)s” is not in the zones table.") % section)
                return False
            # A mark can outlive its zone (the zone was removed from the table): the seat
            # then simply belongs to the section's zone again.
            for mark in section.get("seats", {}).values():
                if mark.get("zone") and mark["zone"] not in codes:
                    del mark["zone"]
            section["seats"] = {k: v for k, v in section.get("seats", {}).items() if v}
            if not section["seats"]:
                del section["seats"]
            sections.append(section)
        layout = {"zones": zones, "sections": sections}
        try:
            planned, _zones = plan_seats(layout)
        except LayoutError as error:
            self.errors = error.messages
            return False
        # Drop marks of seats that no longer exist (rows or seats were removed).
        existing = {(p.section, f"{p.row}-{p.number}") for p in planned}
        for section in sections:
            marks = section.get("seats")
            if marks:
                section["seats"] = {
                    k: v for k, v in marks.items() if (section["name"], k) in existing
                }
                if not section["seats"]:
                    del section["seats"]
        self.layout = layout
        self.planned = planned
        return True

    def add_errors(self, messages):
        self.errors = [*self.errors, *[str(m) for m in messages]]

    @property
    def all_errors(self) -> list[str]:
        """Every problem as text, for the top of the editor."""
        errors = [str(e) for e in self.sections.non_form_errors()]
        errors += [str(e) for e in self.zones.non_form_errors()]
        for form in self.sections.forms:
            errors += [str(e) for e in form.errors.get("seats", [])]
        return [*errors, *self.errors]


class SeatMapForm(WagtailAdminModelForm):
    """A seat map's own fields; the layout comes from `SeatLayoutEditor`."""

    def _get_validation_exclusions(self):
        # One default per vessel is the database's rule: saving meets it through
        # `seat_map_default_guard` and the editor shows a message an editor can act on,
        # instead of the constraint's generic one here.
        exclude = super()._get_validation_exclusions()
        exclude.add("is_default")
        return exclude


class LayoutImportForm(forms.Form):
    """A layout from a JSON file or pasted text; for a new seat map also its vessel and
    name. It only reads the JSON: `seat_map_import` validates the layout and saves."""

    file = forms.FileField(
        label=_("JSON file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    text = forms.CharField(
        label=_("… or paste the JSON here"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "bk-code"}),
    )

    def __init__(self, *args, seat_map: SeatMap | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.seat_map = seat_map
        if seat_map is None:
            self.fields = {
                "vessel": forms.ModelChoiceField(label=_("Vessel"), queryset=Vessel.objects.all()),
                "name": forms.CharField(label=_("Name"), max_length=120),
                "is_default": forms.BooleanField(
                    label=_("Default for the vessel"), required=False, initial=True
                ),
                **self.fields,
            }

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_LAYOUT_BYTES:
            raise ValidationError(_("The file is too large: a layout is at most 1 MB."))
        return upload

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), (cleaned.get("text") or "").strip()
        if "file" in self.errors or "text" in self.errors:
            return cleaned
        if upload and text:
            raise ValidationError(_("Upload a file or paste JSON, not both."))
        if upload:
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError(_("The file is not UTF-8 text.")) from None
        if not text:
            raise ValidationError(_("Upload a JSON file or paste its contents."))
        if len(text.encode()) > MAX_LAYOUT_BYTES:
            raise ValidationError(_("The layout is too large: at most 1 MB."))
        try:
            layout = json.loads(text)
        except ValueError as error:
            raise ValidationError(
                _("This is not valid JSON (line %(line)s, column %(column)s).")
                % {"line": getattr(error, "lineno", "?"), "column": getattr(error, "colno", "?")}
            ) from None
        cleaned["layout"] = layout
        return cleaned
