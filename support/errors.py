"""The reasons a support operation is refused, each with its translated message."""

from django.utils.translation import gettext_lazy as _

from common.errors import CodedError

MESSAGES = {
    "subject_invalid": _("Please write a subject of at most 200 characters."),
    "body_invalid": _("Please write your message (at most 20,000 characters)."),
    "email_invalid": _("Please enter a valid e-mail address."),
    "name_invalid": _("Please enter your name (at most 150 characters)."),
    "phone_invalid": _("Please enter a valid phone number or leave the field empty."),
    "order_not_matched": _(
        "We found no order with this code for this e-mail address. Check the code in your "
        "confirmation e-mail or leave the field empty."
    ),
    "too_many_attachments": _("At most %(max)s files can be attached."),
    "attachment_too_large": _("The file %(name)s is larger than %(max)s MB."),
    "attachment_type": _(
        "The file %(name)s cannot be attached: only images (JPEG, PNG, GIF, WebP, HEIC) and "
        "PDF files are accepted."
    ),
    "attachment_empty": _("The file %(name)s is empty."),
    "case_closed": _("This case is closed: please open a new one."),
    "status_invalid": _("Unknown status."),
    "priority_invalid": _("Unknown priority."),
    "queue_invalid": _("Unknown queue."),
    "assignee_invalid": _("This staff member cannot work on the cases of this queue."),
    "no_default_queue": _("No support queue is set up: ask an administrator."),
    "no_email": _("The customer has no e-mail address to reply to."),
}


class SupportError(CodedError):
    MESSAGES = MESSAGES
