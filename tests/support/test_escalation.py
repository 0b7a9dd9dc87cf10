"""SLA escalation (support.services.escalation): a warning at 80 % and a breach at 100 % of
the current clock, exactly once each — under repeated schedule runs and two workers racing
on real PostgreSQL connections — told to the assignee and the queue's manager by e-mail
and on their dashboard, written to the audit trail, the priority raised when the policy
says so."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse
from guardian.shortcuts import assign_perm
from wagtail.models import ModelLogEntry

from support.clock import MOSCOW, BusinessCalendar, business_between, russian_calendar
from support.models import Case, CasePause, Queue, SlaAlert, SlaPolicy
from support.services.cases import CaseRequest, case_open
from support.services.escalation import BREACH_ACTION, WARNING_ACTION, business_start, escalate
from support.tasks import escalate_cases
from tests.concurrency import race
from tests.factories.people import signed_in_client, staff_member

#: Counted around the clock (all_day): elapsed business time = wall time.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FIRST = timedelta(minutes=100)
RESOLUTION = timedelta(minutes=1000)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def make_case(*, priority=Case.Priority.P3, assignee=True, manager=True, policy=None) -> Case:
    case = case_open(
        request=CaseRequest(
            channel=Case.Channel.WEB,
            subject="Забыл рюкзак на теплоходе",
            body="Синий рюкзак.",
            email="anna@example.ru",
            name="Анна",
            language="ru",
        )
    )
    queue = Queue.objects.get(slug="sales")
    if manager:
        queue.manager = staff_member("Manager", email="boss@example.com")
        queue.save()
    agent = None
    if assignee:
        agent = staff_member("Agent", email="agent@example.com")
        assign_perm("support.work_in_queue", agent, queue)
    Case.objects.filter(pk=case.pk).update(
        created_at=T0,
        all_day=True,
        first_response_target=FIRST,
        resolution_target=RESOLUTION,
        first_response_due=T0 + FIRST,
        resolution_due=T0 + RESOLUTION,
        priority=priority,
        assignee=agent,
        sla_policy=policy,
    )
    mail.outbox.clear()
    return Case.objects.get(pk=case.pk)


def sla_mail() -> list:
    return [m for m in mail.outbox if "SLA" in m.subject]


@pytest.mark.django_db
class TestOnce:
    def test_79_percent_raises_nothing(self, django_capture_on_commit_callbacks):
        case = make_case()
        with django_capture_on_commit_callbacks(execute=True):
            assert escalate(now=minutes(79)) == []
        case.refresh_from_db()
        assert case.first_response_warned_at is None
        assert not SlaAlert.objects.exists()
        assert sla_mail() == []

    def test_80_percent_warns_the_assignee_and_the_manager_once(
        self, django_capture_on_commit_callbacks
    ):
        case = make_case()
        with django_capture_on_commit_callbacks(execute=True):
            raised = escalate(now=minutes(80))
        assert [(e.case_id, e.clock, e.kind) for e in raised] == [
            (case.pk, "first_response", "warning")
        ]
        case.refresh_from_db()
        assert case.first_response_warned_at == minutes(80)
        assert case.first_response_breached_at is None
        alerts = SlaAlert.objects.filter(case=case)
        assert sorted(a.recipient.email for a in alerts) == [
            "agent@example.com",
            "boss@example.com",
        ]
        assert {(a.kind, a.clock) for a in alerts} == {("warning", "first_response")}
        assert all(a.emailed_at is not None and a.read_at is None for a in alerts)
        messages = sla_mail()
        assert sorted(m.to[0] for m in messages) == ["agent@example.com", "boss@example.com"]
        # Russian, the staff's language: "due in 20 min" of business time.
        assert messages[0].subject == (
            f"[S-{case.pk}] Предупреждение SLA: первый ответ нужен через 20 мин"
        )
        assert "Забыл рюкзак на теплоходе" in messages[0].body
        entries = ModelLogEntry.objects.filter(object_id=str(case.pk), action=WARNING_ACTION)
        assert entries.count() == 1
        assert entries.get().data["clock"] == "first_response"

        # The schedule runs again, a minute later and at the same moment: nothing new.
        with django_capture_on_commit_callbacks(execute=True):
            assert escalate(now=minutes(80)) == []
            assert escalate(now=minutes(85)) == []
        assert SlaAlert.objects.count() == 2
        assert len(sla_mail()) == 2
        assert ModelLogEntry.objects.filter(action=WARNING_ACTION).count() == 1

    def test_100_percent_breaches_once(self, django_capture_on_commit_callbacks):
        case = make_case()
        with django_capture_on_commit_callbacks(execute=True):
            escalate(now=minutes(80))
            raised = escalate(now=minutes(100))
            assert escalate(now=minutes(101)) == []
            assert escalate(now=minutes(500)) == []
        assert [(e.clock, e.kind) for e in raised] == [("first_response", "breach")]
        case.refresh_from_db()
        assert case.first_response_warned_at == minutes(80)
        assert case.first_response_breached_at == minutes(100)
        assert SlaAlert.objects.filter(kind="breach").count() == 2
        breach_mail = [m for m in sla_mail() if "Нарушение" in m.subject]
        assert len(breach_mail) == 2
        assert breach_mail[0].subject == f"[S-{case.pk}] Нарушение SLA: первый ответ просрочен"
        assert ModelLogEntry.objects.filter(action=BREACH_ACTION).count() == 1
        # No raise_priority_on_breach: the priority stays.
        assert case.priority == Case.Priority.P3

    def test_a_case_past_100_percent_gets_the_breach_and_a_silent_warning(
        self, django_capture_on_commit_callbacks
    ):
        case = make_case()
        with django_capture_on_commit_callbacks(execute=True):
            raised = escalate(now=minutes(150))
        assert [e.kind for e in raised] == ["breach"]
        case.refresh_from_db()
        assert case.first_response_warned_at == case.first_response_breached_at == minutes(150)
        assert set(SlaAlert.objects.values_list("kind", flat=True)) == {"breach"}
        assert not ModelLogEntry.objects.filter(action=WARNING_ACTION).exists()
        assert len(sla_mail()) == 2

    def test_a_paused_case_never_warns(self, django_capture_on_commit_callbacks):
        case = make_case()
        Case.objects.filter(pk=case.pk).update(status=Case.Status.WAITING_CUSTOMER)
        CasePause.objects.create(case=case, began_at=minutes(10))
        with django_capture_on_commit_callbacks(execute=True):
            assert escalate(now=minutes(500)) == []
        assert not SlaAlert.objects.exists()
        assert sla_mail() == []

    def test_a_pause_delays_the_warning(self, django_capture_on_commit_callbacks):
        case = make_case()
        # Waited on the customer for 30 min; running again: 80 % at 110 min, not 80.
        CasePause.objects.create(case=case, began_at=minutes(10), ended_at=minutes(40))
        with django_capture_on_commit_callbacks(execute=True):
            assert escalate(now=minutes(109)) == []
            assert [e.kind for e in escalate(now=minutes(110))] == ["warning"]

    def test_after_the_first_response_the_resolution_clock_escalates(
        self, django_capture_on_commit_callbacks
    ):
        case = make_case()
        Case.objects.filter(pk=case.pk).update(
            first_responded_at=minutes(30), status=Case.Status.OPEN
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert escalate(now=minutes(799)) == []
            assert [(e.clock, e.kind) for e in escalate(now=minutes(800))] == [
                ("resolution", "warning")
            ]
        case.refresh_from_db()
        assert case.resolution_warned_at == minutes(800)
        assert case.first_response_warned_at is None
        assert sla_mail()[0].subject.endswith("решение нужно через 3 ч 20 мин")

    def test_the_breach_raises_the_priority_when_the_policy_says_so(
        self, django_capture_on_commit_callbacks
    ):
        policy = SlaPolicy.objects.create(
            name="P4 raise",
            priority=Case.Priority.P4,
            first_response_minutes=100,
            resolution_minutes=1000,
            raise_priority_on_breach=True,
        )
        case = make_case(priority=Case.Priority.P4, policy=policy)
        with django_capture_on_commit_callbacks(execute=True):
            escalate(now=minutes(80))
            case.refresh_from_db()
            assert case.priority == Case.Priority.P4  # a warning changes nothing
            escalate(now=minutes(100))
        case.refresh_from_db()
        assert case.priority == Case.Priority.P3
        change = ModelLogEntry.objects.get(object_id=str(case.pk), action="support.case.change")
        assert change.data == {"priority": [4, 3]}
        # Stamps survived the update's save.
        assert case.first_response_breached_at == minutes(100)

    def test_p1_stays_p1(self, django_capture_on_commit_callbacks):
        policy = SlaPolicy.objects.create(
            name="P1 raise",
            priority=Case.Priority.P1,
            first_response_minutes=100,
            resolution_minutes=1000,
            raise_priority_on_breach=True,
        )
        case = make_case(priority=Case.Priority.P1, policy=policy)
        with django_capture_on_commit_callbacks(execute=True):
            escalate(now=minutes(100))
        case.refresh_from_db()
        assert case.priority == Case.Priority.P1
        assert case.first_response_breached_at == minutes(100)

    def test_the_assignee_who_manages_the_queue_is_told_once(
        self, django_capture_on_commit_callbacks
    ):
        case = make_case(assignee=False)
        Case.objects.filter(pk=case.pk).update(assignee=case.queue.manager)
        with django_capture_on_commit_callbacks(execute=True):
            escalate(now=minutes(80))
        assert SlaAlert.objects.count() == 1
        assert len(sla_mail()) == 1

    def test_nobody_to_tell_still_stamps_and_audits(self, django_capture_on_commit_callbacks):
        case = make_case(assignee=False, manager=False)
        with django_capture_on_commit_callbacks(execute=True):
            assert len(escalate(now=minutes(80))) == 1
        case.refresh_from_db()
        assert case.first_response_warned_at == minutes(80)
        assert not SlaAlert.objects.exists()
        assert ModelLogEntry.objects.filter(action=WARNING_ACTION).count() == 1

    def test_a_cleared_stamp_stamps_again_but_tells_nobody_twice(
        self, django_capture_on_commit_callbacks
    ):
        case = make_case()
        with django_capture_on_commit_callbacks(execute=True):
            escalate(now=minutes(80))
            Case.objects.filter(pk=case.pk).update(first_response_warned_at=None)
            assert len(escalate(now=minutes(81))) == 1
        case.refresh_from_db()
        assert case.first_response_warned_at == minutes(81)
        assert SlaAlert.objects.count() == 2
        assert len(sla_mail()) == 2

    def test_resolved_and_young_cases_cost_a_few_queries(self, django_assert_max_num_queries):
        resolved = make_case()
        Case.objects.filter(pk=resolved.pk).update(status=Case.Status.RESOLVED)
        with django_assert_max_num_queries(2):  # the targets in use, per clock
            assert escalate(now=minutes(500)) == []
        young = make_case(assignee=False, manager=False)
        Case.objects.filter(pk=young.pk).update(created_at=minutes(450))
        # + the desk's calendar (hours, overrides) and the candidates: none.
        with django_assert_max_num_queries(6):
            assert escalate(now=minutes(500)) == []

    def test_the_scheduled_task_runs_the_service(self):
        make_case()
        # The case was created "in 2026-03": long past any target now.
        assert escalate_cases() == 1
        assert escalate_cases() == 0


@pytest.mark.parametrize(
    ("end", "amount", "start"),
    [
        # Monday 10:00 minus 2 business hours: Friday 17:00 (Moscow, Mon–Fri 9–18).
        (
            datetime(2026, 4, 6, 10, tzinfo=MOSCOW),
            timedelta(hours=2),
            datetime(2026, 4, 3, 17, tzinfo=MOSCOW),
        ),
        # Closed at the end: counts from the last opening hours back.
        (
            datetime(2026, 4, 4, 12, tzinfo=MOSCOW),
            timedelta(hours=1),
            datetime(2026, 4, 3, 17, tzinfo=MOSCOW),
        ),
        # Across the May holidays (1–3 May 2026 closed).
        (
            datetime(2026, 5, 4, 9, 30, tzinfo=MOSCOW),
            timedelta(hours=1),
            datetime(2026, 4, 30, 17, 30, tzinfo=MOSCOW),
        ),
        (
            datetime(2026, 4, 6, 10, tzinfo=MOSCOW),
            timedelta(0),
            datetime(2026, 4, 6, 10, tzinfo=MOSCOW),
        ),
    ],
)
def test_business_start_walks_the_calendar_back(end, amount, start):
    calendar = russian_calendar([2026])
    assert business_start(end, amount, calendar) == start
    assert business_between(start, end, calendar) == amount


def test_business_start_of_a_calendar_that_never_opens():
    calendar = BusinessCalendar(hours={})
    assert business_start(T0, timedelta(minutes=1), calendar) is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_the_same_moment_warn_once():
    case = make_case()

    results = race(lambda i: len(escalate(now=minutes(80))), 2)

    assert sorted(results.values()) == [0, 1]
    case.refresh_from_db()
    assert case.first_response_warned_at == minutes(80)
    alerts = SlaAlert.objects.filter(case=case)
    assert sorted(alerts.values_list("recipient__email", flat=True)) == [
        "agent@example.com",
        "boss@example.com",
    ]
    messages = sla_mail()
    assert sorted(m.to[0] for m in messages) == ["agent@example.com", "boss@example.com"]
    assert ModelLogEntry.objects.filter(action=WARNING_ACTION).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_race_many_cases_through_warning_and_breach():
    cases = [make_case()]
    # Five more unassigned cases of the same queue: its manager is told of each.
    cases += [make_case(assignee=False, manager=False) for _n in range(5)]

    for moment in (minutes(80), minutes(100)):
        results = race(lambda i, moment=moment: len(escalate(now=moment)), 3)
        assert sum(results.values()) == len(cases)

    for case in cases:
        case.refresh_from_db()
        assert case.first_response_warned_at == minutes(80)
        assert case.first_response_breached_at == minutes(100)
    assert ModelLogEntry.objects.filter(action=WARNING_ACTION).count() == len(cases)
    assert ModelLogEntry.objects.filter(action=BREACH_ACTION).count() == len(cases)
    # The first case: agent and manager, warning and breach; the others: the manager.
    assert SlaAlert.objects.count() == 2 * 2 + 5 * 2
    assert len(sla_mail()) == 14
    assert SlaAlert.objects.filter(emailed_at=None).count() == 0


@pytest.mark.django_db
class TestDashboard:
    """The alerts "in the admin": a panel on the recipient's dashboard, "mark as read"."""

    def test_the_recipient_sees_unread_alerts_and_marks_them_read(
        self, django_capture_on_commit_callbacks
    ):
        case = make_case()
        with django_capture_on_commit_callbacks(execute=True):
            escalate(now=minutes(80))
            escalate(now=minutes(100))
        agent = case.assignee
        client = signed_in_client(agent)
        page = client.get(reverse("wagtailadmin_home")).content.decode()
        assert 'id="crm-sla-alerts"' in page
        assert f"[S-{case.pk}]" in page
        try:
            link = reverse("crm_cases:inspect", kwargs={"pk": case.pk})
        except NoReverseMatch:  # the case screen is not there yet: no link
            link = None
        if link:
            assert f'href="{link}"' in page
        breach = SlaAlert.objects.get(recipient=agent, kind="breach")
        warning = SlaAlert.objects.get(recipient=agent, kind="warning")

        response = client.post(
            reverse("crm_sla_alert_read"),
            {"alert": breach.pk, "next": reverse("wagtailadmin_home")},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
        breach.refresh_from_db()
        warning.refresh_from_db()
        assert breach.read_at is not None and warning.read_at is None

        client.post(reverse("crm_sla_alert_read"), {"all": "1"})
        warning.refresh_from_db()
        assert warning.read_at is not None
        page = client.get(reverse("wagtailadmin_home")).content.decode()
        assert 'id="crm-sla-alerts"' not in page

    def test_someone_elses_alert_or_a_bad_id_is_a_404_and_changes_nothing(
        self, django_capture_on_commit_callbacks
    ):
        case = make_case()
        with django_capture_on_commit_callbacks(execute=True):
            escalate(now=minutes(80))
        managers_alert = SlaAlert.objects.get(recipient=case.queue.manager)
        client = signed_in_client(case.assignee)
        for value in (managers_alert.pk, "x", "", "9" * 40):
            response = client.post(reverse("crm_sla_alert_read"), {"alert": value})
            assert response.status_code == 404
        assert client.get(reverse("crm_sla_alert_read")).status_code == 405
        # An outside "next" is not followed.
        own = SlaAlert.objects.get(recipient=case.assignee)
        response = client.post(
            reverse("crm_sla_alert_read"), {"alert": own.pk, "next": "https://evil.example/"}
        )
        assert response["Location"] == reverse("wagtailadmin_home")
        managers_alert.refresh_from_db()
        assert managers_alert.read_at is None
