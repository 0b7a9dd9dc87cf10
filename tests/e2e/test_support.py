"""A support case end to end, in Chromium against the live server and a real IMAP server
(Dovecot, started by the suite):

- a customer on a phone writes from the site's form with a photo of what they lost;
- an agent of the sales queue finds it among the unassigned cases with its first-response
  clock, picks a canned reply ("Use this macro"), sends it, and the clock stops;
- the customer answers the reply by e-mail (their mail program threads it by
  In-Reply-To); the mailbox poll puts the answer in the case, which is open again and shows
  the message to the agent."""

import re
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.test_agent_console import (
    AGENT_EMAIL,
    sign_in,
    snap,
    staff_member,
    staff_tabs,
    submit_sign_in,
)
from tests.e2e.test_booking import db
from tests.e2e.test_purchase import sent_mail

__all__ = ["staff_tabs"]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 8
CUSTOMER_EMAIL = "pavel.orlov@example.ru"


def test_a_customer_writes_with_a_photo_an_agent_answers_with_a_macro_the_mail_reply_threads(
    site, staff_tabs, imap_mailbox, settings
):
    from guardian.shortcuts import assign_perm

    from crm.roles import AGENT
    from support.models import Case, CaseMessage, Macro, Queue
    from support.tasks import poll_support_mailbox

    settings.SITE_URL = site.url
    for name, value in imap_mailbox.settings().items():
        setattr(settings, name, value)

    def prepare():
        agent = staff_member(AGENT_EMAIL, AGENT, "Ольга", "Петрова")
        assign_perm("support.work_in_queue", agent, Queue.objects.get(slug="sales"))
        return Macro.objects.create(
            name="Потерянные вещи: нашли",
            body_ru="Здравствуйте, {customer_name}! Нашли вашу вещь, обращение {case_reference}.",
            body_en="Hello {customer_name}, we found it ({case_reference}).",
            body_zh="{customer_name}，您好！我们找到了（{case_reference}）。",
            set_status=Case.Status.RESOLVED,
        )

    macro = db(prepare)

    # The customer, on a phone, without an account.
    phone = staff_tabs(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto(f"{site.url}/ru/support/new/")
    form = phone.locator("form.support-form")
    form.locator("input[name=name]").fill("Павел Орлов")
    form.locator("input[name=email]").fill(CUSTOMER_EMAIL)
    form.locator("input[name=subject]").fill("Забыл рюкзак на теплоходе")
    form.locator("textarea[name=message]").fill("Синий рюкзак, вчерашний рейс в 19:00, место 12.")
    form.locator("input[name=attachments]").set_input_files(
        [{"name": "рюкзак.jpg", "mimeType": "image/jpeg", "buffer": PHOTO}]
    )
    snap(phone, "support-1-form")
    form.locator("button[type=submit]").click()
    expect(phone).to_have_url(re.compile(r"/ru/support/sent/\d+/$"))
    case = db(lambda: Case.objects.select_related("customer").get())
    expect(phone.locator("main")).to_contain_text(f"S-{case.pk}")
    snap(phone, "support-2-sent")
    assert (case.channel, case.status, case.customer.email) == ("web", "new", CUSTOMER_EMAIL)
    assert db(lambda: list(case.messages.get().attachments.values_list("filename", "size"))) == [
        ("рюкзак.jpg", len(PHOTO))
    ]
    assert sent_mail(lambda m: m.to == [CUSTOMER_EMAIL] and f"[S-{case.pk}]" in m.subject)

    # The agent: unassigned cases, the clock, the case.
    tab = staff_tabs(viewport={"width": 1280, "height": 900})
    inbox = reverse("crm_cases:index") + "?inbox=unassigned"
    sign_in(tab, site.url + inbox)
    submit_sign_in(tab, AGENT_EMAIL)
    expect(tab).to_have_url(site.url + inbox)
    row = tab.locator("main table tbody tr", has_text="Забыл рюкзак на теплоходе")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(re.compile(r"Срок через \d+ ч|Срок через \d+ мин"))
    snap(tab, "support-3-inbox")
    row.get_by_role("link", name=f"S-{case.pk}").click()
    expect(tab).to_have_url(site.url + reverse("crm_cases:inspect", args=[case.pk]))
    expect(tab.locator("main")).to_contain_text("Синий рюкзак")
    expect(tab.locator("main")).to_contain_text("рюкзак.jpg")

    # The canned reply, without JavaScript's help: "Use this macro" fills the text in.
    reply_form = tab.locator(f"form[action='{reverse('crm_cases:reply', args=[case.pk])}']")
    reply_form.locator("select[name=reply-macro]").select_option(str(macro.pk))
    reply_form.locator("button[name=use_macro]").click()
    reply_form = tab.locator(f"form[action='{reverse('crm_cases:reply', args=[case.pk])}']")
    expect(reply_form.locator("textarea[name=reply-body]")).to_have_value(
        f"Здравствуйте, Павел Орлов! Нашли вашу вещь, обращение S-{case.pk}."
    )
    snap(tab, "support-4-macro")
    reply_form.get_by_role("button", name="Отправить ответ").click()
    expect(tab.locator(".messages .success")).to_be_visible()
    snap(tab, "support-5-replied", settle=True)

    def answered():
        done = Case.objects.get(pk=case.pk)
        reply = done.messages.get(kind=CaseMessage.Kind.REPLY)
        return done.status, done.first_responded_at, reply.email_message_id

    status, first_response, reply_id = db(answered)
    assert status == Case.Status.RESOLVED  # the macro's status
    assert first_response is not None  # the first-response clock stopped
    replies = sent_mail(lambda m: m.subject == f"Re: [S-{case.pk}] Забыл рюкзак на теплоходе")
    assert replies and "Нашли вашу вещь" in replies[0].body
    assert replies[0].extra_headers["Message-ID"] == f"<{reply_id}>"

    # The customer answers from their mail program: the mailbox is polled.
    answer = EmailMessage()
    answer["From"] = f"Павел Орлов <{CUSTOMER_EMAIL}>"
    answer["To"] = "support@prichal.test"
    answer["Subject"] = "Re: рюкзак"  # a mail program may rewrite it: the headers thread it
    answer["Message-ID"] = make_msgid(domain="example.ru")
    answer["In-Reply-To"] = f"<{reply_id}>"
    answer["References"] = f"<{reply_id}>"
    answer.set_content("Спасибо! Заеду завтра, а можно забрать у другого причала?")
    imap_mailbox.append(bytes(answer))
    sent_before = len(mail.outbox)
    assert db(poll_support_mailbox) == {"threaded": 1}

    def reopened():
        again = Case.objects.get(pk=case.pk)
        return again.status, list(again.messages.values_list("kind", flat=True))

    assert db(reopened) == (Case.Status.OPEN, ["customer", "reply", "customer"])
    assert len(mail.outbox) == sent_before  # a customer's message is not acknowledged again
    tab.reload()
    expect(tab.locator("main")).to_contain_text("можно забрать у другого причала")
    expect(tab.locator("main")).to_contain_text("В работе")
    snap(tab, "support-6-reopened")
