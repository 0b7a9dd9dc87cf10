"""The CRM API's support cases (/api/v1/crm/cases, crm/api/cases.py) through real HTTP with
staff API tokens: agents see their queues' cases and managers all, a case outside the
agent's queues is not found, replies are e-mailed and stamp the first response, changes
are audited, roles without the permission are refused, and bad input is a 4xx
`{code, message}` that changes nothing."""

import json

import pytest
from django.core import mail
from django.test import Client
from guardian.shortcuts import assign_perm
from wagtail.models import ModelLogEntry

from crm import roles
from crm.audit import PERSONAL_DATA_VIEW_ACTION
from support.models import Case, CaseMessage, Macro, Queue
from support.services.attachments import AttachmentUpload
from support.services.cases import CaseRequest, case_open, note_add
from tests.booking.api.helpers import assert_error
from tests.crm.api.helpers import API, TokenClient, api_for, staff, token_for

pytestmark = pytest.mark.django_db


def opened(queue: str = "sales", subject: str = "Забыл рюкзак на теплоходе", **fields) -> Case:
    values = {
        "channel": Case.Channel.WEB,
        "subject": subject,
        "body": "Синий рюкзак, рейс 7 декабря в 11:00.",
        "email": "anna@example.ru",
        "name": "Анна Смирнова",
        "language": "ru",
        **fields,
    }
    return case_open(request=CaseRequest(**values), queue=Queue.objects.get(slug=queue))


def agent_in(*queues: str, email: str = "agent@prichal.example"):
    """An agent (the real group) who works in `queues`, with their token client."""
    user = staff(roles.AGENT, email)
    for slug in queues:
        assign_perm("support.work_in_queue", user, Queue.objects.get(slug=slug))
    _token, plain = token_for(user)
    return user, TokenClient(plain, "en")


def patch(api: TokenClient, path: str, body: dict):
    return api.client.patch(
        f"{API}{path}",
        data=json.dumps(body),
        content_type="application/json",
        headers=api.headers(),
    )


def state(case: Case):
    case.refresh_from_db()
    return (
        case.status,
        case.priority,
        case.queue_id,
        case.assignee_id,
        sorted(case.tags.names()),
        case.messages.count(),
        case.first_responded_at,
    )


# --- Who gets in -----------------------------------------------------------------------


def test_no_token_is_401():
    case = opened()
    anonymous = TokenClient(None, "en")
    assert_error(anonymous.get("/cases"), 401, "unauthorized")
    assert_error(anonymous.get(f"/cases/{case.pk}"), 401, "unauthorized")
    assert_error(anonymous.post("/cases", {}), 401, "unauthorized")
    assert_error(anonymous.post(f"/cases/{case.pk}/replies", {"body": "x"}), 401, "unauthorized")
    assert_error(patch(anonymous, f"/cases/{case.pk}", {"status": "open"}), 401, "unauthorized")
    client = Client()
    client.force_login(staff(roles.MANAGER))  # a session is not a token
    assert_error(client.get(f"{API}/cases"), 401, "unauthorized")


@pytest.mark.parametrize("role", [roles.ACCOUNTANT, roles.MARKETER, roles.BOARDING_CREW])
def test_roles_without_support_permissions_are_refused(role):
    case = opened()
    before = state(case)
    api = api_for(role, "en")
    assert_error(api.get("/cases"), 403, "forbidden")
    assert_error(api.get(f"/cases/{case.pk}"), 403, "forbidden")
    created = api.post("/cases", {"email": "b@example.com", "subject": "S", "body": "B"})
    assert_error(created, 403, "forbidden")
    assert created.json()["message"] == "Your role does not allow this."
    assert_error(api.post(f"/cases/{case.pk}/replies", {"body": "Hi"}), 403, "forbidden")
    assert_error(api.post(f"/cases/{case.pk}/notes", {"body": "Hi"}), 403, "forbidden")
    assert_error(patch(api, f"/cases/{case.pk}", {"status": "open"}), 403, "forbidden")
    assert state(case) == before
    assert Case.objects.count() == 1


# --- Listing and reading ------------------------------------------------------------------


def test_an_agent_lists_their_queues_cases_and_a_manager_all():
    sales = opened("sales", subject="Продажа")
    refunds = opened("refunds", subject="Возврат", email="boris@example.com")
    agent, api = agent_in("sales")
    mine = opened("lost-property", subject="Назначен мне", email="vera@example.com")
    Case.objects.filter(pk=mine.pk).update(assignee=agent)

    listed = api.get("/cases")
    assert listed.status_code == 200, listed.content
    body = listed.json()
    assert body["count"] == 2
    assert [c["id"] for c in body["items"]] == [mine.pk, sales.pk]  # newest first
    item = body["items"][1]
    assert item["reference"] == f"S-{sales.pk}"
    assert item["queue"] == {"slug": "sales", "name": sales.queue.name}
    assert item["customer"]["email"] == "anna@example.ru"
    assert item["status"] == "new" and item["priority"] == 3
    assert item["sla"]["which"] == "first_response"
    assert item["sla"]["state"] in ("ok", "warning", "breached")
    assert isinstance(item["sla"]["remaining_seconds"], int)
    assert item["sla"]["text"]
    assert body["items"][0]["assignee"]["id"] == agent.pk

    manager = api_for(roles.MANAGER, "en")
    everything = manager.get("/cases").json()
    assert {c["id"] for c in everything["items"]} == {sales.pk, refunds.pk, mine.pk}


def test_the_filters():
    sales = opened("sales", subject="Потерял билет")
    refunds = opened("refunds", subject="Верните деньги", email="boris@example.com")
    urgent = opened("sales", subject="Срочно", email="vera@example.com", channel="email")
    Case.objects.filter(pk=urgent.pk).update(priority=1, status="open")
    user = staff(roles.MANAGER)
    Case.objects.filter(pk=refunds.pk).update(assignee=user)
    _token, plain = token_for(user)
    api = TokenClient(plain, "en")

    def ids(**params):
        response = api.get("/cases", params)
        assert response.status_code == 200, response.content
        return {c["id"] for c in response.json()["items"]}

    assert ids(queue="refunds") == {refunds.pk}
    assert ids(status="open") == {urgent.pk}
    assert ids(priority=1) == {urgent.pk}
    assert ids(channel="email") == {urgent.pk}
    assert ids(assignee="me") == {refunds.pk}
    assert ids(assignee=str(user.pk)) == {refunds.pk}
    assert ids(assignee="none") == {sales.pk, urgent.pk}
    assert ids(q="билет") == {sales.pk}
    assert ids(q="BORIS@") == {refunds.pk}
    assert ids(q=f"s-{urgent.pk}") == {urgent.pk}
    page = api.get("/cases", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 3 and [c["id"] for c in page["items"]] == [refunds.pk]


def test_a_case_reads_with_its_notes_and_is_audited():
    case = opened()
    manager = staff(roles.MANAGER)
    note_add(case=case, user=manager, body="Проверить камеры на причале")
    case.tags.add("lost")
    token, plain = token_for(manager)
    response = TokenClient(plain, "en").get(f"/cases/{case.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["subject"] == "Забыл рюкзак на теплоходе"
    assert body["tags"] == ["lost"]
    assert [(m["kind"], m["author"]) for m in body["messages"]] == [
        ("customer", "Анна Смирнова"),
        ("note", manager.get_full_name() or manager.get_username()),
    ]
    assert body["messages"][1]["body"] == "Проверить камеры на причале"
    assert body["messages"][0]["attachments"] == []
    entry = ModelLogEntry.objects.get(
        action=PERSONAL_DATA_VIEW_ACTION, object_id=str(case.customer.pk)
    )
    assert entry.user_id == manager.pk
    assert {k: entry.data[k] for k in ("via", "token", "case_id")} == {
        "via": "api",
        "token": token.pk,
        "case_id": case.pk,
    }


def test_attachments_read_as_metadata():
    pdf = AttachmentUpload("квитанция.pdf", b"%PDF-1.4 test", "application/pdf")
    case = opened(attachments=(pdf,))
    response = api_for(roles.MANAGER, "en").get(f"/cases/{case.pk}")
    assert response.status_code == 200, response.content
    [attachment] = response.json()["messages"][0]["attachments"]
    assert attachment["filename"] == "квитанция.pdf"
    assert attachment["content_type"] == "application/pdf"
    assert attachment["size"] == len(b"%PDF-1.4 test")
    assert set(attachment) == {"id", "filename", "content_type", "size"}


def test_a_case_outside_the_agents_queues_is_not_found():
    other = opened("refunds")
    _agent, api = agent_in("sales")
    before = state(other)
    for response in (
        api.get(f"/cases/{other.pk}"),
        api.post(f"/cases/{other.pk}/replies", {"body": "Здравствуйте"}),
        api.post(f"/cases/{other.pk}/notes", {"body": "Заметка"}),
        patch(api, f"/cases/{other.pk}", {"status": "resolved"}),
        api.get(f"/cases/{other.pk + 1000}"),  # one that does not exist reads the same
    ):
        assert_error(response, 404, "case_not_found")
        assert response.json()["message"] == "This case was not found."
    assert state(other) == before
    assert not ModelLogEntry.objects.filter(action=PERSONAL_DATA_VIEW_ACTION).exists()


# --- Creating, replying, changing ---------------------------------------------------------


def test_an_agent_opens_a_case_from_a_phone_call(django_capture_on_commit_callbacks):
    agent, api = agent_in("refunds")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/cases",
            {
                "email": "Gleb@Example.com",
                "name": "Глеб",
                "phone": "8 (912) 345-67-89",
                "subject": "Перенести рейс",
                "body": "Звонил, просит перенести на субботу.",
                "priority": 2,
                "queue": "refunds",
            },
        )
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert (case.channel, case.priority, case.queue.slug) == ("phone", 2, "refunds")
    assert case.created_by == agent
    assert case.customer.email == "gleb@example.com"
    assert case.customer.phone == "+79123456789"
    assert body["messages"][0]["body"] == "Звонил, просит перенести на субботу."
    assert mail.outbox == []  # staff took it down: no acknowledgement
    assert ModelLogEntry.objects.filter(action="support.case.open", object_id=str(case.pk)).exists()


def test_a_reply_is_emailed_and_stamps_the_first_response(home, django_capture_on_commit_callbacks):
    case = opened()
    mail.outbox.clear()  # the acknowledgement
    agent, api = agent_in("sales")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/cases/{case.pk}/replies", {"body": "Нашли, заберите у причала."})
    assert response.status_code == 201, response.content
    case.refresh_from_db()
    assert case.first_responded_at is not None
    assert case.status == Case.Status.WAITING_CUSTOMER
    assert [m.to for m in mail.outbox] == [["anna@example.ru"]]
    assert "Нашли, заберите у причала." in mail.outbox[0].body
    reply = response.json()["messages"][-1]
    assert (reply["kind"], reply["body"]) == ("reply", "Нашли, заберите у причала.")
    assert CaseMessage.objects.get(kind="reply").author == agent
    assert response.json()["sla"]["state"] == "paused"


def test_a_reply_with_a_macro_and_a_status(home, django_capture_on_commit_callbacks):
    case = opened()
    macro = Macro.objects.create(
        name="Found",
        body_ru="{customer_name}, нашли по обращению {case_reference}.",
        body_en="Found.",
        body_zh="Found.",
        set_priority=2,
    )
    api = api_for(roles.MANAGER, "en")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/cases/{case.pk}/replies", {"macro": macro.pk, "status": "resolved"})
    assert response.status_code == 201, response.content
    case.refresh_from_db()
    assert (case.status, case.priority) == ("resolved", 2)
    assert case.messages.get(kind="reply").body == f"Анна Смирнова, нашли по обращению S-{case.pk}."


def test_a_note_is_not_emailed(django_capture_on_commit_callbacks):
    case = opened()
    mail.outbox.clear()
    _agent, api = agent_in("sales")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/cases/{case.pk}/notes", {"body": "Перезвонить в понедельник"})
    assert response.status_code == 201, response.content
    assert response.json()["messages"][-1]["kind"] == "note"
    assert mail.outbox == []
    case.refresh_from_db()
    assert case.first_responded_at is None


def test_a_change_is_audited():
    case = opened()
    agent, api = agent_in("sales", "refunds")
    response = patch(
        api,
        f"/cases/{case.pk}",
        {"status": "waiting_us", "priority": 1, "assignee": agent.pk, "tags": ["vip", "lost"]},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["priority"], body["assignee"]["id"]) == ("waiting_us", 1, agent.pk)
    assert body["tags"] == ["lost", "vip"]
    entry = ModelLogEntry.objects.get(action="support.case.change", object_id=str(case.pk))
    assert entry.user_id == agent.pk
    assert entry.data["status"] == ["new", "waiting_us"]
    assert entry.data["assignee"] == [None, agent.pk]

    moved = patch(api, f"/cases/{case.pk}", {"queue": "refunds", "assignee": None})
    assert moved.status_code == 200, moved.content
    case.refresh_from_db()
    assert (case.queue.slug, case.assignee_id) == ("refunds", None)
    # Leaving a field out changes nothing.
    assert patch(api, f"/cases/{case.pk}", {}).status_code == 200
    case.refresh_from_db()
    assert case.assignee_id is None and case.status == "waiting_us"


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, body, status, code",
    [
        (
            "",
            {"email": "a@example.com", "subject": "S", "body": "B", "queue": "nope"},
            422,
            "queue_invalid",
        ),
        ("", {"email": "not-an-address", "subject": "S", "body": "B"}, 422, "email_invalid"),
        ("", {"email": "a@example.com", "subject": " ", "body": "B"}, 422, "subject_invalid"),
        (
            "",
            {"email": "a@example.com", "subject": "S", "body": "B", "order": "ZZZZ"},
            422,
            "order_not_matched",
        ),
        ("", {"email": "a@example.com", "subject": "S", "body": "B\x00"}, 422, "invalid_request"),
        (
            "",
            {"email": "a@example.com", "subject": "S", "body": "B", "priority": 9},
            422,
            "invalid_request",
        ),
        (
            "",
            {"email": "a@example.com", "subject": "S", "body": "B", "channel": "web"},
            422,
            "invalid_request",
        ),
        ("/{id}/replies", {"body": " "}, 422, "body_invalid"),
        ("/{id}/replies", {"body": "x" * 20_001}, 422, "body_invalid"),
        ("/{id}/replies", {"body": "x", "status": "done"}, 422, "invalid_request"),
        ("/{id}/replies", {"body": "x", "macro": 999999}, 422, "macro_not_found"),
        ("/{id}/notes", {"body": ""}, 422, "body_invalid"),
        ("/{id}/notes", {}, 422, "invalid_request"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(path, body, status, code):
    case = opened()
    before = state(case)
    api = api_for(roles.MANAGER, "en")
    response = api.post(f"/cases{path.format(id=case.pk)}", body)
    assert_error(response, status, code)
    assert state(case) == before
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    "body, code",
    [
        ({"status": "done"}, "invalid_request"),
        ({"priority": 0}, "invalid_request"),
        ({"queue": "nope"}, "queue_invalid"),
        ({"assignee": 999999}, "assignee_invalid"),
        ({"assignee": "me"}, "invalid_request"),
        ({"tags": ["x" * 101]}, "invalid_request"),
    ],
)
def test_bad_changes_are_refused(body, code):
    case = opened()
    before = state(case)
    api = api_for(roles.MANAGER, "en")
    assert_error(patch(api, f"/cases/{case.pk}", body), 422, code)
    assert state(case) == before


def test_an_assignee_outside_the_queue_is_refused():
    case = opened()
    before = state(case)
    stranger, _api = agent_in("refunds", email="stranger@prichal.example")
    api = api_for(roles.MANAGER, "en")
    response = patch(api, f"/cases/{case.pk}", {"assignee": stranger.pk})
    assert_error(response, 422, "assignee_invalid")
    assert state(case) == before


def test_a_closed_case_takes_no_reply():
    case = opened()
    Case.objects.filter(pk=case.pk).update(status="closed")
    before = state(case)
    api = api_for(roles.MANAGER, "en")
    assert_error(api.post(f"/cases/{case.pk}/replies", {"body": "Hi"}), 422, "case_closed")
    assert state(case) == before


@pytest.mark.parametrize(
    "path, params",
    [
        ("/cases/abc", {}),
        ("/cases/0", {}),
        ("/cases/99999999999999999999999", {}),
        ("/cases", {"status": "done"}),
        ("/cases", {"assignee": "someone"}),
        ("/cases", {"limit": 0}),
        ("/cases", {"q": "x" * 201}),
        ("/cases", {"q": "a\x00b"}),
        ("/cases", {"priority": "high"}),
    ],
)
def test_bad_parameters_are_422(path, params):
    opened()
    api = api_for(roles.MANAGER, "en")
    assert_error(api.get(path, params), 422, "invalid_request")


def test_an_unknown_queue_filter_is_422():
    api = api_for(roles.MANAGER, "en")
    response = api.get("/cases", {"queue": "nope"})
    assert_error(response, 422, "queue_invalid")
    assert response.json()["message"] == "Unknown queue."


@pytest.mark.parametrize(
    "language, message",
    [
        ("ru", "Обращение не найдено."),
        ("en", "This case was not found."),
        ("zh-hans", "未找到该工单。"),
    ],
)
def test_not_found_is_translated(language, message):
    api = api_for(roles.MANAGER, language)
    response = api.get("/cases/424242")
    assert_error(response, 404, "case_not_found")
    assert response.json()["message"] == message


def test_a_huge_body_is_refused(settings):
    case = opened()
    api = api_for(roles.MANAGER, "en")
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440
    response = api.post(f"/cases/{case.pk}/notes", {"body": "x" * (limit + 10)})
    assert_error(response)
    assert case.messages.count() == 1


def test_a_body_that_is_not_json_is_refused():
    case = opened()
    api = api_for(roles.MANAGER, "en")
    response = api.post(f"/cases/{case.pk}/notes", raw="{not json")
    assert_error(response)
    assert case.messages.count() == 1


def test_the_operations_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/crm/cases"]) == {"get", "post"}
    assert set(paths["/api/v1/crm/cases/{case_id}"]) == {"get", "patch"}
    assert "post" in paths["/api/v1/crm/cases/{case_id}/replies"]
    assert "post" in paths["/api/v1/crm/cases/{case_id}/notes"]
    assert client.get("/api/v1/docs").status_code == 200
