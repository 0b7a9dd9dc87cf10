"""Support cases: opening, replies, statuses and the paused clock (support.services.cases)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from wagtail.models import ModelLogEntry

from support.errors import SupportError
from support.models import Case, CaseMessage, CasePause
from support.services.cases import (
    CaseRequest,
    case_open,
    case_update,
    customer_message_add,
    note_add,
    reply_add,
)
from tests.factories.people import staff_member

pytestmark = pytest.mark.django_db


def request(**overrides):
    values = {
        "channel": Case.Channel.WEB,
        "subject": "Забыл рюкзак на теплоходе",
        "body": "Синий рюкзак, рейс 7 декабря в 11:00.",
        "email": "Anna@Example.ru",
        "name": "Анна",
        "language": "ru",
    }
    return CaseRequest(**{**values, **overrides})


def test_a_case_opens_new_with_the_default_policy_and_acknowledges(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_open(request=request())
    case.refresh_from_db()
    assert case.status == Case.Status.NEW
    assert case.customer.email == "anna@example.ru"
    assert case.queue.slug == "sales"
    assert case.first_response_target == timedelta(hours=8)
    assert case.first_response_due is not None
    assert case.first_response_due < case.resolution_due
    assert [m.kind for m in case.messages.all()] == [CaseMessage.Kind.CUSTOMER]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"[S-{case.pk}] Забыл рюкзак на теплоходе"
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-replied"
    assert ModelLogEntry.objects.filter(action="support.case.open", object_id=str(case.pk)).exists()


def test_bad_input_changes_nothing():
    for bad in ({"subject": " "}, {"body": ""}, {"email": "not-an-address"}, {"phone": "12"}):
        with pytest.raises(SupportError):
            case_open(request=request(**bad))
    assert not Case.objects.exists()


def test_a_reply_stamps_the_first_response_pauses_and_the_customer_resumes(
    django_capture_on_commit_callbacks,
):
    agent = staff_member("Manager")
    case = case_open(request=request())
    with django_capture_on_commit_callbacks(execute=True):
        reply_add(case=case, user=agent, body="Нашли, заберите у причала.")
    case.refresh_from_db()
    assert case.first_responded_at is not None
    assert case.status == Case.Status.WAITING_CUSTOMER
    assert CasePause.objects.filter(case=case, ended_at=None).count() == 1
    reply = mail.outbox[-1]
    assert reply.subject == f"Re: [S-{case.pk}] Забыл рюкзак на теплоходе"
    assert reply.to == ["anna@example.ru"]
    assert CaseMessage.objects.get(kind="reply").sent_ok is True

    customer_message_add(case=case, body="Спасибо, заеду завтра.", channel=Case.Channel.EMAIL)
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert CasePause.objects.filter(case=case, ended_at=None).count() == 0


def test_a_resolved_case_reopens_within_the_window_and_a_closed_one_never(settings):
    agent = staff_member("Manager")
    case = case_open(request=request())
    case_update(case=case, user=agent, status=Case.Status.RESOLVED)
    customer_message_add(case=case, body="Ещё вопрос", channel=Case.Channel.WEB)
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN and case.resolved_at is None

    case_update(case=case, user=agent, status=Case.Status.RESOLVED)
    Case.objects.filter(pk=case.pk).update(
        resolved_at=timezone.now() - timedelta(days=settings.SUPPORT_REOPEN_DAYS + 1)
    )
    with pytest.raises(SupportError) as refused:
        customer_message_add(case=case, body="А ещё?", channel=Case.Channel.WEB)
    assert refused.value.code == "case_closed"


def test_notes_are_private_and_changes_are_audited():
    agent = staff_member("Manager")
    case = case_open(request=request())
    note_add(case=case, user=agent, body="Позвонить капитану")
    case_update(case=case, user=agent, priority=Case.Priority.P1, tags=["рюкзак"])
    entry = ModelLogEntry.objects.get(action="support.case.change", object_id=str(case.pk))
    assert entry.data["priority"] == [3, 1]
    assert entry.data["tags"] == [[], ["рюкзак"]]
    assert len(mail.outbox) == 0 or all("Позвонить" not in m.body for m in mail.outbox)


def test_the_desk_calendar_follows_an_override_at_once():
    import datetime

    from support.models import CalendarOverride
    from support.services.sla import desk_calendar

    day = datetime.date(2027, 3, 3)  # a Wednesday
    assert desk_calendar().hours_on(day) == (datetime.time(9), datetime.time(18))
    override = CalendarOverride.objects.create(date=day, opens=None, closes=None)
    assert desk_calendar().hours_on(day) is None
    override.delete()
    assert desk_calendar().hours_on(day) == (datetime.time(9), datetime.time(18))
