#!/usr/bin/env python
"""bench/crm.py — the back-office search box on a big shop.

Builds a fresh PostgreSQL database, generates BENCH_CRM_ORDERS orders (default 100,000)
with 2.5 tickets each on average (250,000) for customers with realistic Russian names,
e-mails and phones (bulk_create), then runs `booking.search.orders_search` BENCH_CRM_SEARCHES
times (default 300) per kind of text an agent types — an order code in lower case, a
ticket's QR token, an e-mail in upper case, a phone the Russian way (`8 (921) 555-01-23`),
a surname, a surname with a typo, a first name and surname in the other order — and prints
p50/p99 latency in ms and queries per search. Goal: p99 under 100 ms.

Run: `make bench-crm` (or `.venv/bin/python bench/crm.py`)."""

import datetime
import os
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import bench_env, fresh_database, log, setup_django

DATABASE = "prichal_bench_crm"
ORDERS = int(os.environ.get("BENCH_CRM_ORDERS", "100000"))
SEARCHES = int(os.environ.get("BENCH_CRM_SEARCHES", "300"))
BATCH = 5000
SEED = 11


def words(text: str) -> list[str]:
    return text.split()


MALE_FIRST = words(
    "Александр Алексей Андрей Артём Борис Вадим Виктор Владимир Дмитрий Евгений Иван Игорь Кирилл Максим Михаил Николай Олег Павел Пётр Роман Сергей Степан Юрий"
)
FEMALE_FIRST = words(
    "Александра Алина Анастасия Анна Валерия Вера Виктория Дарья Екатерина Елена Елизавета Ирина Ксения Людмила Мария Марина Наталья Ольга Полина Светлана Софья Татьяна Юлия"
)
SURNAMES = words(
    "Смирнов Иванов Кузнецов Соколов Попов Лебедев Козлов Новиков Морозов Петров Волков Соловьёв Васильев Зайцев Павлов Семёнов Голубев Виноградов Богданов Воробьёв Фёдоров Михайлов Беляев Тарасов Белов Комаров Орлов Киселёв Макаров Андреев Ковалёв Ильин Гусев Титов Кузьмин Кудрявцев Баранов Куликов Алексеев Степанов Яковлев Сорокин Сергеев Романов Захаров Борисов Королёв Герасимов Пономарёв Григорьев Лазарев Медведев Ершов Никитин Соболев Рябов Поляков Цветков Данилов Жуков Фролов Журавлёв Николаев Крылов Максимов Сидоров Осипов Белоусов Федотов Дорофеев Егоров Матвеев Бобров Дмитриев Калинин Анисимов Петухов Антонов Тимофеев Никифоров Веселов Филиппов Марков Большаков Суханов Миронов Ширяев Александров Коновалов Шестаков Казаков Ефимов Денисов Громов Фомин Давыдов Мельников Щербаков Блинов Колесников Карпов Афанасьев Власов Маслов Исаков Тихонов Аксёнов Гаврилов Родионов Котов Горбунов Кудряшов Быков Зуев Третьяков Савельев Панов Рыбаков Суворов Абрамов Воронов Мухин Архипов Трофимов Мартынов Емельянов Горшков Чернов Овчинников Селезнёв Панфилов Копылов Михеев Галкин Назаров Лобанов Лукин Беляков Потапов Некрасов Хохлов Жданов Наумов Шилов Воронцов Ермаков Дроздов Игнатьев Савин Логинов Сафонов Капустин Кириллов Моисеев Елисеев Кошелев Костин Горбачёв Орехов Ефремов Исаев Евдокимов Калашников Кабанов Носков Юдин Кулагин Лапин Прохоров Нестеров Харитонов Агафонов Муравьёв Ларионов Федосеев Зимин Пахомов Шубин Игнатов Филатов Крюков Рогов Кулаков Терентьев Молчанов Владимиров Артемьев Гурьев Зиновьев Гришин Кононов Дементьев Ситников Симонов Мишин Фадеев Комиссаров Мамонтов Носов Гуляев Шаров Устинов Вишняков Евсеев Лаврентьев Брагин Константинов Корнилов Авдеев Зыков Бирюков Шарапов Никонов Щукин Дьячков Одинцов Сазонов Якушев Красильников Гордеев Самойлов Князев Беспалов Уваров Шашков Бобылёв Доронин Белозёров Рожков Самсонов Мясников Лихачёв Буров Сысоев Фомичёв Русаков Стрелков Гущин Тетерин Колобов Субботин Фокин Блохин Селиверстов Пестов Кондратьев Силин Меркушев Лыткин Туров"
)
TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        words("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya"),
        strict=True,
    )
)
DOMAINS = ["mail.ru", "yandex.ru", "gmail.com", "bk.ru", "list.ru", "inbox.ru", "rambler.ru"]


def latin(text: str) -> str:
    return "".join(TRANSLIT.get(char, char) for char in text.lower()).replace("-", "")


def person(rng: random.Random, index: int) -> dict:
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.5:
        first, surname = rng.choice(FEMALE_FIRST), surname + "а"
    else:
        first = rng.choice(MALE_FIRST)
    style = rng.randrange(3)
    local = (
        f"{latin(first)}.{latin(surname)}"
        if style == 0
        else f"{latin(surname)}{rng.randrange(1960, 2008)}"
        if style == 1
        else f"{latin(first)[0]}{latin(surname)}"
    )
    return {
        "name": f"{first} {surname}",
        # The index keeps e-mails unique (Customer.email is) without looking less real.
        "email": f"{local}{index}@{rng.choice(DOMAINS)}",
        "phone": f"+79{rng.randrange(10**9):09d}",
    }


def typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # two letters swapped


def generate(env) -> dict:
    fresh_database(env, DATABASE)
    setup_django(env)
    from decimal import Decimal

    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Customer
    from booking.models import Departure, Order, Product, Ticket, TicketType, Venue, Vessel
    from booking.services.orders import ORDER_CODE_ALPHABET, ORDER_CODE_LENGTH
    from booking.tickets.tokens import new_ticket_secret

    rng = random.Random(SEED)
    venue = Venue.objects.create(
        name="Бенч", slug="bench", address="—", latitude=59.94, longitude=30.31
    )
    vessel = Vessel.objects.create(name="Палуба", capacity=300, seating_mode="general")
    product = Product.objects.create(kind="excursion", code="bench", name="Бенч", venue=venue)
    adult = TicketType.objects.create(product=product, name="Взрослый", price=1500)
    first = timezone.now() - datetime.timedelta(days=200)
    departures = Departure.objects.bulk_create(
        Departure(
            product=product,
            vessel=vessel,
            venue=venue,
            starts_at=first + datetime.timedelta(hours=6 * i),
            ends_at=first + datetime.timedelta(hours=6 * i + 2),
            capacity=300,
        )
        for i in range(ORDERS // 250 + 1)
    )
    started = time.monotonic()
    people = [person(rng, i) for i in range(ORDERS)]
    codes: set[str] = set()
    while len(codes) < ORDERS:
        codes.add("".join(rng.choice(ORDER_CODE_ALPHABET) for _ in range(ORDER_CODE_LENGTH)))
    codes_list = sorted(codes)
    rng.shuffle(codes_list)
    price = Decimal("1500.00")
    zero = Decimal("0.00")
    with transaction.atomic():
        for start in range(0, ORDERS, BATCH):
            batch = people[start : start + BATCH]
            customers = Customer.objects.bulk_create(
                Customer(name=p["name"], email=p["email"], phone=p["phone"]) for p in batch
            )
            orders = []
            for offset, (p, customer) in enumerate(zip(batch, customers, strict=True)):
                index = start + offset
                tickets = 2 if index % 2 else 3  # 2.5 a order on average
                departure = departures[index // 250]
                orders.append(
                    Order(
                        code=codes_list[index],
                        secret=secrets.token_urlsafe(32),
                        departure=departure,
                        customer=customer,
                        status=Order.Status.PAID,
                        name=p["name"],
                        email=p["email"],
                        phone=p["phone"],
                        subtotal=price * tickets,
                        discount_total=zero,
                        fees_total=zero,
                        total=price * tickets,
                        breakdown={},
                        vat_code=1,
                        expires_at=departure.starts_at,
                        paid_at=departure.starts_at - datetime.timedelta(days=3),
                    )
                )
            orders = Order.objects.bulk_create(orders)
            Ticket.objects.bulk_create(
                Ticket(
                    order=order,
                    departure_id=order.departure_id,
                    ticket_type=adult,
                    secret=new_ticket_secret(),
                    status=Ticket.Status.VALID,
                    price=price,
                    discount=zero,
                    fee=zero,
                    paid_amount=price,
                )
                for order in orders
                for _ in range(3 if order.total > price * 2 else 2)
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "seconds": time.monotonic() - started,
        "orders": Order.objects.count(),
        "tickets": Ticket.objects.count(),
        "customers": Customer.objects.count(),
        "people": people,
        "codes": codes_list,
    }


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def national(phone: str) -> str:
    digits = phone[2:]
    return f"8 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}"


def queries_for(kind: str, data: dict, rng: random.Random) -> list[str]:
    from booking.models import Ticket
    from booking.tickets.tokens import ticket_token

    people, codes = data["people"], data["codes"]
    picks = [rng.randrange(len(people)) for _ in range(SEARCHES)]
    if kind == "code":
        return [codes[i].lower() for i in picks]
    if kind == "QR token":
        tickets = Ticket.objects.order_by("?").values_list("secret", "departure_id")[:SEARCHES]
        return [ticket_token(secret, departure) for secret, departure in tickets]
    if kind == "e-mail":
        return [people[i]["email"].upper() for i in picks]
    if kind == "phone":
        return [national(people[i]["phone"]) for i in picks]
    surnames = [people[i]["name"].split()[1] for i in picks]
    if kind == "surname":
        return surnames
    if kind == "surname typo":
        return [typo(rng, surname) for surname in surnames]
    if kind == "surname first":
        return [" ".join(reversed(people[i]["name"].split())) for i in picks]
    if kind == "e-mail prefix":
        return [people[i]["email"].split("@")[0][:8] for i in picks]
    raise ValueError(kind)


def measure(kind: str, texts: list[str]) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from booking.search import orders_search

    orders_search(texts[0])  # warm the connection and the plan cache
    timings, queries, found = [], [], 0
    for text in texts:
        started = time.perf_counter()
        hits = orders_search(text)
        timings.append((time.perf_counter() - started) * 1000)
        found += bool(hits)
    for text in texts[:20]:
        with CaptureQueriesContext(connection) as captured:
            orders_search(text)
        queries.append(len(captured.captured_queries))
    return (
        f"{kind:<15} {len(texts):>5} {percentile(timings, 50):>8.1f} {percentile(timings, 99):>8.1f}"
        f" {statistics.mean(timings):>8.1f} {max(queries):>8} {found / len(texts):>7.0%}"
    )


def main():
    env = bench_env(DATABASE)
    log(f"generating {ORDERS} orders …")
    data = generate(env)
    print(
        f"bench/crm: {data['orders']} orders, {data['tickets']} tickets, {data['customers']} customers "
        f"generated in {data['seconds']:.0f}s (bulk_create), PostgreSQL, booking.search.orders_search"
    )
    print(
        f"{'kind':<15} {'runs':>5} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'queries':>8} {'found':>7}"
    )
    rng = random.Random(SEED + 1)
    for kind in (
        "code",
        "QR token",
        "e-mail",
        "phone",
        "surname",
        "surname typo",
        "surname first",
        "e-mail prefix",
    ):
        print(measure(kind, queries_for(kind, data, rng)), flush=True)


if __name__ == "__main__":
    main()
