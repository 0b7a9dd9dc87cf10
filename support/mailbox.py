"""E-mail intake of support cases: reading an IMAP mailbox and parsing what is in it.

Nothing here touches the database. :func:`parse_message` turns the raw bytes of a message
into an :class:`InboundMessage` (decoded subject, sender, plain-text body, attachments,
threading headers, and whether it was sent by a machine); :class:`ImapMailbox` fetches the
unseen messages of one folder over IMAP and marks them processed.

The intended loop (the caller owns the storage)::

    mailbox = mailbox_from_settings()          # None: polling is switched off
    with mailbox:
        for message in mailbox.fetch_unseen(limit=50):
            store_idempotently(message)        # keyed by message.message_id, one transaction
            mailbox.mark_processed(message.uid)

A message is marked ``\\Seen`` only after it has been stored, so a crash between the two
loses nothing: the next poll fetches it again (``BODY.PEEK[]`` never sets ``\\Seen``) and
the store, keyed by Message-ID, sees it already has it. Polling twice without marking
returns the same messages again, so the store MUST deduplicate by ``message_id``.

Message-IDs (``message_id``, ``in_reply_to``, ``references``) are kept WITHOUT the angle
brackets and surrounding whitespace: ``<abc@example.com>`` → ``abc@example.com``. A
message without a Message-ID gets a stable derived one, ``sha256-<hex of the raw
bytes>@prichal.local`` (line endings made CRLF first), so the same message always gives
the same id.

Settings (read with defaults, nothing is required):

- ``SUPPORT_IMAP_HOST`` — empty (the default) switches polling off.
- ``SUPPORT_IMAP_PORT`` — 993 (143 when ``SUPPORT_IMAP_SSL`` is False).
- ``SUPPORT_IMAP_USER``, ``SUPPORT_IMAP_PASSWORD`` — the login.
- ``SUPPORT_IMAP_SSL`` — True: implicit TLS (IMAPS). False: plain IMAP…
- ``SUPPORT_IMAP_STARTTLS`` — …upgraded with STARTTLS when True (only when SSL is False).
- ``SUPPORT_IMAP_FOLDER`` — "INBOX".
- ``SUPPORT_IMAP_PROCESSED_FOLDER`` — "" (keep processed messages where they are); a
  folder name moves them there after marking them seen (created when missing).
- ``SUPPORT_IMAP_TIMEOUT`` — 30 seconds for connecting and for each command.

Folder names are used as given (ASCII; IMAP's modified UTF-7 is not applied).
"""

from __future__ import annotations

import base64
import contextlib
import email
import email.utils
import hashlib
import imaplib
import logging
import mimetypes
import quopri
import re
import ssl as ssl_module
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from html import unescape
from html.parser import HTMLParser

__all__ = [
    "ImapMailbox",
    "InboundAttachment",
    "InboundMessage",
    "MailboxError",
    "case_reference",
    "derived_message_id",
    "mailbox_from_settings",
    "parse_message",
    "subject_with_reference",
]

logger = logging.getLogger(__name__)

DERIVED_ID_DOMAIN = "prichal.local"


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    content: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class InboundMessage:
    """One received message, decoded. ``uid`` is the IMAP UID (0 when parsed from bytes
    that did not come from a mailbox). ``text`` is the plain-text body as the sender wrote
    it, quoted reply text included. ``is_auto_reply`` and ``is_bounce`` are independent
    (a bounce is not also an auto-reply); ``is_automatic`` is either, and ``auto_reason``
    says which rule fired (empty for a message written by a person)."""

    uid: int
    message_id: str
    in_reply_to: str
    references: list[str]
    subject: str
    from_address: str
    from_name: str
    to_addresses: list[str]
    date: datetime | None
    text: str
    attachments: list[InboundAttachment]
    is_auto_reply: bool
    is_bounce: bool
    raw_size: int
    auto_reason: str = ""

    @property
    def is_automatic(self) -> bool:
        return self.is_auto_reply or self.is_bounce


class MailboxError(Exception):
    """The mailbox could not be reached, logged into, or read (the cause is chained)."""


# --------------------------------------------------------------------------- subjects

REFERENCE_RE = re.compile(r"\[\s*S-(\d{1,12})\s*\]", re.IGNORECASE)
# Reply and forward prefixes that stay in front of our tag: "Re: [S-1042] …".
REPLY_PREFIX_RE = re.compile(
    r"^(?:\s*(?:re|fwd?|aw|wg|sv|vs|ответ|отв|пересл|回复|回覆|答复|转发)\s*(?:\[\d+\])?\s*[:：]\s*)+",
    re.IGNORECASE,
)


def case_reference(subject: str | None) -> int | None:
    """The case number of the first ``[S-<number>]`` tag in a subject, or None."""
    match = REFERENCE_RE.search(subject or "")
    return int(match.group(1)) if match else None


def subject_with_reference(subject: str | None, number: int) -> str:
    """The subject carrying the tag ``[S-<number>]`` exactly once: unchanged when it is
    already there; a tag of another case is replaced; otherwise the tag goes after the
    reply/forward prefixes ("Re: [S-7] Потерял рюкзак")."""
    subject = (subject or "").strip()
    tag = f"[S-{number}]"
    tags = [int(m.group(1)) for m in REFERENCE_RE.finditer(subject)]
    if tags == [number]:
        return subject
    subject = re.sub(r"\s{2,}", " ", REFERENCE_RE.sub("", subject)).strip()
    prefix_match = REPLY_PREFIX_RE.match(subject)
    prefix = prefix_match.group(0).strip() if prefix_match else ""
    rest = subject[prefix_match.end() :].strip() if prefix_match else subject
    return " ".join(part for part in (prefix, tag, rest) if part)


# --------------------------------------------------------------------------- parsing


def parse_message(raw: bytes, uid: int = 0) -> InboundMessage:
    """Parse a message's raw bytes (as fetched by ``BODY.PEEK[]``). Never raises for a
    malformed message: what cannot be decoded is left empty or decoded with
    replacement characters."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    subject = _collapse(_header(msg, "Subject"))
    from_name, from_address = _first_address(msg, "From")
    to_addresses = _addresses(msg, "To")
    message_id = _first_msgid(_header(msg, "Message-ID"))
    if not message_id:
        message_id = derived_message_id(raw)
    text, body_parts = _body_text(msg)
    is_bounce, bounce_reason = _bounce(msg, subject, from_address)
    is_auto, auto_reason = (False, "") if is_bounce else _auto_reply(msg, subject)
    return InboundMessage(
        uid=uid,
        message_id=message_id,
        in_reply_to=_first_msgid(_header(msg, "In-Reply-To")),
        references=_msgids(_header(msg, "References")),
        subject=subject,
        from_address=from_address,
        from_name=from_name,
        to_addresses=to_addresses,
        date=_date(_header(msg, "Date")),
        text=text,
        attachments=_attachments(msg, body_parts),
        is_auto_reply=is_auto,
        is_bounce=is_bounce,
        raw_size=len(raw),
        auto_reason=bounce_reason or auto_reason,
    )


def derived_message_id(raw: bytes) -> str:
    """A stable id for a message that has no Message-ID: the SHA-256 of its bytes with
    line endings made CRLF (IMAP servers store CRLF whatever the sender wrote)."""
    digest = hashlib.sha256(re.sub(rb"\r?\n", b"\r\n", raw)).hexdigest()
    return f"sha256-{digest}@{DERIVED_ID_DOMAIN}"


def _raw_values(msg: EmailMessage, name: str) -> list[str]:
    return [str(v) for k, v in msg.raw_items() if k.lower() == name.lower()]


def _has_8bit(value: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in value)


def _from_8bit(value: str) -> str:
    """A header written in raw 8-bit (unencoded UTF-8, or windows-1251 from old
    mailers), as the parser left it (undecodable bytes as surrogates), decoded."""
    data = value.encode("utf-8", errors="surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("windows-1251", errors="replace")


def _header(msg: EmailMessage, name: str) -> str:
    """A header's decoded value ('' when missing or unparseable)."""
    raw_values = _raw_values(msg, name)
    if not raw_values:
        return ""
    if _has_8bit(raw_values[0]):
        return _decode_words(_from_8bit(raw_values[0]))
    try:
        value = msg.get(name)
    except Exception:  # a header the parser cannot make sense of
        value = _decode_words(raw_values[0])
    return "" if value is None else str(value)


ENCODED_WORD_RE = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")


def _decode_word(match: re.Match) -> str | None:
    charset, encoding, text = match.groups()
    charset = charset.split("*")[0]  # RFC 2231 language suffix
    try:
        if encoding in "bB":
            data = base64.b64decode(text + "=" * (-len(text) % 4))
        else:
            data = quopri.decodestring(text.encode("ascii"), header=True)
        return data.decode(charset, errors="replace")
    except (LookupError, ValueError, UnicodeEncodeError):
        return None


def _decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded one by one, so that text around them (even raw
    8-bit text) is kept as it is; a word in an unknown charset is left encoded.
    Whitespace between two decoded words is not text (RFC 2047, 6.2)."""
    if "=?" not in value:
        return value
    pieces: list[str] = []
    position, previous_decoded = 0, False
    for match in ENCODED_WORD_RE.finditer(value):
        between = value[position : match.start()]
        decoded = _decode_word(match)
        if not (decoded is not None and previous_decoded and not between.strip()):
            pieces.append(between)
        pieces.append(match.group(0) if decoded is None else decoded)
        position, previous_decoded = match.end(), decoded is not None
    pieces.append(value[position:])
    return "".join(pieces)


def _collapse(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


MSGID_RE = re.compile(r"<([^<>\s]+)>")


def _msgids(value: str) -> list[str]:
    ids = MSGID_RE.findall(value or "")
    if not ids and value and value.strip():
        ids = value.split()  # ids without brackets, as some clients write them
    seen: list[str] = []
    for item in (i.strip().strip("<>") for i in ids):
        if item and item not in seen:
            seen.append(item)
    return seen


def _first_msgid(value: str) -> str:
    ids = _msgids(value)
    return ids[0] if ids else ""


def _address_pairs(msg: EmailMessage, name: str) -> list[tuple[str, str]]:
    values = _raw_values(msg, name)
    if not any(_has_8bit(value) for value in values):
        try:
            header = msg.get(name)
            if header is not None and hasattr(header, "addresses"):
                return [(a.display_name or "", a.addr_spec or "") for a in header.addresses]
        except Exception:  # nosec B110  # a malformed header: read it raw below
            pass
    values = [_from_8bit(value) if _has_8bit(value) else value for value in values]
    return [(_decode_words(n), a) for n, a in email.utils.getaddresses(values)]


def _first_address(msg: EmailMessage, name: str) -> tuple[str, str]:
    for display_name, address in _address_pairs(msg, name):
        if address and "@" in address:
            return _collapse(display_name), address.strip().lower()
    return "", ""


def _addresses(msg: EmailMessage, name: str) -> list[str]:
    return [a.strip().lower() for _, a in _address_pairs(msg, name) if a and "@" in a]


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    # "-0000" (zone unknown) gives a naive datetime: RFC 5322 says the time is UTC.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _decode_part(part: EmailMessage) -> str:
    """A text part's content as str: the declared charset (koi8-r, windows-1251, utf-8, …);
    without one, UTF-8 if it decodes, else windows-1251 (old Russian mailers omit it)."""
    payload = part.get_payload(decode=True)
    if payload is None:
        payload = b""
    if isinstance(payload, str):
        return payload
    charset = part.get_content_charset()
    if charset:
        charset = {"cp-1251": "windows-1251", "win-1251": "windows-1251"}.get(charset, charset)
        try:
            return payload.decode(charset, errors="replace")
        except LookupError:
            logger.info("Unknown charset %r in a message; decoding as UTF-8", charset)
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("windows-1251", errors="replace")


class _HtmlText(HTMLParser):
    """HTML to plain text: tags dropped, block elements end lines, scripts and styles
    skipped, entities decoded. Enough for the body of an e-mail, not a renderer."""

    BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
    BLOCK |= {"table", "ul", "ol", "pre", "hr", "section", "article", "header", "footer"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.chunks.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in self.BLOCK:
            self.chunks.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.chunks.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.chunks.append(data)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
        text = "".join(parser.chunks)
    except Exception:  # malformed markup: fall back to dropping anything tag-like
        text = unescape(re.sub(r"<[^>]*>", " ", html))
    lines = [re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _leaves(part: EmailMessage, parent: str = "", depth: int = 0):
    """(part, content type of its parent) for every leaf of the MIME tree. An attached
    message (message/*) is a leaf: its own parts belong to it, not to this message."""
    if depth and part.get_content_maintype() == "message":
        yield part, parent
    elif part.is_multipart():
        for sub in part.iter_parts():
            yield from _leaves(sub, part.get_content_type(), depth + 1)
    else:
        yield part, parent


def _is_inline_text(part: EmailMessage, parent: str) -> bool:
    return (
        part.get_content_type() == "text/plain"
        and parent != "multipart/alternative"
        and part.get_content_disposition() != "attachment"
        and not _filename(part)
    )


def _body_text(msg: EmailMessage) -> tuple[str, list[EmailMessage]]:
    """The plain-text body (text/plain preferred, else text/html converted) and the
    parts used for it, which are therefore not attachments. Further unnamed inline
    text/plain parts (Apple Mail splits the text around an inline picture; list
    servers add footers) are appended to a plain-text body."""
    for kind in ("plain", "html"):
        try:
            part = msg.get_body(preferencelist=(kind,))
        except Exception:
            part = None
        if part is None:
            continue
        parts = [part]
        if kind == "plain":
            parts += [
                leaf
                for leaf, parent in _leaves(msg)
                if leaf is not part and _is_inline_text(leaf, parent)
            ]
        texts = []
        for item in parts:
            text = _decode_part(item)
            if kind == "html":
                text = html_to_text(text)
            text = text.replace("\r\n", "\n").strip()
            if text:
                texts.append(text)
        return "\n\n".join(texts), parts
    return "", []


def _filename(part: EmailMessage) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        for key in ("name",):
            try:
                name = part.get_param(key, header="content-type")
            except Exception:
                name = None
            if name:
                name = email.utils.collapse_rfc2231_value(name)
                break
    if name and "=?" in name:  # RFC 2047 words inside the parameter (Outlook, many others)
        name = _decode_words(name)
    return _collapse(name or "").replace("/", "_").replace("\\", "_")


ATTACHED_MESSAGE_TYPES = {"message/rfc822", "message/global"}


def _attachments(msg: EmailMessage, body_parts: list[EmailMessage]) -> list[InboundAttachment]:
    """Every leaf that is not the body: named parts, parts marked as attachments, any
    non-text part (pictures pasted without a name too), attached messages as .eml.
    Unnamed inline text (the other alternatives, a DSN's status fields) is left out."""
    attachments = []
    for part, _parent in _leaves(msg):
        if any(part is body for body in body_parts):
            continue
        content_type = part.get_content_type()
        filename = _filename(part)
        disposition = part.get_content_disposition()
        if content_type in ATTACHED_MESSAGE_TYPES:
            payload = part.get_payload()
            if isinstance(payload, list) and payload:
                content = payload[0].as_bytes(policy=policy.SMTP)
            else:  # an attached message encoded as if it were a file
                content = part.get_payload(decode=True)
        elif part.get_content_maintype() in ("text", "message") and not filename:
            if disposition != "attachment":
                continue
            content = part.get_payload(decode=True)
        else:
            content = part.get_payload(decode=True)
        if content is None:
            content = b""
        if not filename:
            extension = mimetypes.guess_extension(content_type) or ".bin"
            filename = f"attachment-{len(attachments) + 1}{extension}"
        attachments.append(InboundAttachment(filename, content_type, bytes(content)))
    return attachments


# --------------------------------------------------------------------------- machines

AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-AutoReply-From", "X-Mail-Autoreply")
BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
AUTO_SUBJECT_RE = re.compile(
    r"^\s*(?:auto(?:matic)?[- ]?(?:reply|response|antwort)|auto|out of (?:the )?office"
    r"(?: reply)?|abwesend|автоответ|автоматический ответ|自动回复|自動回覆)\s*[:：]",
    re.IGNORECASE,
)
# Only the subjects mail servers write (Outlook/Exchange, Postfix, Gmail, Exim, Sendmail,
# Outlook in Russian); phrases a customer might use about tickets are left out.
BOUNCE_SUBJECT_RE = re.compile(
    r"^\s*(?:undeliverable\s*:|undelivered mail returned to sender|delivery status "
    r"notification|mail delivery failed|returned mail\s*:|недоставленное сообщение\s*:|"
    r"退信\s*:)",
    re.IGNORECASE,
)
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}


def _auto_reply(msg: EmailMessage, subject: str) -> tuple[bool, str]:
    """RFC 3834 and common practice. Each rule alone marks a message as automatic:

    - ``Auto-Submitted`` with any value but "no" (auto-replied, auto-generated, …);
    - ``X-Autoreply`` / ``X-Autorespond`` / ``X-AutoReply-From`` / ``X-Mail-Autoreply``;
    - ``Precedence: bulk | junk | list | auto_reply``;
    - ``List-Id`` or ``List-Unsubscribe`` (mailing lists and newsletters, treated as bulk);
    - a read receipt (``multipart/report; report-type=disposition-notification``);
    - a subject starting with an auto-reply prefix and a colon ("Auto:", "Automatic
      reply:", "Out of Office:", "Автоответ:", "自动回复:").

    ``X-Auto-Response-Suppress`` is only a hint: Outlook puts it on ordinary messages
    too, so it is not a rule by itself (the subject rule covers Outlook's own replies).
    """
    auto_submitted = _header(msg, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True, f"Auto-Submitted: {auto_submitted}"
    for name in AUTO_HEADERS:
        if msg.get(name) is not None:
            return True, name
    precedence = _header(msg, "Precedence").strip().lower()
    if precedence in BULK_PRECEDENCE:
        return True, f"Precedence: {precedence}"
    for name in ("List-Id", "List-Unsubscribe"):
        if msg.get(name) is not None:
            return True, name
    if (
        msg.get_content_type() == "multipart/report"
        and (msg.get_param("report-type") or "").lower() == "disposition-notification"
    ):
        return True, "read receipt"
    if AUTO_SUBJECT_RE.match(subject):
        return True, "subject"
    return False, ""


def _bounce(msg: EmailMessage, subject: str, from_address: str) -> tuple[bool, str]:
    """A delivery failure report. Each rule alone marks a message as a bounce:

    - ``multipart/report; report-type=delivery-status`` (RFC 3464 DSN);
    - ``X-Failed-Recipients`` (Exim);
    - a sender whose local part is MAILER-DAEMON or postmaster;
    - a subject starting with a bounce phrase ("Undeliverable:", "Delivery Status
      Notification", "Mail delivery failed", "Недоставленное сообщение:", …);
    - an empty ``Return-Path: <>`` (the null sender) on a message not marked as an
      auto-reply by the rules of :func:`_auto_reply` (RFC 3834 asks auto-replies to use
      the null sender too, so those stay auto-replies).
    """
    if (
        msg.get_content_type() == "multipart/report"
        and (msg.get_param("report-type") or "").lower() == "delivery-status"
    ):
        return True, "delivery status report"
    if msg.get("X-Failed-Recipients") is not None:
        return True, "X-Failed-Recipients"
    if from_address.split("@")[0] in BOUNCE_SENDERS:
        return True, f"sender {from_address}"
    if BOUNCE_SUBJECT_RE.match(subject):
        return True, "subject"
    return_path = _header(msg, "Return-Path").strip()
    if return_path and return_path.strip("<> ") == "" and not _auto_reply(msg, subject)[0]:
        return True, "null Return-Path"
    return False, ""


# --------------------------------------------------------------------------- IMAP


@dataclass
class ImapMailbox:
    """One folder of an IMAP mailbox. Use it as a context manager (connects, logs in and
    selects the folder; logs out on exit), or call :meth:`open` and :meth:`close`.
    Every failure of the server or the network is raised as :class:`MailboxError`."""

    host: str
    port: int = 993
    username: str = ""
    password: str = field(default="", repr=False)
    ssl: bool = True
    starttls: bool = False
    folder: str = "INBOX"
    timeout: float = 30.0
    processed_folder: str = ""
    ssl_context: ssl_module.SSLContext | None = field(default=None, repr=False)
    _conn: imaplib.IMAP4 | None = field(default=None, init=False, repr=False)

    # -- connection

    def __enter__(self) -> ImapMailbox:
        self.open()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _where(self) -> str:
        return f"{self.username or '(no user)'} at {self.host}:{self.port}"

    def open(self) -> None:
        if self._conn is not None:
            return
        try:
            if self.ssl:
                context = self.ssl_context or ssl_module.create_default_context()
                conn = imaplib.IMAP4_SSL(
                    self.host, self.port, ssl_context=context, timeout=self.timeout
                )
            else:
                conn = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"Cannot connect to the IMAP server {self._where()}: {exc}") from exc
        if not self.ssl and self.starttls:
            try:
                conn.starttls(self.ssl_context or ssl_module.create_default_context())
            except (OSError, imaplib.IMAP4.error) as exc:
                _shutdown(conn)
                raise MailboxError(f"STARTTLS failed on {self._where()}: {_text(exc)}") from exc
        try:
            if (self.username + self.password).isascii():
                conn.login(self.username, self.password)
            else:  # LOGIN is ASCII only; SASL PLAIN carries UTF-8
                credentials = f"\0{self.username}\0{self.password}".encode()
                conn.authenticate("PLAIN", lambda _challenge: credentials)
        except (OSError, imaplib.IMAP4.error) as exc:
            _shutdown(conn)
            raise MailboxError(f"IMAP login failed for {self._where()}: {_text(exc)}") from exc
        try:
            status, data = conn.select(_quote(self.folder))
        except (OSError, imaplib.IMAP4.error) as exc:
            _shutdown(conn)
            raise MailboxError(f"Cannot open the folder {self.folder!r}: {_text(exc)}") from exc
        if status != "OK":
            _shutdown(conn)
            raise MailboxError(f"Cannot open the folder {self.folder!r}: {_text(data)}")
        self._conn = conn

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:  # LOGOUT without CLOSE: CLOSE would expunge what others marked \Deleted
            conn.logout()
        except (OSError, imaplib.IMAP4.error):
            _shutdown(conn)

    def _command(self, *args) -> list:
        """One ``UID`` command; a NO/BAD answer or a broken connection → MailboxError."""
        if self._conn is None:
            raise MailboxError("The mailbox is not open (use it as a context manager).")
        try:
            status, data = self._conn.uid(*args)
        except (OSError, imaplib.IMAP4.error) as exc:  # TimeoutError is an OSError
            raise MailboxError(f"IMAP UID {args[0]} failed on {self._where()}: {exc}") from exc
        if status != "OK":
            raise MailboxError(f"IMAP UID {args[0]} failed on {self._where()}: {_text(data)}")
        return data

    # -- reading

    def unseen_uids(self) -> list[int]:
        """UIDs of the messages without ``\\Seen`` in the folder, oldest first."""
        data = self._command("SEARCH", None, "UNSEEN")
        return sorted(int(uid) for chunk in data if chunk for uid in chunk.split())

    def fetch_raw(self, uid: int) -> bytes | None:
        """The raw message, without setting ``\\Seen``; None if it is gone."""
        data = self._command("FETCH", str(int(uid)), "(BODY.PEEK[])")
        for item in data:
            if isinstance(item, tuple) and b"BODY[]" in item[0].upper():
                return item[1]
        return None

    def fetch_unseen(self, limit: int = 50) -> list[InboundMessage]:
        """At most ``limit`` unseen messages, oldest first, parsed; they stay unseen until
        :meth:`mark_processed`. A message that vanished meanwhile is skipped; one that
        cannot be parsed is logged and skipped (it stays unseen for a later poll)."""
        messages = []
        for uid in self.unseen_uids()[: max(0, limit)]:
            raw = self.fetch_raw(uid)
            if raw is None:
                continue
            try:
                messages.append(parse_message(raw, uid=uid))
            except Exception:
                logger.exception("Cannot parse message UID %s in %s", uid, self.folder)
        return messages

    # -- marking

    def mark_processed(self, uid: int) -> None:
        """Set ``\\Seen`` on the message; with ``processed_folder``, move it there."""
        self._command("STORE", str(int(uid)), "+FLAGS.SILENT", r"(\Seen)")
        if self.processed_folder:
            self._move(int(uid), self.processed_folder)

    def _move(self, uid: int, folder: str) -> None:
        conn = self._conn
        try:
            conn.create(_quote(folder))  # NO when it exists already: fine
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"Cannot create the folder {folder!r}: {exc}") from exc
        if "MOVE" in conn.capabilities:
            self._command("MOVE", str(uid), _quote(folder))
            return
        self._command("COPY", str(uid), _quote(folder))
        self._command("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)")
        if "UIDPLUS" in conn.capabilities:
            self._command("EXPUNGE", str(uid))
        else:
            try:
                conn.expunge()
            except (OSError, imaplib.IMAP4.error) as exc:
                raise MailboxError(f"IMAP EXPUNGE failed on {self._where()}: {exc}") from exc


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(value) -> str:
    if isinstance(value, imaplib.IMAP4.error) and value.args:
        value = value.args[0]
    if isinstance(value, list | tuple):
        value = b" ".join(v if isinstance(v, bytes) else str(v).encode() for v in value if v)
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    return str(value)


def _shutdown(conn: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown()


def mailbox_from_settings() -> ImapMailbox | None:
    """The support mailbox of the settings, or None when ``SUPPORT_IMAP_HOST`` is empty
    (e-mail intake switched off)."""
    from django.conf import settings

    host = (getattr(settings, "SUPPORT_IMAP_HOST", "") or "").strip()
    if not host:
        return None
    use_ssl = bool(getattr(settings, "SUPPORT_IMAP_SSL", True))
    return ImapMailbox(
        host=host,
        port=int(getattr(settings, "SUPPORT_IMAP_PORT", 0) or (993 if use_ssl else 143)),
        username=getattr(settings, "SUPPORT_IMAP_USER", ""),
        password=getattr(settings, "SUPPORT_IMAP_PASSWORD", ""),
        ssl=use_ssl,
        starttls=bool(getattr(settings, "SUPPORT_IMAP_STARTTLS", False)),
        folder=getattr(settings, "SUPPORT_IMAP_FOLDER", "INBOX") or "INBOX",
        timeout=float(getattr(settings, "SUPPORT_IMAP_TIMEOUT", 30)),
        processed_folder=getattr(settings, "SUPPORT_IMAP_PROCESSED_FOLDER", "") or "",
    )
