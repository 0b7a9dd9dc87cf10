"""The shapes the demo data is written in. Data modules describe what should exist; the
seeder (`demo.seed`) makes the database match."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from demo.text import Rich, T


@dataclasses.dataclass(frozen=True)
class PierSpec:
    slug: str
    name: T
    address: T
    latitude: str
    longitude: str
    boarding: T


@dataclasses.dataclass(frozen=True)
class VesselSpec:
    key: str
    name: T
    capacity: int
    seating_mode: str = "general"
    seat_map: dict | None = None  # a layout for booking.services.seatmaps.seat_map_apply


@dataclasses.dataclass(frozen=True)
class TicketSpec:
    name: T
    price: Decimal
    # Local weekdays (0 = Monday) whose departures alone sell this type; None: every one.
    weekdays: tuple[int, ...] | None = None


@dataclasses.dataclass(frozen=True)
class ScheduleSpec:
    """Departures at local (Europe/Moscow) times on the given weekdays (0 = Monday;
    None = every day) or only on the given (month, day) dates."""

    vessel: str
    times: tuple[str, ...]
    weekdays: tuple[int, ...] | None = None
    dates: tuple[tuple[int, int], ...] | None = None


@dataclasses.dataclass(frozen=True)
class RentalOptionSpec:
    name: T
    price: Decimal
    per_hour: bool = False


@dataclasses.dataclass(frozen=True)
class RentalSpec:
    """A rental by the hour (booking.models.RentalPlan) on a vessel from the product's
    pier. `hours`: (weekdays, "HH:MM" opens, "HH:MM" closes; closes at or before opens
    runs past midnight); `rates`: (weekday digits "01234", price per hour)."""

    vessel: str
    hours: tuple[tuple[tuple[int, ...], str, str], ...]
    rates: tuple[tuple[str, Decimal], ...]
    fixed_price: Decimal
    max_guests: int
    min_minutes: int
    max_minutes: int
    step_minutes: int
    turnaround_minutes: int
    options: tuple[RentalOptionSpec, ...] = ()
    skipper: str = "included"  # included | addon
    skipper_price_per_hour: Decimal = Decimal("0")
    notice_minutes: int = 120
    horizon_days: int = 90


@dataclasses.dataclass(frozen=True)
class ProductSpec:
    code: str
    kind: str  # excursion, event, rental
    name: T
    pier: str
    duration_minutes: int
    tickets: tuple[TicketSpec, ...]
    schedules: tuple[ScheduleSpec, ...]
    seating_mode: str = ""  # empty: the vessel's
    # A rental by the hour: the customer picks the time; no fixed departures (schedules=()).
    rental: RentalSpec | None = None


@dataclasses.dataclass(frozen=True)
class ImageSpec:
    key: str
    title: str  # Russian; the image library is for staff
    description: str  # alt text
    scene: object  # demo.images.Scene


@dataclasses.dataclass
class PageSpec:
    key: str
    model: str  # home, listing, excursion, event, yacht, standard
    slug: T
    title: T
    parent: str | None
    intro: T | Rich | None = None
    body: list = dataclasses.field(default_factory=list)
    image: str | None = None
    social_image: str | None = None  # for sharing; product pages share their image
    product: str | None = None
    show_in_menus: bool = False
    seo_title: T | None = None
    search_description: T | None = None
    extra: dict = dataclasses.field(default_factory=dict)


def tickets(*rows) -> tuple[TicketSpec, ...]:
    return tuple(
        TicketSpec(T(ru, en, zh), Decimal(price), *rest) for ru, en, zh, price, *rest in rows
    )


# --- body blocks: plain dicts that the seeder turns into StreamField data ---------------


def hero(title: T, subtitle: T, image: str, button_label: T, button_link: str) -> dict:
    return {
        "type": "hero",
        "title": title,
        "subtitle": subtitle,
        "image": image,
        "button_label": button_label,
        "button_link": button_link,
    }


def text(rich: Rich) -> dict:
    return {"type": "text", "value": rich}


def highlights(title: T | None, *items: tuple[str, T, T]) -> dict:
    return {"type": "highlights", "title": title, "items": list(items)}


def gallery(title: T | None, *images: tuple[str, T]) -> dict:
    return {"type": "gallery", "title": title, "images": list(images)}


def faq(title: T | None, *questions: tuple[T, Rich]) -> dict:
    return {"type": "faq", "title": title, "questions": list(questions)}


def route(title: T | None, pier: str, *stops: T) -> dict:
    return {"type": "route", "title": title, "pier": pier, "stops": list(stops)}


def call_to_action(
    title: T, body: T | None, button_label: T, page: str | None = None, url: str = ""
) -> dict:
    return {
        "type": "call_to_action",
        "title": title,
        "text": body,
        "button_label": button_label,
        "page": page,
        "url": url,
    }


def support_form(title: T | None = None, body: T | None = None) -> dict:
    return {"type": "support_form", "title": title, "text": body}


def booking(product: str, title: T | None = None) -> dict:
    return {"type": "booking", "product": product, "title": title}
