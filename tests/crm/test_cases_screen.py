"""The support cases in the CRM: the agents' inbox (crm.viewsets.cases) and the case screen
with its actions (crm.views.cases), through the screens as staff use them."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from guardian.shortcuts import assign_perm
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from support.models import Case, CaseMessage, Macro, Queue
from support.services.attachments import AttachmentUpload
from support.services.cases import CaseRequest, case_open, case_update
from tests.factories.people import signed_in_client, staff_member

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def queue(slug: str) -> Queue:
    return Queue.objects.get(slug=slug)


def agent_of(slug: str, email: str):
    agent = staff_member("Agent", email=email, first_name="Ivan", last_name=slug.title())
    assign_perm("support.work_in_queue", agent, queue(slug))
    english(agent)
    return agent


def english(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def open_case(slug="sales", *, subject="Forgot my backpack", language="ru", files=(), **extra):
    request = CaseRequest(
        channel=Case.Channel.WEB,
        subject=subject,
        body="A blue backpack, the 11:00 trip.",
        email=extra.pop("email", "anna@example.com"),
        name="Anna",
        language=language,
        attachments=tuple(files),
    )
    return case_open(request=request, queue=queue(slug), **extra)


def due_in(case: Case, *, elapsed: timedelta, target=timedelta(hours=8)):
    """Makes the case's first-response clock deterministic: counted around the clock,
    opened `elapsed` ago, due `target` after that."""
    created = timezone.now() - elapsed
    Case.objects.filter(pk=case.pk).update(
        all_day=True,
        created_at=created,
        first_response_target=target,
        first_response_due=created + target,
        resolution_due=created + timedelta(days=5),
    )


def listed(client, **params) -> list[str]:
    response = client.get(reverse("crm_cases:index"), params)
    assert response.status_code == 200
    return re.findall(r">\s*(S-\d+)\s*<", response.content.decode())


def refs(*cases) -> list[str]:
    return [case.reference for case in cases]


@pytest.fixture
def world():
    sales_agent = agent_of("sales", "sales-agent@example.com")
    refunds_agent = agent_of("refunds", "refunds-agent@example.com")
    manager = english(staff_member("Manager", first_name="Maria", last_name="Boss"))
    sale = open_case("sales", subject="Sales question")
    refund = open_case("refunds", subject="Refund question", email="boris@example.com")
    return {
        "sales_agent": sales_agent,
        "refunds_agent": refunds_agent,
        "manager": manager,
        "sale": sale,
        "refund": refund,
    }


# The inbox ------------------------------------------------------------------------------


def test_an_agent_lists_only_the_cases_of_their_queues_and_the_manager_all(world):
    sale, refund = world["sale"], world["refund"]
    assert listed(signed_in_client(world["sales_agent"])) == refs(sale)
    assert listed(signed_in_client(world["refunds_agent"])) == refs(refund)
    assert sorted(listed(signed_in_client(world["manager"]))) == sorted(refs(sale, refund))


def test_mine_unassigned_waiting_and_breaching_soon(world):
    agent, manager = world["sales_agent"], world["manager"]
    mine = open_case(subject="Mine")
    case_update(case=mine, user=manager, assignee=agent)
    waiting = open_case(subject="Waiting")
    case_update(case=waiting, user=manager, status=Case.Status.WAITING_US, assignee=agent)
    closed = open_case(subject="Closed and mine")
    case_update(case=closed, user=manager, status=Case.Status.CLOSED, assignee=agent)
    sale = world["sale"]
    due_in(sale, elapsed=timedelta(hours=7))  # due in an hour
    late = open_case(subject="Late")
    due_in(late, elapsed=timedelta(hours=9))  # overdue by an hour
    calm = open_case(subject="Calm")
    due_in(calm, elapsed=timedelta(hours=1))  # due in 7 hours

    client = signed_in_client(agent)
    assert sorted(listed(client, inbox="mine")) == sorted(refs(mine, waiting))
    assert sorted(listed(client, inbox="unassigned")) == sorted(refs(sale, late, calm))
    assert listed(client, inbox="waiting") == refs(waiting)
    # The most urgent first.
    assert listed(client, inbox="breaching") == refs(late, sale)
    assert sorted(listed(client)) == sorted(refs(mine, waiting, closed, sale, late, calm))
    # Filters: status, priority, queue, channel, tag; a bad value filters nothing, no 500.
    assert listed(client, status="closed") == refs(closed)
    case_update(case=calm, user=manager, priority=1, tags=["vip"])
    assert listed(client, priority="1") == refs(calm)
    assert listed(client, tag="VIP") == refs(calm)
    assert listed(client, assignee=str(agent.pk), status="waiting_us") == refs(waiting)
    assert len(listed(client, status="nonsense")) == 6


def test_a_row_shows_its_clock_in_words_and_colour(world):
    sale = world["sale"]
    due_in(sale, elapsed=timedelta(hours=6, minutes=50))
    late = open_case(subject="Late")
    due_in(late, elapsed=timedelta(hours=9))
    paused = open_case(subject="Paused")
    case_update(case=paused, user=world["manager"], status=Case.Status.WAITING_CUSTOMER)

    page = signed_in_client(world["sales_agent"]).get(reverse("crm_cases:index")).content.decode()
    rows = {
        ref: row for row in page.split("<tr")[1:] for ref in re.findall(r">\s*(S-\d+)\s*<", row)
    }
    assert 'class="crm-sla crm-sla--warning"' in rows[sale.reference]
    assert "Breaching soon:" in rows[sale.reference]
    assert "Due in 1 h 10 min (business time)" in rows[sale.reference]
    assert "crm-sla--breached" in rows[late.reference]
    assert "Overdue by 1 h" in rows[late.reference]
    assert "crm-sla--paused" in rows[paused.reference]
    assert "Paused: waiting on the customer" in rows[paused.reference]


def test_bulk_assign_assigns_and_audits(world):
    agent, manager = world["sales_agent"], world["manager"]
    other = open_case(subject="Another")
    client = signed_in_client(manager)
    back = reverse("crm_cases:index") + "?inbox=unassigned"
    response = client.post(
        reverse("crm_cases:assign"),
        {"cases": [world["sale"].pk, other.pk], "assignee": agent.pk, "next": back},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == back
    assert "Cases assigned to Ivan Sales: 2" in response.content.decode()
    for case in (world["sale"], other):
        case.refresh_from_db()
        assert case.assignee == agent
        entry = ModelLogEntry.objects.for_instance(case).get(action="support.case.change")
        assert entry.user == manager and entry.data["assignee"] == [None, agent.pk]


def test_bulk_assign_to_someone_outside_the_queue_is_refused(world):
    client = signed_in_client(world["manager"])
    refund = world["refund"]
    response = client.post(
        reverse("crm_cases:assign"),
        {"cases": [refund.pk], "assignee": world["sales_agent"].pk},
        follow=True,
    )
    assert response.status_code == 200
    assert f"not assigned: {refund.reference}" in response.content.decode()
    refund.refresh_from_db()
    assert refund.assignee is None
    assert not ModelLogEntry.objects.for_instance(refund).filter(action="support.case.change")


def test_bulk_assign_never_reaches_another_queues_cases(world):
    """An agent's forged id of a case outside their queues is not one of theirs."""
    agent = world["sales_agent"]
    response = signed_in_client(agent).post(
        reverse("crm_cases:assign"), {"cases": [world["refund"].pk], "assignee": agent.pk}
    )
    assert response.status_code == 302
    world["refund"].refresh_from_db()
    assert world["refund"].assignee is None


# The case screen ----------------------------------------------------------------------------


def test_the_screen_shows_the_case_both_clocks_the_conversation_and_the_history(world):
    sale = world["sale"]
    manager = world["manager"]
    case_update(case=sale, user=manager, assignee=world["sales_agent"], tags=["lost"])
    from support.services.cases import note_add

    note_add(case=sale, user=manager, body="Check the lost property shelf")
    response = signed_in_client(world["sales_agent"]).get(
        reverse("crm_cases:inspect", args=[sale.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sales question" in page and sale.reference in page
    assert reverse("crm_customers:inspect", args=[sale.customer.pk]) in page
    assert "First response" in page and "Resolution" in page
    assert "MSK" in page  # due moments on Moscow's clock
    assert "crm-case-message--customer" in page and "crm-case-message--note" in page
    assert "Check the lost property shelf" in page
    assert "Ivan Sales" in page and "lost" in page
    # The history: Wagtail's log entries of the case.
    assert "Support case opened" in page and "Case changed: assignee, tags" in page
    viewed = ModelLogEntry.objects.get(action="prichal.personal_data.view", data__case_id=sale.pk)
    assert viewed.object_id == str(sale.customer.pk) and viewed.user == world["sales_agent"]
    with translation.override("en"):
        text = viewed.message
    assert text == f"Personal data viewed on the screen of support case {sale.reference}"
    history = signed_in_client(world["sales_agent"]).get(
        reverse("crm_cases:history", args=[sale.pk])
    )
    assert history.status_code == 200


def test_an_agent_of_another_queue_gets_404_and_other_roles_403(world):
    refund = world["refund"]
    agent = signed_in_client(world["sales_agent"])
    assert agent.get(reverse("crm_cases:inspect", args=[refund.pk])).status_code == 404
    assert (
        agent.post(reverse("crm_cases:note", args=[refund.pk]), {"note-body": "x"}).status_code
        == 404
    )
    for role in ("Accountant", "Marketer", "Boarding crew"):
        client = signed_in_client(staff_member(role))
        assert client.get(reverse("crm_cases:index")).status_code == 403
        assert client.get(reverse("crm_cases:inspect", args=[refund.pk])).status_code == 403
        response = client.post(reverse("crm_cases:note", args=[refund.pk]), {"note-body": "x"})
        assert response.status_code == 403
    assert not refund.messages.filter(kind=CaseMessage.Kind.NOTE).exists()


def macro():
    return Macro.objects.create(
        name="Found it",
        body_ru="Здравствуйте, {customer_name}! Нашли по обращению {case_reference}.",
        body_en="Hello {customer_name}, we found it ({case_reference}). {agent_name}",
        body_zh="您好 {customer_name}",
        set_status=Case.Status.RESOLVED,
        set_priority=Case.Priority.P2,
    )


def test_a_reply_with_a_macro_is_emailed_in_the_cases_language(
    world, django_capture_on_commit_callbacks
):
    case = open_case(language="en")
    canned = macro()
    client = signed_in_client(world["sales_agent"])
    url = reverse("crm_cases:reply", args=[case.pk])
    # "Use this macro" fills the text in (no JavaScript), changing nothing.
    filled = client.post(url, {"reply-macro": canned.pk, "use_macro": "1", "reply-body": ""})
    assert filled.status_code == 200
    text = f"Hello Anna, we found it ({case.reference}). Ivan Sales"
    page = filled.content.decode()
    assert text in page
    assert re.search(r'<option value="resolved" selected>', page)
    assert not case.messages.filter(kind=CaseMessage.Kind.REPLY).exists()

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            url,
            {
                "reply-macro": canned.pk,
                "reply-body": text,
                "reply-status": "resolved",
                "reply-files": [_upload("photo.png")],
            },
        )
    assert sent.status_code == 302 and sent.url == reverse("crm_cases:inspect", args=[case.pk])
    email = mail.outbox[-1]
    assert email.to == ["anna@example.com"]
    assert text in email.body and "Prichal support" in email.body
    case.refresh_from_db()
    assert case.first_responded_at is not None
    assert case.status == Case.Status.RESOLVED and case.priority == Case.Priority.P2
    reply = case.messages.get(kind=CaseMessage.Kind.REPLY)
    assert reply.author == world["sales_agent"] and reply.sent_ok is True
    assert [a.filename for a in reply.attachments.all()] == ["photo.png"]


def _upload(name, content=PNG, content_type="image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_note_is_not_emailed(world, django_capture_on_commit_callbacks):
    sale = world["sale"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_client(world["sales_agent"]).post(
            reverse("crm_cases:note", args=[sale.pk]), {"note-body": "Called back, no answer"}
        )
    assert response.status_code == 302
    assert mail.outbox == []
    note = sale.messages.get(kind=CaseMessage.Kind.NOTE)
    assert note.body == "Called back, no answer" and note.author == world["sales_agent"]
    sale.refresh_from_db()
    assert sale.first_responded_at is None


def test_a_change_is_audited(world):
    sale, agent = world["sale"], world["sales_agent"]
    response = signed_in_client(agent).post(
        reverse("crm_cases:change", args=[sale.pk]),
        {
            "change-status": "open",
            "change-priority": "2",
            "change-queue": sale.queue_id,
            "change-assignee": agent.pk,
            "change-tags": "vip, lost",
        },
    )
    assert response.status_code == 302
    sale.refresh_from_db()
    assert (sale.status, sale.priority, sale.assignee) == ("open", 2, agent)
    assert sorted(sale.tags.names()) == ["lost", "vip"]
    entry = ModelLogEntry.objects.for_instance(sale).get(action="support.case.change")
    assert entry.user == agent
    assert entry.data["status"] == ["new", "open"]
    assert entry.data["priority"] == [3, 2]
    assert entry.data["assignee"] == [None, agent.pk]


def test_assignee_choices_are_the_queues_staff(world):
    page = (
        signed_in_client(world["manager"])
        .get(reverse("crm_cases:inspect", args=[world["refund"].pk]))
        .content.decode()
    )
    change = page.split('id="crm-case-change"')[1]
    assert "Ivan Refunds" in change and "Maria Boss" in change
    assert "Ivan Sales" not in change


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("reply", {"reply-body": "   ", "reply-status": "open"}),
        ("reply", {"reply-body": "Hello", "reply-status": "nonsense"}),
        ("reply", {"reply-body": "Hello", "reply-status": "open", "reply-macro": "999999"}),
        ("note", {"note-body": ""}),
        ("change", {"change-status": "nonsense", "change-priority": "3"}),
        ("change", {"change-status": "open", "change-priority": "9"}),
        ("change", {"change-status": "open", "change-priority": "3", "change-assignee": "FORGED"}),
    ],
)
def test_bad_input_is_a_message_and_changes_nothing(world, url_name, data):
    sale = world["sale"]
    data = {"change-queue": sale.queue_id, **data}
    response = signed_in_client(world["sales_agent"]).post(
        reverse(f"crm_cases:{url_name}", args=[sale.pk]), data
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages and all(messages)
    sale.refresh_from_db()
    assert (sale.status, sale.priority, sale.assignee) == ("new", 3, None)
    assert list(sale.messages.values_list("kind", flat=True)) == ["customer"]


def test_an_assignee_outside_the_queue_is_refused(world):
    """The id of a staff member who cannot work in the queue (a forged form)."""
    sale = world["sale"]
    response = signed_in_client(world["manager"]).post(
        reverse("crm_cases:change", args=[sale.pk]),
        {
            "change-status": "new",
            "change-priority": "3",
            "change-queue": sale.queue_id,
            "change-assignee": world["refunds_agent"].pk,
        },
    )
    assert response.status_code == 200
    assert "cannot work on the cases of this queue" in response.content.decode()
    sale.refresh_from_db()
    assert sale.assignee is None


def test_moving_to_a_queue_the_assignee_does_not_work_in_is_refused(world):
    sale, agent = world["sale"], world["sales_agent"]
    case_update(case=sale, user=world["manager"], assignee=agent)
    response = signed_in_client(world["manager"]).post(
        reverse("crm_cases:change", args=[sale.pk]),
        {
            "change-status": "open",
            "change-priority": "3",
            "change-queue": queue("refunds").pk,
            "change-assignee": agent.pk,
        },
    )
    assert response.status_code == 200
    sale.refresh_from_db()
    assert (sale.queue.slug, sale.status, sale.assignee) == ("sales", "new", agent)


# Attachments -------------------------------------------------------------------------------


def test_attachment_download_for_permitted_staff_only(world):
    case = open_case("sales", files=[AttachmentUpload("photo.png", PNG, "image/png")])
    attachment = case.messages.get().attachments.get()
    url = reverse("crm_cases:attachment", args=[case.pk, attachment.pk])
    response = signed_in_client(world["sales_agent"]).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert ModelLogEntry.objects.filter(
        action="prichal.personal_data.view", data__attachment_id=attachment.pk
    ).exists()
    assert signed_in_client(world["manager"]).get(url).status_code == 200
    assert signed_in_client(world["refunds_agent"]).get(url).status_code == 404
    assert signed_in_client(staff_member("Accountant")).get(url).status_code == 403
    other = reverse("crm_cases:attachment", args=[world["refund"].pk, attachment.pk])
    assert signed_in_client(world["manager"]).get(other).status_code == 404


def test_the_support_menu_lists_the_inbox(world):
    page = signed_in_client(world["sales_agent"]).get(reverse("wagtailadmin_home"))
    text = page.content.decode()
    for inbox in ("mine", "unassigned", "breaching", "waiting"):
        assert f"?inbox={inbox}" in text
    accountant = signed_in_client(staff_member("Accountant"))
    assert "?inbox=mine" not in accountant.get(reverse("wagtailadmin_home")).content.decode()
