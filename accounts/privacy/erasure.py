"""The erasure of one person's data: what every step is given (`Erasure`, `Identifiers`)
and the steps accounts runs itself, after the sections registered by the other apps.

Anonymising a column we know is easy; the hard part is the copies nobody planned: the
e-mail that django-axes keeps as the username of a failed sign-in, the name in the label
of a Wagtail log entry written when staff edited the customer, a traceback with the
address that a mail server refused, stored as a django-q task's result. Each step below
removes one such kind of copy. The test in tests/accounts/privacy/ searches every text
and JSON column of the database for the person after a whole purchase, and removes each
step in turn to show that it is needed.

Strings are matched case-insensitively. E-mails and phones are distinctive, so tables
that are not the person's own (log entries, task results) are searched for them;
names are not (two people are called Anna), so names are only replaced inside rows
already known to be the person's, and only as whole words.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from importlib import import_module
from operator import or_

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from accounts.models import Consent, Customer, CustomerNote, User

ERASED = "[erased]"
# Names shorter than this are not replaced inside text (they would hit ordinary words).
MIN_NAME_LENGTH = 3
_PHONE_RE = re.compile(r"^\+?\d{7,15}$")


def placeholder_email(customer: Customer) -> str:
    """The address an erased person's rows carry: unique per customer (the e-mail columns
    are unique) and undeliverable (`.invalid` is reserved, RFC 2606)."""
    return f"erased-{customer.pk}@erased.invalid"


class Identifiers:
    """The person's e-mails, phones and names, and the one way of finding and replacing
    them in text and JSON."""

    def __init__(self, values: Iterable[str]):
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.names: set[str] = set()
        for raw in values:
            value = " ".join(str(raw or "").split())
            if not value or value.endswith("@erased.invalid"):
                continue
            if "@" in value:
                self.emails.add(value.lower())
            elif _PHONE_RE.match(value.replace(" ", "")):
                digits = value.replace(" ", "").lstrip("+")
                # Stored as E.164 (+79123456789); receipts and SMS.ru write it without "+".
                self.phones.update({f"+{digits}", digits})
            elif len(value) >= MIN_NAME_LENGTH:
                self.names.add(value)
        # Longest first, so that "+79123456789" goes before its own "79123456789".
        distinctive = sorted(self.emails | self.phones, key=len, reverse=True)
        names = sorted(self.names, key=len, reverse=True)
        parts = [re.escape(value) for value in distinctive]
        self._distinctive = re.compile("|".join(parts), re.IGNORECASE) if parts else None
        parts += [rf"(?<!\w){re.escape(value)}(?!\w)" for value in names]
        self._pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    @property
    def distinctive(self) -> list[str]:
        """What may be searched for in other people's rows too: e-mails and phones."""
        return sorted(self.emails | self.phones)

    def found_in(self, text) -> bool:
        """Any identifier, names included: for rows known to be the person's."""
        return bool(self._pattern and self._pattern.search(str(text)))

    def mentioned_in(self, text) -> bool:
        """An e-mail or phone of the person: for rows that may be anybody's."""
        return bool(self._distinctive and self._distinctive.search(str(text)))

    def scrub(self, value):
        """`value` (text, or JSON made of dicts, lists and scalars) with every identifier
        replaced by "[erased]"; keys are kept, other values unchanged."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self._pattern.sub(ERASED, value)
        if isinstance(value, dict):
            return {key: self.scrub(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.scrub(item) for item in value)
        return value

    def containing(self, *fields: str) -> Q:
        """Rows with any distinctive identifier in any of `fields` (text or JSON cast to
        text: annotate them with `as_text` first)."""
        conditions = [
            Q(**{f"{name}__icontains": value}) for name in fields for value in self.distinctive
        ]
        return reduce(or_, conditions) if conditions else Q(pk__in=[])


def as_text(*fields: str) -> dict:
    """Annotations that read JSON columns as text, for `Identifiers.containing`."""
    return {f"{name}_text": Cast(name, TextField()) for name in fields}


@dataclass
class Erasure:
    """What every erasure step gets. `customer` is locked and not yet anonymised."""

    customer: Customer
    user: User | None
    now: datetime
    identifiers: Identifiers
    email: str  # the placeholder the person's e-mail columns get


# --- the steps accounts runs ---------------------------------------------------------


def erase_consents(erasure: Erasure) -> None:
    """Consents stay (what was agreed to, when, which document version): without the
    address and browser they were given from."""
    Consent.objects.filter(customer=erasure.customer).update(ip_address=None, user_agent="")


def erase_sign_in_records(erasure: Erasure) -> None:
    """django-axes keeps the typed e-mail as the username of every sign-in, failed or
    not, with the address and browser: deleted (an unlock of the account as a side
    effect, which no longer matters: it cannot sign in any more)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    emails = erasure.identifiers.emails
    if not emails:
        return
    person = reduce(or_, (Q(username__iexact=email) for email in emails))
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(person).delete()


def _own_log_labels(erasure: Erasure) -> dict[tuple[int, str], str]:
    """The log entries about the person's own account rows and the label they get (a
    Customer's and a User's `str()` is the name and the e-mail)."""
    labels = {
        (ContentType.objects.get_for_model(Customer).pk, str(erasure.customer.pk)): (
            f"Customer #{erasure.customer.pk}"
        )
    }
    if erasure.user is not None:
        labels[(ContentType.objects.get_for_model(User).pk, str(erasure.user.pk))] = (
            f"User #{erasure.user.pk}"
        )
    return labels


def erase_audit_log_entries(erasure: Erasure) -> None:
    """Wagtail's log (ModelLogEntry, PageLogEntry) keeps `str(object)` as the label and
    free-form `data`: entries about the customer or the user get a label without the
    person, and every entry that mentions the person's e-mail or phone is scrubbed.
    The entries themselves stay (who did what, when): the audit trail is kept."""
    from wagtail.models import ModelLogEntry, PageLogEntry

    identifiers = erasure.identifiers
    own = _own_log_labels(erasure)
    about_person = reduce(
        or_, (Q(content_type_id=ct, object_id=object_id) for ct, object_id in own)
    )
    mentioning = identifiers.containing("label", "data_text")
    for model, condition in (
        (ModelLogEntry, about_person | mentioning),
        (PageLogEntry, mentioning),
    ):
        for entry in model.objects.annotate(**as_text("data")).filter(condition):
            label = own.get((entry.content_type_id, str(entry.object_id)))
            model.objects.filter(pk=entry.pk).update(
                label=label or identifiers.scrub(entry.label),
                data=identifiers.scrub(entry.data),
            )


def erase_admin_log_entries(erasure: Erasure) -> None:
    """The same for django.contrib.admin's log (`object_repr`, `change_message`), which
    Django writes whenever its admin changes a row."""
    if not apps.is_installed("django.contrib.admin"):
        return
    from django.contrib.admin.models import LogEntry

    identifiers = erasure.identifiers
    own = _own_log_labels(erasure)
    about_person = reduce(
        or_, (Q(content_type_id=ct, object_id=object_id) for ct, object_id in own)
    )
    for entry in LogEntry.objects.filter(
        about_person | identifiers.containing("object_repr", "change_message")
    ):
        label = own.get((entry.content_type_id, str(entry.object_id)))
        LogEntry.objects.filter(pk=entry.pk).update(
            object_repr=(label or identifiers.scrub(entry.object_repr))[:200],
            change_message=identifiers.scrub(entry.change_message),
        )


def erase_task_records(erasure: Erasure) -> None:
    """django-q keeps every task's arguments and result (a failed one's result is the
    exception and its traceback: "SMTPRecipientsRefused: {'anna@…': …}"). Our tasks take
    ids, but a result may carry the person: it is scrubbed. The columns are pickled, so
    they are read here, not searched in SQL."""
    from django_q.models import Schedule, Task
    from picklefield.fields import dbsafe_decode  # nosec B403  # rows our own cluster pickled, read from our database

    identifiers = erasure.identifiers
    if not identifiers.distinctive:
        return
    for task_id, *stored in _task_rows(Task._meta.db_table):
        changes = {}
        for name, raw in zip(("args", "kwargs", "result"), stored, strict=True):
            if raw is None:
                continue
            try:
                value = dbsafe_decode(raw)
            except Exception:
                # Not readable here (a class that no longer exists): look at the bytes.
                value = raw
            if identifiers.mentioned_in(repr(value)):
                scrubbed = identifiers.scrub(value)
                changes[name] = scrubbed if not identifiers.found_in(repr(scrubbed)) else ERASED
        if changes:
            Task.objects.filter(pk=task_id).update(**changes)
    for schedule in Schedule.objects.filter(identifiers.containing("args", "kwargs", "name")):
        Schedule.objects.filter(pk=schedule.pk).update(
            args=identifiers.scrub(schedule.args),
            kwargs=identifiers.scrub(schedule.kwargs),
            name=identifiers.scrub(schedule.name)[:100],
        )


def _task_rows(table: str, batch: int = 500):
    """django-q's task rows as stored (pickled text), a batch at a time."""
    last = ""
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, args, kwargs, result FROM {connection.ops.quote_name(table)} WHERE id > %s ORDER BY id LIMIT %s",
                [last, batch],
            )
            rows = cursor.fetchall()
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1][0]


def erase_sessions(erasure: Erasure) -> None:
    """The account's sessions (signed in anywhere) are deleted. With a database-backed
    session engine every stored session is read to find them; other engines cannot be
    listed, and the unusable password set on the account ends them anyway (a session
    remembers the password's hash)."""
    engine = import_module(settings.SESSION_ENGINE)
    keys = set()
    if erasure.user is not None and settings.SESSION_ENGINE in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        from django.contrib.sessions.models import Session

        user_id = str(erasure.user.pk)
        for session in Session.objects.iterator(chunk_size=500):
            if str(session.get_decoded().get("_auth_user_id", "")) == user_id:
                keys.add(session.session_key)
    for key in sorted(keys):
        engine.SessionStore(session_key=key).delete()


# Sign-in records of django-allauth, when it is installed: (app label, model).
ALLAUTH_MODELS = (
    ("account", "EmailAddress"),
    ("socialaccount", "SocialAccount"),  # its tokens go with it (cascade)
    ("usersessions", "UserSession"),
    ("mfa", "Authenticator"),
)


def erase_allauth_records(erasure: Erasure) -> None:
    """django-allauth's rows of the account: its e-mail addresses, the VK ID / Yandex ID
    accounts with the profile they sent (`extra_data`), its sessions and second factors.
    Looked up by label, so this works whether or not allauth is installed."""
    if erasure.user is None:
        return
    for app_label, model_name in ALLAUTH_MODELS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        if not model.__module__.startswith("allauth."):
            continue
        model.objects.filter(user=erasure.user).delete()


def erase_user(erasure: Erasure) -> None:
    """The site account: no e-mail, name or phone, no way to sign in, inactive. The row
    stays, so that log entries and tickets that point at it keep their meaning."""
    user = erasure.user
    if user is None:
        return
    user.email = erasure.email
    user.first_name = user.last_name = user.phone = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "first_name", "last_name", "phone", "is_active", "password"])
    # Wagtail's profile may hold an uploaded photo.
    from wagtail.users.models import UserProfile

    for profile in UserProfile.objects.filter(user=user):
        if profile.avatar:
            profile.avatar.delete(save=False)
        profile.delete()


def erase_customer_notes(erasure: Erasure) -> None:
    """Staff's notes about the customer are free text (what the person asked for, their
    health, a phone to call back): each keeps its author and time, its text goes."""
    CustomerNote.objects.filter(customer=erasure.customer).exclude(text=ERASED).update(text=ERASED)


def erase_customer(erasure: Erasure) -> None:
    """The customer record stays (the orders point at it), anonymised and marked."""
    Customer.objects.filter(pk=erasure.customer.pk).update(
        email=erasure.email,
        name="",
        phone="",
        marketing_consent=False,
        erased_at=erasure.now,
        updated_at=erasure.now,
    )


# In this order, after the sections of the other apps. Tests remove each in turn.
ERASE_STEPS = (
    erase_consents,
    erase_sign_in_records,
    erase_audit_log_entries,
    erase_admin_log_entries,
    erase_task_records,
    erase_sessions,
    erase_allauth_records,
    erase_user,
    erase_customer_notes,
    erase_customer,
)
