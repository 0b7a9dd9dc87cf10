"""Support cases: who wrote, about what, where it stands, and the SLA clock's bookkeeping.

A case's SLA targets come from the `SlaPolicy` that matches it when it opens (priority, then
queue and channel); its due moments are business time on the desk's calendar
(`WorkingHours`, Russian public holidays, `CalendarOverride`s), computed by
`support.services.sla`. The clock pauses while the case waits on the customer (`CasePause`).
Warnings at 80 % and breaches at 100 % are stamped on the case once each (the *_at fields),
which is what makes the escalation schedule fire exactly once.

Nothing here is hard-deleted from a screen: cases are closed, not deleted.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase


#: Case attachments are personal data: stored outside MEDIA_ROOT (which the web server may
#: serve), read only through `support.views` after a permission or signature check.
def private_storage() -> Storage:
    # A callable, so that migrations do not record one machine's path. With object
    # storage configured (settings: AWS_STORAGE_BUCKET_NAME) the private bucket or prefix,
    # so that every web node and worker reads what another one stored.
    if "support_private" in settings.STORAGES:
        return storages["support_private"]
    return FileSystemStorage(location=settings.SUPPORT_PRIVATE_ROOT)


#: The reference in the subject of every message about a case: "[S-1042]".
REFERENCE_FORMAT = "S-{number}"


class Queue(models.Model):
    """Where a case waits to be worked on: sales, refunds, lost property, groups.

    Agents work on the cases of the queues they are assigned to (a django-guardian object
    permission `support.work_in_queue`, on them or on one of their groups); holders of
    `support.handle_any_queue` (managers) on every queue. `manager` is told about warnings
    and breaches of the queue's cases."""

    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_support_queues",
        verbose_name=_("queue manager"),
    )
    is_default = models.BooleanField(
        _("default queue"),
        default=False,
        help_text=_("New cases from the site and by e-mail land here."),
    )

    class Meta:
        verbose_name = _("support queue")
        verbose_name_plural = _("support queues")
        ordering = ["name"]
        permissions = [
            ("work_in_queue", "Works on the cases of this queue"),
            ("handle_any_queue", "Works on the cases of every queue"),
        ]

    def __str__(self):
        return self.name


class Case(models.Model):
    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("case", "New")
        OPEN = "open", pgettext_lazy("case", "Open")
        WAITING_CUSTOMER = "waiting_customer", _("Waiting on customer")
        WAITING_US = "waiting_us", _("Waiting on us or a third party")
        RESOLVED = "resolved", pgettext_lazy("case", "Resolved")
        CLOSED = "closed", pgettext_lazy("case", "Closed")

    class Priority(models.IntegerChoices):
        P1 = 1, _("P1 — urgent")
        P2 = 2, _("P2 — high")
        P3 = 3, _("P3 — normal")
        P4 = 4, _("P4 — low")

    class Channel(models.TextChoices):
        WEB = "web", _("Site")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")

    #: Statuses in which the case is still being worked on (its clocks run or are paused).
    ACTIVE = (Status.NEW, Status.OPEN, Status.WAITING_CUSTOMER, Status.WAITING_US)

    subject = models.CharField(_("subject"), max_length=200)
    customer = models.ForeignKey(
        "accounts.Customer",
        on_delete=models.PROTECT,
        related_name="support_cases",
        verbose_name=_("customer"),
    )
    order = models.ForeignKey(
        "booking.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_cases",
        verbose_name=_("order"),
    )
    departure = models.ForeignKey(
        "booking.Departure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_cases",
        verbose_name=_("departure"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.P3
    )
    queue = models.ForeignKey(
        Queue, on_delete=models.PROTECT, related_name="cases", verbose_name=_("queue")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_cases",
        verbose_name=_("assignee"),
    )
    tags = TaggableManager(through="CaseTag", blank=True, verbose_name=_("tags"))
    #: The language the customer wrote in: replies go out in it.
    language = models.CharField(_("language"), max_length=10, default="ru")

    # The SLA clock (support.services.sla). Targets are copied from the policy when the
    # case opens, so that editing a policy never moves the deadlines of open cases.
    sla_policy = models.ForeignKey(
        "SlaPolicy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("SLA policy"),
    )
    first_response_target = models.DurationField(_("first response target"), null=True)
    resolution_target = models.DurationField(_("resolution target"), null=True)
    all_day = models.BooleanField(_("counted around the clock"), default=False)
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    first_response_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_response_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_breached_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    last_customer_message_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("support case")
        verbose_name_plural = _("support cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["queue", "status"]),
            models.Index(fields=["assignee", "status"]),
        ]

    def __str__(self):
        return f"[{self.reference}] {self.subject}"

    @property
    def number(self) -> int:
        return self.pk

    @property
    def reference(self) -> str:
        return REFERENCE_FORMAT.format(number=self.pk)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class CaseTag(TaggedItemBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tagged")


class CasePause(models.Model):
    """A time the case waited on the customer: the SLA clock stood still."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pause_set")
    began_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["began_at"]
        constraints = [
            # One open pause per case at most.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(ended_at__isnull=True),
                name="support_one_open_pause_per_case",
            )
        ]

    def __str__(self):
        return f"{self.began_at:%Y-%m-%d %H:%M} – {self.ended_at or '…'}"


class CaseMessage(models.Model):
    """One entry of a case's conversation: the customer's message (site, e-mail, phone
    call), a staff member's public reply (e-mailed to the customer) or an internal note
    (staff only)."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("From the customer")
        REPLY = "reply", _("Public reply")
        NOTE = "note", _("Internal note")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Case.Channel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    #: The e-mail's Message-ID (without <>): a message read twice from the mailbox is
    #: stored once; a public reply's own Message-ID threads the customer's answer.
    email_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    #: For a reply: whether the e-mail was handed to the mail server, and why not.
    sent_ok = models.BooleanField(null=True, editable=False)
    send_error = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["email_message_id"],
                condition=~models.Q(email_message_id=""),
                name="support_message_id_unique",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.kind != self.Kind.NOTE


class CaseAttachment(models.Model):
    message = models.ForeignKey(CaseMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to="support/%Y/%m/", max_length=255)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self):
        return self.filename


class Macro(models.Model):
    """A canned reply: a text per language and, optionally, a status and a priority the
    case takes when it is sent. Placeholders: {customer_name}, {case_reference},
    {agent_name}."""

    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100, unique=True)
    body_ru = models.TextField(_("text in Russian"))
    body_en = models.TextField(_("text in English"))
    body_zh = models.TextField(_("text in Chinese"))
    set_status = models.CharField(
        _("then set the status"), max_length=20, choices=Case.Status.choices, blank=True
    )
    set_priority = models.PositiveSmallIntegerField(
        _("then set the priority"), choices=Case.Priority.choices, null=True, blank=True
    )

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def body_for(self, language: str) -> str:
        if language.startswith("zh"):
            return self.body_zh
        if language.startswith("en"):
            return self.body_en
        return self.body_ru


class SlaPolicy(models.Model):
    """First-response and resolution targets in business time for the cases of a
    priority; optionally only for one queue and/or channel (the most specific policy that
    matches wins: queue and channel, queue, channel, priority alone)."""

    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Case.Priority.choices)
    queue = models.ForeignKey(
        Queue,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_policies",
        verbose_name=_("queue"),
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Case.Channel.choices, blank=True
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (business minutes)"), validators=[MinValueValidator(1)]
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (business minutes)"), validators=[MinValueValidator(1)]
    )
    all_day = models.BooleanField(
        _("around the clock"),
        default=False,
        help_text=_("Count every hour of every day (24×7), holidays included."),
    )
    raise_priority_on_breach = models.BooleanField(
        _("raise the priority on a breach"), default=False
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["priority", "queue__name", "channel"]

    def __str__(self):
        return self.name

    def clean(self):
        # One policy per scope (a unique constraint would treat two empty queues as
        # different, and SQLite cannot be told otherwise).
        same_scope = SlaPolicy.objects.filter(
            priority=self.priority, queue=self.queue, channel=self.channel
        ).exclude(pk=self.pk)
        if same_scope.exists():
            raise ValidationError(
                _("A policy for this priority, queue and channel exists already.")
            )


class WorkingHours(models.Model):
    """The support desk's hours on a weekday, Moscow time; no row or no times = closed."""

    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        unique=True,
        validators=[MaxValueValidator(6)],
        help_text=_("0 = Monday … 6 = Sunday"),
    )
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(
        _("closes"), null=True, blank=True, help_text=_("00:00 means midnight.")
    )

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["weekday"]

    def __str__(self):
        return f"{self.weekday}: {self.opens or '—'}–{self.closes or '—'}"


class CalendarOverride(models.Model):
    """A date that does not follow the usual week: a shortened pre-holiday day, a day the
    desk is closed, a decree newer than the holidays package. Wins over everything."""

    date = models.DateField(_("date"), unique=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(
        _("closes"), null=True, blank=True, help_text=_("Leave both empty: closed that day.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self):
        return str(self.date)


class SlaAlert(models.Model):
    """A warning (80 % of a clock's target) or a breach (100 %) told to one staff member:
    the case's assignee or its queue's manager. Shown on their Wagtail dashboard until they
    mark it read, and e-mailed (`emailed_at`: at most once, whatever the retries). Written
    by `support.services.escalation` once per case, clock, kind and recipient (the unique
    constraint is the database's word for it)."""

    class Kind(models.TextChoices):
        WARNING = "warning", pgettext_lazy("SLA", "Warning")
        BREACH = "breach", pgettext_lazy("SLA", "Breach")

    class Clock(models.TextChoices):
        FIRST_RESPONSE = "first_response", pgettext_lazy("SLA clock", "First response")
        RESOLUTION = "resolution", pgettext_lazy("SLA clock", "Resolution")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sla_alerts")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    clock = models.CharField(pgettext_lazy("SLA", "clock"), max_length=20, choices=Clock.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sla_alerts",
        verbose_name=_("recipient"),
    )
    created_at = models.DateTimeField(_("created at"), db_index=True)
    read_at = models.DateTimeField(pgettext_lazy("SLA", "read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("SLA alert")
        verbose_name_plural = _("SLA alerts")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "clock", "kind", "recipient"], name="support_sla_alert_once"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.case_id} → {self.recipient_id}"
