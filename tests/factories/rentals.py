"""A rental plan ready to sell: a yacht hired by the hour (booking.models.rentals)."""

import datetime
from decimal import Decimal

from booking.models import Product, RentalHours, RentalOption, RentalPlan, RentalRate
from tests.factories.catalogue import ProductFactory, VenueFactory, VesselFactory

__all__ = ["next_weekday", "rental_plan"]


def rental_plan(
    *, code=None, hourly=("10000", "14000"), skipper=RentalPlan.Skipper.INCLUDED, **overrides
) -> RentalPlan:
    """The yacht White Night for 10 guests from 10:00 to 23:00 every day, to 01:00 after
    Friday and Saturday; `hourly` (10 000 ₽ an hour on weekdays, 14 000 ₽ at weekends by
    default), 2 000 ₽ fixed; 2 to 8 hours in whole hours, 30 minutes' turnaround, 2 hours'
    notice; the skipper included (or an add-on at 1 500 ₽ an hour); extras: a
    photographer (3 000 ₽ an hour) and a welcome drink (1 500 ₽ once)."""
    venue = overrides.pop("venue", None) or VenueFactory()
    product = ProductFactory(
        kind=Product.Kind.RENTAL,
        venue=venue,
        duration_minutes=120,
        **({"code": code} if code else {}),
    )
    values = {
        "product": product,
        "vessel": VesselFactory(
            name="Белая ночь", name_en="White Night", capacity=12, seating_mode="general"
        ),
        "venue": venue,
        "min_minutes": 120,
        "max_minutes": 480,
        "step_minutes": 60,
        "fixed_price": Decimal("2000"),
        "max_guests": 10,
        "turnaround_minutes": 30,
        "notice_minutes": 120,
        "horizon_days": 90,
        "skipper": skipper,
        "skipper_price_per_hour": Decimal("1500" if skipper == RentalPlan.Skipper.ADDON else "0"),
    }
    values.update(overrides)
    plan = RentalPlan.objects.create(**values)
    for weekday in range(7):
        closes = datetime.time(1) if weekday in (4, 5) else datetime.time(23)
        RentalHours.objects.create(
            plan=plan, weekday=weekday, opens=datetime.time(10), closes=closes
        )
    weekdays, weekend = hourly
    RentalRate.objects.create(plan=plan, weekdays="01234", price_per_hour=Decimal(weekdays))
    RentalRate.objects.create(plan=plan, weekdays="56", price_per_hour=Decimal(weekend))
    RentalOption.objects.create(
        plan=plan,
        name="Фотограф",
        name_en="Photographer",
        name_zh="摄影师",
        price=Decimal("3000"),
        per_hour=True,
        sort_order=1,
    )
    RentalOption.objects.create(
        plan=plan,
        name="Приветственный напиток",
        name_en="Welcome drink",
        name_zh="欢迎饮品",
        price=Decimal("1500"),
        sort_order=2,
    )
    return plan


def next_weekday(weekday: int, after: datetime.date) -> datetime.date:
    """The first `weekday` (0 = Monday) at least two days after `after`."""
    day = after + datetime.timedelta(days=2)
    while day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    return day
