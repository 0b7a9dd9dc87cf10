"""The customer's side of support: the contact form, their cases, attachment downloads."""

from django.http import FileResponse, Http404

from support.services.attachments import INLINE_TYPES, attachment_from_token


def case_new_view(request):  # replaced by the web-intake work (issue 12)
    raise Http404


def case_sent_view(request, number):  # replaced by the web-intake work (issue 12)
    raise Http404


def account_cases_view(request):  # replaced by the web-intake work (issue 12)
    raise Http404


def account_case_view(request, number):  # replaced by the web-intake work (issue 12)
    raise Http404


def attachment_view(request, token):
    """An attachment of a case, for whoever holds a valid, unexpired signed link (sent to
    the case's customer). Images and PDF may show inline; anything else downloads."""
    attachment = attachment_from_token(token)
    if attachment is None:
        raise Http404
    inline = attachment.content_type in INLINE_TYPES
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
