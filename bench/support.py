#!/usr/bin/env python
"""bench/support.py — the support desk with a big backlog.

Builds a fresh PostgreSQL database (production settings), opens BENCH_SUPPORT_CASES cases
(default 5,000; 70 % still active, spread over the last 10 days, four queues, a manager
and an agent) through bulk_create with their real SLA targets and due times, then measures
in-process:

- the SLA escalation schedule (`support.services.escalation.escalate`): its first run, which
  raises every warning and breach that is due (alerts, audit entries, e-mails queued), and
  a steady-state run a minute later, which must find nothing new;
- the agents' inbox (`/admin/crm/cases/`: all, breaching soon) and a case screen, through
  Django's test client as a signed-in manager: p50/p99 ms and queries per page;
- the e-mail intake (`support.services.intake.inbound_message_take`) of new messages and of
  replies that thread into cases, without the IMAP round trip.

Run: `make bench-support` (or `.venv/bin/python bench/support.py`)."""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import bench_env, fresh_database, log, manage, setup_django

DATABASE = "prichal_bench_support"
CASES = int(os.environ.get("BENCH_SUPPORT_CASES", "5000"))
PAGE_RUNS = int(os.environ.get("BENCH_SUPPORT_PAGE_RUNS", "30"))
MESSAGES = int(os.environ.get("BENCH_SUPPORT_MESSAGES", "200"))
SEED = 12


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def generate(now) -> dict:
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    from accounts.models import Customer, User
    from crm.roles import AGENT, MANAGER
    from support.clock import business_add
    from support.models import Case, CaseMessage, Queue
    from support.services.sla import desk_calendar, policy_for

    rng = random.Random(SEED)
    manager = User.objects.create_user(email="manager@bench.local", password="x")
    manager.groups.add(Group.objects.get(name=MANAGER))
    agent = User.objects.create_user(email="agent@bench.local", password="x")
    agent.groups.add(Group.objects.get(name=AGENT))
    queues = list(Queue.objects.all())
    for queue in queues[:2]:
        assign_perm("support.work_in_queue", agent, queue)
    customers = Customer.objects.bulk_create(
        Customer(email=f"client{i}@example.ru", name=f"Клиент {i}", language="ru")
        for i in range(CASES)
    )
    calendars = {flag: desk_calendar(all_day=flag, around=now) for flag in (False, True)}
    policies = {
        (priority, queue.pk): policy_for(priority=priority, queue_id=queue.pk, channel="web")
        for priority in Case.Priority.values
        for queue in queues
    }
    statuses = [Case.Status.NEW] * 3 + [Case.Status.OPEN] * 3 + [Case.Status.WAITING_US]
    cases = []
    for i, customer in enumerate(customers):
        priority = rng.choice([1, 2, 3, 3, 3, 4])
        queue = rng.choice(queues)
        policy = policies[(priority, queue.pk)]
        created = now - timedelta(minutes=rng.randrange(10, 10 * 24 * 60))
        active = rng.random() < 0.7
        calendar = calendars[policy.all_day]
        first, resolution = (
            timedelta(minutes=policy.first_response_minutes),
            timedelta(minutes=policy.resolution_minutes),
        )
        cases.append(
            Case(
                subject=f"Вопрос {i}",
                customer=customer,
                channel="web",
                status=rng.choice(statuses) if active else Case.Status.RESOLVED,
                priority=priority,
                queue=queue,
                assignee=rng.choice([None, agent, manager]),
                sla_policy=policy,
                first_response_target=first,
                resolution_target=resolution,
                all_day=policy.all_day,
                first_response_due=business_add(created, first, calendar),
                resolution_due=business_add(created, resolution, calendar),
                first_responded_at=None if rng.random() < 0.5 else created + timedelta(hours=1),
                resolved_at=None if active else created + timedelta(days=1),
                last_customer_message_at=created,
            )
        )
    cases = Case.objects.bulk_create(cases, batch_size=2000)
    # created_at is auto_now_add: set the spread afterwards, in one statement per case batch.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE support_case SET created_at = last_customer_message_at "
            "WHERE last_customer_message_at IS NOT NULL"
        )
    CaseMessage.objects.bulk_create(
        (
            CaseMessage(case=case, kind="customer", channel="web", body=f"Текст {case.pk} " * 20)
            for case in cases
            for _ in range(3)
        ),
        batch_size=5000,
    )
    return {"manager": manager, "cases": cases}


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def page_figures(client, url) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm
    timings = []
    for _ in range(PAGE_RUNS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return (
        f"{url:<44} {percentile(timings, 50):>8.1f} {percentile(timings, 99):>8.1f}"
        f" {statistics.mean(timings):>8.1f} {len(captured.captured_queries):>8}"
    )


def letter(sender: str, subject: str, in_reply_to: str = "") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@prichal.example"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.ru")
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
    message.set_content("Здравствуйте! " * 40)
    return bytes(message)


def main():
    env = bench_env(DATABASE)
    env["STAFF_TWO_FACTOR_REQUIRED"] = "0"
    log(f"fresh database {DATABASE} …")
    fresh_database(env, DATABASE)
    manage(env, "collectstatic", "--noinput", "-v", "0")  # the admin's pages need the manifest
    setup_django(env)
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from support.mailbox import parse_message
    from support.models import CaseMessage, SlaAlert
    from support.services.escalation import escalate
    from support.services.intake import inbound_message_take

    now = timezone.now()
    log(f"generating {CASES} cases …")
    started = time.perf_counter()
    data = generate(now)
    print(
        f"bench/support: {CASES} cases (70 % active), {3 * CASES} messages generated in "
        f"{time.perf_counter() - started:.0f}s, PostgreSQL, production settings, in-process"
    )

    first_ms, first = timed(lambda: escalate(now=now))
    steady_ms, steady = timed(lambda: escalate(now=now + timedelta(minutes=1)))
    print(f"{'escalation':<44} {'ms':>8} {'events':>8} {'alerts':>8}")
    print(f"{'first run (every due warning and breach)':<44} {first_ms:>8.0f} {len(first):>8}")
    print(f"{'steady state (a minute later)':<44} {steady_ms:>8.0f} {len(steady):>8}")
    print(f"{'alerts written':<44} {'':>8} {'':>8} {SlaAlert.objects.count():>8}")

    client = Client()
    client.force_login(data["manager"])
    index = reverse("crm_cases:index")
    print(f"{'page':<44} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'queries':>8}")
    for url in (
        index,
        f"{index}?inbox=breaching",
        f"{index}?inbox=unassigned",
        reverse("crm_cases:inspect", args=[data["cases"][0].pk]),
    ):
        print(page_figures(client, url), flush=True)

    rng = random.Random(SEED + 1)
    raws = []
    for i in range(MESSAGES):
        if i % 2:
            case = rng.choice(data["cases"])
            reply = CaseMessage.objects.filter(case=case).first()
            if not reply.email_message_id:
                reply.email_message_id = f"bench-{reply.pk}@prichal.example"
                reply.save(update_fields=["email_message_id"])
            raws.append(
                letter(f"client{i}@example.ru", f"Re: [S-{case.pk}] вопрос", reply.email_message_id)
            )
        else:
            raws.append(letter(f"new{i}@example.ru", f"Новый вопрос {i}"))
    timings, outcomes = [], {}
    for raw in raws:
        ms, result = timed(lambda raw=raw: inbound_message_take(parse_message(raw)))
        timings.append(ms)
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    print(
        f"intake: {MESSAGES} messages {outcomes}: p50 {percentile(timings, 50):.1f} ms, "
        f"p99 {percentile(timings, 99):.1f} ms per message"
    )


if __name__ == "__main__":
    main()
