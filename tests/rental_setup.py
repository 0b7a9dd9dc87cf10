"""A rental plan for tests of the rental screens and pages: a yacht hired whole by the
hour from 10:00 to 23:00 every day (to 01:00 on Fridays and Saturdays), 2 to 8 hours in
whole hours, 9 000 ₽ an hour on weekdays and 11 000 ₽ at weekends plus a fixed 2 000 ₽,
ten guests, a 30-minute turnaround, two extras."""

import datetime
from decimal import Decimal

from booking.models import Product, RentalHours, RentalOption, RentalPlan, RentalRate
from tests import factories


def rental_plan(*, skipper=RentalPlan.Skipper.INCLUDED, code=None, **overrides) -> RentalPlan:
    venue = overrides.pop("venue", None) or factories.VenueFactory()
    product = factories.ProductFactory(
        kind=Product.Kind.RENTAL,
        venue=venue,
        duration_minutes=120,
        **({"code": code} if code else {}),
    )
    factories.TicketTypeFactory(
        product=product, name="Аренда", name_en="Rental", name_zh="租船", price=Decimal("0")
    )
    vessel = overrides.pop("vessel", None) or factories.VesselFactory(
        name="Белая ночь", name_en="White Night", capacity=12, seating_mode="general"
    )
    plan = RentalPlan.objects.create(
        product=product,
        vessel=vessel,
        venue=venue,
        min_minutes=120,
        max_minutes=480,
        step_minutes=60,
        fixed_price=Decimal("2000"),
        max_guests=10,
        skipper=skipper,
        skipper_price_per_hour=Decimal("1500") if skipper == RentalPlan.Skipper.ADDON else 0,
        turnaround_minutes=30,
        notice_minutes=120,
        horizon_days=60,
        **overrides,
    )
    for weekday in range(7):
        closes = datetime.time(1) if weekday in (4, 5) else datetime.time(23)
        RentalHours.objects.create(
            plan=plan, weekday=weekday, opens=datetime.time(10), closes=closes
        )
    RentalRate.objects.create(plan=plan, weekdays="01234", price_per_hour=Decimal("9000"))
    RentalRate.objects.create(plan=plan, weekdays="56", price_per_hour=Decimal("11000"))
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
        name_zh="迎宾饮品",
        price=Decimal("1500"),
        per_hour=False,
        sort_order=2,
    )
    return plan


def next_weekday(weekday: int, after: datetime.date) -> datetime.date:
    """The first `weekday` (0 = Monday) at least two days after `after`."""
    day = after + datetime.timedelta(days=2)
    while day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    return day
