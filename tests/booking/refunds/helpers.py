"""What the refund tests share: a departure from a pier in Vladivostok (UTC+10, so that a
deadline shown on Moscow's clock would be visibly wrong) at a fixed moment, orders paid
for real through the YooKassa emulator or recorded as paid, and readers of what the
emulator received."""

import datetime
from decimal import Decimal

from booking.models import Departure, Order, Promotion, RefundPolicy, ServiceFee
from booking.services.payments import payment_refresh, payment_start
from tests import factories
from tests.factories import assigned_departure, general_departure, placed_order

PIER_TIMEZONE = "Asia/Vladivostok"
# 11:00 on 7 December 2031 at the pier (01:00 UTC); a 24-hour window ends at 11:00 on
# the 6th, pier time (04:00 in Moscow).
STARTS_AT = datetime.datetime(2031, 12, 7, 1, 0, tzinfo=datetime.UTC)
DEADLINE = STARTS_AT - datetime.timedelta(hours=24)
SECOND = datetime.timedelta(seconds=1)
RETURN_URL = "http://testserver/ru/booking/order/X/y/"
PRICES = ("2000.00", "1200.00")
NAMES = {"ru": "Белые ночи", "en": "White Nights", "zh-hans": "白夜游船"}


def pier_product(policy: RefundPolicy | None = None, prices=PRICES):
    venue = factories.VenueFactory(timezone=PIER_TIMEZONE)
    product = factories.ProductFactory(
        venue=venue,
        name=NAMES["ru"],
        name_en=NAMES["en"],
        name_zh=NAMES["zh-hans"],
        refund_policy=policy,
    )
    for order, price in enumerate(prices):
        factories.TicketTypeFactory(product=product, price=Decimal(price), sort_order=order)
    return product


def pier_departure(*, policy=None, starts_at=STARTS_AT, seated=False, **kwargs) -> Departure:
    """A departure of a product of its own from the pier in Vladivostok."""
    product = pier_product(policy)
    kwargs.setdefault("ends_at", starts_at + datetime.timedelta(minutes=90))
    if seated:
        return assigned_departure(
            product=product, venue=product.venue, starts_at=starts_at, **kwargs
        )
    kwargs.setdefault("capacity", 20)
    return general_departure(product=product, venue=product.venue, starts_at=starts_at, **kwargs)


def adult(departure: Departure):
    return departure.product.ticket_types.order_by("sort_order").first()


def order_fee(amount="150.00") -> ServiceFee:
    """A service fee per order, on every product."""
    return ServiceFee.objects.create(
        name="Сервисный сбор",
        name_en="Service fee",
        name_zh="服务费",
        per=ServiceFee.Per.ORDER,
        kind=ServiceFee.Kind.FIXED,
        value=Decimal(amount),
    )


def promotion(min_order_amount="5000.00", code="SUMMER") -> Promotion:
    return Promotion.objects.create(
        code=code,
        kind=Promotion.Kind.PERCENT,
        value=Decimal("10"),
        min_order_amount=Decimal(min_order_amount),
    )


def paid_order(departure=None, *, count=2, **details) -> Order:
    """An order recorded as paid (no YooKassa behind it): for rules that never send."""
    departure = departure or pier_departure()
    return placed_order(departure, quantities={adult(departure).pk: count}, paid=True, **details)


def paid_through_yookassa(departure=None, *, count=2, seats=None, **details) -> Order:
    """An order paid for through the emulator, so that its refunds can be sent."""
    departure = departure or pier_departure()
    if seats is None:
        order = placed_order(departure, quantities={adult(departure).pk: count}, **details)
    else:
        order = placed_order(departure, seats=seats, **details)
    payment = payment_start(order=order, return_url=RETURN_URL)
    emulator_settle(payment.provider_id)
    payment_refresh(payment=payment)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    return order


def emulator_settle(payment_id: str) -> None:
    import requests
    from django.conf import settings

    base = settings.YOOKASSA_API_URL.removesuffix("/v3")
    requests.post(f"{base}/emulator/payments/{payment_id}/succeed", timeout=5).raise_for_status()


def refund_calls(yookassa) -> list[dict]:
    """The create-refund requests YooKassa received, as sent (retries included)."""
    return [r for r in yookassa.server.emulator.store.requests if r["path"] == "/v3/refunds"]


def item_total(receipt: dict) -> Decimal:
    return sum(
        (Decimal(i["amount"]["value"]) * Decimal(i["quantity"]) for i in receipt["items"]),
        Decimal("0"),
    )
