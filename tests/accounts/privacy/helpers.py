"""A whole purchase by one person, leaving their e-mail, phone, name, address and browser
everywhere a real purchase does, and the search for any of it left in the database.

The purchase (`purchase()`): a failed sign-in to the admin recorded by django-axes; a hold
and the checkout from the person's browser (consents with the address and browser); the
payment through the YooKassa emulator over real HTTP, paid with SberPay, whose payment
object carries the payer's phone; YooKassa's notification (recorded with its excerpt);
the confirmation e-mail refused once by the mail server (a django-q task failure whose
result names the address), then sent, and the SMS; a staff edit of the customer in the
audit logs; a refund whose stored object carries the receipt's customer; the person
signed in on the site. `leaks()` then searches every text, JSON and address column of
every table, the decoded sessions and the unpickled django-q tasks."""

import json
import smtplib
import traceback
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test import Client, TestCase
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.humanhash import uuid as q_uuid
from django_q.models import Task
from django_q.monitor import save_task
from wagtail.log_actions import log

from accounts.models import Customer, User
from accounts.services.notes import customer_note_add
from booking.models import Order, Refund
from booking.services.backoffice import order_confirmation_resend, order_note_add
from booking.services.holds import hold_create
from common.tasks import run_with_retry
from tests.booking.checkout.helpers import checkout_url

NOTIFY = "/api/v1/payments/yookassa/notifications"


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    phone: str  # as typed at the checkout
    e164: str
    address: str
    browser: str
    first_name: str = ""
    mistyped_email: str = ""  # an address staff once corrected the order's to, by mistake
    last_name: str = ""

    @property
    def needles(self) -> list[str]:
        """What must not be found anywhere after the erasure: the e-mail, the phone's
        digits (in any of its stored forms), each part of the name, the address and the
        browser."""
        return [
            self.email,
            self.e164.lstrip("+")[1:],
            *self.name.split(),
            self.address,
            self.browser,
            *([self.mistyped_email] if self.mistyped_email else []),
        ]


ZINAIDA = Person(
    name="Зинаида Квоккаева",
    first_name="Зинаида",
    last_name="Квоккаева",
    email="zinaida.quokka@example.org",
    phone="8 999 000-11-22",
    e164="+79990001122",
    address="203.0.113.77",
    browser="QuokkaBrowser/7.1",
    mistyped_email="zinaida.kvokka@example.net",
)
PETR = Person(
    name="Пётр Другов",
    email="petr.drugov@example.org",
    phone="+7 999 555-33-44",
    e164="+79995553344",
    address="198.51.100.23",
    browser="OtherBrowser/2.0",
)


@dataclass
class Purchase:
    person: Person
    user: User | None
    customer: Customer
    order: Order
    sessions: list[str] = field(default_factory=list)


def browser(person: Person) -> Client:
    client = Client(REMOTE_ADDR=person.address, HTTP_USER_AGENT=person.browser)
    session = client.session
    session.save()
    client.cookies["sessionid"] = session.session_key
    return client


def sign_in_failed(person: Person) -> None:
    """A wrong password at the admin's sign-in form (recorded by django-axes)."""
    client = Client(REMOTE_ADDR=person.address, HTTP_USER_AGENT=person.browser)
    client.post("/admin/login/", {"username": person.email, "password": "not-my-password"})


def checkout(shop, person: Person, *, language: str = "ru") -> tuple[Order, Client]:
    client = browser(person)
    key = client.cookies["sessionid"].value
    hold = hold_create(
        departure_id=shop.departure.pk,
        owner_key=key,
        quantities={shop.adult.pk: 2, shop.child.pk: 1},
        client_address=person.address,
    )
    response = client.post(
        checkout_url(hold, language),
        {
            "name": person.name,
            "email": person.email,
            "phone": person.phone,
            "personal_data_consent": "on",
            "offer_accepted": "on",
            "marketing_consent": "on",
            "action": "pay",
        },
    )
    assert response.status_code == 303, response.content.decode()[:2000]
    return Order.objects.get(hold=hold), client


def pay_with_sberpay(yookassa, order: Order, person: Person) -> None:
    """The person pays on YooKassa's page with SberPay, then YooKassa notifies the site:
    its payment object (stored as Payment.raw, and the notification's excerpt) carries
    the payer's phone, as YooKassa's does for SberPay and mobile-balance payments."""
    payment = order.payments.get()
    yookassa.settle(payment.provider_id, "succeed")
    stored = yookassa.server.emulator.store.payments[payment.provider_id]
    stored["payment_method"] = {
        "type": "sberbank",
        "id": str(uuid.uuid4()),
        "saved": False,
        "title": "SberPay",
        "phone": person.e164.lstrip("+"),
    }
    body = {
        "type": "notification",
        "event": "payment.succeeded",
        "object": yookassa.payment(payment.provider_id),
    }
    # What the request queues after its commit (the confirmations) is run by the
    # caller the way the cluster runs it (`run_as_cluster`).
    with TestCase.captureOnCommitCallbacks(execute=False):
        response = Client().post(NOTIFY, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content


def run_as_cluster(func_path: str, *args) -> dict:
    """What django-q's cluster does with a queued task: runs it (with our retries) and
    records the outcome; a failure's result is the error and its traceback. (The test
    settings run tasks synchronously, and then django-q lets a failure through instead
    of recording it.)"""
    name, task_id = q_uuid()
    task = {
        "id": task_id,
        "name": name,
        "func": "common.tasks.run_with_retry",
        "args": (func_path, list(args)),
        "kwargs": {},
        "started": timezone.now(),
    }
    try:
        task["result"], task["success"] = run_with_retry(func_path, list(args)), True
    except Exception as error:
        task["result"], task["success"] = f"{error} : {traceback.format_exc()}", False
    task["stopped"] = timezone.now()
    save_task(task, get_broker())
    return task


def mail_server_refuses_once(monkeypatch, person: Person) -> None:
    """The first e-mail to the person is refused the way an SMTP server refuses it."""
    send = EmailBackend.send_messages
    refused = []

    def send_messages(backend, messages):
        if not refused:
            refused.append(True)
            raise smtplib.SMTPRecipientsRefused(
                {person.email: (550, b"5.1.1 mailbox temporarily unavailable")}
            )
        return send(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)


def staff_edit(customer: Customer, staff: User) -> None:
    """What an admin screen writes when staff change a customer: Wagtail's log entry and
    Django admin's, both labelled with `str(customer)` (name and e-mail)."""
    log(instance=customer, action="wagtail.edit", user=staff)
    LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(Customer),
        object_id=str(customer.pk),
        object_repr=str(customer),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["phone"]}}]),
    )


def staff_notes_and_corrections(order: Order, customer: Customer, staff: User, person) -> None:
    """Staff write notes about the person (free text, naming them) on the customer and the
    order, and correct the order's e-mail twice: to a mistyped address, then back. The
    audit entries of the corrections keep both values; the mistyped one is on no row
    any more."""
    customer_note_add(customer=customer, user=staff, text=f"{person.name} просит место у окна.")
    order_note_add(order=order, user=staff, text=f"Звонила {person.name}, приедет к 19:00.")
    if person.mistyped_email:
        for email in (person.mistyped_email, person.email):
            order_confirmation_resend(order=order, channels=["email"], email=email, user=staff)
    order.refresh_from_db()


def refund_with_receipt(order: Order, person: Person) -> Refund:
    """A refund of one ticket as recorded with YooKassa's answer and the 54-FZ receipt
    that went with it (the receipt names the customer's e-mail and phone)."""
    ticket = order.tickets.order_by("pk").first()
    return Refund.objects.create(
        payment=order.payments.get(),
        idempotence_key=str(uuid.uuid4()),
        provider_id=str(uuid.uuid4()),
        amount=ticket.paid_amount,
        reason=Refund.Reason.CUSTOMER,
        status=Refund.Status.SUCCEEDED,
        raw={
            "status": "succeeded",
            "amount": {"value": f"{ticket.paid_amount:.2f}", "currency": "RUB"},
            "receipt": {
                "customer": {"email": person.email, "phone": person.e164.lstrip("+")},
                "items": [{"description": "Билет", "quantity": "1"}],
            },
        },
    )


def purchase(shop, yookassa, monkeypatch, person: Person = ZINAIDA, *, staff=None) -> Purchase:
    """The whole purchase described in the module docstring, by a person with a site
    account (linked to their customer record as the account pages link it)."""
    user = User.objects.create_user(
        email=person.email,
        password="zinaida-password-123",
        first_name=person.first_name,
        last_name=person.last_name,
        phone=person.e164,
    )
    if apps.is_installed("allauth.account"):
        # Signing in with django-allauth records the address as the account's.
        apps.get_model("account", "EmailAddress").objects.create(
            user=user, email=person.email, verified=True, primary=True
        )
    sign_in_failed(person)
    order, _browser = checkout(shop, person)
    mail_server_refuses_once(monkeypatch, person)
    pay_with_sberpay(yookassa, order, person)
    email = "booking.tasks.send_order_confirmation_email"
    assert run_as_cluster(email, order.pk)["success"] is False
    # The retry a minute later sends it.
    assert run_as_cluster(email, order.pk)["result"] is True
    assert run_as_cluster("booking.tasks.send_order_confirmation_sms", order.pk)["result"] is True
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.confirmation_sent_at and order.sms_sent_at
    customer = order.customer
    Customer.objects.filter(pk=customer.pk).update(user=user)
    customer.refresh_from_db()
    staff = staff or User.objects.create_user(email="agent@prichal.example", is_staff=True)
    staff_edit(customer, staff)
    staff_notes_and_corrections(order, customer, staff, person)
    refund_with_receipt(order, person)
    site = Client(REMOTE_ADDR=person.address, HTTP_USER_AGENT=person.browser)
    site.force_login(user)
    return Purchase(
        person=person,
        user=user,
        customer=customer,
        order=order,
        sessions=[site.cookies["sessionid"].value],
    )


# --- the search ----------------------------------------------------------------------

TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "inet", "cidr")


def _columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = ANY(%s) "
            "AND table_name IN (SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE') "
            "ORDER BY table_name, column_name",
            [list(TEXT_TYPES)],
        )
        return cursor.fetchall()


def database_leaks(needles: list[str]) -> list[str]:
    """Every `table.column: value` in which one of the needles occurs (case-insensitive;
    JSON and addresses read as text)."""
    patterns = [f"%{needle}%" for needle in needles]
    found = []
    with connection.cursor() as cursor:
        for table, column in _columns():
            cursor.execute(
                f'SELECT "{column}"::text FROM "{table}" WHERE "{column}"::text ILIKE ANY(%s) '
                "LIMIT 3",
                [patterns],
            )
            found += [f"{table}.{column}: {value[:200]}" for (value,) in cursor.fetchall()]
    return found


def session_leaks(purchase: Purchase) -> list[str]:
    """Sessions are signed, encoded JSON: decoded, none may belong to the person."""
    found = []
    for session in Session.objects.all():
        decoded = session.get_decoded()
        if purchase.user and decoded.get("_auth_user_id") == str(purchase.user.pk):
            found.append(f"session {session.session_key}: signed in as the person")
        if session.session_key in purchase.sessions:
            found.append(f"session {session.session_key}: the person's, signed in")
        text = json.dumps(decoded, ensure_ascii=False).lower()
        found += [f"session: {n}" for n in purchase.person.needles if n.lower() in text]
    return found


def task_leaks(needles: list[str]) -> list[str]:
    """django-q's tasks are pickled: unpickled, none may mention the person."""
    found = []
    for task in Task.objects.all():
        text = repr((task.args, task.kwargs, task.result)).lower()
        found += [f"task {task.func}: {n}" for n in needles if n.lower() in text]
    return found


def leaks(purchase: Purchase) -> list[str]:
    needles = purchase.person.needles
    return database_leaks(needles) + session_leaks(purchase) + task_leaks(needles)


def totals_add_up(order: Order) -> bool:
    order.refresh_from_db()
    paid = sum((t.paid_amount for t in order.tickets.all()), Decimal("0"))
    return (
        order.total == order.subtotal - order.discount_total + order.fees_total == paid
        and order.payments.get().amount == order.total
    )
