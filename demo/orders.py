"""The demo's customers and their orders, bought through the real services and paid
through the YooKassa emulator, so that an agent trying the CRM finds real orders to
search, refund and resend (`manage.py seed_demo_orders`, run by `make run` once the
emulator is up).

Idempotent: an order already bought (the same customer, the same product) is not bought
again, so a run cut short is completed by the next one.
The emulator keeps its payments in `var/` (`--state-file`), so these orders stay
refundable after a restart."""

import datetime
import time
from dataclasses import dataclass

import requests
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from wagtail.models import Site

from booking.models import Departure, Order, Seat, SeatClaim
from booking.services.holds import SeatRequest, hold_create
from booking.services.orders import CheckoutDetails, ConsentDocument, order_create
from booking.services.payments import payment_refresh, payment_start
from content.models import CompanySettings


class DemoOrdersError(Exception):
    pass


@dataclass(frozen=True)
class DemoOrder:
    name: str
    email: str
    phone: str
    language: str
    product: str
    # The order's departure is the product's first one at least this many hours away.
    hours_ahead: int
    # How many tickets of each type (by position in the product's list); on a departure
    # with assigned seating they get free seats side by side.
    tickets: dict[int, int]
    paid: bool = True


# The first customer is the one the README's walk-through finds by phone:
# `8 (921) 555-01-23`.
DEMO_ORDERS = (
    DemoOrder(
        "Анна Смирнова",
        "anna.smirnova@example.ru",
        "+7 921 555-01-23",
        "ru",
        "rivers-and-canals",
        72,
        tickets={0: 2, 1: 1},
    ),
    DemoOrder(
        "Анна Смирнова",
        "anna.smirnova@example.ru",
        "+7 921 555-01-23",
        "ru",
        "night-bridges",
        216,
        tickets={0: 2},
    ),
    DemoOrder(
        "Иван Петров",
        "ivan.petrov@example.ru",
        "+7 911 777-88-99",
        "ru",
        "jazz-on-the-neva",
        120,
        tickets={0: 2},
    ),
    DemoOrder(
        "John Miller",
        "john.miller@example.com",
        "+44 20 7946 0958",
        "en",
        "rivers-and-canals",
        20,
        tickets={0: 1},
    ),
    DemoOrder(
        "王伟",
        "wang.wei@example.cn",
        "+86 138 0013 8000",
        "zh-hans",
        "night-bridges",
        96,
        tickets={0: 2, 1: 2},
    ),
    DemoOrder(
        "Мария Кузнецова",
        "maria.kuznetsova@example.ru",
        "+7 921 444-12-34",
        "ru",
        "rivers-and-canals",
        144,
        tickets={0: 3},
        paid=False,
    ),
)


def _departure(product_code: str, hours_ahead: int) -> Departure:
    """The product's first scheduled departure at least `hours_ahead` hours from now."""
    after = timezone.now() + datetime.timedelta(hours=hours_ahead)
    departure = (
        Departure.objects.filter(
            product__code=product_code, status=Departure.Status.SCHEDULED, starts_at__gte=after
        )
        .select_related("product", "vessel", "venue")
        .order_by("starts_at")
        .first()
    )
    if departure is None:
        raise DemoOrdersError(f"No departure of {product_code} in {hours_ahead} hours or later.")
    return departure


def _free_seats(departure: Departure, count: int) -> list[Seat]:
    taken = SeatClaim.objects.filter(departure=departure).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )
    seats = list(
        Seat.objects.filter(seat_map_id=departure.effective_seat_map_id, kind=Seat.Kind.STANDARD)
        .exclude(pk__in=taken.values("seat_id"))
        .order_by("section", "y", "x")[:count]
    )
    if len(seats) < count:
        raise DemoOrdersError(f"Not enough free seats on {departure}.")
    return seats


def consent_documents() -> dict[str, ConsentDocument | None]:
    company = CompanySettings.for_site(Site.objects.get(is_default_site=True))
    documents = {}
    for key, page in (
        ("personal_data_document", company.personal_data_consent_page),
        ("offer_document", company.offer_page),
    ):
        documents[key] = (
            ConsentDocument(url=page.url or "", version=f"{page.pk}.{page.live_revision_id}")
            if page
            else None
        )
    return documents


def _emulator_base() -> str:
    return settings.YOOKASSA_API_URL.removesuffix("/v3")


def emulator_ready(timeout: float = 15.0) -> bool:
    """Waits for the emulator (started alongside, in the background) to answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(f"{_emulator_base()}/emulator/notifications", timeout=1)
            return True
        except requests.RequestException:
            time.sleep(0.3)
    return False


def _buy(spec: DemoOrder, documents: dict, owner_key: str) -> Order:
    departure = _departure(spec.product, spec.hours_ahead)
    types = list(departure.product.ticket_types.order_by("sort_order", "pk"))
    wanted = [types[index].pk for index, count in spec.tickets.items() for _ in range(count)]
    if departure.is_assigned_seating:  # the seats side by side, one per ticket
        seats = _free_seats(departure, len(wanted))
        requests_ = [
            SeatRequest(seat.pk, type_id) for seat, type_id in zip(seats, wanted, strict=True)
        ]
        hold = hold_create(departure_id=departure.pk, owner_key=owner_key, seats=requests_)
    else:
        quantities = {types[index].pk: count for index, count in spec.tickets.items()}
        hold = hold_create(departure_id=departure.pk, owner_key=owner_key, quantities=quantities)
    order = order_create(
        hold=hold,
        details=CheckoutDetails(
            name=spec.name,
            email=spec.email,
            phone=spec.phone,
            language=spec.language,
            personal_data_consent=True,
            offer_accepted=True,
            ip_address="127.0.0.1",
            user_agent="seed_demo_orders",
            **documents,
        ),
    )
    return_url = f"{settings.SITE_URL.rstrip('/')}/{spec.language.split('-')[0]}/"
    payment = payment_start(order=order, return_url=return_url)
    if spec.paid:
        response = requests.post(
            f"{_emulator_base()}/emulator/payments/{payment.provider_id}/succeed", timeout=10
        )
        response.raise_for_status()
        payment_refresh(payment=payment)
        order.refresh_from_db()
    return order


def demo_orders_create() -> list[Order]:
    """Buys the demo orders that are not there yet; returns those bought now."""
    bought = set(Order.objects.values_list("email", "departure__product__code"))
    missing = [spec for spec in DEMO_ORDERS if (spec.email, spec.product) not in bought]
    if not missing:
        return []
    if not getattr(settings, "YOOKASSA_EMULATOR", False):
        raise DemoOrdersError("Demo orders are paid through the YooKassa emulator only.")
    if not emulator_ready():
        raise DemoOrdersError(f"The YooKassa emulator does not answer at {_emulator_base()}.")
    documents = consent_documents()
    return [_buy(spec, documents, f"demo-order-{DEMO_ORDERS.index(spec)}") for spec in missing]


DEMO_WEBHOOK_NAME = "Демо: приёмник вебхуков (manage.py webhook_receiver)"


def demo_webhook_subscribe(url: str, secret: str):
    """Subscribes the demo's webhook receiver (`make run` starts it) to every event, with
    the secret it verifies signatures with; an existing subscription takes the new address
    and secret. Before the demo orders are bought, so their payments are delivered."""
    from booking.models import WebhookEvent, WebhookSubscription
    from booking.services.webhooks import webhook_url_check

    webhook_url_check(url)
    subscription, _ = WebhookSubscription.objects.update_or_create(
        name=DEMO_WEBHOOK_NAME,
        defaults={
            "url": url,
            "secret": secret,
            "events": sorted(WebhookEvent.values),
            "status": WebhookSubscription.Status.ACTIVE,
        },
    )
    return subscription
