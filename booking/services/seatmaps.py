"""Seat maps: the editor describes a layout (sections × rows × seats with aisles, gaps,
seat kinds and price zones); `seat_map_apply` validates it and materialises it into
`Seat` rows. It refuses to drop a seat that is held or sold on any departure.

Rules every caller meets (the editor, an import, the demo data, a later API):
- a layout is valid by `plan_seats`, zone codes and colours included (a code is what a
  `PriceZone.code` slug can hold, a colour is #rrggbb), so a layout saved here is one the
  editor can open again;
- a vessel has at most one default seat map: a conditional unique constraint in the
  database; `seat_map_default_guard` turns its refusal into
  `BookingError("seat_map_default_taken")` naming the vessel's default;
- `seat_map_import` creates (or replaces the layout of) a seat map from a parsed layout
  in one transaction: the admin's import screen only reads the file and calls it."""

import contextlib
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models import Hold, PriceZone, Seat, SeatClaim, SeatMap, Vessel
from booking.services.errors import BookingError, violated_constraint

SEAT_PITCH = 30  # layout units between seat centres
SECTION_GAP = 50
MAX_SEATS = 2000
ROW_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I/O: they read as 1/0 on a ticket
ZONE_CODE_RE = re.compile(r"[-a-zA-Z0-9_]{1,30}")  # what PriceZone.code (a slug) holds
ZONE_COLOUR_RE = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_PER_VESSEL = "booking_seatmap_one_default_per_vessel"


class LayoutError(ValueError):
    """An invalid layout; `messages` are translated, one per problem."""

    def __init__(self, messages):
        self.messages = [str(m) for m in messages]
        super().__init__("; ".join(self.messages))


@dataclass(frozen=True)
class PlannedSeat:
    section: str
    row: str
    number: str
    x: float
    y: float
    kind: str
    zone_code: str | None


def _int(value, name, low, high, errors):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.append(
            _("%(name)s must be a whole number from %(low)s to %(high)s.")
            % {"name": name, "low": low, "high": high}
        )
        return low
    return value


def _int_list(value, name, high, errors):
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= high for v in value
    ):
        errors.append(
            _("%(name)s must be a list of numbers from 1 to %(high)s.")
            % {"name": name, "high": high}
        )
        return []
    return value


def row_label(index: int, style: str) -> str:
    if style == "letters":
        return ROW_LETTERS[index] if index < len(ROW_LETTERS) else f"{index + 1}"
    return str(index + 1)


def plan_seats(layout: dict) -> tuple[list[PlannedSeat], list[dict]]:
    """Validates a layout and returns the seats it describes and its zones."""
    errors = []
    if not isinstance(layout, dict):
        raise LayoutError([_("The layout must be a JSON object.")])
    zones = layout.get("zones") or []
    if not isinstance(zones, list):
        raise LayoutError([_("“zones” must be a list.")])
    zone_codes = set()
    for zone in zones:
        if (
            not isinstance(zone, dict)
            or not str(zone.get("code", "")).strip()
            or not str(zone.get("name", "")).strip()
        ):
            errors.append(_("Every zone needs a code and a name."))
            continue
        code, colour = str(zone["code"]), zone.get("color")
        if not ZONE_CODE_RE.fullmatch(code):
            errors.append(
                _("Zone code “%(code)s”: use up to 30 Latin letters, digits, “-” or “_”.")
                % {"code": code}
            )
        if colour not in (None, "") and not ZONE_COLOUR_RE.fullmatch(str(colour)):
            errors.append(_("Zone “%(code)s”: the colour must look like #2f7ab8.") % {"code": code})
        zone_codes.add(code)
    sections = layout.get("sections")
    if not isinstance(sections, list) or not sections:
        raise LayoutError([*errors, _("Add at least one section.")])
    seats: list[PlannedSeat] = []
    y_offset = 0.0
    names = set()
    for number, section in enumerate(sections, start=1):
        if not isinstance(section, dict):
            errors.append(_("Section %(n)s is not an object.") % {"n": number})
            continue
        name = str(section.get("name", "")).strip()[:60]
        if not name:
            errors.append(_("Section %(n)s needs a name.") % {"n": number})
        if name in names:
            errors.append(_("Two sections are called “%(name)s”.") % {"name": name})
        names.add(name)
        rows = _int(section.get("rows"), _("Rows"), 1, 100, errors)
        per_row = _int(section.get("seats_per_row"), _("Seats per row"), 1, 100, errors)
        aisles = set(
            _int_list(section.get("aisles_after"), _("Aisles after seat"), per_row, errors)
        )
        gaps = set(_int_list(section.get("gaps_after_row"), _("Gaps after row"), rows, errors))
        style = section.get("row_labels", "numbers")
        if style not in ("numbers", "letters"):
            errors.append(_("Row labels are either “numbers” or “letters”."))
        zone = section.get("zone") or None
        if zone is not None and zone not in zone_codes:
            errors.append(_("Unknown zone “%(zone)s”.") % {"zone": zone})
        overrides = section.get("seats") or {}
        if not isinstance(overrides, dict):
            errors.append(_("“seats” of a section must map “row-seat” to settings."))
            overrides = {}
        for key, override in overrides.items():
            if not isinstance(override, dict):
                errors.append(_("Seat %(key)s: settings must be an object.") % {"key": key})
                continue
            if override.get("kind", Seat.Kind.STANDARD) not in Seat.Kind.values:
                errors.append(_("Seat %(key)s: unknown kind.") % {"key": key})
            if override.get("zone") not in (None, *zone_codes):
                errors.append(_("Seat %(key)s: unknown zone.") % {"key": key})
        y = y_offset
        for row_index in range(rows):
            label = row_label(row_index, style)
            aisle_shift = 0
            for seat_index in range(per_row):
                seat_number = str(seat_index + 1)
                override = overrides.get(f"{label}-{seat_number}") or {}
                if not isinstance(override, dict):
                    override = {}
                seats.append(
                    PlannedSeat(
                        section=name,
                        row=label,
                        number=seat_number,
                        x=(seat_index + aisle_shift) * SEAT_PITCH,
                        y=y,
                        kind=override.get("kind", Seat.Kind.STANDARD),
                        zone_code=override.get("zone", zone),
                    )
                )
                if seat_index + 1 in aisles:
                    aisle_shift += 1
            y += SEAT_PITCH * (2 if row_index + 1 in gaps else 1)
        y_offset = y + SECTION_GAP
        if len(seats) > MAX_SEATS:
            errors.append(_("A seat map can have at most %(max)s seats.") % {"max": MAX_SEATS})
            break
    if errors:
        raise LayoutError(errors)
    return seats, zones


def seat_map_apply(*, seat_map: SeatMap, layout: dict) -> dict:
    """Saves the layout and brings the seat rows in line with it. Seats that the layout
    no longer has are deleted unless they are held or sold; then nothing changes."""
    planned, zones = plan_seats(layout)
    now = timezone.now()
    with transaction.atomic():
        SeatMap.objects.select_for_update().filter(pk=seat_map.pk).values_list("pk").get()
        existing = {(s.section, s.row, s.number): s for s in seat_map.seats.all()}
        wanted = {(p.section, p.row, p.number) for p in planned}
        dropped = [seat for key, seat in existing.items() if key not in wanted]
        in_use = (
            SeatClaim.objects.filter(seat__in=dropped)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .select_related("seat")
        )
        busy = sorted({f"{c.seat.section} {c.seat.row}-{c.seat.number}" for c in in_use})
        if busy:
            raise LayoutError(
                [
                    _("These seats are held or sold and cannot be removed: %(seats)s.")
                    % {"seats": ", ".join(busy[:20])}
                ]
            )
        zone_by_code = {}
        for zone in zones:
            zone_by_code[str(zone["code"])], _created = PriceZone.objects.update_or_create(
                seat_map=seat_map,
                code=str(zone["code"])[:30],
                defaults={
                    "name": str(zone["name"])[:80],
                    "name_en": str(zone.get("name_en", ""))[:80],
                    "name_zh": str(zone.get("name_zh", ""))[:80],
                    "color": str(zone.get("color") or "#2f7ab8")[:7],
                },
            )
        # Seats without claims of any kind can go; a seat with only expired holds too (the
        # expired holds go with it: nobody counts them any more).
        Hold.objects.filter(lines__seat__in=dropped, expires_at__lte=now).delete()
        SeatClaim.objects.filter(seat__in=dropped).delete()
        Seat.objects.filter(pk__in=[s.pk for s in dropped]).delete()
        to_create, to_update = [], []
        for plan in planned:
            zone = zone_by_code.get(plan.zone_code) if plan.zone_code else None
            seat = existing.get((plan.section, plan.row, plan.number))
            if seat is None:
                to_create.append(
                    Seat(
                        seat_map=seat_map,
                        section=plan.section,
                        row=plan.row,
                        number=plan.number,
                        x=plan.x,
                        y=plan.y,
                        kind=plan.kind,
                        zone=zone,
                    )
                )
            else:
                seat.x, seat.y, seat.kind, seat.zone = plan.x, plan.y, plan.kind, zone
                to_update.append(seat)
        Seat.objects.bulk_create(to_create)
        Seat.objects.bulk_update(to_update, ["x", "y", "kind", "zone"])
        PriceZone.objects.filter(seat_map=seat_map).exclude(code__in=zone_by_code).delete()
        seat_map.layout = layout
        seat_map.save(update_fields=["layout"])
    return {"created": len(to_create), "updated": len(to_update), "deleted": len(dropped)}


@contextlib.contextmanager
def seat_map_default_guard(*, vessel: Vessel):
    """Wraps the saving of a seat map (outside its transaction, so the refusal has rolled
    back): the database's refusal of a second default seat map for `vessel` becomes
    `BookingError("seat_map_default_taken")` naming the vessel's default. Any other
    integrity error passes through."""
    try:
        yield
    except IntegrityError as error:
        if violated_constraint(error) != DEFAULT_PER_VESSEL:
            raise
        default = SeatMap.objects.filter(vessel=vessel, is_default=True).first()
        raise BookingError(
            "seat_map_default_taken",
            map=default.name if default else "",
            vessel=vessel,
        ) from error


def seat_map_import(
    *,
    layout: dict,
    seat_map: SeatMap | None = None,
    vessel: Vessel | None = None,
    name: str = "",
    is_default: bool = False,
) -> tuple[SeatMap, dict]:
    """Replaces the layout of `seat_map`, or creates a seat map of `vessel` called `name`
    with it, in one transaction; returns the seat map and `seat_map_apply`'s counts.
    Refuses with `LayoutError` (an invalid layout, or seats in use it would drop; nothing
    is created) or `BookingError("seat_map_default_taken")`."""
    plan_seats(layout)  # an invalid layout creates nothing, not even the seat map
    if seat_map is None:
        if vessel is None or not name.strip():
            raise ValueError("A new seat map needs a vessel and a name.")
        with seat_map_default_guard(vessel=vessel), transaction.atomic():
            seat_map = SeatMap.objects.create(
                vessel=vessel, name=name.strip(), is_default=is_default
            )
            counts = seat_map_apply(seat_map=seat_map, layout=layout)
        return seat_map, counts
    return seat_map, seat_map_apply(seat_map=seat_map, layout=layout)
