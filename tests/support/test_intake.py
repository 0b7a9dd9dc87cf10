"""E-mail intake against a real IMAP server (Debian's Dovecot, started by the suite): the
schedule's task reads the support mailbox and opens, threads or recognises each message."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core import mail

from support.mailbox import parse_message
from support.models import Case, CaseAttachment, CaseMessage
from support.services.cases import CaseRequest, case_open, case_update, reply_add
from support.services.intake import inbound_message_take
from support.tasks import poll_support_mailbox
from tests.factories.people import staff_member

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x00" * 200


def letter(
    subject="Потерял рюкзак",
    body="Синий рюкзак, рейс в 19:00.",
    sender="Павел Орлов <pavel@example.ru>",
    headers=None,
    photo=False,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@prichal.test"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.ru")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if photo:
        message.add_attachment(JPEG, maintype="image", subtype="jpeg", filename="рюкзак.jpg")
    return bytes(message)


@pytest.fixture
def mailbox(imap_mailbox, settings):
    for name, value in imap_mailbox.settings().items():
        setattr(settings, name, value)
    return imap_mailbox


def test_a_new_message_opens_a_case_with_its_attachment(
    mailbox, django_capture_on_commit_callbacks
):
    mailbox.append(letter(photo=True))

    with django_capture_on_commit_callbacks(execute=True):
        counts = poll_support_mailbox()

    assert counts == {"opened": 1}
    case = Case.objects.get()
    assert (case.channel, case.status, case.language) == ("email", "new", "ru")
    assert case.customer.email == "pavel@example.ru"
    assert case.customer.name == "Павел Орлов"
    attachment = CaseAttachment.objects.get()
    assert (attachment.filename, attachment.content_type) == ("рюкзак.jpg", "image/jpeg")
    with attachment.file.open("rb") as file:
        assert file.read() == JPEG
    # Acknowledged, with the reference the customer's answer will carry.
    assert mail.outbox[-1].subject == f"[S-{case.pk}] Потерял рюкзак"
    # Marked as read on the server: the next poll finds nothing.
    assert poll_support_mailbox() == {}


def test_polling_twice_never_duplicates_a_case(mailbox):
    raw = letter()
    mailbox.append(raw)
    # A worker stored it and crashed before marking it read: the next one reads it again.
    inbound_message_take(parse_message(raw))
    assert poll_support_mailbox() == {"duplicate": 1}
    assert Case.objects.count() == 1
    assert CaseMessage.objects.count() == 1


def test_a_reply_to_our_reply_threads_and_reopens(mailbox, django_capture_on_commit_callbacks):
    agent = staff_member("Manager")
    case = case_open(
        request=CaseRequest(
            channel="web", subject="Потерял рюкзак", body="Синий", email="pavel@example.ru"
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        reply = reply_add(case=case, user=agent, body="Пришлите фото, пожалуйста.")
    reply.refresh_from_db()
    sent = mail.outbox[-1]
    assert sent.extra_headers["Message-ID"] == f"<{reply.email_message_id}>"
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING_CUSTOMER

    # The customer's mail program answers: a new subject line, but the headers thread it.
    mailbox.append(
        letter(
            subject="Re: фото",
            body="Вот фото.",
            headers={"In-Reply-To": f"<{reply.email_message_id}>"},
            photo=True,
        )
    )
    assert poll_support_mailbox() == {"threaded": 1}
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert list(case.messages.values_list("kind", flat=True)) == ["customer", "reply", "customer"]
    assert case.messages.last().attachments.count() == 1


def test_the_subject_reference_threads_only_mail_from_the_cases_customer(mailbox):
    case = case_open(
        request=CaseRequest(channel="web", subject="Вопрос", body="Текст", email="pavel@example.ru")
    )
    mailbox.append(letter(subject=f"Re: [S-{case.pk}] Вопрос", body="Дополнение"))
    mailbox.append(
        letter(
            subject=f"Re: [S-{case.pk}] Вопрос",
            body="Чужое письмо",
            sender="Someone <stranger@example.com>",
        )
    )
    assert poll_support_mailbox() == {"threaded": 1, "opened": 1}
    assert case.messages.count() == 2
    stranger = Case.objects.exclude(pk=case.pk).get()
    assert stranger.customer.email == "stranger@example.com"


def test_an_auto_reply_neither_reopens_nor_answers(mailbox, django_capture_on_commit_callbacks):
    agent = staff_member("Manager")
    case = case_open(
        request=CaseRequest(channel="web", subject="Вопрос", body="Текст", email="pavel@example.ru")
    )
    with django_capture_on_commit_callbacks(execute=True):
        reply_add(case=case, user=agent, body="Ответ")
    sent_before = len(mail.outbox)
    mailbox.append(
        letter(
            subject=f"Автоответ: Re: [S-{case.pk}] Вопрос",
            body="Я в отпуске до понедельника.",
            headers={"Auto-Submitted": "auto-replied"},
        )
    )
    # An out-of-office about nothing we know is dropped.
    mailbox.append(
        letter(subject="Out of office", body="Away", headers={"Auto-Submitted": "auto-replied"})
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert poll_support_mailbox() == {"automatic": 1, "ignored": 1}

    case.refresh_from_db()
    assert case.status == Case.Status.WAITING_CUSTOMER
    assert case.messages.last().kind == CaseMessage.Kind.NOTE
    assert Case.objects.count() == 1
    assert len(mail.outbox) == sent_before  # nothing answered the auto-reply


def test_mail_to_a_closed_case_opens_a_new_one_that_names_it(mailbox):
    agent = staff_member("Manager")
    case = case_open(
        request=CaseRequest(channel="web", subject="Вопрос", body="Текст", email="pavel@example.ru")
    )
    case_update(case=case, user=agent, status=Case.Status.CLOSED)
    mailbox.append(letter(subject=f"Re: [S-{case.pk}] Вопрос", body="Ещё вопрос"))

    assert poll_support_mailbox() == {"opened": 1}
    follow_up = Case.objects.exclude(pk=case.pk).get()
    assert f"S-{case.pk}" in follow_up.messages.get().body
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED


def test_without_a_mailbox_configured_polling_does_nothing(settings):
    settings.SUPPORT_IMAP_HOST = ""
    assert poll_support_mailbox() == {}
