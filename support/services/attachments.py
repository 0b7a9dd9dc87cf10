"""Case attachments: what may be attached, how it is stored, and the signed, expiring
links that let a case's customer download them.

The type of a file is read from its first bytes, never from its name or the browser's
word: a "photo.jpg" that is really an executable is refused on the site's form. From
e-mail, files of other types are kept (the customer cannot fix them) but served only as
downloads; files over the size limit are left out with a note in the message."""

import os
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile

from support.errors import SupportError
from support.models import CaseAttachment, CaseMessage

LINK_SALT = "support.attachment"

#: Types accepted from the site's form, by their first bytes.
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)

#: Types a browser may show inline (everything else is served as a download).
INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}


@dataclass(frozen=True)
class AttachmentUpload:
    filename: str
    content: bytes
    content_type: str = ""


def sniffed_type(content: bytes) -> str | None:
    """The accepted type the bytes are, or None."""
    for prefix, content_type in _SIGNATURES:
        if content.startswith(prefix):
            return content_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content[4:8] == b"ftyp" and content[8:12] in (b"heic", b"heix", b"mif1", b"heif"):
        return "image/heic"
    return None


def _clean_name(name: str) -> str:
    name = os.path.basename((name or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:200] or "attachment"


def attachments_check(uploads, *, strict: bool = True) -> list[tuple[AttachmentUpload, str]]:
    """The uploads that may be kept, each with its content type. `strict` (the site):
    too many, too large, empty or of another type is refused with a `SupportError`;
    otherwise (e-mail) such files are skipped, the count still capped."""
    uploads = list(uploads or ())
    limit = settings.SUPPORT_ATTACHMENTS_MAX
    max_bytes = settings.SUPPORT_ATTACHMENT_MAX_BYTES
    if strict and len(uploads) > limit:
        raise SupportError("too_many_attachments", max=limit)
    kept = []
    for upload in uploads:
        name = _clean_name(upload.filename)
        if not upload.content:
            if strict:
                raise SupportError("attachment_empty", name=name)
            continue
        if len(upload.content) > max_bytes:
            if strict:
                raise SupportError("attachment_too_large", name=name, max=max_bytes // 2**20)
            continue
        content_type = sniffed_type(upload.content)
        if content_type is None:
            if strict:
                raise SupportError("attachment_type", name=name)
            content_type = "application/octet-stream"
        kept.append((AttachmentUpload(name, upload.content, content_type), content_type))
        if len(kept) == limit:
            break
    return kept


def attachments_save(message: CaseMessage, checked) -> list[CaseAttachment]:
    """Stores checked uploads (from `attachments_check`) with the message."""
    saved = []
    for upload, content_type in checked:
        attachment = CaseAttachment(
            message=message,
            filename=upload.filename,
            content_type=content_type,
            size=len(upload.content),
        )
        # The stored name is random: a customer's file name never becomes a path.
        attachment.file.save(f"{os.urandom(12).hex()}", ContentFile(upload.content), save=False)
        attachment.save()
        saved.append(attachment)
    return saved


def attachment_token(attachment: CaseAttachment) -> str:
    """A signed token naming the attachment; `attachment_from_token` honours it for
    `SUPPORT_ATTACHMENT_LINK_SECONDS`."""
    return signing.dumps({"a": attachment.pk, "c": attachment.message.case_id}, salt=LINK_SALT)


def attachment_from_token(token: str) -> CaseAttachment | None:
    """The attachment of a valid, unexpired token; None otherwise (forged, expired, or an
    internal note's attachment, which customers never see)."""
    try:
        data = signing.loads(
            token, salt=LINK_SALT, max_age=settings.SUPPORT_ATTACHMENT_LINK_SECONDS
        )
        attachment_id, case_id = int(data["a"]), int(data["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return (
        CaseAttachment.objects.filter(pk=attachment_id, message__case_id=case_id)
        .exclude(message__kind=CaseMessage.Kind.NOTE)
        .select_related("message")
        .first()
    )
