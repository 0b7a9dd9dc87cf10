"""Erasure (152-FZ) after a whole purchase: no e-mail, phone, name, address or browser of
the person is left in any table, session or background task; the orders, tickets,
payments and receipts stay with their amounts; another customer is untouched; a second
erasure changes nothing; each erasure step is needed (removing any one leaves a trace)."""

import pytest
from django.apps import apps
from django.contrib.auth.hashers import is_password_usable
from wagtail.models import ModelLogEntry

from accounts.models import Consent, Customer, CustomerNote, User
from accounts.privacy import ERASE_ACTION, PrivacyError, personal_data_erase
from accounts.privacy import erasure as account_steps
from booking import privacy as booking_steps
from booking.models import Order, OrderNote, Payment, Ticket
from booking.services.backoffice import CONTACT_CHANGE_ACTION, order_note_add
from tests.accounts.privacy.helpers import (
    PETR,
    ZINAIDA,
    checkout,
    database_leaks,
    leaks,
    purchase,
    totals_add_up,
)

pytestmark = pytest.mark.django_db


def test_nothing_of_the_person_is_left_anywhere(shop, yookassa, monkeypatch):
    bought = purchase(shop, yookassa, monkeypatch)
    # The purchase really left the person everywhere the erasure has to look.
    before = leaks(bought)
    for place in (
        "accounts_user.email",
        "accounts_customer.name",
        "accounts_consent.ip_address",
        "accounts_consent.user_agent",
        "axes_accessattempt.username",
        "axes_accessfailurelog.username",
        "booking_order.phone",
        "booking_payment.raw",
        "booking_refund.raw",
        "booking_paymentnotification.excerpt",
        "wagtailcore_modellogentry.label",
        "django_admin_log.object_repr",
        "session ",
        "task common.tasks.run_with_retry",
        "accounts_customernote.text",
        "booking_ordernote.text",
    ):
        assert any(found.startswith(place) for found in before), place

    personal_data_erase(customer=bought.customer, requested_by=bought.user)

    assert leaks(bought) == []


def test_what_accounting_needs_is_kept_without_the_person(shop, yookassa, monkeypatch):
    bought = purchase(shop, yookassa, monkeypatch)
    order = bought.order
    tickets = list(order.tickets.values_list("pk", "paid_amount", "status", "secret"))
    receipt = order.payments.get().raw.get("receipt_registration")

    personal_data_erase(customer=bought.customer, requested_by=bought.user)

    order.refresh_from_db()
    assert (order.code, order.status) == (bought.order.code, Order.Status.PAID)
    assert totals_add_up(order)
    assert list(order.tickets.values_list("pk", "paid_amount", "status", "secret")) == tickets
    assert Ticket.objects.filter(order=order, status=Ticket.Status.VALID).count() == 3
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.SUCCEEDED and payment.amount == order.total
    assert payment.raw["receipt_registration"] == receipt
    assert payment.raw["payment_method"]["type"] == "sberbank"
    assert order.payments.get().refunds.count() == 1
    placeholder = f"erased-{bought.customer.pk}@erased.invalid"
    assert (order.name, order.email, order.phone) == ("", placeholder, "")
    # The consents stay (what was agreed to and when), without where from.
    consents = Consent.objects.filter(customer=bought.customer)
    assert consents.count() == 3
    assert set(consents.values_list("ip_address", "user_agent")) == {(None, "")}
    assert consents.filter(document_version="").count() == 0


def test_notes_and_contact_corrections_keep_who_and_when_without_the_person(
    shop, yookassa, monkeypatch
):
    other_order, _client = checkout(shop, PETR)
    bought = purchase(shop, yookassa, monkeypatch)
    staff = CustomerNote.objects.get(customer=bought.customer).author
    other_note = order_note_add(order=other_order, user=staff, text="Пётр Другов: у окна")
    corrections = ModelLogEntry.objects.filter(action=CONTACT_CHANGE_ACTION)
    # The mistyped address is on no row of the person but the audit entries of the
    # corrections (and the record of the message sent to it).
    assert corrections.count() == 2
    mistyped = database_leaks([ZINAIDA.mistyped_email])
    assert {found.split(":")[0] for found in mistyped} == {
        "wagtailcore_modellogentry.data",
        "booking_sentmessage.recipient",
    }
    notes = {
        model: list(model.objects.values_list("pk", "author_id", "created_at"))
        for model in (CustomerNote, OrderNote)
    }

    personal_data_erase(customer=bought.customer, requested_by=bought.user)

    for model, kept in notes.items():
        assert list(model.objects.values_list("pk", "author_id", "created_at")) == kept
    assert set(CustomerNote.objects.values_list("text", flat=True)) == {"[erased]"}
    assert list(OrderNote.objects.filter(order=bought.order).values_list("text", flat=True)) == [
        "[erased]"
    ]
    # Another customer's note is untouched.
    assert OrderNote.objects.get(pk=other_note.pk).text == "Пётр Другов: у окна"
    for entry in corrections:
        assert entry.user_id == staff.pk
        assert entry.data["changes"] == {"email": {"old": "[erased]", "new": "[erased]"}}
        assert entry.data["reason"] == "resend"
    assert database_leaks([ZINAIDA.mistyped_email]) == []


def test_the_account_is_closed_and_the_customer_marked(shop, yookassa, monkeypatch):
    bought = purchase(shop, yookassa, monkeypatch)

    personal_data_erase(customer=bought.customer, requested_by=bought.user)

    user = User.objects.get(pk=bought.user.pk)
    placeholder = f"erased-{bought.customer.pk}@erased.invalid"
    assert user.email == placeholder
    assert (user.first_name, user.last_name, user.phone) == ("", "", "")
    assert not user.is_active and not is_password_usable(user.password)
    customer = Customer.objects.get(pk=bought.customer.pk)
    assert customer.is_erased
    assert (customer.email, customer.name, customer.phone) == (placeholder, "", "")
    assert customer.marketing_consent is False
    assert customer.user_id == user.pk


def test_the_erasure_is_logged_with_the_customer_id_only(shop, yookassa, monkeypatch):
    bought = purchase(shop, yookassa, monkeypatch)

    personal_data_erase(customer=bought.customer, requested_by=bought.user)

    entry = ModelLogEntry.objects.get(action=ERASE_ACTION)
    assert entry.object_id == str(bought.customer.pk)
    assert entry.label == f"Customer #{bought.customer.pk}"
    assert entry.data == {"customer_id": bought.customer.pk}
    assert entry.user_id == bought.user.pk
    # The staff edit made before keeps its place in the history, without the person.
    edit = ModelLogEntry.objects.get(action="wagtail.edit")
    assert edit.label == f"Customer #{bought.customer.pk}" and edit.user_id is not None


def test_another_customer_is_untouched(shop, yookassa, monkeypatch):
    other_order, _client = checkout(shop, PETR)
    other = Customer.objects.get(pk=other_order.customer_id)
    before = database_leaks(PETR.needles)
    bought = purchase(shop, yookassa, monkeypatch)

    personal_data_erase(customer=bought.customer, requested_by=bought.user)

    assert database_leaks(PETR.needles) == before
    other.refresh_from_db()
    assert (other.name, other.email, other.phone) == (PETR.name, PETR.email, PETR.e164)
    assert not other.is_erased
    other_order.refresh_from_db()
    assert (other_order.name, other_order.email) == (PETR.name, PETR.email)


def test_erasing_twice_changes_nothing_the_second_time(shop, yookassa, monkeypatch):
    bought = purchase(shop, yookassa, monkeypatch)
    personal_data_erase(customer=bought.customer, requested_by=bought.user)
    customer = Customer.objects.get(pk=bought.customer.pk)
    entries = ModelLogEntry.objects.count()

    personal_data_erase(customer=customer, requested_by=None)

    assert Customer.objects.get(pk=customer.pk).erased_at == customer.erased_at
    assert ModelLogEntry.objects.count() == entries
    assert leaks(bought) == []
    assert totals_add_up(bought.order)


def test_an_order_awaiting_payment_makes_the_erasure_wait(shop, yookassa):
    order, _client = checkout(shop, ZINAIDA)
    assert order.status == Order.Status.AWAITING_PAYMENT

    with pytest.raises(PrivacyError) as refused:
        personal_data_erase(customer=order.customer)

    assert refused.value.code == "erasure_blocked"
    assert order.code in refused.value.reasons[0]
    order.refresh_from_db()
    assert order.email == ZINAIDA.email and not order.customer.is_erased
    assert not ModelLogEntry.objects.filter(action=ERASE_ACTION).exists()


def test_a_staff_account_is_not_erased_here(shop, yookassa, monkeypatch):
    bought = purchase(shop, yookassa, monkeypatch)
    User.objects.filter(pk=bought.user.pk).update(is_staff=True)
    bought.customer.refresh_from_db()

    with pytest.raises(PrivacyError) as refused:
        personal_data_erase(customer=bought.customer)

    assert refused.value.code == "erasure_blocked"
    assert User.objects.get(pk=bought.user.pk).email == ZINAIDA.email


STEPS = [(account_steps, step.__name__) for step in account_steps.ERASE_STEPS] + [
    (booking_steps, step.__name__) for step in booking_steps.ERASE_STEPS
]


@pytest.mark.parametrize(
    ("module", "step"), STEPS, ids=[f"{m.__name__}.{name}" for m, name in STEPS]
)
def test_every_step_is_needed(shop, yookassa, monkeypatch, module, step):
    """Without any one step, the search finds the person: the test above would fail."""
    if step == "erase_allauth_records" and not apps.is_installed("allauth.account"):
        pytest.skip("django-allauth is not installed")
    bought = purchase(shop, yookassa, monkeypatch)
    monkeypatch.setattr(
        module, "ERASE_STEPS", tuple(s for s in module.ERASE_STEPS if s.__name__ != step)
    )

    personal_data_erase(customer=bought.customer, requested_by=bought.user)

    assert leaks(bought) != []
