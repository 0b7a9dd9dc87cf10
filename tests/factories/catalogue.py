"""Factories for the booking catalogue and the page tree (factory_boy + wagtail-factories).

Page factories take `parent=`; wagtail-factories adds the page under it, so the page
inherits the parent's locale."""

import datetime
import uuid
from decimal import Decimal

import factory
import wagtail_factories
from django.utils import timezone
from factory.django import DjangoModelFactory

from booking.models import Departure, Product, TicketType, Venue, Vessel
from content.models import (
    EventPage,
    ExcursionPage,
    HomePage,
    ListingPage,
    StandardPage,
    YachtPage,
)


class VenueFactory(DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Пристань №{n}")
    name_en = factory.Sequence(lambda n: f"Pier No. {n}")
    name_zh = factory.Sequence(lambda n: f"{n}号码头")
    slug = factory.Sequence(lambda n: f"pier-{n}")
    address = "Дворцовая набережная, 38"
    address_en = "38 Dvortsovaya Embankment"
    address_zh = "宫殿堤岸38号"
    latitude = Decimal("59.940000")
    longitude = Decimal("30.315000")
    timezone = "Europe/Moscow"


class VesselFactory(DjangoModelFactory):
    class Meta:
        model = Vessel

    name = factory.Sequence(lambda n: f"Теплоход {n}")
    name_en = factory.Sequence(lambda n: f"Motor ship {n}")
    capacity = 80


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    kind = Product.Kind.EXCURSION
    code = factory.Sequence(lambda n: f"product-{n}")
    name = factory.Sequence(lambda n: f"Прогулка {n}")
    name_en = factory.Sequence(lambda n: f"Cruise {n}")
    venue = factory.SubFactory(VenueFactory)
    duration_minutes = 90


class TicketTypeFactory(DjangoModelFactory):
    class Meta:
        model = TicketType

    product = factory.SubFactory(ProductFactory)
    name = "Взрослый"
    name_en = "Adult"
    name_zh = "成人"
    price = Decimal("1500.00")
    sort_order = factory.Sequence(int)


def moscow_datetime(day: datetime.date, hour: int = 19) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_default_timezone()
    )


class DepartureFactory(DjangoModelFactory):
    class Meta:
        model = Departure

    product = factory.SubFactory(ProductFactory)
    vessel = factory.SubFactory(VesselFactory)
    venue = factory.LazyAttribute(lambda o: o.product.venue or VenueFactory())
    starts_at = factory.LazyFunction(
        lambda: moscow_datetime(timezone.localdate() + datetime.timedelta(days=3))
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=90))
    status = Departure.Status.SCHEDULED


class ImageFactory(wagtail_factories.ImageFactory):
    title = factory.Sequence(lambda n: f"Фото {n}")
    file = factory.django.ImageField(width=64, height=48, color="navy")


class HomePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = HomePage

    title = "Причал"
    slug = "home"


class ListingPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ListingPage

    title = factory.Sequence(lambda n: f"Каталог {n}")
    slug = factory.Sequence(lambda n: f"listing-{n}")
    intro = "<p>Все прогулки по рекам и каналам.</p>"


class _ProductPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Прогулка по Неве {n}")
    slug = factory.Sequence(lambda n: f"trip-{n}")
    intro = "Полтора часа по главным рекам и каналам Петербурга."


class ExcursionPageFactory(_ProductPageFactory):
    class Meta:
        model = ExcursionPage


class EventPageFactory(_ProductPageFactory):
    class Meta:
        model = EventPage


class YachtPageFactory(_ProductPageFactory):
    class Meta:
        model = YachtPage

    guests = 10
    length_m = Decimal("14.5")
    cabins = 2


class StandardPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = StandardPage

    title = factory.Sequence(lambda n: f"Страница {n}")
    slug = factory.Sequence(lambda n: f"page-{n}")
    intro = "Всё, что нужно знать перед прогулкой."


def stream(*blocks) -> list[dict]:
    """A StreamField value in its stored (raw JSON) form from (block type, value) pairs.
    List block items are wrapped as Wagtail stores them."""

    def wrap(value):
        if isinstance(value, dict):
            return {k: wrap(v) for k, v in value.items()}
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return [{"type": "item", "value": wrap(v), "id": str(uuid.uuid4())} for v in value]
        return value

    return [
        {"type": block_type, "value": wrap(value), "id": str(uuid.uuid4())}
        for block_type, value in blocks
    ]


def gallery(images) -> tuple[str, dict]:
    return (
        "gallery",
        {
            "title": "Фотографии",
            "images": [{"image": image.pk, "caption": image.title} for image in images],
        },
    )
