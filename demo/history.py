"""The demo's past: months of departures that sailed (a few called off for the weather)
with the orders paid for them, the boardings and no-shows, refunds, promo codes and the
settlement receipts, so that the reports, the dashboard and the CRM's lists show a season
instead of an empty shop (issue 15: "the demo site has enough history").

Written straight to the tables with `bulk_create`: the services refuse departures in the
past, and buying thousands of orders one by one would make `make run` wait minutes. The
money still comes from the checkout's own arithmetic (`price_tickets`: promo codes,
service fees, the VAT code), so every order adds up as a real one does, and what the
reports show can be checked against the orders.

Deterministic (a fixed random seed) and done once: a second run finds the history and
does nothing. Run by `manage.py seed_demo_orders` (so by `make run`)."""

from __future__ import annotations

import datetime
import random
import secrets
import uuid
import zoneinfo
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import Consent, Customer
from booking.models import (
    CancellationRefund,
    Departure,
    FiscalReceipt,
    FunnelDay,
    FunnelStep,
    Order,
    Payment,
    Product,
    Promotion,
    Refund,
    Seat,
    SeatClaim,
    Ticket,
    TicketType,
    Vessel,
    VesselOccupancy,
)
from booking.models.inventory import CancelReason
from booking.services.orders import ORDER_CODE_ALPHABET, ORDER_CODE_LENGTH
from booking.services.pricing import PricedTicket, price_tickets
from booking.tickets.tokens import new_ticket_secret
from demo import company

TIME_ZONE = zoneinfo.ZoneInfo("Europe/Moscow")
HISTORY_DAYS = 90
SEED = 1703
# Every payment of the history carries this idempotence key prefix: how a second run
# knows the history is there, and how tests tell it from orders bought through services.
KEY_PREFIX = "demo-history-"
CREW_EMAIL = "crew@prichal.local"
IMPORT_BATCH = 1000
ADMIN_EMAIL = "admin@prichal.local"

# How full a departure of each product usually is (before the weekday, the season and luck).
BASE_LOAD = {
    "rivers-and-canals": 0.35,
    "night-bridges": 0.5,
    "kronstadt": 0.3,
    "fontanka-history": 0.3,
    "jazz-on-the-neva": 0.6,
    "pirate-quest": 0.4,
}
BOARDED_SHARE = 0.9  # the rest of the valid tickets are no-shows
REFUND_SHARE = 0.04  # orders the customer refunded (in part or whole) before the 24 hours
PROMO_SHARE = 0.08
# Departures called off for the weather: every this many days, the evening's first.
WEATHER_EVERY_DAYS = 23
LANGUAGES = (("ru", 0.78), ("en", 0.14), ("zh-hans", 0.08))

# Promo codes of past campaigns (the demo's PRICHAL10 is seed_demo's, for trying). Whole
# percentages of whole-rouble prices: SQLite (the demo's database) keeps decimals as
# floats, and a kopeck share such as 166.67 would fail the tickets' "paid adds up" check.
CAMPAIGNS = (
    ("AUTUMN15", "Осень: минус 15 %", Promotion.Kind.PERCENT, Decimal("15"), (-90, -45)),
    ("FAMILY20", "Семейный: минус 20 %", Promotion.Kind.PERCENT, Decimal("20"), (-60, -1)),
)


def words(text: str, separator: str | None = None) -> list[str]:
    return text.split(separator)


FIRST_NAMES_RU = words(
    "Александр Алексей Андрей Артём Дмитрий Иван Кирилл Максим Михаил Никита Олег Павел "
    "Роман Сергей Анна Алина Анастасия Дарья Екатерина Елена Ирина Ксения Мария Наталья "
    "Ольга Полина Светлана Софья Татьяна Юлия"
)
SURNAMES_RU = words(
    "Смирнов Иванов Кузнецов Соколов Попов Лебедев Козлов Новиков Морозов Петров Волков "
    "Соловьёв Васильев Зайцев Павлов Семёнов Голубев Виноградов Богданов Воробьёв Фёдоров "
    "Михайлов Беляев Тарасов Белов Комаров Орлов Киселёв Макаров Андреев"
)
NAMES_EN = words(
    "Oliver Smith,Emma Johnson,Liam Brown,Sophie Taylor,Noah Wilson,Mia Davies,Lucas Müller,"
    "Anna Schmidt,Marco Rossi,Giulia Bianchi,Pierre Martin,Claire Dubois,Ahmed Hassan,"
    "Elif Yılmaz,Carlos García,Lucía Fernández",
    ",",
)
NAMES_ZH = words("王芳,李娜,张伟,刘洋,陈静,杨磊,赵敏,黄强,周杰,吴婷", ",")
PINYIN = dict(
    zip(
        NAMES_ZH,
        words(
            "wang.fang li.na zhang.wei liu.yang chen.jing yang.lei zhao.min "
            "huang.qiang zhou.jie wu.ting"
        ),
        strict=True,
    )
)
TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        words("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya"),
        strict=True,
    )
)


def _latin(text: str) -> str:
    return "".join(TRANSLIT.get(char, char) for char in text.lower()).replace("-", "")


@dataclass
class Person:
    name: str
    email: str
    phone: str
    language: str


@dataclass
class Sale:
    """One order of the history as it is built, before it is written."""

    order: Order
    person: Person
    tickets: list[Ticket] = field(default_factory=list)
    refunded: list[Ticket] = field(default_factory=list)
    refund_at: datetime.datetime | None = None
    refund_reason: str = Refund.Reason.CUSTOMER


@contextmanager
def own_created_at(*models):
    """Lets `bulk_create` keep the `created_at` the history gives its rows: the field's
    auto_now_add would stamp them all with this moment (updating them afterwards took
    most of the run's time)."""
    fields = [model._meta.get_field("created_at") for model in models]
    for field_ in fields:
        field_.auto_now_add = False
    try:
        yield
    finally:
        for field_ in fields:
            field_.auto_now_add = True


def history_exists() -> bool:
    return Payment.objects.filter(idempotence_key__startswith=KEY_PREFIX).exists()


class History:
    def __init__(self, *, days: int = HISTORY_DAYS, now: datetime.datetime | None = None):
        self.days = days
        self.now = now or datetime.datetime.now(TIME_ZONE)
        self.rng = random.Random(SEED)
        self.stats: Counter = Counter()
        self.people: dict[str, list[Person]] = {}
        self.codes: set[str] = set(Order.objects.values_list("code", flat=True))
        self.prices: dict[tuple, object] = {}
        self.sales: list[Sale] = []

    # --- who buys --------------------------------------------------------------------

    def _people(self) -> None:
        rng = self.rng
        russians = []
        for index in range(900):
            first, surname = rng.choice(FIRST_NAMES_RU), rng.choice(SURNAMES_RU)
            if first.endswith(("а", "я")):  # a woman's surname
                surname += "а"
            email = f"{_latin(first)}.{_latin(surname)}{index}@example.ru"
            phone = f"+79{rng.randint(10, 99)}{rng.randint(100, 999)}{index:04d}"
            russians.append(Person(f"{first} {surname}", email, phone, "ru"))
        foreigners = [
            Person(
                name,
                f"{name.split()[0].lower()}.{index}@example.com",
                f"+4420794{index:05d}",
                "en",
            )
            for index, name in enumerate(NAMES_EN * 10)
        ]
        chinese = [
            Person(name, f"{PINYIN[name]}{index}@example.cn", f"+861380000{index:04d}", "zh-hans")
            for index, name in enumerate(NAMES_ZH * 8)
        ]
        self.people = {"ru": russians, "en": foreigners, "zh-hans": chinese}

    def _person(self) -> Person:
        roll, bound = self.rng.random(), 0.0
        for language, share in LANGUAGES:
            bound += share
            if roll < bound:
                return self.rng.choice(self.people[language])
        return self.rng.choice(self.people["ru"])

    def _code(self) -> str:
        while True:
            code = "".join(self.rng.choice(ORDER_CODE_ALPHABET) for _ in range(ORDER_CODE_LENGTH))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _provider_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # --- what sailed -----------------------------------------------------------------

    def _departures(self) -> list[Departure]:
        """The past departures of the timetable's products (rentals and the holiday cruise
        aside), skipping a slot whose vessel was already busy then."""
        first_day = self.now.date() - datetime.timedelta(days=self.days)
        start = datetime.datetime.combine(first_day, datetime.time(0), TIME_ZONE)
        busy: dict[int, list[tuple]] = {}
        for vessel_id, starts, ends in Departure.objects.filter(
            starts_at__gte=start - datetime.timedelta(hours=12), starts_at__lt=self.now
        ).values_list("vessel_id", "starts_at", "ends_at"):
            busy.setdefault(vessel_id, []).append((starts, ends))
        products = {p.code: p for p in Product.objects.select_related("venue")}
        vessels = {v.name: v for v in Vessel.objects.all()}
        vessel_names = {spec.key: spec.name.ru for spec in company.VESSELS}
        new = []
        for spec in company.PRODUCTS:
            if spec.code not in BASE_LOAD or spec.code not in products:
                continue
            product = products[spec.code]
            for schedule in spec.schedules:
                if schedule.dates is not None:
                    continue
                vessel = vessels[vessel_names[schedule.vessel]]
                for offset in range(self.days + 1):  # today too, what has sailed
                    day = first_day + datetime.timedelta(days=offset)
                    if schedule.weekdays is not None and day.weekday() not in schedule.weekdays:
                        continue
                    for hhmm in schedule.times:
                        hour, minute = map(int, hhmm.split(":"))
                        starts = datetime.datetime.combine(
                            day, datetime.time(hour, minute), TIME_ZONE
                        )
                        ends = starts + datetime.timedelta(minutes=spec.duration_minutes)
                        if ends > self.now:
                            continue
                        slots = busy.setdefault(vessel.pk, [])
                        if any(s < ends and starts < e for s, e in slots):
                            continue
                        slots.append((starts, ends))
                        new.append(
                            Departure(
                                product=product,
                                vessel=vessel,
                                venue=product.venue,
                                starts_at=starts,
                                ends_at=ends,
                                status=Departure.Status.DEPARTED,
                            )
                        )
        new.sort(key=lambda departure: departure.starts_at)
        weather_days = {
            first_day + datetime.timedelta(days=offset)
            for offset in range(WEATHER_EVERY_DAYS // 2, self.days, WEATHER_EVERY_DAYS)
        }
        admin = get_user_model().objects.filter(email__iexact=ADMIN_EMAIL).first()
        for departure in new:
            local = departure.starts_at.astimezone(TIME_ZONE)
            if local.date() in weather_days and local.hour >= 17:
                weather_days.discard(local.date())
                departure.status = Departure.Status.CANCELLED
                departure.cancel_reason = CancelReason.WEATHER
                departure.cancel_text = "Штормовое предупреждение МЧС: ветер до 18 м/с."
                departure.cancelled_at = departure.starts_at - datetime.timedelta(hours=5)
                departure.cancelled_by = admin
        created = Departure.objects.bulk_create(new, batch_size=500)
        VesselOccupancy.objects.bulk_create(
            [
                VesselOccupancy.for_departure(d)
                for d in created
                if d.status != Departure.Status.CANCELLED
            ],
            batch_size=500,
        )
        self.stats["departures"] = len(created)
        self.stats["departures cancelled for the weather"] = sum(
            d.status == Departure.Status.CANCELLED for d in created
        )
        return created

    # --- what sold -------------------------------------------------------------------

    def _load(self, departure: Departure) -> float:
        local = departure.starts_at.astimezone(TIME_ZONE)
        age = (self.now - departure.starts_at).days / max(self.days, 1)
        season = 0.6 + 0.5 * age  # autumn empties the boats: fuller the further back
        weekend = 1.2 if local.weekday() >= 5 else 1.0
        load = BASE_LOAD[departure.product.code] * season * weekend * self.rng.uniform(0.6, 1.3)
        return max(0.05, min(load, 1.0))

    def _breakdown(self, departure: Departure, type_ids: list[int], promotion: Promotion | None):
        key = (departure.product_id, tuple(type_ids), promotion.pk if promotion else None)
        if key not in self.prices:
            tickets = [
                PricedTicket(type_id, None, self.type_prices[type_id]) for type_id in type_ids
            ]
            self.prices[key] = price_tickets(
                departure=departure, tickets=tickets, promotion=promotion
            )
        return self.prices[key]

    def _sales(self, departures: list[Departure]) -> None:
        rng = self.rng
        types: dict[int, list[TicketType]] = {}
        for ticket_type in TicketType.objects.filter(is_active=True).order_by("sort_order", "pk"):
            types.setdefault(ticket_type.product_id, []).append(ticket_type)
        self.type_prices = {t.pk: t.price for group in types.values() for t in group}
        seats_by_map: dict[int | None, list[int]] = {}
        campaigns = list(Promotion.objects.filter(code__in=[c[0] for c in CAMPAIGNS]))
        for departure in departures:
            product_types = [
                t for t in types.get(departure.product_id, []) if not t.departures_only
            ]
            if not product_types:
                continue
            seats: list[int] = []
            if departure.is_assigned_seating:
                map_id = departure.effective_seat_map_id
                if map_id not in seats_by_map:
                    seats_by_map[map_id] = list(
                        Seat.objects.filter(seat_map_id=map_id, kind=Seat.Kind.STANDARD)
                        .order_by("section", "y", "x")
                        .values_list("pk", flat=True)
                    )
                seats = list(seats_by_map[map_id])
                capacity = len(seats)
            else:
                capacity = departure.effective_capacity
            left = round(capacity * self._load(departure))
            while left > 0:
                size = min(left, rng.choice((1, 2, 2, 2, 3, 4)))
                left -= size
                weights = [6, 2, 2][: len(product_types)]
                chosen = rng.choices(product_types, weights=weights, k=size)
                type_ids = sorted(t.pk for t in chosen)
                paid_at = departure.starts_at - datetime.timedelta(
                    hours=rng.uniform(0.5, 24 * 14) if rng.random() < 0.8 else rng.uniform(0.3, 6)
                )
                promotion = None
                if rng.random() < PROMO_SHARE:
                    valid = [
                        p
                        for p in campaigns
                        if (p.valid_from is None or p.valid_from <= paid_at)
                        and (p.valid_until is None or paid_at < p.valid_until)
                    ]
                    promotion = rng.choice(valid) if valid else None
                breakdown = self._breakdown(departure, type_ids, promotion)
                self.sales.append(self._sale(departure, breakdown, promotion, paid_at, seats))

    def _sale(self, departure, breakdown, promotion, paid_at, seats: list[int]) -> Sale:
        person = self._person()
        order = Order(
            code=self._code(),
            secret=secrets.token_urlsafe(32),
            departure=departure,
            status=Order.Status.PAID,
            language=person.language,
            name=person.name,
            email=person.email,
            phone=person.phone,
            promotion=promotion,
            subtotal=breakdown.subtotal,
            discount_total=breakdown.discount_total,
            fees_total=breakdown.fees_total,
            total=breakdown.total,
            breakdown=breakdown.to_json(),
            vat_code=breakdown.vat_code,
            expires_at=paid_at + datetime.timedelta(minutes=5),
            paid_at=paid_at,
            confirmation_sent_at=paid_at + datetime.timedelta(seconds=20),
        )
        order.created_at = paid_at - datetime.timedelta(minutes=self.rng.uniform(2, 12))
        sale = Sale(order, person)
        for priced in breakdown.tickets:
            sale.tickets.append(
                Ticket(
                    departure=departure,
                    ticket_type_id=priced.ticket_type_id,
                    seat_id=seats.pop(0) if seats else None,
                    secret=new_ticket_secret(),
                    status=Ticket.Status.VALID,
                    price=priced.price,
                    discount=priced.discount,
                    fee=priced.fee,
                    paid_amount=priced.paid,
                )
            )
        if departure.status == Departure.Status.CANCELLED:
            sale.refunded = list(sale.tickets)
            sale.refund_at = departure.cancelled_at + datetime.timedelta(minutes=7)
            sale.refund_reason = Refund.Reason.DEPARTURE_CANCELLED
        elif self.rng.random() < REFUND_SHARE:
            latest = departure.starts_at - datetime.timedelta(hours=25)
            if latest > paid_at:
                count = self.rng.randint(1, len(sale.tickets))
                sale.refunded = sale.tickets[-count:]
                sale.refund_at = paid_at + (latest - paid_at) * self.rng.random()
        for ticket in sale.refunded:
            ticket.status = Ticket.Status.REFUNDED
        if sale.refunded:
            whole = len(sale.refunded) == len(sale.tickets)
            order.status = Order.Status.REFUNDED if whole else Order.Status.PARTLY_REFUNDED
        if departure.status == Departure.Status.DEPARTED:
            for ticket in sale.tickets:
                if ticket.status == Ticket.Status.VALID and self.rng.random() < BOARDED_SHARE:
                    ticket.checked_in_at = departure.starts_at - datetime.timedelta(
                        minutes=self.rng.uniform(1, 20)
                    )
        return sale

    # --- writing it ------------------------------------------------------------------

    def _campaigns(self) -> None:
        for code, name, kind, value, (start, end) in CAMPAIGNS:
            Promotion.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "kind": kind,
                    "value": value,
                    "valid_from": self.now + datetime.timedelta(days=start),
                    "valid_until": self.now + datetime.timedelta(days=end),
                },
            )

    def _customers(self) -> None:
        buyers = {sale.person.email: sale.person for sale in self.sales}
        existing = {c.email: c for c in Customer.objects.filter(email__in=list(buyers))}
        first_order = {}
        for sale in self.sales:
            first_order.setdefault(sale.person.email, sale.order.created_at)
        new = [
            Customer(
                name=p.name,
                email=p.email,
                phone=p.phone,
                language=p.language,
                created_at=first_order[email],
            )
            for email, p in buyers.items()
            if email not in existing
        ]
        for customer in Customer.objects.bulk_create(new, batch_size=1000):
            existing[customer.email] = customer
        for sale in self.sales:
            sale.order.customer = existing[sale.person.email]
        self.stats["customers"] = len(new)

    def write(self) -> None:
        crew = get_user_model().objects.filter(email__iexact=CREW_EMAIL).first()
        orders = Order.objects.bulk_create([s.order for s in self.sales], batch_size=1000)
        tickets = []
        for sale in self.sales:
            for ticket in sale.tickets:
                ticket.order = sale.order
                if ticket.checked_in_at:
                    ticket.checked_in_by = crew
                tickets.append(ticket)
        Ticket.objects.bulk_create(tickets, batch_size=2000)
        SeatClaim.objects.bulk_create(
            [
                SeatClaim(departure_id=t.departure_id, seat_id=t.seat_id, ticket=t)
                for t in tickets
                if t.seat_id and t.status == Ticket.Status.VALID
            ],
            batch_size=2000,
        )
        payments = Payment.objects.bulk_create(
            [
                Payment(
                    order=sale.order,
                    idempotence_key=f"{KEY_PREFIX}payment-{sale.order.code}",
                    provider_id=self._provider_id(),
                    status=Payment.Status.SUCCEEDED,
                    amount=sale.order.total,
                    succeeded_at=sale.order.paid_at,
                    checked_at=sale.order.paid_at,
                    created_at=sale.order.paid_at - datetime.timedelta(minutes=2),
                )
                for sale in self.sales
            ],
            batch_size=1000,
        )
        refunded = [(p, s) for p, s in zip(payments, self.sales, strict=True) if s.refunded]
        refunds = Refund.objects.bulk_create(
            [
                Refund(
                    payment=payment,
                    idempotence_key=f"{KEY_PREFIX}refund-{sale.order.code}",
                    provider_id=self._provider_id(),
                    amount=sum((t.paid_amount for t in sale.refunded), Decimal("0.00")),
                    reason=sale.refund_reason,
                    status=Refund.Status.SUCCEEDED,
                    email_sent_at=sale.refund_at,
                    created_at=sale.refund_at,
                )
                for payment, sale in refunded
            ],
            batch_size=1000,
        )
        Refund.tickets.through.objects.bulk_create(
            [
                Refund.tickets.through(refund_id=refund.pk, ticket_id=ticket.pk)
                for refund, (_, sale) in zip(refunds, refunded, strict=True)
                for ticket in sale.refunded
            ],
            batch_size=2000,
        )
        CancellationRefund.objects.bulk_create(
            [
                CancellationRefund(
                    departure_id=sale.order.departure_id,
                    order=sale.order,
                    status=CancellationRefund.Status.REFUNDED,
                    refund=refund,
                    amount=refund.amount,
                    attempts=1,
                    email_sent_at=sale.refund_at,
                )
                for refund, (_, sale) in zip(refunds, refunded, strict=True)
                if sale.refund_reason == Refund.Reason.DEPARTURE_CANCELLED
            ]
        )
        # The settlement receipt of each order whose departure sailed with its tickets.
        FiscalReceipt.objects.bulk_create(
            [
                FiscalReceipt(
                    order=sale.order,
                    kind=FiscalReceipt.Kind.SETTLEMENT,
                    idempotence_key=f"{KEY_PREFIX}settlement-{sale.order.code}",
                    provider_id=self._provider_id(),
                    status="succeeded",
                    sent_at=sale.order.departure.starts_at,
                )
                for sale in self.sales
                if sale.order.departure.status == Departure.Status.DEPARTED
                and sale.order.status != Order.Status.REFUNDED
            ],
            batch_size=1000,
        )

        documents = self.documents
        Consent.objects.bulk_create(
            [
                Consent(
                    customer=sale.order.customer,
                    order=sale.order,
                    kind=kind,
                    document_url=document.url,
                    document_version=document.version,
                    ip_address="127.0.0.1",
                    user_agent="seed_demo_orders (history)",
                    created_at=sale.order.created_at,
                )
                for sale in self.sales
                for kind, document in documents
            ],
            batch_size=2000,
        )
        self.stats.update(
            orders=len(orders),
            tickets=len(tickets),
            boarded=sum(1 for t in tickets if t.checked_in_at),
            refunds=len(refunds),
        )

    def _funnel(self) -> None:
        """The sales funnel of the history's days (before today, whose steps are counted as
        they happen): its paid orders per day, product and language, and the steps before
        them in the proportions a ticket shop sees (most visitors only look)."""
        paid: Counter = Counter()
        for sale in self.sales:
            day = sale.order.paid_at.astimezone(TIME_ZONE).date()
            if day < self.now.date():
                paid[(day, sale.order.departure.product_id, sale.order.language)] += 1
        rng, rows = self.rng, []
        for (day, product_id, language), count in sorted(paid.items()):
            steps = [count]
            for low, high in ((1.05, 1.2), (1.25, 1.45), (1.15, 1.35), (1.8, 2.5), (2.2, 3.0)):
                steps.append(round(steps[-1] * rng.uniform(low, high)) + rng.randint(0, 2))
            for step, number in zip(reversed(FunnelStep), steps, strict=True):
                rows.append(
                    FunnelDay(
                        day=day, product_id=product_id, language=language, step=step, count=number
                    )
                )
        FunnelDay.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        self.stats["funnel days"] = len({row.day for row in rows})

    def run(self, documents) -> Counter:
        self.documents = documents
        with transaction.atomic(), own_created_at(Order, Payment, Refund, Consent, Customer):
            self._campaigns()
            self._people()
            departures = self._departures()
            self._sales(departures)
            self._customers()
            self.write()
            self._funnel()
        return self.stats


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _money(amount: Decimal) -> dict:
    return {"value": f"{amount:.2f}", "currency": "RUB"}


def provider_objects() -> dict:
    """The history's payments (with what was refunded of each), refunds and settlement
    receipts as YooKassa would list them, read back from the tables: for the emulator."""
    from django.db.models import Sum

    zero = Decimal("0.00")
    payments = list(
        Payment.objects.filter(idempotence_key__startswith=KEY_PREFIX).values(
            "provider_id", "amount", "created_at", "succeeded_at", "order_id", "order__code"
        )
    )
    refunds = list(
        Refund.objects.filter(idempotence_key__startswith=KEY_PREFIX).values(
            "provider_id", "payment__provider_id", "amount", "created_at"
        )
    )
    refunded: dict[str, Decimal] = {}
    for refund in refunds:
        key = refund["payment__provider_id"]
        refunded[key] = refunded.get(key, zero) + refund["amount"]
    payment_of = {p["order_id"]: p["provider_id"] for p in payments}
    settled = dict(
        Ticket.objects.filter(
            order__receipts__idempotence_key__startswith=KEY_PREFIX, status=Ticket.Status.VALID
        )
        .values("order_id")
        .annotate(paid=Sum("paid_amount"))
        .values_list("order_id", "paid")
    )
    receipts = FiscalReceipt.objects.filter(idempotence_key__startswith=KEY_PREFIX).values(
        "provider_id", "order_id", "sent_at"
    )
    return {
        "payments": [
            {
                "id": p["provider_id"],
                "status": "succeeded",
                "paid": True,
                "amount": _money(p["amount"]),
                "income_amount": _money(p["amount"]),
                "refunded_amount": _money(refunded.get(p["provider_id"], zero)),
                "_refunded": f"{refunded.get(p['provider_id'], zero):.2f}",
                "refundable": refunded.get(p["provider_id"], zero) < p["amount"],
                "created_at": _iso(p["created_at"]),
                "captured_at": _iso(p["succeeded_at"]),
                "description": f"Заказ {p['order__code']}",
                "metadata": {"order_code": p["order__code"]},
                "recipient": {"account_id": "emulator", "gateway_id": "emulator"},
                "test": True,
            }
            for p in payments
        ],
        "refunds": [
            {
                "id": r["provider_id"],
                "payment_id": r["payment__provider_id"],
                "status": "succeeded",
                "created_at": _iso(r["created_at"]),
                "amount": _money(r["amount"]),
                "description": "",
            }
            for r in refunds
        ],
        "receipts": [
            {
                "id": r["provider_id"],
                "type": "payment",
                "status": "succeeded",
                "payment_id": payment_of[r["order_id"]],
                "settlements": [{"type": "prepayment", "amount": _money(settled[r["order_id"]])}],
                "registered_at": _iso(r["sent_at"]),
            }
            for r in receipts
        ],
    }


def emulator_import() -> dict:
    """Gives the YooKassa emulator (`make run`'s) the history's payments, refunds and
    receipts, so that the reconciliation report finds them there too. Every run: the
    emulator keeps what it knows and adds what it lacks (a fresh `var/`, say)."""
    import requests
    from django.conf import settings

    base = settings.YOOKASSA_API_URL.removesuffix("/v3")
    counts: Counter = Counter()
    # In pieces: the emulator reads request bodies of up to 1 MB.
    for collection, objects in provider_objects().items():
        for start in range(0, len(objects), IMPORT_BATCH):
            response = requests.post(
                f"{base}/emulator/import",
                json={collection: objects[start : start + IMPORT_BATCH]},
                timeout=60,
            )
            response.raise_for_status()
            counts.update(response.json())
    return dict(counts)


def demo_history_create(*, days: int = HISTORY_DAYS, now=None) -> Counter:
    """Writes the history unless it is there; returns what it wrote (empty if nothing)."""
    if history_exists():
        return Counter()
    from demo.orders import consent_documents

    found = consent_documents()
    documents = [
        (kind, found[key])
        for kind, key in (
            (Consent.Kind.PERSONAL_DATA, "personal_data_document"),
            (Consent.Kind.OFFER, "offer_document"),
        )
        if found[key] is not None
    ]
    return History(days=days, now=now).run(documents)
