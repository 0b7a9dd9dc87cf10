"""The demo's support desk: the agent works on the sales and refunds queues, the manager
runs every queue, three canned replies, and cases in several states whose SLA clocks are
live whenever the demo is opened (`manage.py seed_demo_orders` runs it after the orders,
so that a case can point at Anna's order).

Idempotent: a case whose subject exists already is not opened again."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from guardian.shortcuts import assign_perm

from booking.models import Order
from support.models import Case, Macro, Queue
from support.services.cases import (
    CaseRequest,
    case_open,
    case_update,
    customer_message_add,
    macro_text,
    note_add,
    reply_add,
)
from support.services.sla import due_times_refresh

AGENT_EMAIL = "agent@prichal.local"
MANAGER_EMAIL = "manager@prichal.local"
AGENT_QUEUES = ("sales", "refunds")

MACROS = (
    {
        "name": "Потерянные вещи: нашли",
        "body_ru": "Здравствуйте, {customer_name}!\n\nМы нашли вашу вещь. Забрать её можно у "
        "администратора на Дворцовой пристани ежедневно с 10:00 до 20:00, назовите номер "
        "обращения {case_reference}.\n\n{agent_name}",
        "body_en": "Hello {customer_name},\n\nWe have found your item. You can collect it from "
        "the desk at Dvortsovaya pier daily from 10:00 to 20:00; please quote case "
        "{case_reference}.\n\n{agent_name}",
        "body_zh": "{customer_name}，您好！\n\n我们找到了您的物品。请于每天10:00至20:00到宫殿码头服务台领取，"
        "并告知工单号 {case_reference}。\n\n{agent_name}",
        "set_status": Case.Status.RESOLVED,
    },
    {
        "name": "Возврат: правило 24 часов",
        "body_ru": "Здравствуйте, {customer_name}!\n\nВернуть билет можно в личном кабинете, "
        "пока до отправления не меньше 24 часов; деньги придут на карту в течение 10 дней. "
        "Позже вернуть билет нельзя.\n\n{agent_name}",
        "body_en": "Hello {customer_name},\n\nYou can refund a ticket in your account while the "
        "departure is at least 24 hours away; the money reaches your card within 10 days. "
        "Later, tickets cannot be refunded.\n\n{agent_name}",
        "body_zh": "{customer_name}，您好！\n\n距离开船至少24小时时，您可以在个人账户中退票，"
        "款项将在10天内退回银行卡。之后将无法退票。\n\n{agent_name}",
        "set_status": Case.Status.WAITING_CUSTOMER,
    },
    {
        "name": "Уточнить детали",
        "body_ru": "Здравствуйте, {customer_name}!\n\nУточните, пожалуйста, дату рейса и "
        "номер заказа.\n\n{agent_name}",
        "body_en": "Hello {customer_name},\n\nCould you tell us the date of the trip and your "
        "order code?\n\n{agent_name}",
        "body_zh": "{customer_name}，您好！\n\n请告诉我们航次日期和订单号。\n\n{agent_name}",
        "set_status": Case.Status.WAITING_CUSTOMER,
    },
)


def _backdate(case: Case, minutes: int) -> Case:
    """Moves the case's opening (and its first message) back, so that its clock has run."""
    opened = timezone.now() - timedelta(minutes=minutes)
    Case.objects.filter(pk=case.pk).update(created_at=opened)
    case.messages.filter(pk=case.messages.first().pk).update(created_at=opened)
    case.refresh_from_db()
    due_times_refresh(case)
    case.save(update_fields=["first_response_due", "resolution_due"])
    return case


def demo_support_create() -> list[Case]:
    User = get_user_model()
    agent = User.objects.filter(email=AGENT_EMAIL).first()
    manager = User.objects.filter(email=MANAGER_EMAIL).first()
    queues = {queue.slug: queue for queue in Queue.objects.all()}
    if agent is not None:
        for slug in AGENT_QUEUES:
            if slug in queues:
                assign_perm("support.work_in_queue", agent, queues[slug])
    if manager is not None:
        Queue.objects.filter(manager=None).update(manager=manager)
    macros = {}
    for values in MACROS:
        macros[values["name"]], _created = Macro.objects.get_or_create(
            name=values["name"], defaults=values
        )
    anna_order = Order.objects.filter(email="anna.smirnova@example.ru").order_by("pk").first()
    created = []

    def open_case(subject, minutes_ago, queue, **fields):
        if Case.objects.filter(subject=subject).exists():
            return None
        priority = fields.pop("priority", Case.Priority.P3)
        order = fields.pop("order", None)
        case = case_open(
            request=CaseRequest(subject=subject, **fields),
            queue=queues[queue],
            priority=priority,
            order=order,
        )
        created.append(case)
        return _backdate(case, minutes_ago)

    # New, unassigned, P1 (counted around the clock): amber, breaching soon, at any hour.
    open_case(
        "Не пришли билеты после оплаты",
        50,
        "sales",
        channel=Case.Channel.WEB,
        body="Оплатила заказ, деньги списались, а письма с билетами нет. Отправление сегодня!",
        email="anna.smirnova@example.ru",
        name="Анна Смирнова",
        phone="+7 921 555-01-23",
        language="ru",
        order=anna_order,
        priority=Case.Priority.P1,
    )
    # P1 already past its first-response target: red.
    open_case(
        "Boat left without us",
        150,
        "refunds",
        channel=Case.Channel.EMAIL,
        body="We were at the pier at 18:55 and the boat had already left. We want a refund.",
        email="john.smith@example.com",
        name="John Smith",
        language="en",
        priority=Case.Priority.P1,
    )
    # Lost property, new, normal priority, business-time clock.
    open_case(
        "Забыл рюкзак на теплоходе",
        30,
        "lost-property",
        channel=Case.Channel.WEB,
        body="Синий рюкзак, рейс по рекам и каналам, вчера в 19:00. Место 12.",
        email="pavel.orlov@example.ru",
        name="Павел Орлов",
        language="ru",
    )
    # Answered with a macro: waiting on the customer, the clock paused.
    waiting = open_case(
        "退票问题",
        240,
        "refunds",
        channel=Case.Channel.EMAIL,
        body="我想退票，可以吗？",
        email="li.na@example.cn",
        name="李娜",
        language="zh-hans",
    )
    if waiting is not None and agent is not None:
        case_update(case=waiting, user=agent, assignee=agent)
        macro = macros["Возврат: правило 24 часов"]
        reply_add(case=waiting, user=agent, body=macro_text(macro, waiting, agent), macro=macro)
    # A group booking the team is working on with the fleet: waiting on us, P2.
    group = open_case(
        "Корпоратив на 40 человек 20 декабря",
        600,
        "groups",
        channel=Case.Channel.PHONE,
        body="Звонила Мария из ООО «Север»: теплоход на 40 человек, 3 часа, фуршет.",
        email="maria@sever.example.ru",
        name="Мария Иванова",
        phone="+7 911 222-33-44",
        language="ru",
        priority=Case.Priority.P2,
    )
    if group is not None and manager is not None:
        case_update(
            case=group,
            user=manager,
            assignee=manager,
            status=Case.Status.WAITING_US,
            tags=["группа", "аренда"],
        )
        note_add(case=group, user=manager, body="Жду от флота свободный теплоход на 20.12.")
    # The customer answered after a reply: open again, assigned to the agent.
    reopened = open_case(
        "Можно ли с коляской?",
        400,
        "sales",
        channel=Case.Channel.EMAIL,
        body="Hello! Can we bring a baby stroller on board?",
        email="emma.brown@example.com",
        name="Emma Brown",
        language="en",
    )
    if reopened is not None and agent is not None:
        case_update(case=reopened, user=agent, assignee=agent)
        reply_add(
            case=reopened,
            user=agent,
            body="Yes, strollers are welcome; the crew will help you aboard.",
        )
        customer_message_add(
            case=reopened,
            body="Great, and is there a place to fold it?",
            channel=Case.Channel.EMAIL,
        )
    # Resolved yesterday.
    resolved = open_case(
        "Чек об оплате",
        1500,
        "sales",
        channel=Case.Channel.WEB,
        body="Пришлите, пожалуйста, чек об оплате для бухгалтерии.",
        email="anna.smirnova@example.ru",
        name="Анна Смирнова",
        language="ru",
        order=anna_order,
    )
    if resolved is not None and agent is not None:
        reply_add(
            case=resolved,
            user=agent,
            body="Здравствуйте! Чек отправлен на вашу почту.",
            status=Case.Status.RESOLVED,
        )
    return created
