"""The signed-in customer's cases (support.views.account_cases_view, account_case_view):
only their own cases, the conversation without internal notes, attachments through
signed, expiring links, replies from the account that reopen a resolved case, a closed
case pointing to a new one; the account menu links here, in RU/EN/ZH."""

import time

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile

from support.models import Case, CaseAttachment, CaseMessage
from support.services.attachments import AttachmentUpload, attachment_token
from support.services.cases import CaseRequest, case_open, case_update, note_add, reply_add
from tests.booking.account.helpers import customer_client
from tests.factories.people import staff_member
from tests.helpers import parse

pytestmark = pytest.mark.django_db

PREFIX = {"ru": "ru", "en": "en", "zh-hans": "zh"}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def url(tail: str = "", language: str = "ru") -> str:
    return f"/{PREFIX[language]}/support/cases/{tail}"


def open_case(email="anna@example.com", subject="Забыла рюкзак", body="Синий рюкзак.", **kw):
    return case_open(
        request=CaseRequest(
            channel=Case.Channel.WEB, subject=subject, body=body, email=email, language="ru", **kw
        )
    )


@pytest.fixture
def anna(home):
    client, _user = customer_client("anna@example.com")
    return client


def page_text(response) -> str:
    return parse(response).get_text(" ", strip=True)


def test_the_list_needs_a_sign_in(home):
    from django.test import Client

    response = Client().get(url())
    assert response.status_code == 302
    assert "/ru/account/login/code/" in response["Location"]
    assert Client().get(url("1/")).status_code == 302


def test_the_list_shows_only_the_customers_own_cases(anna):
    mine = open_case(subject="Рюкзак на теплоходе")
    second = open_case(subject="Чек для бухгалтерии")
    case_update(case=second, user=staff_member("Manager"), status=Case.Status.RESOLVED)
    other = open_case(email="boris@example.com", subject="Чужая тайна")
    response = anna.get(url())
    assert response.status_code == 200
    page = parse(response)
    cards = page.select(".support-case-card")
    assert len(cards) == 2
    listed = page_text(response)
    assert mine.reference in listed and "Рюкзак на теплоходе" in listed
    assert second.reference in listed and "Решено" in listed
    assert other.reference not in listed and "Чужая тайна" not in listed
    assert page.select_one(f"a[href='/ru/support/cases/{mine.pk}/']") is not None


def test_another_customers_case_is_a_404(anna):
    other = open_case(email="boris@example.com")
    assert anna.get(url(f"{other.pk}/")).status_code == 404
    assert anna.post(url(f"{other.pk}/"), {"message": "Hi"}).status_code == 404
    assert anna.get(url("999999/")).status_code == 404
    assert other.messages.count() == 1


def test_a_staff_member_without_a_customer_record_sees_no_cases(home):
    from tests.factories.people import signed_in_client

    case = open_case()
    client = signed_in_client(staff_member("Agent"))
    assert case.reference not in page_text(client.get(url()))
    assert client.get(url(f"{case.pk}/")).status_code == 404


def test_the_conversation_shows_replies_never_notes(anna, django_capture_on_commit_callbacks):
    case = open_case(body="Синий рюкзак, задний ряд.")
    agent = staff_member("Manager", first_name="Ольга")
    note_add(case=case, user=agent, body="ВНУТРЕННЕЕ: клиент звонил дважды")
    with django_capture_on_commit_callbacks(execute=True):
        reply_add(case=case, user=agent, body="Нашли рюкзак, заберите у причала.")
    response = anna.get(url(f"{case.pk}/"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Синий рюкзак, задний ряд." in text
    assert "Нашли рюкзак, заберите у причала." in text
    assert "Ольга" in text
    assert "ВНУТРЕННЕЕ" not in text
    assert "Ждём ответа клиента" in text
    kinds = [
        node["class"][-1] for node in parse(response).select(".support-thread .support-message")
    ]
    assert kinds == ["support-message--customer", "support-message--reply"]


def test_attachments_download_through_signed_links(anna):
    case = open_case(
        attachments=(AttachmentUpload("рюкзак.jpg", JPEG), AttachmentUpload("чек.pdf", PDF))
    )
    reply_add(
        case=case,
        user=staff_member("Manager"),
        body="Вот акт.",
        attachments=(AttachmentUpload("акт.pdf", PDF),),
    )
    page = parse(anna.get(url(f"{case.pk}/")))
    links = page.select(".support-message__files a")
    assert [link.get_text(strip=True) for link in links] == ["рюкзак.jpg", "чек.pdf", "акт.pdf"]
    photo = anna.get(links[0]["href"])
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/jpeg"
    assert b"".join(photo.streaming_content) == JPEG
    act = anna.get(links[2]["href"])
    assert b"".join(act.streaming_content) == PDF
    # The link works without a sign-in (it is what the e-mails carry) but not tampered.
    from django.test import Client

    assert Client().get(links[1]["href"]).status_code == 200
    token = links[1]["href"].rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert Client().get(url().replace("cases/", f"files/{tampered}/")).status_code == 404
    forged = signing.dumps({"a": CaseAttachment.objects.first().pk, "c": case.pk}, salt="other")
    assert Client().get(f"/ru/support/files/{forged}/").status_code == 404


def test_an_expired_link_is_a_404(anna, monkeypatch, settings):
    case = open_case(attachments=(AttachmentUpload("рюкзак.jpg", JPEG),))
    attachment = CaseAttachment.objects.get()
    issued = time.time() - settings.SUPPORT_ATTACHMENT_LINK_SECONDS - 60
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(int(issued))
    )
    old = attachment_token(attachment)
    monkeypatch.undo()
    assert anna.get(f"/ru/support/files/{old}/").status_code == 404
    fresh = attachment_token(attachment)
    assert anna.get(f"/ru/support/files/{fresh}/").status_code == 200
    assert case.pk


def test_a_reply_from_the_account_reopens_a_resolved_case(anna):
    case = open_case()
    agent = staff_member("Manager")
    reply_add(case=case, user=agent, body="Нашли.", status=Case.Status.RESOLVED)
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED
    response = anna.post(
        url(f"{case.pk}/"),
        {
            "message": "Не тот рюкзак, мой синий.",
            "attachments": [SimpleUploadedFile("a.jpg", JPEG)],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url(f"{case.pk}/")
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    last = case.messages.order_by("-pk").first()
    assert last.kind == CaseMessage.Kind.CUSTOMER
    assert last.channel == Case.Channel.WEB
    assert last.body == "Не тот рюкзак, мой синий."
    assert last.attachments.get().filename == "a.jpg"
    after = anna.get(response["Location"])
    assert "Ваше сообщение добавлено к обращению." in page_text(after)
    assert "Не тот рюкзак, мой синий." in page_text(after)


def test_a_bad_reply_is_refused_and_changes_nothing(anna):
    case = open_case()
    for data in (
        {"message": " "},
        {"message": "См. файл", "attachments": [SimpleUploadedFile("photo.jpg", EXE)]},
    ):
        response = anna.post(url(f"{case.pk}/"), data)
        assert response.status_code == 400
        assert parse(response).select_one(".account-field__error") is not None
    assert case.messages.count() == 1
    assert not CaseAttachment.objects.exists()


def test_a_closed_case_points_to_a_new_one(anna):
    case = open_case()
    case_update(case=case, user=staff_member("Manager"), status=Case.Status.CLOSED)
    response = anna.get(url(f"{case.pk}/"))
    page = parse(response)
    assert page.select_one("form.support-reply") is None
    assert "Это обращение закрыто: пожалуйста, создайте новое." in page_text(response)
    assert page.select_one("a[href='/ru/support/new/']") is not None
    refused = anna.post(url(f"{case.pk}/"), {"message": "Ещё вопрос"})
    assert refused.status_code == 409
    assert case.messages.count() == 1


@pytest.mark.parametrize(
    ("language", "menu", "status"),
    [("ru", "Обращения", "Новое"), ("en", "Support cases", "New"), ("zh-hans", "客服请求", "新建")],
)
def test_the_pages_speak_the_customers_language(home, language, menu, status):
    client, _user = customer_client("anna@example.com", language=language)
    case = open_case()
    response = client.get(url(language=language))
    page = parse(response)
    link = page.select_one(f".account-nav a[href='{url(language=language)}']")
    assert link.get_text(strip=True) == menu
    assert link["aria-current"] == "page"
    assert page.select_one(".support-status").get_text(strip=True) == status
    detail = client.get(url(f"{case.pk}/", language))
    assert parse(detail).select_one(".support-status").get_text(strip=True) == status


def test_the_orders_page_links_to_the_cases(anna):
    page = parse(anna.get("/ru/account/orders/"))
    assert page.select_one(".account-nav a[href='/ru/support/cases/']") is not None


def test_a_case_resolved_too_long_ago_is_not_reopened(anna, settings):
    import datetime

    case = open_case()
    case_update(case=case, user=staff_member("Manager"), status=Case.Status.RESOLVED)
    long_ago = case.created_at - datetime.timedelta(days=settings.SUPPORT_REOPEN_DAYS + 1)
    Case.objects.filter(pk=case.pk).update(resolved_at=long_ago)
    response = anna.get(url(f"{case.pk}/"))
    assert parse(response).select_one("form.support-reply") is None
    assert "Это обращение закрыто" in page_text(response)
    assert anna.post(url(f"{case.pk}/"), {"message": "Ещё вопрос"}).status_code == 409
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED
    assert case.messages.count() == 1


def test_a_case_written_from_the_account_is_followed_there(anna):
    response = anna.post(
        "/ru/support/new/",
        {
            "name": "Анна",
            "email": "anna@example.com",
            "subject": "Чек",
            "message": "Пришлите чек, пожалуйста.",
        },
    )
    case = Case.objects.get()
    sent = parse(anna.get(response["Location"]))
    assert sent.select_one(f"a[href='/ru/support/cases/{case.pk}/']") is not None
    assert case.reference in page_text(anna.get(url()))
