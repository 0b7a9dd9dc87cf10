"""The support desk's set-up screens (queues, canned replies, SLA policies, working hours,
calendar overrides), the queue assignments, and the support cases of the customer and
order screens with their "open a case (phone call)" action (crm.viewsets.support_setup,
crm.views.staff, crm.views.support_phone). Managers edit, agents read macros and queues,
others see nothing; every change is in the audit trail; bad input is a translated form
error with nothing changed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from guardian.shortcuts import assign_perm
from wagtail.models import ModelLogEntry

from crm import roles
from crm.permissions import user_queue_ids
from crm.views.support_phone import case_url
from support.errors import SupportError
from support.models import CalendarOverride, Case, Macro, Queue, SlaPolicy, WorkingHours
from support.services.cases import CaseRequest, case_open
from tests.factories import general_departure, placed_order
from tests.factories.people import signed_in_client as client_of
from tests.factories.people import staff_member as staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return staff(roles.MANAGER)


@pytest.fixture
def agent():
    return staff(roles.AGENT)


def text(response) -> str:
    return response.content.decode()


def audit(instance, action: str):
    return ModelLogEntry.objects.for_instance(instance).filter(action=action)


MACRO = {
    "name": "Рюкзак найден",
    "body_ru": "Здравствуйте, {customer_name}! Ваш рюкзак нашёлся ({case_reference}). {agent_name}",
    "body_en": "Hello {customer_name}, your backpack was found ({case_reference}). {agent_name}",
    "body_zh": "{customer_name}，您好！您的背包找到了（{case_reference}）。{agent_name}",
    "set_status": "resolved",
    "set_priority": "",
}


# Canned replies -------------------------------------------------------------------------


def test_the_manager_creates_and_edits_a_macro_audited(manager):
    client = client_of(manager)
    add = client.get(reverse("support_macros:add"))
    assert add.status_code == 200 and "{case_reference}" in text(add)
    response = client.post(reverse("support_macros:add"), MACRO)
    assert response.status_code == 302, text(response)
    macro = Macro.objects.get(name="Рюкзак найден")
    assert macro.set_status == Case.Status.RESOLVED and macro.set_priority is None
    assert audit(macro, "wagtail.create").get().user == manager
    response = client.post(
        reverse("support_macros:edit", args=[macro.pk]), {**MACRO, "set_priority": "2"}
    )
    assert response.status_code == 302
    macro.refresh_from_db()
    assert macro.set_priority == 2
    assert audit(macro, "wagtail.edit").get().user == manager
    listing = text(client.get(reverse("support_macros:index")))
    assert "Рюкзак найден" in listing


def test_an_unknown_placeholder_is_refused(manager):
    response = client_of(manager).post(
        reverse("support_macros:add"), {**MACRO, "body_en": "Hello {name}"}
    )
    assert response.status_code == 200
    assert "{name}" in text(response) and "Неизвестная подстановка" in text(response)
    assert not Macro.objects.exists()


def test_the_agent_reads_macros_but_cannot_change_them(agent):
    macro = Macro.objects.create(name="Привет", body_ru="Привет", body_en="Hi", body_zh="你好")
    client = client_of(agent)
    assert client.get(reverse("support_macros:index")).status_code == 200
    assert client.get(reverse("support_macros:inspect", args=[macro.pk])).status_code == 200
    assert client.get(reverse("support_queues:index")).status_code == 200
    for url in (
        reverse("support_macros:add"),
        reverse("support_macros:edit", args=[macro.pk]),
        reverse("support_macros:delete", args=[macro.pk]),
    ):
        response = client.post(url, {**MACRO, "name": "Взлом"})
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    assert list(Macro.objects.values_list("name", flat=True)) == ["Привет"]
    assert client.get(reverse("support_sla_policies:index")).url == reverse("wagtailadmin_home")


@pytest.mark.parametrize("role", [roles.ACCOUNTANT, roles.MARKETER, roles.BOARDING_CREW])
def test_others_see_nothing_of_the_set_up(role):
    client = client_of(staff(role))
    for name in (
        "support_queues",
        "support_macros",
        "support_sla_policies",
        "support_working_hours",
        "support_calendar_overrides",
        "crm_queue_assignments",
    ):
        response = client.get(reverse(f"{name}:index"))
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    home = text(client.get(reverse("wagtailadmin_home")))
    assert "support-desk-setup" not in home


def test_the_menu_shows_the_set_up_to_managers_and_agents(manager, agent):
    page = text(client_of(manager).get(reverse("wagtailadmin_home")))
    assert "support-desk-setup" in page
    assert reverse("support_sla_policies:index") in page
    page = text(client_of(agent).get(reverse("wagtailadmin_home")))
    assert reverse("support_macros:index") in page
    assert reverse("support_sla_policies:index") not in page


# SLA policies -----------------------------------------------------------------------------


def policy_form(**overrides):
    values = {
        "name": "Возвраты P2 по телефону",
        "priority": "2",
        "queue": str(Queue.objects.get(slug="refunds").pk),
        "channel": "phone",
        "first_response_minutes": "90",
        "resolution_minutes": "600",
        "all_day": "",
        "raise_priority_on_breach": "on",
    }
    return {**values, **overrides}


def test_the_manager_adds_a_policy_listed_in_hours_and_minutes(manager):
    client = client_of(manager)
    response = client.post(reverse("support_sla_policies:add"), policy_form())
    assert response.status_code == 302, text(response)
    policy = SlaPolicy.objects.get(name="Возвраты P2 по телефону")
    assert policy.raise_priority_on_breach and policy.channel == "phone"
    assert audit(policy, "wagtail.create").get().user == manager
    listing = text(client.get(reverse("support_sla_policies:index")))
    assert "1 ч 30 мин" in listing and "10 ч" in listing


def test_a_duplicate_scope_is_refused_with_the_message(manager):
    client = client_of(manager)
    # The migration's P3 policy covers priority 3, any queue, any channel.
    response = client.post(
        reverse("support_sla_policies:add"),
        policy_form(name="Ещё одна P3", priority="3", queue="", channel=""),
    )
    assert response.status_code == 200
    assert "Политика для этого приоритета, очереди и канала уже есть." in text(response)
    assert SlaPolicy.objects.filter(priority=3, queue=None, channel="").count() == 1
    assert not SlaPolicy.objects.filter(name="Ещё одна P3").exists()


# Working hours and overrides --------------------------------------------------------------


def test_working_hours_are_listed_by_weekday_name_and_edited(manager):
    client = client_of(manager)
    listing = text(client.get(reverse("support_working_hours:index")))
    assert "Понедельник" in listing and "Воскресенье" in listing
    assert (
        reverse("support_working_hours:edit", args=[WorkingHours.objects.get(weekday=0).pk])
        in listing
    )
    saturday = WorkingHours.objects.get(weekday=5)
    url = reverse("support_working_hours:edit", args=[saturday.pk])
    assert "Суббота —–—" in text(client.get(url))
    response = client.post(url, {"weekday": "5", "opens": "10:00", "closes": "00:00"}, follow=True)
    assert "Суббота 10:00–00:00" in text(response)
    saturday.refresh_from_db()
    assert saturday.opens == datetime.time(10) and saturday.closes == datetime.time(0)
    assert audit(saturday, "wagtail.edit").get().user == manager
    history = client.get(reverse("support_working_hours:history", args=[saturday.pk]))
    assert history.status_code == 200 and "Суббота 10:00–00:00" in text(history)


@pytest.mark.parametrize(
    "opens, closes", [("18:00", "09:00"), ("09:00", "09:00"), ("09:00", ""), ("", "18:00")]
)
def test_bad_working_hours_are_refused(manager, opens, closes):
    monday = WorkingHours.objects.get(weekday=0)
    response = client_of(manager).post(
        reverse("support_working_hours:edit", args=[monday.pk]),
        {"weekday": "0", "opens": opens, "closes": closes},
    )
    assert response.status_code == 200
    page = text(response)
    assert (
        "Служба должна открываться раньше, чем закрывается" in page
        or "Укажите и время открытия, и время закрытия" in page
    )
    monday.refresh_from_db()
    assert (monday.opens, monday.closes) == (datetime.time(9), datetime.time(18))


def test_an_override_with_one_time_only_is_refused_and_a_closed_day_saved(manager):
    client = client_of(manager)
    url = reverse("support_calendar_overrides:add")
    response = client.post(url, {"date": "2031-12-31", "opens": "10:00", "closes": ""})
    assert response.status_code == 200
    assert "Укажите и время открытия, и время закрытия" in text(response)
    assert not CalendarOverride.objects.exists()
    response = client.post(
        url, {"date": "2031-12-31", "opens": "", "closes": "", "note": "Закрыто"}
    )
    assert response.status_code == 302, text(response)
    override = CalendarOverride.objects.get()
    assert override.opens is None and override.closes is None
    assert audit(override, "wagtail.create").get().user == manager
    response = client.post(url, {"date": "2031-12-30", "opens": "10:00", "closes": "15:00"})
    assert response.status_code == 302
    assert CalendarOverride.objects.count() == 2


# Queues -----------------------------------------------------------------------------------


def phone_case(*, queue=None, order=None, email="olga@example.com", user=None):
    return case_open(
        request=CaseRequest(
            channel=Case.Channel.PHONE,
            subject="Вопрос",
            body="Перезвоните",
            email=email,
            name="Ольга",
        ),
        user=user,
        queue=queue,
        order=order,
    )


def test_a_queue_with_cases_is_not_deleted(manager):
    queue = Queue.objects.get(slug="groups")
    phone_case(queue=queue)
    client = client_of(manager)
    response = client.post(reverse("support_queues:delete", args=[queue.pk]), follow=True)
    assert "нельзя удалить" in text(response)
    assert Queue.objects.filter(pk=queue.pk).exists()
    assert not audit(queue, "wagtail.delete").exists()


def test_an_unused_queue_is_deleted_audited_and_a_new_default_replaces_the_old(manager):
    client = client_of(manager)
    response = client.post(
        reverse("support_queues:add"),
        {"name": "Корпоративные", "slug": "corporate", "manager": "", "is_default": "on"},
    )
    assert response.status_code == 302, text(response)
    queue = Queue.objects.get(slug="corporate")
    assert list(Queue.objects.filter(is_default=True)) == [queue]
    assert audit(queue, "wagtail.create").exists()
    response = client.post(reverse("support_queues:delete", args=[queue.pk]))
    assert response.status_code == 302
    assert not Queue.objects.filter(slug="corporate").exists()
    assert ModelLogEntry.objects.filter(action="wagtail.delete", object_id=str(queue.pk)).exists()


# Queue assignments ------------------------------------------------------------------------


def test_the_manager_assigns_and_unassigns_queues_audited(manager, agent):
    refunds, groups = Queue.objects.get(slug="refunds"), Queue.objects.get(slug="groups")
    client = client_of(manager)
    assert client.get(reverse("crm_queue_assignments:index")).status_code == 200
    url = reverse("crm_queue_assignments:edit", args=[agent.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"queues": [refunds.pk, groups.pk]})
    assert response.status_code == 302
    assert agent.has_perm("support.work_in_queue", refunds)
    assert user_queue_ids(agent) == {refunds.pk, groups.pk}
    added = ModelLogEntry.objects.filter(action="prichal.staff.object_permission_added")
    assert added.count() == 2 and {entry.user for entry in added} == {manager}
    listing = text(client.get(reverse("crm_queue_assignments:index")))
    assert refunds.name in listing
    response = client.post(url, {"queues": [groups.pk]})
    assert response.status_code == 302
    agent = type(agent).objects.get(pk=agent.pk)
    assert not agent.has_perm("support.work_in_queue", refunds)
    assert agent.has_perm("support.work_in_queue", groups)
    removed = ModelLogEntry.objects.filter(action="prichal.staff.object_permission_removed")
    assert removed.get().user == manager


def test_an_unknown_queue_is_refused(manager, agent):
    url = reverse("crm_queue_assignments:edit", args=[agent.pk])
    response = client_of(manager).post(url, {"queues": [999999]})
    assert response.status_code == 200 and "help-critical" in text(response)
    assert user_queue_ids(agent) == frozenset()


@pytest.mark.parametrize("role", [roles.AGENT, roles.ACCOUNTANT])
def test_others_may_not_assign_queues(role, agent):
    client = client_of(staff(role, email=f"other-{role.lower()}@example.com"))
    url = reverse("crm_queue_assignments:edit", args=[agent.pk])
    response = client.post(url, {"queues": [Queue.objects.get(slug="refunds").pk]})
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    assert user_queue_ids(agent) == frozenset()


# Cases on the customer and order screens ----------------------------------------------------


@pytest.fixture
def order():
    return placed_order(general_departure(), paid=True, email="olga@example.com", name="Ольга")


def customer_url(order) -> str:
    return reverse("crm_customers:inspect", args=[order.customer.pk])


def order_url(order) -> str:
    return reverse("crm_orders:inspect", args=[order.pk])


def test_the_screens_list_only_the_cases_the_viewer_may_see(agent, manager, order):
    refunds, groups = Queue.objects.get(slug="refunds"), Queue.objects.get(slug="groups")
    assign_perm("support.work_in_queue", agent, refunds)
    seen = phone_case(queue=refunds, order=order)
    hidden = phone_case(queue=groups, order=order)
    elsewhere = phone_case(queue=refunds, email="someone@example.com")
    for url in (customer_url(order), order_url(order)):
        page = text(client_of(agent).get(url))
        assert 'id="crm-support-cases"' in page
        assert f'data-case="{seen.pk}"' in page and seen.reference in page
        assert f'data-case="{hidden.pk}"' not in page
        assert f'data-case="{elsewhere.pk}"' not in page
        assert "crm-sla-ok" in page  # the SLA clock
        page = text(client_of(manager).get(url))
        assert f'data-case="{seen.pk}"' in page and f'data-case="{hidden.pk}"' in page


def test_the_accountant_sees_no_cases_panel(order):
    phone_case(order=order)
    page = text(client_of(staff(roles.ACCOUNTANT)).get(order_url(order)))
    assert 'id="crm-support-cases"' not in page
    assert reverse("crm_phone_cases:order", args=[order.pk]) not in page


def test_a_phone_case_from_the_customer_screen(agent, order):
    client = client_of(agent)
    customer = order.customer
    open_url = reverse("crm_phone_cases:customer", args=[customer.pk])
    assert open_url in text(client.get(customer_url(order)))
    assert client.get(open_url).status_code == 200
    refunds = Queue.objects.get(slug="refunds")
    assign_perm("support.work_in_queue", agent, refunds)  # so that the agent sees the case
    response = client.post(
        open_url,
        {
            "subject": "Вернуть билет",
            "body": "Звонила, просит возврат",
            "priority": "2",
            "queue": refunds.pk,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == Case.Channel.PHONE and case.customer == customer
    assert case.order is None and case.queue == refunds and case.priority == 2
    assert case.created_by == agent
    assert case.messages.get().body == "Звонила, просит возврат"
    assert audit(case, "support.case.open").get().user == agent
    # Back to the customer, or to the case's screen once it exists.
    assert response.url in (customer_url(order), case_url(case))
    page = text(client.get(customer_url(order)))
    assert f"Обращение {case.reference} открыто." in page and f'data-case="{case.pk}"' in page


def test_a_phone_case_from_the_order_screen_links_the_order(manager, order):
    client = client_of(manager)
    open_url = reverse("crm_phone_cases:order", args=[order.pk])
    assert open_url in text(client.get(order_url(order)))
    response = client.post(
        open_url,
        {
            "subject": "Опоздание",
            "body": "Опаздывает на рейс",
            "priority": "1",
            "queue": Queue.objects.get(slug="sales").pk,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.order == order and case.departure == order.departure
    assert case.customer == order.customer and case.channel == Case.Channel.PHONE
    assert audit(case, "support.case.open").get().user == manager
    assert case.reference in text(client.get(order_url(order)))


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"subject": "  "}, SupportError("subject_invalid").message),
        ({"body": ""}, SupportError("body_invalid").message),
        ({"priority": "9"}, "Неизвестный приоритет."),
        ({"queue": "999999"}, "Неизвестная очередь."),
    ],
)
def test_bad_phone_case_input_is_refused(agent, order, bad, message):
    values = {
        "subject": "Тема",
        "body": "Текст",
        "priority": "3",
        "queue": Queue.objects.get(slug="sales").pk,
    }
    response = client_of(agent).post(
        reverse("crm_phone_cases:order", args=[order.pk]), {**values, **bad}
    )
    assert response.status_code == 200
    with translation.override("ru"):  # the staff's language
        assert escape(str(message)) in text(response)
    assert not Case.objects.exists()


@pytest.mark.parametrize("role", [roles.ACCOUNTANT, roles.MARKETER])
def test_others_may_not_open_a_phone_case(role, order):
    client = client_of(staff(role))
    for url in (
        reverse("crm_phone_cases:order", args=[order.pk]),
        reverse("crm_phone_cases:customer", args=[order.customer.pk]),
    ):
        response = client.post(url, {"subject": "x", "body": "y", "priority": "3"})
        assert response.status_code == 403
    assert not Case.objects.exists()


def test_a_customer_outside_the_agents_piers_is_not_found(agent, order):
    from crm.permissions import VENUE_ASSIGNMENT

    other = general_departure()
    assign_perm(VENUE_ASSIGNMENT, agent, other.venue)
    client = client_of(agent)
    assert client.get(reverse("crm_phone_cases:order", args=[order.pk])).status_code == 404
    assert (
        client.get(reverse("crm_phone_cases:customer", args=[order.customer.pk])).status_code == 404
    )


def test_no_phone_case_for_an_anonymised_customer(agent, order):
    from django.utils import timezone

    type(order.customer).objects.filter(pk=order.customer.pk).update(erased_at=timezone.now())
    client = client_of(agent)
    assert reverse("crm_phone_cases:customer", args=[order.customer.pk]) not in text(
        client.get(customer_url(order))
    )
    response = client.post(
        reverse("crm_phone_cases:customer", args=[order.customer.pk]),
        {"subject": "Тема", "body": "Текст", "priority": "3"},
    )
    assert response.status_code == 302 and response.url == customer_url(order)
    assert not Case.objects.exists()
