"""E-mail intake: parsing real-world messages, spotting machines, the case tag in
subjects, and reading a real IMAP mailbox (Dovecot, tests/support/dovecot.py)."""

import base64
import email
import hashlib
from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

import pytest

from support.mailbox import (
    ImapMailbox,
    MailboxError,
    case_reference,
    mailbox_from_settings,
    parse_message,
    subject_with_reference,
)

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = bytes([0xFF, 0xD8, 0xFF, 0xE0]) + bytes(range(256)) * 4 + bytes([0xFF, 0xD9])


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode()


def message(
    subject="Потерял рюкзак",
    body="Здравствуйте! Я оставил рюкзак на теплоходе.",
    sender="Иван Петров <Ivan.Petrov@Example.COM>",
    message_id="<first-1@example.com>",
    headers=(),
    attachments=(),
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Причал <support@prichal.test>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(
        datetime(2026, 6, 21, 23, 15, tzinfo=timezone(timedelta(hours=3)))
    )
    if message_id:
        msg["Message-ID"] = message_id
    for name, value in headers:
        msg[name] = value
    msg.set_content(body)
    for filename, maintype, subtype, content in attachments:
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


# ---------------------------------------------------------------- parsing


def test_a_reply_in_cyrillic_is_decoded_and_threaded():
    raw = (
        b"Return-Path: <ivan@example.com>\r\n"
        b"From: =?utf-8?b?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <Ivan@Example.com>\r\n"
        b'To: support@prichal.test, "Ops" <OPS@prichal.test>\r\n'
        b"Subject: =?utf-8?b?UmU6IFtTLTEwNDJdINCf0L7RgtC10YDRj9C7INGA0Y7QutC30LDQug==?=\r\n"
        b"Date: Sun, 21 Jun 2026 23:15:00 +0300\r\n"
        b"Message-ID: <reply-2@example.com>\r\n"
        b"In-Reply-To: <case-1042@prichal.test>\r\n"
        b"References: <first-1@example.com>\r\n <case-1042@prichal.test>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        + "Нашёлся?\r\n\r\n> Мы ищем ваш рюкзак.\r\n".encode()
    )
    parsed = parse_message(raw, uid=7)
    assert parsed.uid == 7
    assert parsed.subject == "Re: [S-1042] Потерял рюкзак"
    assert case_reference(parsed.subject) == 1042
    assert parsed.from_name == "Иван Петров"
    assert parsed.from_address == "ivan@example.com"
    assert parsed.to_addresses == ["support@prichal.test", "ops@prichal.test"]
    assert parsed.message_id == "reply-2@example.com"
    assert parsed.in_reply_to == "case-1042@prichal.test"
    assert parsed.references == ["first-1@example.com", "case-1042@prichal.test"]
    assert parsed.date == datetime(2026, 6, 21, 20, 15, tzinfo=UTC)
    assert parsed.text == "Нашёлся?\n\n> Мы ищем ваш рюкзак."  # quoted text kept
    assert parsed.attachments == []
    assert not parsed.is_auto_reply and not parsed.is_bounce and not parsed.is_automatic
    assert parsed.auto_reason == ""
    assert parsed.raw_size == len(raw)


@pytest.mark.parametrize("charset", ["koi8-r", "windows-1251", "utf-8"])
@pytest.mark.parametrize("encoding", ["8bit", "quoted-printable", "base64"])
def test_a_russian_body_in_any_charset(charset, encoding):
    text = 'Добрый вечер, билеты на "Алые паруса" не пришли. Заказ 12, ёлка Ё.'
    payload = text.encode(charset)
    if encoding == "quoted-printable":
        import quopri

        payload = quopri.encodestring(payload)
    elif encoding == "base64":
        payload = base64.encodebytes(payload)
    raw = (
        b"From: a@example.com\r\nSubject: =?koi8-r?B?"
        + base64.b64encode("Билеты".encode("koi8-r"))
        + b"?=\r\nMIME-Version: 1.0\r\n"
        + f"Content-Type: text/plain; charset={charset}\r\n".encode()
        + f"Content-Transfer-Encoding: {encoding}\r\n\r\n".encode()
        + payload
    )
    parsed = parse_message(raw)
    assert parsed.subject == "Билеты"
    assert parsed.text == text


def test_a_body_without_a_charset_in_windows_1251():
    raw = b"From: a@example.com\r\nSubject: x\r\n\r\n" + "Где мой заказ?".encode("cp1251")
    assert parse_message(raw).text == "Где мой заказ?"


def test_an_html_only_message_is_turned_into_text():
    msg = EmailMessage()
    msg["From"] = "a@example.com"
    msg["Subject"] = "HTML"
    msg.set_content(
        "<html><head><style>p{color:red}</style><title>t</title></head><body>"
        "<p>Здравствуйте,</p><p>билеты&nbsp;на <b>22&nbsp;июня</b> &laquo;Ночь&raquo;"
        "<br>Спасибо!</p><script>alert(1)</script><div>Иван &amp; Co</div></body></html>",
        subtype="html",
        charset="windows-1251",
    )
    parsed = parse_message(msg.as_bytes())
    assert parsed.text == "Здравствуйте,\n\nбилеты на 22 июня «Ночь»\nСпасибо!\n\nИван & Co"
    assert parsed.attachments == []


def test_text_plain_is_preferred_to_html_in_an_alternative():
    msg = EmailMessage()
    msg["From"] = "a@example.com"
    msg.set_content("Простой текст")
    msg.add_alternative("<p>HTML <b>версия</b></p>", subtype="html")
    parsed = parse_message(msg.as_bytes())
    assert parsed.text == "Простой текст"
    assert parsed.attachments == []


def test_attachments_keep_their_bytes_and_decoded_names():
    raw = message(
        attachments=[
            ("Чек об оплате.pdf", "application", "pdf", PDF),
            ("фото рюкзака.jpg", "image", "jpeg", JPEG),
            ("发票.pdf", "application", "pdf", PDF[:20]),
        ]
    )
    # EmailMessage writes the Cyrillic and Chinese names the RFC 2231 way.
    assert b"filename*=utf-8''" in raw
    parsed = parse_message(raw)
    assert parsed.text == "Здравствуйте! Я оставил рюкзак на теплоходе."
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("Чек об оплате.pdf", "application/pdf"),
        ("фото рюкзака.jpg", "image/jpeg"),
        ("发票.pdf", "application/pdf"),
    ]
    assert parsed.attachments[0].content == PDF
    assert parsed.attachments[1].content == JPEG
    assert parsed.attachments[1].size == len(JPEG)
    assert parsed.attachments[2].content == PDF[:20]


def test_filenames_the_ways_other_mailers_write_them():
    """RFC 2231 with continuations in windows-1251, RFC 2047 words in a quoted
    parameter (Outlook, Thunderbird's default), a name only in Content-Type, no name."""
    cp1251 = "".join(f"%{b:02X}" for b in "Квитанция.pdf".encode("cp1251"))
    raw = (
        b"From: a@example.com\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n'
        b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee files\r\n"
        b"--XX\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment;\r\n"
        + f" filename*0*=windows-1251''{cp1251[:15]};\r\n filename*1*={cp1251[15:]}\r\n".encode()
        + b"Content-Transfer-Encoding: base64\r\n\r\n"
        + b64(PDF).encode()
        + b"--XX\r\nContent-Type: image/jpeg\r\n"
        b'Content-Disposition: attachment; filename="=?utf-8?B?'
        + base64.b64encode("Фото.jpg".encode())
        + b'?="\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + b64(JPEG).encode()
        + b'--XX\r\nContent-Type: application/pdf; name="=?koi8-r?B?'
        + base64.b64encode("Билет.pdf".encode("koi8-r"))
        + b'?="\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + b64(PDF).encode()
        + b"--XX\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + b64(b"\x00\x01\x02").encode()
        + b"--XX--\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.text == "see files"
    assert [(a.filename, a.content) for a in parsed.attachments] == [
        ("Квитанция.pdf", PDF),
        ("Фото.jpg", JPEG),
        ("Билет.pdf", PDF),
        ("attachment-4.bin", b"\x00\x01\x02"),
    ]


def test_text_around_an_inline_picture_is_kept_whole():
    """Apple Mail: text, a picture, more text, all in multipart/mixed."""
    msg = EmailMessage()
    msg["From"] = "a@example.com"
    msg.set_content("Вот фото рюкзака:")
    msg.add_attachment(JPEG, maintype="image", subtype="jpeg", disposition="inline")
    msg.add_attachment("Он синий.", disposition="inline")
    msg.add_attachment("лог", filename="log.txt")
    parsed = parse_message(msg.as_bytes())
    assert parsed.text == "Вот фото рюкзака:\n\nОн синий."
    assert [(a.filename, a.content) for a in parsed.attachments] == [
        ("attachment-1.jpg", JPEG),
        ("log.txt", "лог\n".encode()),
    ]


def test_a_forwarded_message_is_an_eml_attachment():
    inner = message(attachments=[("Чек.pdf", "application", "pdf", PDF)])
    outer = EmailMessage()
    outer["From"] = "Manager <m@example.com>"
    outer["Subject"] = "Fwd: Потерял рюкзак"
    outer.set_content("Пересылаю письмо клиента.")
    outer.add_attachment(email.message_from_bytes(inner, policy=policy.default))
    parsed = parse_message(outer.as_bytes())
    assert parsed.text == "Пересылаю письмо клиента."  # not the forwarded text
    ((forwarded),) = parsed.attachments  # its PDF stays inside it
    assert forwarded.content_type == "message/rfc822"
    assert forwarded.filename.endswith(".eml")
    again = parse_message(forwarded.content)
    assert again.message_id == "first-1@example.com"
    assert again.attachments[0].content == PDF


@pytest.mark.parametrize("charset", ["utf-8", "windows-1251"])
def test_raw_8bit_headers(charset):
    raw = (
        "From: Иван Петров <Ivan@example.com>\r\nTo: Причал <support@prichal.test>\r\n"
        "Subject: Re: [S-5] Потерял рюкзак\r\n\r\nтекст"
    ).encode(charset)
    parsed = parse_message(raw)
    assert parsed.subject == "Re: [S-5] Потерял рюкзак"
    assert (parsed.from_name, parsed.from_address) == ("Иван Петров", "ivan@example.com")
    assert parsed.to_addresses == ["support@prichal.test"]
    assert parsed.text == "текст"


def test_encoded_words_mixed_with_plain_text():
    raw = (
        b"From: a@example.com\r\nSubject: Re: =?koi8-r?q?=F0=D2=C9=DE=C1=CC?=\r\n"
        b" =?utf-8?b?IOKAlCDQsdC40LvQtdGC?= [S-9] =?x-unknown?q?zz?=\r\n\r\nx"
    )
    assert parse_message(raw).subject == "Re: Причал — билет [S-9] zz"


def test_a_message_without_message_id_gets_a_stable_derived_one():
    raw = message(message_id=None)
    parsed = parse_message(raw)
    crlf = raw.replace(b"\n", b"\r\n")
    assert parsed.message_id == f"sha256-{hashlib.sha256(crlf).hexdigest()}@prichal.local"
    assert parse_message(raw).message_id == parsed.message_id
    assert parse_message(crlf).message_id == parsed.message_id  # as IMAP servers store it
    assert parse_message(raw + b"x").message_id != parsed.message_id


def test_broken_headers_do_not_raise():
    raw = (
        b"From: \xff\xfe broken <<>>\r\nTo: ,,,\r\nDate: not a date\r\n"
        b"Message-ID: no-brackets@example.com\r\nSubject: =?unknown-charset?q?x?=\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nhello\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.message_id == "no-brackets@example.com"
    assert parsed.date is None
    assert parsed.from_address == ""
    assert parsed.text == "hello"


def test_a_date_with_an_unknown_zone_is_utc():
    raw = b"From: a@example.com\r\nDate: Sun, 21 Jun 2026 23:15:00 -0000\r\n\r\nx"
    assert parse_message(raw).date == datetime(2026, 6, 21, 23, 15, tzinfo=UTC)


# ---------------------------------------------------------------- machines


@pytest.mark.parametrize(
    ("headers", "subject", "reason"),
    [
        ([("Auto-Submitted", "auto-replied")], "Re: Потерял рюкзак", "Auto-Submitted"),
        ([("Auto-Submitted", "auto-generated; owner-email=x@y")], "Заказ", "Auto-Submitted"),
        ([("X-Autoreply", "yes")], "Re: Потерял рюкзак", "X-Autoreply"),
        ([("X-Autorespond", "Vacation")], "Re: Потерял рюкзак", "X-Autorespond"),
        ([("Precedence", "bulk")], "Новости", "Precedence"),
        ([("Precedence", "auto_reply")], "Re: x", "Precedence"),
        ([("Precedence", "junk")], "x", "Precedence"),
        ([("List-Id", "<news.example.com>")], "Рассылка", "List-Id"),
        ([("List-Unsubscribe", "<mailto:u@example.com>")], "Скидки", "List-Unsubscribe"),
        ([], "Автоответ: Потерял рюкзак", "subject"),
        ([("X-Auto-Response-Suppress", "All")], "Automatic reply: Потерял рюкзак", "subject"),
        ([], "Out of Office: [S-1042] Потерял рюкзак", "subject"),
        ([], "Auto: Потерял рюкзак", "subject"),
        ([], "自动回复: 我的背包", "subject"),
    ],
)
def test_auto_replies(headers, subject, reason):
    parsed = parse_message(message(subject=subject, headers=headers))
    assert parsed.is_auto_reply
    assert not parsed.is_bounce
    assert parsed.is_automatic
    assert parsed.auto_reason.startswith(reason)


@pytest.mark.parametrize(
    ("headers", "subject"),
    [
        ([], "Re: [S-1042] Потерял рюкзак"),
        ([("Auto-Submitted", "no")], "Re: Потерял рюкзак"),
        ([("Precedence", "first-class")], "Re: Потерял рюкзак"),
        # Outlook puts it on ordinary mail too: a hint, not a rule.
        ([("X-Auto-Response-Suppress", "All")], "Re: Потерял рюкзак"),
        ([], "Re: Out of office hours — can I still board?"),
        ([], "Fwd: Undeliverable: my friend's address"),
        ([], "Delivery failure: my tickets never came"),
        ([], "Не удалось доставить билеты"),
        ([("Return-Path", "<ivan@example.com>")], "Автоответ не пришёл"),
    ],
)
def test_people_are_neither(headers, subject):
    parsed = parse_message(message(subject=subject, headers=headers))
    assert not parsed.is_auto_reply
    assert not parsed.is_bounce
    assert parsed.auto_reason == ""


def dsn() -> bytes:
    return (
        b"Return-Path: <>\r\n"
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        b"To: support@prichal.test\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"Auto-Submitted: auto-replied\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status;\r\n"
        b' boundary="B1"\r\n\r\n'
        b"--B1\r\nContent-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        b"This is the mail system at host mx.example.com.\r\n\r\n"
        b"<nobody@example.com>: host mx.example.com said: 550 5.1.1 User unknown\r\n\r\n"
        b"--B1\r\nContent-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.com\r\n\r\n"
        b"Final-Recipient: rfc822; nobody@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        b"--B1\r\nContent-Description: Undelivered Message\r\nContent-Type: message/rfc822\r\n\r\n"
        b"From: support@prichal.test\r\nTo: nobody@example.com\r\n"
        b"Subject: [S-1042] Your case\r\nMessage-ID: <case-1042@prichal.test>\r\n\r\n"
        b"Hello\r\n\r\n--B1--\r\n"
    )


def test_a_delivery_status_report_is_a_bounce():
    parsed = parse_message(dsn())
    assert parsed.is_bounce
    assert not parsed.is_auto_reply
    assert parsed.is_automatic
    assert parsed.auto_reason == "delivery status report"
    assert parsed.text.startswith("This is the mail system at host mx.example.com.")
    assert parsed.message_id.startswith("sha256-")
    # The returned message is kept whole, so the caller can find the case it was about.
    ((returned),) = parsed.attachments
    assert (returned.filename, returned.content_type) == ("attachment-1.eml", "message/rfc822")
    original = parse_message(returned.content)
    assert original.message_id == "case-1042@prichal.test"
    assert case_reference(original.subject) == 1042


@pytest.mark.parametrize(
    ("headers", "subject", "sender", "reason"),
    [
        ([], "Delivery Status Notification (Failure)", "a@example.com", "subject"),
        ([], "Undeliverable: [S-7] Ответ", "a@example.com", "subject"),
        ([], "Mail delivery failed: returning message to sender", "a@example.com", "subject"),
        ([], "Недоставленное сообщение: Ответ", "a@example.com", "subject"),
        ([], "Ваше письмо", "postmaster@mail.example.ru", "sender"),
        ([], "Ваше письмо", "MAILER-DAEMON@example.com", "sender"),
        ([("X-Failed-Recipients", "x@example.com")], "Ваше письмо", "a@example.com", "X-Failed"),
        ([("Return-Path", "<>")], "Ваше письмо", "a@example.com", "null Return-Path"),
    ],
)
def test_bounces(headers, subject, sender, reason):
    parsed = parse_message(message(subject=subject, sender=sender, headers=headers))
    assert parsed.is_bounce
    assert not parsed.is_auto_reply
    assert parsed.auto_reason.startswith(reason)


def test_an_auto_reply_from_the_null_sender_stays_an_auto_reply():
    """RFC 3834 asks auto-responders to send from the null sender."""
    headers = [("Return-Path", "<>"), ("Auto-Submitted", "auto-replied")]
    parsed = parse_message(message(subject="Re: Потерял рюкзак", headers=headers))
    assert parsed.is_auto_reply and not parsed.is_bounce


# ---------------------------------------------------------------- subjects


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("Re: [S-1042] Потерял рюкзак", 1042),
        ("[S-7]", 7),
        ("RE: FW: [s-15] x", 15),
        ("Ответ: [ S-99 ] x [S-100]", 99),
        ("Потерял рюкзак", None),
        ("[S-] x", None),
        ("[S-12a] x", None),
        ("S-12 x", None),
        ("", None),
        (None, None),
    ],
)
def test_case_reference(subject, number):
    assert case_reference(subject) == number


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Потерял рюкзак", "[S-1042] Потерял рюкзак"),
        ("[S-1042] Потерял рюкзак", "[S-1042] Потерял рюкзак"),
        ("Re: [S-1042] Потерял рюкзак", "Re: [S-1042] Потерял рюкзак"),
        ("Re: Потерял рюкзак", "Re: [S-1042] Потерял рюкзак"),
        ("RE: Fwd: Потерял рюкзак", "RE: Fwd: [S-1042] Потерял рюкзак"),
        ("Ответ: Потерял рюкзак", "Ответ: [S-1042] Потерял рюкзак"),
        ("回复：我的背包", "回复： [S-1042] 我的背包"),
        ("Re: [S-7] Потерял рюкзак", "Re: [S-1042] Потерял рюкзак"),
        ("", "[S-1042]"),
        (None, "[S-1042]"),
    ],
)
def test_subject_with_reference(subject, expected):
    result = subject_with_reference(subject, 1042)
    assert result == expected
    assert subject_with_reference(result, 1042) == result
    assert subject_with_reference("Re: " + result, 1042) == "Re: " + result
    assert case_reference(result) == 1042


# ---------------------------------------------------------------- settings


def test_mailbox_from_settings(settings):
    settings.SUPPORT_IMAP_HOST = ""
    assert mailbox_from_settings() is None
    settings.SUPPORT_IMAP_HOST = "imap.example.com"
    settings.SUPPORT_IMAP_USER = "support@example.com"
    settings.SUPPORT_IMAP_PASSWORD = "pw"
    mailbox = mailbox_from_settings()
    assert (mailbox.host, mailbox.port, mailbox.ssl, mailbox.starttls, mailbox.folder) == (
        "imap.example.com",
        993,
        True,
        False,
        "INBOX",
    )
    assert (mailbox.username, mailbox.password) == ("support@example.com", "pw")
    assert "pw" not in repr(mailbox)
    settings.SUPPORT_IMAP_SSL = False
    settings.SUPPORT_IMAP_STARTTLS = True
    settings.SUPPORT_IMAP_FOLDER = "Support"
    mailbox = mailbox_from_settings()
    assert (mailbox.port, mailbox.ssl, mailbox.starttls, mailbox.folder) == (
        143,
        False,
        True,
        "Support",
    )
    settings.SUPPORT_IMAP_PORT = 1143
    assert mailbox_from_settings().port == 1143


# ---------------------------------------------------------------- a real IMAP server


def test_fetch_mark_and_fetch_again(imap_mailbox):
    first = message(attachments=[("Чек.pdf", "application", "pdf", PDF)])
    second = message(
        subject="Re: [S-5] Возврат",
        body="Спасибо",
        message_id="<second@example.com>",
        attachments=[("фото.jpg", "image", "jpeg", JPEG)],
    )
    uid_first = imap_mailbox.append(first)
    uid_second = imap_mailbox.append(second)

    with imap_mailbox.mailbox() as mailbox:
        fetched = mailbox.fetch_unseen()
    assert [m.uid for m in fetched] == [uid_first, uid_second]
    assert [m.message_id for m in fetched] == ["first-1@example.com", "second@example.com"]
    assert fetched[0].attachments[0].filename == "Чек.pdf"
    assert fetched[0].attachments[0].content == PDF
    assert fetched[1].attachments[0].content == JPEG
    assert fetched[1].subject == "Re: [S-5] Возврат"
    assert fetched[0].raw_size == len(first.replace(b"\n", b"\r\n"))  # stored as CRLF
    # BODY.PEEK[]: reading does not mark anything seen.
    assert imap_mailbox.messages() == {uid_first: set(), uid_second: set()}

    # Not marked: the next poll sees the same messages (the caller dedups by Message-ID).
    with imap_mailbox.mailbox() as mailbox:
        again = mailbox.fetch_unseen()
    assert [(m.uid, m.message_id) for m in again] == [
        (uid_first, "first-1@example.com"),
        (uid_second, "second@example.com"),
    ]

    with imap_mailbox.mailbox() as mailbox:
        mailbox.mark_processed(uid_first)
    assert imap_mailbox.messages() == {uid_first: {r"\Seen"}, uid_second: set()}
    with imap_mailbox.mailbox() as mailbox:
        assert [m.uid for m in mailbox.fetch_unseen()] == [uid_second]
        mailbox.mark_processed(uid_second)
        assert mailbox.fetch_unseen() == []


def test_limit_takes_the_oldest(imap_mailbox):
    uids = [imap_mailbox.append(message(message_id=f"<m{i}@example.com>")) for i in range(4)]
    imap_mailbox.append(message(message_id="<read@example.com>"), flags=r"\Seen")
    with imap_mailbox.mailbox() as mailbox:
        assert [m.uid for m in mailbox.fetch_unseen(limit=3)] == uids[:3]
        assert [m.uid for m in mailbox.fetch_unseen()] == uids


def test_a_message_without_message_id_keeps_its_derived_id(imap_mailbox):
    raw = message(message_id=None)
    imap_mailbox.append(raw)
    with imap_mailbox.mailbox() as mailbox:
        first = mailbox.fetch_unseen()
    with imap_mailbox.mailbox() as mailbox:
        second = mailbox.fetch_unseen()
    assert len(first) == len(second) == 1
    assert first[0].message_id == second[0].message_id
    assert first[0].message_id == parse_message(raw).message_id
    assert first[0].message_id.startswith("sha256-")


def test_processed_messages_can_be_moved_to_a_folder(imap_mailbox):
    uid = imap_mailbox.append(message())
    other = imap_mailbox.append(message(message_id="<other@example.com>"))
    with imap_mailbox.mailbox(processed_folder="Processed") as mailbox:
        mailbox.mark_processed(uid)
        assert [m.uid for m in mailbox.fetch_unseen()] == [other]
    assert list(imap_mailbox.messages()) == [other]
    moved = imap_mailbox.messages("Processed")
    assert list(moved.values()) == [{r"\Seen"}]


def test_another_folder(imap_mailbox):
    imap_mailbox.append(message(), folder="Support")
    with imap_mailbox.mailbox(folder="Support") as mailbox:
        assert [m.message_id for m in mailbox.fetch_unseen()] == ["first-1@example.com"]
    with pytest.raises(MailboxError, match="No-Such-Folder"):
        imap_mailbox.mailbox(folder="No-Such-Folder").open()


def test_settings_point_at_the_server(imap_mailbox, settings):
    for name, value in imap_mailbox.settings().items():
        setattr(settings, name, value)
    imap_mailbox.append(dsn())
    with mailbox_from_settings() as mailbox:
        (bounce,) = mailbox.fetch_unseen()
    assert bounce.is_bounce


def test_a_wrong_password_is_a_mailbox_error(imap_mailbox):
    mailbox = imap_mailbox.mailbox(password="wrong")
    with pytest.raises(MailboxError, match=r"IMAP login failed for support@prichal\.test") as info:
        mailbox.__enter__()
    assert "wrong" not in str(info.value)
    assert mailbox._conn is None


def test_a_password_that_is_not_ascii(imap_mailbox):
    from tests.support.dovecot import UTF8_PASSWORD, UTF8_USERNAME

    with imap_mailbox.mailbox(username=UTF8_USERNAME, password=UTF8_PASSWORD) as mailbox:
        assert mailbox.fetch_unseen() == []
    with pytest.raises(MailboxError, match="IMAP login failed"):
        imap_mailbox.mailbox(username=UTF8_USERNAME, password="пароль").open()


def test_no_server_is_a_mailbox_error(imap_mailbox):
    from tests.support.dovecot import free_port

    mailbox = ImapMailbox(host="127.0.0.1", port=free_port(), ssl=False, timeout=2)
    with pytest.raises(MailboxError, match="Cannot connect"):
        mailbox.open()
    tls = ImapMailbox(host="127.0.0.1", port=imap_mailbox.port, ssl=True, timeout=2)
    with pytest.raises(MailboxError, match="Cannot connect"):
        tls.open()


def test_starttls_refused_is_a_mailbox_error(imap_mailbox):
    """The test server offers no TLS: a mailbox that insists on STARTTLS must not log in
    in clear text."""
    with pytest.raises(MailboxError, match="STARTTLS failed"):
        imap_mailbox.mailbox(starttls=True).open()


def test_a_closed_mailbox_says_so():
    with pytest.raises(MailboxError, match="not open"):
        ImapMailbox(host="x").fetch_unseen()


def test_without_dovecot_the_fixture_fails_naming_the_package(monkeypatch):
    from tests.support import dovecot

    monkeypatch.setattr(dovecot, "find_dovecot", lambda: None)
    with pytest.raises(pytest.fail.Exception, match="dovecot-imapd"):
        dovecot.start_dovecot()


def test_encoded_words_inside_a_raw_8bit_header():
    raw = "Subject: Заказ =?utf-8?b?0LHQuNC70LXRgg==?= =?x-unknown?q?zz?=\r\n\r\nx".encode()
    assert parse_message(raw).subject == "Заказ билет =?x-unknown?q?zz?="
