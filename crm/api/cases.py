"""The CRM API's support cases, /api/v1/crm/cases (tag "crm"), mounted on the CRM router
(`crm.api.endpoints`), with its token authentication and throttle:

- `GET cases` — the cases the user may view (`crm.permissions.case_policy`: an agent's
  queues and the cases assigned to them, every case for managers), filtered by status,
  priority, queue, assignee (an id, `me` or `none`), channel and `q` (subject, reference
  or the customer's e-mail), newest first, `limit`/`offset`, with each one's SLA clock;
- `GET cases/{id}` — one case with its conversation (internal notes included: the API is
  staff only), attachments as metadata, tags; audited as a view of personal data;
- `POST cases` — a case staff took down (a phone call, an e-mail to a person):
  `support.services.cases.case_open`;
- `POST cases/{id}/replies` — a public reply, e-mailed to the customer (`reply_add`);
- `POST cases/{id}/notes` — an internal note (`note_add`);
- `PATCH cases/{id}` — status, priority, queue, assignee, tags (`case_update`).

The same answers as the rest of the CRM API: 403 `forbidden` when the role lacks the
permission, 404 `case_not_found` for a case that does not exist or is outside the user's
queues (its existence not revealed), 422 with the support service's code for a refused
change (`support.errors.SupportError`) and `invalid_request` for input that does not fit
the schema. The services write the audit entries of every change."""

import datetime
from typing import Annotated, Literal

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status

from booking.api.public import ErrorOut
from crm.api.auth import StaffTokenAuth, TokenRateThrottle
from crm.api.errors import CrmApiError
from crm.audit import personal_data_viewed
from crm.permissions import case_policy
from support.errors import SupportError
from support.models import Case, CaseAttachment, CaseMessage, Macro, Queue
from support.services.cases import (
    BODY_MAX,
    CaseRequest,
    case_open,
    case_update,
    macro_text,
    note_add,
    reply_add,
)
from support.services.sla import case_clock, desk_calendar

MAX_ID = 2**63 - 1
MAX_LIMIT = 100
MAX_TAGS = 20
#: No NUL character (PostgreSQL refuses it in text): refused as invalid input, not a 500.
NO_NUL = r"^[^\x00]*$"

Text = Annotated[str, Field(pattern=NO_NUL)]
StatusValue = Literal["new", "open", "waiting_customer", "waiting_us", "resolved", "closed"]
ChannelValue = Literal["web", "email", "phone"]
LanguageValue = Literal["ru", "en", "zh-hans"]

router = Router(tags=["crm"], auth=StaffTokenAuth(), throttle=[TokenRateThrottle()])


# --- Schemas -------------------------------------------------------------------------


class CaseQueueOut(Schema):
    slug: str
    name: str


class CasePersonOut(Schema):
    id: int
    name: str


class CaseCustomerOut(Schema):
    id: int
    name: str
    email: str


class CaseSlaOut(Schema):
    which: str = Field(description="first_response, resolution, or empty when none runs")
    state: str = Field(description="ok, warning, breached, paused, met or none")
    due: datetime.datetime | None
    remaining_seconds: int | None = Field(
        description="Business time left (negative: overdue); null when unknown"
    )
    text: str = Field(description="As the screens show it, in the request's language")


class CaseSummaryOut(Schema):
    id: int
    reference: str = Field(description='"S-<id>", as in the subjects of its e-mails')
    subject: str
    status: str
    status_label: str
    priority: int = Field(description="1 (urgent) … 4 (low)")
    priority_label: str
    queue: CaseQueueOut
    assignee: CasePersonOut | None
    customer: CaseCustomerOut
    order: str | None = Field(description="The order's code, if the case is about one")
    channel: str = Field(description="web, email or phone")
    created_at: datetime.datetime
    updated_at: datetime.datetime
    sla: CaseSlaOut


class CaseListOut(Schema):
    count: int = Field(description="Cases matching the filters")
    items: list[CaseSummaryOut]


class CaseAttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int = Field(description="Bytes")


class CaseMessageOut(Schema):
    id: int
    kind: str = Field(description="customer, reply or note (internal, never sent)")
    kind_label: str
    channel: str
    author: str = Field(description="The staff member, or the customer for their messages")
    body: str
    created_at: datetime.datetime
    sent_ok: bool | None = Field(description="For a reply: whether the e-mail went out")
    attachments: list[CaseAttachmentOut]


class CaseOut(CaseSummaryOut):
    language: str
    tags: list[str]
    first_response_due: datetime.datetime | None
    resolution_due: datetime.datetime | None
    first_responded_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    messages: list[CaseMessageOut]


class CaseCreateIn(Schema):
    channel: Literal["phone", "email"] = Field(
        "phone", description="How the customer reached the desk"
    )
    email: Text = Field(..., max_length=254, description="The customer's e-mail address")
    name: Text = Field("", max_length=300)
    phone: Text = Field("", max_length=60)
    subject: Text = Field(..., max_length=1000)
    body: Text = Field(..., max_length=BODY_MAX * 2, description="What the customer said")
    order: Text = Field(
        "", max_length=100, description="An order code bought with this e-mail address"
    )
    priority: int | None = Field(None, ge=1, le=4, description="Default: the normal P3")
    queue: Text | None = Field(None, max_length=50, description="A queue's slug; default queue")
    language: LanguageValue = Field("ru", description="The customer's; replies go out in it")


class CaseReplyIn(Schema):
    body: Text = Field(
        "", max_length=BODY_MAX * 2, description="Empty with a macro: the macro's text"
    )
    status: StatusValue | None = Field(
        None, description="The case's status after it (default: the macro's, or waiting_customer)"
    )
    macro: int | None = Field(None, ge=1, le=MAX_ID, description="A canned reply's id")


class CaseNoteIn(Schema):
    body: Text = Field(..., max_length=BODY_MAX * 2)


class CaseChangeIn(Schema):
    status: StatusValue | None = None
    priority: int | None = Field(None, ge=1, le=4)
    queue: Text | None = Field(None, max_length=50, description="A queue's slug")
    assignee: int | None = Field(
        None, ge=1, le=MAX_ID, description="A staff member's id; null unassigns"
    )
    tags: list[Annotated[str, Field(max_length=100, pattern=NO_NUL)]] | None = Field(
        None, max_length=MAX_TAGS, description="Replaces the case's tags"
    )


# --- Reading and checking --------------------------------------------------------------


def _require(user, action: str) -> None:
    if not case_policy.user_has_permission(user, action):
        raise CrmApiError("forbidden")


def _visible(user):
    return case_policy.instances_user_has_permission_for(user, "view")


def _with_details(cases):
    return cases.select_related("queue", "assignee", "customer", "order").prefetch_related(
        "pause_set"
    )


def _case(request: HttpRequest, case_id: int, *, action: str = "view") -> Case:
    """The case the user may act on: 403 without the role's permission, 404 when it does
    not exist or is outside their queues (the same answer), 403 when they may view it but
    not `action` it."""
    _require(request.user, "view")
    if action != "view":
        _require(request.user, action)
    case = _with_details(_visible(request.user)).filter(pk=case_id).first()
    if case is None:
        raise CrmApiError("case_not_found")
    if action != "view" and not case_policy.user_has_permission_for_instance(
        request.user, action, case
    ):
        raise CrmApiError("forbidden")
    return case


def _queue(slug: str) -> Queue:
    queue = Queue.objects.filter(slug=slug.strip()).first()
    if queue is None:
        raise SupportError("queue_invalid")
    return queue


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


class _Calendars:
    """The desk's calendars, built once per request (one per `all_day`)."""

    def __init__(self):
        self.now = timezone.now()
        self._built = {}

    def clock(self, case: Case):
        if case.all_day not in self._built:
            self._built[case.all_day] = desk_calendar(all_day=case.all_day, around=self.now)
        return case_clock(case, now=self.now, calendar=self._built[case.all_day])


def _sla_out(clock) -> dict:
    return {
        "which": clock.which,
        "state": clock.state,
        "due": clock.due,
        "remaining_seconds": int(clock.left.total_seconds()) if clock.left is not None else None,
        "text": str(clock.text),
    }


def _summary_out(case: Case, calendars: _Calendars) -> dict:
    return {
        "id": case.pk,
        "reference": case.reference,
        "subject": case.subject,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "priority": case.priority,
        "priority_label": str(case.get_priority_display()),
        "queue": {"slug": case.queue.slug, "name": case.queue.name},
        "assignee": _person(case.assignee),
        "customer": {
            "id": case.customer.pk,
            "name": case.customer.name,
            "email": case.customer.email,
        },
        "order": case.order.code if case.order_id else None,
        "channel": case.channel,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "sla": _sla_out(calendars.clock(case)),
    }


def _message_out(message: CaseMessage, case: Case) -> dict:
    if message.author_id:
        author = _person(message.author)["name"]
    elif message.kind == CaseMessage.Kind.CUSTOMER:
        author = case.customer.name or case.customer.email
    else:
        author = ""
    return {
        "id": message.pk,
        "kind": message.kind,
        "kind_label": str(message.get_kind_display()),
        "channel": message.channel,
        "author": author,
        "body": message.body,
        "created_at": message.created_at,
        "sent_ok": message.sent_ok,
        "attachments": [
            {
                "id": attachment.pk,
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": attachment.size,
            }
            for attachment in message.attachments.all()
        ],
    }


def _case_out(case: Case) -> dict:
    """The whole case, read again (the services return the locked row without its
    relations)."""
    case = (
        _with_details(Case.objects.filter(pk=case.pk))
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=CaseMessage.objects.select_related("author").prefetch_related(
                    Prefetch("attachments", queryset=CaseAttachment.objects.order_by("pk"))
                ),
            )
        )
        .get()
    )
    return {
        **_summary_out(case, _Calendars()),
        "language": case.language,
        "tags": sorted(case.tags.names()),
        "first_response_due": case.first_response_due,
        "resolution_due": case.resolution_due,
        "first_responded_at": case.first_responded_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "messages": [_message_out(m, case) for m in case.messages.all()],
    }


def _audit_view(request: HttpRequest, case: Case) -> None:
    """A member of staff read the case's personal data through the API, with the token."""
    personal_data_viewed(
        customer=case.customer,
        user=request.user,
        order=case.order,
        via="api",
        token=request.auth.pk,
        case_id=case.pk,
    )


# --- Operations ------------------------------------------------------------------------


@router.get(
    "",
    response={200: CaseListOut, 403: ErrorOut},
    url_name="crm-cases",
    summary="Support cases the user works on, filtered",
)
def list_cases(
    request: HttpRequest,
    status: StatusValue | None = None,
    priority: int | None = Query(None, ge=1, le=4),
    queue: str | None = Query(None, max_length=50, pattern=NO_NUL, description="A slug"),
    assignee: str | None = Query(
        None, pattern=r"^(me|none|[0-9]{1,18})$", description="A staff member's id, me or none"
    ),
    channel: ChannelValue | None = None,
    q: str | None = Query(
        None,
        max_length=200,
        pattern=NO_NUL,
        description="Part of the subject or of the customer's e-mail, or a reference S-<id>",
    ),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=1_000_000),
):
    """Newest first. An unknown queue slug is `queue_invalid` (422)."""
    _require(request.user, "view")
    cases = _visible(request.user)
    if status:
        cases = cases.filter(status=status)
    if priority:
        cases = cases.filter(priority=priority)
    if queue:
        cases = cases.filter(queue=_queue(queue))
    if assignee == "me":
        cases = cases.filter(assignee_id=request.user.pk)
    elif assignee == "none":
        cases = cases.filter(assignee__isnull=True)
    elif assignee:
        cases = cases.filter(assignee_id=int(assignee))
    if channel:
        cases = cases.filter(channel=channel)
    text = (q or "").strip()
    if text:
        condition = Q(subject__icontains=text) | Q(customer__email__icontains=text)
        reference = text.upper().removeprefix("S-").removeprefix("S")
        if reference.isdigit() and 0 < int(reference) <= MAX_ID:
            condition |= Q(pk=int(reference))
        cases = cases.filter(condition)
    count = cases.count()
    page = _with_details(cases.order_by("-created_at", "-pk"))[offset : offset + limit]
    calendars = _Calendars()
    return {"count": count, "items": [_summary_out(case, calendars) for case in page]}


@router.get(
    "/{case_id}",
    response={200: CaseOut, 403: ErrorOut, 404: ErrorOut},
    url_name="crm-case",
    summary="A support case with its conversation",
)
def read_case(request: HttpRequest, case_id: int = Path(..., ge=1, le=MAX_ID)):
    """Every message, internal notes included; attachments by name and size."""
    case = _case(request, case_id)
    _audit_view(request, case)
    return _case_out(case)


@router.post(
    "",
    response={201: CaseOut, 403: ErrorOut},
    url_name="crm-case-open",
    summary="Open a case taken down by staff (a phone call, an e-mail)",
)
def create_case(request: HttpRequest, payload: CaseCreateIn):
    """The customer is found or recorded by e-mail; `order` links an order only when it
    was bought with that address (`order_not_matched` otherwise). Nothing is e-mailed."""
    _require(request.user, "add")
    queue = _queue(payload.queue) if payload.queue else None
    case = case_open(
        request=CaseRequest(
            channel=payload.channel,
            subject=payload.subject,
            body=payload.body,
            email=payload.email,
            name=payload.name,
            phone=payload.phone,
            language=payload.language,
            order_code=payload.order,
        ),
        user=request.user,
        queue=queue,
        priority=payload.priority,
    )
    return Status(201, _case_out(case))


@router.post(
    "/{case_id}/replies",
    response={201: CaseOut, 403: ErrorOut, 404: ErrorOut},
    url_name="crm-case-reply",
    summary="Reply to the customer (e-mailed)",
)
def create_reply(
    request: HttpRequest, payload: CaseReplyIn, case_id: int = Path(..., ge=1, le=MAX_ID)
):
    """The first reply stamps the first response; the case then takes `status`, the
    macro's status, or waiting_customer. A closed case is `case_closed` (422)."""
    case = _case(request, case_id, action="change")
    macro = None
    if payload.macro is not None:
        macro = Macro.objects.filter(pk=payload.macro).first()
        if macro is None:
            raise CrmApiError("macro_not_found")
    body = payload.body
    if macro is not None and not body.strip():
        body = macro_text(macro, case, request.user)
    reply_add(case=case, user=request.user, body=body, status=payload.status, macro=macro)
    return Status(201, _case_out(case))


@router.post(
    "/{case_id}/notes",
    response={201: CaseOut, 403: ErrorOut, 404: ErrorOut},
    url_name="crm-case-note",
    summary="Add an internal note (never sent to the customer)",
)
def create_note(
    request: HttpRequest, payload: CaseNoteIn, case_id: int = Path(..., ge=1, le=MAX_ID)
):
    case = _case(request, case_id, action="change")
    note_add(case=case, user=request.user, body=payload.body)
    return Status(201, _case_out(case))


@router.patch(
    "/{case_id}",
    response={200: CaseOut, 403: ErrorOut, 404: ErrorOut},
    url_name="crm-case-change",
    summary="Change a case's status, priority, queue, assignee or tags",
)
def change_case(
    request: HttpRequest, payload: CaseChangeIn, case_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Only the fields given change (`"assignee": null` unassigns); audited with the old
    and new values. An assignee who does not work in the case's queue is
    `assignee_invalid`, an unknown queue `queue_invalid` (422)."""
    case = _case(request, case_id, action="change")
    given = payload.model_fields_set
    changes = {}
    if payload.status is not None:
        changes["status"] = payload.status
    if payload.priority is not None:
        changes["priority"] = payload.priority
    if payload.queue is not None:
        changes["queue"] = _queue(payload.queue)
    if "assignee" in given:
        assignee = None
        if payload.assignee is not None:
            assignee = get_user_model().objects.filter(pk=payload.assignee).first()
            if assignee is None:
                raise SupportError("assignee_invalid")
        changes["assignee"] = assignee
    if payload.tags is not None:
        changes["tags"] = payload.tags
    case_update(case=case, user=request.user, **changes)
    return _case_out(case)
