"""Builds the demo company: locales, site, piers, fleet, products, departures, pictures,
pages in Russian with wagtail-localize translations into English and Chinese, company
details and an administrator.

Idempotent: everything is keyed (slug, code, name, title) and updated in place, so a
second run changes nothing. Departures are added for the coming days relative to today
and are never deleted.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import time
import uuid
import zoneinfo
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from modelsearch import index as search_index
from modelsearch.conf import get_app_config as search_app_config
from wagtail.images import get_image_model
from wagtail.images.models import Filter
from wagtail.models import Collection, Locale, Page, ReferenceIndex, Site
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)
from wagtail_localize.strings import StringValue, validate_translation_links

from booking.models import (
    Departure,
    Product,
    RentalHours,
    RentalOption,
    RentalPlan,
    RentalRate,
    SeatMap,
    TicketPrice,
    TicketType,
    Venue,
    Vessel,
    VesselOccupancy,
)
from booking.services.seatmaps import seat_map_apply
from content.models import (
    CompanySettings,
    EventPage,
    ExcursionPage,
    HomePage,
    ListingPage,
    StandardPage,
    YachtPage,
)
from crm import roles as staff_roles
from demo import company, pages, pictures
from demo.images import render_jpeg
from demo.spec import PageSpec
from demo.text import LANGUAGES, Catalogue, Rich, ru

TIME_ZONE = zoneinfo.ZoneInfo("Europe/Moscow")
ADMIN_EMAIL = "admin@prichal.local"
CREW_EMAIL = "crew@prichal.local"
CREW_GROUP = staff_roles.BOARDING_CREW
CREW_PIER = "dvortsovaya"
# One demo member of each staff role (crm.roles), all with ADMIN_PASSWORD.
STAFF_USERS = {
    CREW_EMAIL: staff_roles.BOARDING_CREW,
    "manager@prichal.local": staff_roles.MANAGER,
    "agent@prichal.local": staff_roles.AGENT,
    "marketer@prichal.local": staff_roles.MARKETER,
    "accountant@prichal.local": staff_roles.ACCOUNTANT,
}
DEMO_PROMO_CODE = "PRICHAL10"
ADMIN_PASSWORD = "prichal-demo"
COLLECTION_NAME = "Демо"
SITE_NAME = "Причал"
BLOCK_NAMESPACE = uuid.UUID("6f1c2a52-4d3e-4f0e-9a55-3c1de0a1b7e2")

PAGE_MODELS = {
    "home": HomePage,
    "listing": ListingPage,
    "excursion": ExcursionPage,
    "event": EventPage,
    "yacht": YachtPage,
    "standard": StandardPage,
}


class SeedError(Exception):
    pass


@contextmanager
def deferred_indexing():
    """Each translated page is saved about five times on its way to being published, and
    every save would update the search index and the reference index again. Switch the
    automatic updates off while seeding; `Seeder.reindex` indexes everything once."""
    config = search_app_config()
    backends = {
        name: {**params, "AUTO_UPDATE": False}
        for name, params in config.get_search_backend_config().items()
    }
    with (
        override_settings(**{config.backend_setting_name: backends}),
        disable_reference_index_auto_update(),
    ):
        yield


def block_id(*parts) -> str:
    """Stable block ids: wagtail-localize keys translations by the block path, so a re-run
    must produce the same ids."""
    return str(uuid.uuid5(BLOCK_NAMESPACE, ":".join(str(p) for p in parts)))


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def plain(value) -> str:
    """The Russian text of an optional T, or ''."""
    return ru(value) if value is not None else ""


class Seeder:
    def __init__(self, *, days: int = 45, today: datetime.date | None = None):
        self.days = days
        self.today = today or timezone.localdate(timezone=TIME_ZONE)
        self.stats: Counter = Counter()
        self.timings: dict[str, float] = {}
        self.catalogue = Catalogue()
        self.catalogue.collect(pages.PAGES)

    # --- orchestration ---------------------------------------------------------------

    def run(self):
        started = time.monotonic()
        with deferred_indexing():
            with transaction.atomic():
                self.step("locales and site", self.ensure_locales_and_site)
                self.step("piers and fleet", self.ensure_piers_and_fleet)
                self.step("products", self.ensure_products)
                self.step("rental plans", self.ensure_rental_plans)
                self.step("departures", self.ensure_departures)
                self.step("slot prices", self.ensure_slot_prices)
                self.step("images", self.ensure_images)
                self.step("pages", self.ensure_pages)
                self.step("company details", self.ensure_company_settings)
                self.step("administrator", self.ensure_admin)
                self.step("checkout and boarding", self.ensure_checkout_and_crew)
                # Fails (and rolls everything back) if any string has no translation.
                self.step("translation sources", self.prepare_translations)
            # Outside the big transaction on purpose: wagtail-localize publishes a
            # translated page in transaction.on_commit() with the page object it saved.
            # Deferred to one final commit, a parent's publish would run after its
            # children were added and write back its stale numchild=0, hiding the children
            # from routing.
            self.step("translations", self.save_translations)
        self.step("page tree check", self.check_tree)
        self.step("search and reference index", self.reindex)
        # Renditions are files: made once the data is safely in.
        self.step("renditions", self.ensure_renditions)
        self.timings["total"] = time.monotonic() - started
        return self.summary()

    def step(self, name, func):
        started = time.monotonic()
        func()
        self.timings[name] = time.monotonic() - started

    # --- locales, site ---------------------------------------------------------------

    def ensure_locales_and_site(self):
        self.locales = {}
        for code in ("ru", *LANGUAGES):
            locale, created = Locale.objects.get_or_create(language_code=code)
            self.locales[code] = locale
            self.stats["locales created"] += created
        self.ru = self.locales["ru"]

        root = Page.get_first_root_node()
        spec = pages.HOME
        home = HomePage.objects.filter(depth=2, locale=self.ru, slug=spec.slug.ru).first()
        if home is None:
            # Wagtail's default "Welcome" page holds the slug; rename it, then remove it
            # once the site points at the new home page.
            placeholders = Page.objects.filter(
                depth=2, content_type=ContentType.objects.get_for_model(Page)
            )
            placeholders.filter(slug=spec.slug.ru).update(slug="welcome-replaced-by-demo")
            home = HomePage(title=spec.title.ru, slug=spec.slug.ru, locale=self.ru, live=False)
            root.add_child(instance=home)
            self.stats["pages created"] += 1

        # The Site names the address of SITE_URL, so that Wagtail's own links (admin
        # "view live", previews) agree with the pages' absolute links.
        address = urlsplit(settings.SITE_URL)
        hostname = address.hostname or "localhost"
        port = address.port or (443 if address.scheme == "https" else 80)
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            site = Site.objects.filter(hostname=hostname, port=port).first() or Site(
                hostname=hostname, port=port
            )
        wanted = {
            "hostname": hostname,
            "port": port,
            "is_default_site": True,
            "site_name": SITE_NAME,
            "root_page_id": home.pk,
        }
        if any(getattr(site, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(site, k, v)
            site.save()
        self.site = site

        for old in Page.objects.filter(
            depth=2, content_type=ContentType.objects.get_for_model(Page)
        ).exclude(sites_rooted_here__isnull=False):
            old.delete()
            self.stats["placeholder pages removed"] += 1
        self.home = home

    # --- booking catalogue -----------------------------------------------------------

    def ensure_piers_and_fleet(self):
        self.piers = {}
        for spec in company.PIERS:
            venue, created = Venue.objects.update_or_create(
                slug=spec.slug,
                defaults={
                    "name": spec.name.ru,
                    "name_en": spec.name.en,
                    "name_zh": spec.name.zh,
                    "address": spec.address.ru,
                    "address_en": spec.address.en,
                    "address_zh": spec.address.zh,
                    "latitude": spec.latitude,
                    "longitude": spec.longitude,
                    "timezone": "Europe/Moscow",
                    "boarding_instructions": spec.boarding.ru,
                    "boarding_instructions_en": spec.boarding.en,
                    "boarding_instructions_zh": spec.boarding.zh,
                },
            )
            self.piers[spec.slug] = venue
            self.stats["piers created"] += created
        self.vessels = {}
        for spec in company.VESSELS:
            vessel, created = Vessel.objects.update_or_create(
                name=spec.name.ru,
                defaults={
                    "name_en": spec.name.en,
                    "name_zh": spec.name.zh,
                    "capacity": spec.capacity,
                    "seating_mode": spec.seating_mode,
                },
            )
            self.vessels[spec.key] = vessel
            self.stats["vessels created"] += created
            if spec.seat_map:
                seat_map, created = SeatMap.objects.get_or_create(
                    vessel=vessel, is_default=True, defaults={"name": spec.name.ru}
                )
                self.stats["seat maps created"] += created
                if seat_map.layout != spec.seat_map:
                    result = seat_map_apply(seat_map=seat_map, layout=spec.seat_map)
                    self.stats["seats created"] += result["created"]

    def ensure_products(self):
        self.products = {}
        for spec in company.PRODUCTS:
            product, created = Product.objects.update_or_create(
                code=spec.code,
                defaults={
                    "kind": spec.kind,
                    "name": spec.name.ru,
                    "name_en": spec.name.en,
                    "name_zh": spec.name.zh,
                    "venue": self.piers[spec.pier],
                    "duration_minutes": spec.duration_minutes,
                    "seating_mode": spec.seating_mode,
                    "is_active": True,
                },
            )
            self.products[spec.code] = product
            self.stats["products created"] += created
            for order, ticket in enumerate(spec.tickets):
                _, created = TicketType.objects.update_or_create(
                    product=product,
                    name=ticket.name.ru,
                    defaults={
                        "name_en": ticket.name.en,
                        "name_zh": ticket.name.zh,
                        "price": ticket.price,
                        "sort_order": (order + 1) * 10,
                        "is_active": True,
                        "departures_only": ticket.weekdays is not None,
                        # The manifest counts these as children ("Детский …").
                        "is_child": ticket.name.ru.startswith("Детский"),
                    },
                )
                self.stats["ticket types created"] += created
            # A type the demo no longer sells (an older demo's) is taken off sale.
            TicketType.objects.filter(product=product).exclude(
                name__in=[ticket.name.ru for ticket in spec.tickets]
            ).update(is_active=False)

    def ensure_rental_plans(self):
        """A product rented by the hour gets its plan (hours, rates, extras) exactly as
        the spec says. Its fixed slots of an older demo that nobody booked are removed:
        the customer now picks the time, and those slots would only keep the vessel busy."""
        for spec in company.PRODUCTS:
            rental = spec.rental
            if rental is None:
                continue
            product = self.products[spec.code]
            plan, created = RentalPlan.objects.update_or_create(
                product=product,
                defaults={
                    "vessel": self.vessels[rental.vessel],
                    "venue": self.piers[spec.pier],
                    "min_minutes": rental.min_minutes,
                    "max_minutes": rental.max_minutes,
                    "step_minutes": rental.step_minutes,
                    "fixed_price": rental.fixed_price,
                    "max_guests": rental.max_guests,
                    "skipper": rental.skipper,
                    "skipper_price_per_hour": rental.skipper_price_per_hour,
                    "turnaround_minutes": rental.turnaround_minutes,
                    "notice_minutes": rental.notice_minutes,
                    "horizon_days": rental.horizon_days,
                },
            )
            self.stats["rental plans created"] += created
            hours = sorted(
                (weekday, datetime.time.fromisoformat(opens), datetime.time.fromisoformat(closes))
                for weekdays, opens, closes in rental.hours
                for weekday in weekdays
            )
            have = sorted(
                (h.weekday, h.opens, h.closes)
                for h in plan.hours.filter(valid_from=None, valid_until=None)
            )
            if have != hours or plan.hours.exclude(valid_from=None, valid_until=None).exists():
                plan.hours.all().delete()
                RentalHours.objects.bulk_create(
                    RentalHours(plan=plan, weekday=w, opens=o, closes=c) for w, o, c in hours
                )
            rates = sorted((weekdays, price) for weekdays, price in rental.rates)
            have = sorted((r.weekdays, r.price_per_hour) for r in plan.rates.all())
            if have != rates or plan.rates.exclude(valid_from=None, valid_until=None).exists():
                plan.rates.all().delete()
                RentalRate.objects.bulk_create(
                    RentalRate(plan=plan, weekdays=w, price_per_hour=p) for w, p in rates
                )
            for order, option in enumerate(rental.options):
                RentalOption.objects.update_or_create(
                    plan=plan,
                    name=option.name.ru,
                    defaults={
                        "name_en": option.name.en,
                        "name_zh": option.name.zh,
                        "price": option.price,
                        "per_hour": option.per_hour,
                        "is_active": True,
                        "sort_order": (order + 1) * 10,
                    },
                )
            plan.options.exclude(name__in=[o.name.ru for o in rental.options]).update(
                is_active=False
            )
            stale = Departure.objects.filter(
                product=product,
                starts_at__gt=timezone.now(),
                rental_booking__isnull=True,
                orders__isnull=True,
                holds__isnull=True,
                support_cases__isnull=True,
            )
            self.stats["rental slots removed"] += stale.delete()[1].get("booking.Departure", 0)

    def ensure_slot_prices(self):
        """A ticket type sold on some weekdays only (a rental's weekday or weekend price)
        gets a price row on each departure of those days, and on no other: that row is
        what puts it on sale there (`TicketType.departures_only`)."""
        new = []
        for spec in company.PRODUCTS:
            product = self.products[spec.code]
            for ticket in spec.tickets:
                if ticket.weekdays is None:
                    continue
                ticket_type = TicketType.objects.get(product=product, name=ticket.name.ru)
                priced = set(
                    TicketPrice.objects.filter(
                        ticket_type=ticket_type, zone__isnull=True
                    ).values_list("departure_id", flat=True)
                )
                for departure in Departure.objects.filter(product=product):
                    weekday = departure.starts_at.astimezone(TIME_ZONE).weekday()
                    if weekday in ticket.weekdays and departure.pk not in priced:
                        new.append(
                            TicketPrice(
                                ticket_type=ticket_type, departure=departure, price=ticket.price
                            )
                        )
        TicketPrice.objects.bulk_create(new, batch_size=500)
        self.stats["slot prices created"] += len(new)

    def ensure_departures(self):
        """Departures from tomorrow for `days` days, at local times (Europe/Moscow).
        Holiday events with fixed dates are scheduled at their next occurrence even when
        it lies beyond that window, as their tickets are sold well in advance. Existing
        departures are kept; a slot that would put a vessel in two places at once is
        skipped. Dated schedules are placed first, then weekly ones, then daily ones."""
        first = self.today + datetime.timedelta(days=1)
        year = 366
        window_start = datetime.datetime.combine(first, datetime.time(0), TIME_ZONE)
        window_end = datetime.datetime.combine(
            first + datetime.timedelta(days=max(self.days, year) + 1), datetime.time(0), TIME_ZONE
        )
        busy: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = {}
        existing = set()
        for dep in Departure.objects.filter(
            starts_at__lt=window_end,
            ends_at__gt=window_start - datetime.timedelta(hours=12),
        ).exclude(status=Departure.Status.CANCELLED):
            busy.setdefault(dep.vessel_id, []).append((dep.starts_at, dep.ends_at))
            existing.add((dep.product_id, dep.vessel_id, dep.starts_at))

        plans = []
        for spec in company.PRODUCTS:
            for schedule in spec.schedules:
                rank = 0 if schedule.dates else 1 if schedule.weekdays else 2
                plans.append((rank, spec, schedule))
        plans.sort(key=lambda plan: plan[0])

        new = []
        for _, spec, schedule in plans:
            product = self.products[spec.code]
            vessel = self.vessels[schedule.vessel]
            venue = self.piers[spec.pier]
            for offset in range(year if schedule.dates else self.days):
                day = first + datetime.timedelta(days=offset)
                if schedule.weekdays is not None and day.weekday() not in schedule.weekdays:
                    continue
                if schedule.dates is not None and (day.month, day.day) not in schedule.dates:
                    continue
                for hhmm in schedule.times:
                    hour, minute = map(int, hhmm.split(":"))
                    starts = datetime.datetime.combine(day, datetime.time(hour, minute), TIME_ZONE)
                    ends = starts + datetime.timedelta(minutes=spec.duration_minutes)
                    if (product.pk, vessel.pk, starts) in existing:
                        continue
                    slots = busy.setdefault(vessel.pk, [])
                    if any(s < ends and starts < e for s, e in slots):
                        self.stats["departure slots skipped (vessel busy)"] += 1
                        continue
                    slots.append((starts, ends))
                    existing.add((product.pk, vessel.pk, starts))
                    new.append(
                        Departure(
                            product=product,
                            vessel=vessel,
                            venue=venue,
                            starts_at=starts,
                            ends_at=ends,
                            status=Departure.Status.SCHEDULED,
                            # A rental slot sells the whole boat once.
                            capacity=1 if spec.kind == "rental" else None,
                        )
                    )
        created = Departure.objects.bulk_create(new, batch_size=500)
        # Their vessels' time (the slots above never overlap: see `busy`).
        VesselOccupancy.objects.bulk_create(
            [VesselOccupancy.for_departure(departure) for departure in created], batch_size=500
        )
        self.stats["departures created"] += len(new)

    # --- images ----------------------------------------------------------------------

    def ensure_images(self):
        Image = get_image_model()
        root = Collection.get_first_root_node()
        collection = root.get_children().filter(name=COLLECTION_NAME).first()
        if collection is None:
            collection = root.add_child(name=COLLECTION_NAME)
        titles = [spec.title for spec in pictures.IMAGES]
        found = {}
        for image in Image.objects.filter(title__in=titles).order_by("pk"):
            found.setdefault(image.title, image)
        missing = [spec for spec in pictures.IMAGES if spec.title not in found]
        if missing:
            workers = max(1, min(len(missing), os.cpu_count() or 1))
            with ProcessPoolExecutor(max_workers=workers) as pool:
                rendered = list(pool.map(render_jpeg, [spec.scene for spec in missing]))
            for spec, data in zip(missing, rendered, strict=True):
                image = Image(
                    title=spec.title,
                    description=spec.description,
                    collection=collection,
                    file=ImageFile(io.BytesIO(data), name=f"demo-{spec.key}.jpg"),
                )
                image._set_image_file_metadata()
                image.save()
                found[spec.title] = image
                self.stats["images created"] += 1
        self.images = {}
        for spec in pictures.IMAGES:
            image = found[spec.title]
            if image.description != spec.description or image.collection_id != collection.pk:
                image.description = spec.description
                image.collection = collection
                image.save(update_fields=["description", "collection"])
            self.images[spec.key] = image

    # --- pages -----------------------------------------------------------------------

    def ensure_pages(self):
        self.pages = {"home": self.home}
        specs = {spec.key: spec for spec in pages.PAGES}
        # First make sure every page exists, so that blocks can link to any of them.
        for spec in pages.PAGES:
            if spec.key == "home":
                continue
            model = PAGE_MODELS[spec.model]
            parent = self.pages[spec.parent]
            page = parent.get_children().filter(slug=spec.slug.ru).first()
            if page is not None:
                page = page.specific
                if not isinstance(page, model):
                    raise SeedError(
                        f"The page {page.url_path} is a {type(page).__name__}, expected a "
                        f"{model.__name__}; move it away and run again."
                    )
            else:
                page = model(locale=self.ru, live=False, **self.simple_fields(spec))
                parent.add_child(instance=page)
                self.stats["pages created"] += 1
            self.pages[spec.key] = page
        # Then bring each one to the wanted content and publish it if anything changed
        # (fresh from the database: adding children changed their parents' rows).
        for key, page in self.pages.items():
            page = Page.objects.get(pk=page.pk).specific
            self.update_page(page, specs[key])
            self.pages[key] = page

    def simple_fields(self, spec: PageSpec) -> dict:
        fields = {
            "title": spec.title.ru,
            "slug": spec.slug.ru,
            "show_in_menus": spec.show_in_menus,
            "seo_title": plain(spec.seo_title),
            "search_description": plain(spec.search_description),
        }
        if spec.intro is not None:
            fields["intro"] = spec.intro.html() if isinstance(spec.intro, Rich) else spec.intro.ru
        if spec.model == "listing":
            fields["page_size"] = 9
        if spec.image:
            fields["image_id"] = self.images[spec.image].pk
        if spec.social_image:
            fields["social_image_id"] = self.images[spec.social_image].pk
        if spec.product:
            fields["product_id"] = self.products[spec.product].pk
        for name, value in spec.extra.items():
            fields[name] = Decimal(value) if name == "length_m" else value
        return fields

    def update_page(self, page, spec: PageSpec):
        changed = False
        for name, value in self.simple_fields(spec).items():
            if getattr(page, name) != value:
                setattr(page, name, value)
                changed = True
        if hasattr(page, "body"):
            body = self.stream(spec)
            if canonical(list(page.body.get_prep_value())) != canonical(body):
                page.body = body
                changed = True
        if changed or not page.live or page.has_unpublished_changes:
            revision = page.save_revision()
            revision.publish()
            self.stats["pages published"] += 1

    def stream(self, spec: PageSpec) -> list[dict]:
        out = []
        for index, block in enumerate(spec.body):
            kind = block["type"]
            bid = block_id(spec.key, index, kind)
            out.append({"type": kind, "value": self.block_value(block, bid), "id": bid})
        return out

    def block_value(self, block: dict, bid: str):
        kind = block["type"]

        def items(values, build):
            return [
                {"type": "item", "value": build(value), "id": block_id(bid, "item", i)}
                for i, value in enumerate(values)
            ]

        if kind == "hero":
            return {
                "title": block["title"].ru,
                "subtitle": plain(block["subtitle"]),
                "image": self.images[block["image"]].pk,
                "button_label": plain(block["button_label"]),
                "button_link": self.pages[block["button_link"]].pk,
            }
        if kind == "text":
            return block["value"].html()
        if kind == "highlights":
            return {
                "title": plain(block["title"]),
                "items": items(
                    block["items"],
                    lambda item: {"icon": item[0], "title": item[1].ru, "text": plain(item[2])},
                ),
            }
        if kind == "gallery":
            return {
                "title": plain(block["title"]),
                "images": items(
                    block["images"],
                    lambda item: {"image": self.images[item[0]].pk, "caption": plain(item[1])},
                ),
            }
        if kind == "faq":
            return {
                "title": plain(block["title"]),
                "questions": items(
                    block["questions"],
                    lambda item: {"question": item[0].ru, "answer": item[1].html()},
                ),
            }
        if kind == "route":
            return {
                "title": plain(block["title"]),
                "pier": self.piers[block["pier"]].pk,
                "stops": items(block["stops"], lambda stop: stop.ru),
            }
        if kind == "call_to_action":
            return {
                "title": block["title"].ru,
                "text": plain(block["text"]),
                "button_label": block["button_label"].ru,
                "link": {
                    "page": self.pages[block["page"]].pk if block["page"] else None,
                    "url": block["url"],
                },
            }
        if kind == "booking":
            return {
                "product": self.products[block["product"]].pk,
                "title": plain(block["title"]),
            }
        if kind == "support_form":
            return {"title": plain(block["title"]), "text": plain(block["text"])}
        raise SeedError(f"Unknown block type {kind!r}")

    # --- translations ----------------------------------------------------------------

    def prepare_translations(self):
        """Every Russian page gets an English and a Chinese translation made by
        wagtail-localize from its translation source, every string filled in from the
        demo catalogue, so the translations stay editable in wagtail-localize's editor.
        Parents come before children, so each translation lands under its translated
        parent."""
        sources = []
        missing = []
        for spec in pages.PAGES:
            page = Page.objects.get(pk=self.pages[spec.key].pk).specific
            previous = TranslationSource.objects.filter(
                object_id=page.translation_key, locale_id=page.locale_id
            ).first()
            before = previous.content_json if previous else None
            source, created = TranslationSource.update_or_create_from_instance(page)
            changed = created or source.content_json != before
            self.stats["translation sources updated"] += changed
            segments = list(
                StringSegment.objects.filter(source=source)
                .select_related("string", "context")
                .order_by("order")
            )
            for segment in segments:
                for code in LANGUAGES:
                    if self.catalogue.translate(segment.string.data, code) is None:
                        missing.append(
                            f"{page.url_path} [{segment.context.path}] → {code}: "
                            f"{segment.string.data[:120]!r}"
                        )
            sources.append((page, source, changed, segments))
        if missing:
            raise SeedError(
                "These source strings have no translation in demo/ "
                "(add them as T(ru, en, zh)):\n  " + "\n  ".join(missing)
            )
        self.sources = sources

    def save_translations(self):
        targets = [self.locales[code] for code in LANGUAGES]
        for page, source, changed, segments in self.sources:
            for locale in targets:
                with transaction.atomic():
                    self.save_translation(page, source, changed, segments, locale)

    def save_translation(self, page, source, changed, segments, locale):
        translation, created = Translation.objects.get_or_create(
            source=source, target_locale=locale
        )
        if not translation.enabled:
            translation.enabled = True
            translation.save(update_fields=["enabled"])
            created = True
        strings_changed = self.fill_strings(segments, locale)
        target = page.get_translation_or_none(locale)
        if (
            created
            or changed
            or strings_changed
            or target is None
            or not target.live
            or target.has_unpublished_changes
        ):
            translation.save_target(publish=True)
            self.stats["translated pages saved"] += 1

    def check_tree(self):
        """Every page's child count must match its children, or routing loses pages."""
        rows = list(Page.objects.values_list("path", "numchild", "url_path"))
        counts = Counter(path[: -Page.steplen] for path, _, _ in rows)
        broken = [url for path, numchild, url in rows if counts.get(path, 0) != numchild]
        if broken:
            raise SeedError("The page tree is inconsistent (numchild) at: " + ", ".join(broken))

    def fill_strings(self, segments, locale) -> bool:
        """Writes the catalogue's translation of every segment. Checked here the way
        StringTranslation.save() would check it, so they can be written in bulk."""
        code = locale.language_code
        existing = {
            (st.translation_of_id, st.context_id): st
            for st in StringTranslation.objects.filter(
                locale=locale,
                translation_of_id__in={s.string_id for s in segments},
                context_id__in={s.context_id for s in segments},
            )
        }
        new, changed = [], []
        for segment in segments:
            value = self.catalogue.translate(segment.string.data, code)
            try:
                StringValue.from_translated_html(value)
                validate_translation_links(segment.string.data, value)
            except ValueError as error:
                raise SeedError(
                    f"The {code} translation of {segment.string.data[:80]!r} is not valid: {error}"
                ) from error
            current = existing.get((segment.string_id, segment.context_id))
            if current is None:
                current = StringTranslation(
                    translation_of=segment.string,
                    locale=locale,
                    context=segment.context,
                    data=value,
                    translation_type=StringTranslation.TRANSLATION_TYPE_MANUAL,
                )
                existing[(segment.string_id, segment.context_id)] = current
                new.append(current)
            elif current.data != value or current.has_error:
                current.data = value
                current.has_error = False
                current.field_error = ""
                current.translation_type = StringTranslation.TRANSLATION_TYPE_MANUAL
                current.updated_at = timezone.now()
                changed.append(current)
        StringTranslation.objects.bulk_create(new)
        StringTranslation.objects.bulk_update(
            changed, ["data", "has_error", "field_error", "translation_type", "updated_at"]
        )
        self.stats["string translations created"] += len(new)
        self.stats["string translations updated"] += len(changed)
        return bool(new or changed)

    # --- company, admin --------------------------------------------------------------

    def ensure_company_settings(self):
        settings = CompanySettings.for_site(self.site)
        wanted = {
            "legal_name": company.COMPANY["legal_name"],
            "inn": company.COMPANY["inn"],
            "ogrn": company.COMPANY["ogrn"],
            "address": company.COMPANY["address"].ru,
            "address_en": company.COMPANY["address"].en,
            "address_zh": company.COMPANY["address"].zh,
            "phone": company.COMPANY["phone"],
            "email": company.COMPANY["email"],
            "telegram_url": company.COMPANY["telegram_url"],
            "vk_url": company.COMPANY["vk_url"],
        }
        for field, key in pages.LEGAL_DOCUMENTS.items():
            wanted[f"{field}_id"] = self.pages[key].pk
        if any(getattr(settings, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(settings, k, v)
            settings.save()
            self.stats["company details updated"] += 1

    def ensure_admin(self):
        User = get_user_model()
        user = User.objects.filter(email__iexact=ADMIN_EMAIL).first()
        if user is None:
            User.objects.create_superuser(email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
            self.stats["administrator created"] += 1
        elif not (user.is_staff and user.is_superuser and user.is_active):
            user.is_staff = user.is_superuser = user.is_active = True
            user.save(update_fields=["is_staff", "is_superuser", "is_active"])

    def ensure_checkout_and_crew(self):
        """A promo code to try at checkout, the products' receipt settings (sold without
        VAT, as a prepaid service), the staff groups and one demo member of each role
        (the boarding crew member may check tickets in, at the Palace pier only, and do
        nothing else)."""
        from django.contrib.auth.models import Group
        from guardian.shortcuts import assign_perm

        from booking.models import Promotion
        from booking.services.pricing import product_taxes

        _promo, created = Promotion.objects.get_or_create(
            code=DEMO_PROMO_CODE,
            defaults={"name": "Демо: минус 10 %", "kind": "percent", "value": 10},
        )
        self.stats["promo codes created"] += created
        for product in self.products.values():
            product_taxes(product.pk)
        self.stats["groups created"] += staff_roles.roles_sync()["groups created"]
        User = get_user_model()
        for email, role in STAFF_USERS.items():
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=ADMIN_PASSWORD)
                self.stats["staff members created"] += 1
            user.groups.add(Group.objects.get(name=role))
        # The demo's boarding crew works at the Palace pier only (crm.permissions).
        crew = User.objects.get(email__iexact=CREW_EMAIL)
        assign_perm("booking.assigned_to_venue", crew, self.piers[CREW_PIER])

    def reindex(self):
        unindexed = {
            "departures created",
            "departure slots skipped (vessel busy)",
            "slot prices created",
            "rental plans created",
            "rental slots removed",
            "groups created",
            "staff members created",
        }
        if not any(count for name, count in self.stats.items() if name not in unindexed):
            return  # nothing was created or changed: the indexes are up to date
        objects = []
        for home in Page.objects.filter(translation_key=self.home.translation_key):
            objects.extend(home.get_descendants(inclusive=True).specific())
        objects.extend(self.images.values())
        objects.extend(self.piers.values())
        objects.extend(self.vessels.values())
        objects.extend(self.products.values())
        objects.extend(TicketType.objects.filter(product__in=self.products.values()))
        objects.append(CompanySettings.for_site(self.site))
        with transaction.atomic():
            for obj in objects:
                if isinstance(obj, search_index.Indexed):
                    search_index.insert_or_update_object(obj)
                if ReferenceIndex.is_indexed(type(obj)):
                    ReferenceIndex.create_or_update_for_object(obj)

    # --- renditions ------------------------------------------------------------------

    def ensure_renditions(self):
        uses: dict[str, set[str]] = {}
        for spec in pages.PAGES:
            if spec.image:
                uses.setdefault(spec.image, set()).update({"card", "product_hero", "sharing"})
            if spec.social_image:
                uses.setdefault(spec.social_image, set()).add("sharing")
            for block in spec.body:
                if block["type"] == "hero":
                    uses.setdefault(block["image"], set()).add("hero")
                elif block["type"] == "gallery":
                    for key, _caption in block["images"]:
                        uses.setdefault(key, set()).add("gallery")
        Image = get_image_model()
        before = Image.get_rendition_model().objects.count()
        for key, roles in uses.items():
            image = Image.objects.get(pk=self.images[key].pk)
            specs = []
            for role in sorted(roles):
                specs.extend(Filter.expand_spec(pictures.RENDITIONS[role]))
            image.get_renditions(*specs)
        self.stats["renditions created"] += Image.get_rendition_model().objects.count() - before

    # --- report ----------------------------------------------------------------------

    def summary(self) -> dict:
        Image = get_image_model()
        page_counts = {
            code: Page.objects.filter(locale=locale, depth__gt=1).count()
            for code, locale in self.locales.items()
        }
        return {
            "window": f"{self.today + datetime.timedelta(days=1)} to "
            f"{self.today + datetime.timedelta(days=self.days)}",
            "stats": dict(self.stats),
            "timings": self.timings,
            "totals": {
                "locales": Locale.objects.count(),
                "pages (ru/en/zh-hans)": "/".join(str(page_counts[c]) for c in self.locales),
                "piers": Venue.objects.count(),
                "vessels": Vessel.objects.count(),
                "products": Product.objects.count(),
                "ticket types": TicketType.objects.count(),
                "departures": Departure.objects.count(),
                "images": Image.objects.filter(collection__name=COLLECTION_NAME).count(),
                "renditions": Image.get_rendition_model().objects.count(),
                "translations": Translation.objects.count(),
                "string translations": StringTranslation.objects.count(),
            },
        }
