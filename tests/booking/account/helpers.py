"""The account order tests' customers: a signed-in client whose verified address owns
orders (made through the real services, tests/factories)."""

import datetime

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.services.customers import customer_claim
from booking.models import Payment, Refund, Ticket

PASSWORD = "x-pass-123456"


def customer_client(email: str, language: str = "ru") -> tuple[Client, object]:
    """A signed-in account whose address is verified (its orders claimed)."""
    user = get_user_model().objects.create_user(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    customer_claim(user=user, email=email)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client, user


def board(ticket: Ticket, at: datetime.datetime) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(checked_in_at=at)


def refund_ticket(ticket: Ticket, status: str = Refund.Status.SUCCEEDED) -> Refund:
    """A refund of one ticket as the refund service will leave it (the service itself
    comes with the refund work of this issue)."""
    payment = Payment.objects.get(order=ticket.order, status=Payment.Status.SUCCEEDED)
    refund = Refund.objects.create(
        payment=payment,
        idempotence_key=f"test-refund-{ticket.pk}",
        amount=ticket.paid_amount,
        reason=Refund.Reason.CUSTOMER,
        status=status,
    )
    refund.tickets.add(ticket)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.REFUNDED)
    return refund
