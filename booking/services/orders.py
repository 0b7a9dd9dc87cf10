"""Orders: made from a hold at checkout, paid through a payment, expired when nobody paid.

An order's inventory is its hold's until it is paid: the hold is kept alive while a
payment is pending (`hold_keep_for_payment`) and the order expires with it. Payment turns
the hold into sold tickets in one transaction (`order_confirm_paid`): seat claims are
handed to the tickets for good, general-admission tickets count as taken. A payment that
arrives after the hold is gone gets the places back only if they are still free;
otherwise the order is cancelled and the money goes back (`Refund`, reason late payment).
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Consent, Customer
from accounts.phones import phone_e164
from booking.models import (
    Departure,
    DeparturePlaces,
    Hold,
    HoldLine,
    Order,
    Payment,
    Promotion,
    Refund,
    SeatClaim,
    Ticket,
    WebhookEvent,
)
from booking.selectors import PriceTable
from booking.services.errors import BookingError
from booking.services.holds import check_departure_on_sale, general_admission_taken
from booking.services.pricing import (
    Breakdown,
    PricedTicket,
    normalise_promo_code,
    price_tickets,
    promotion_check,
)
from booking.services.webhooks import order_payload, webhooks_emit
from booking.tickets.tokens import new_ticket_secret

# No 0/O, 1/I/L: a code read out over the phone cannot be misheard as another.
ORDER_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ORDER_CODE_LENGTH = 8
NAME_MAX = 150


@dataclass(frozen=True)
class ConsentDocument:
    """The document a checkbox refers to, as it was published when the customer agreed."""

    url: str
    version: str


@dataclass(frozen=True)
class CheckoutDetails:
    name: str
    email: str
    phone: str
    language: str
    personal_data_consent: bool
    offer_accepted: bool
    marketing_consent: bool = False
    promo_code: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    personal_data_document: ConsentDocument | None = None
    offer_document: ConsentDocument | None = None


def normalise_phone(raw: str) -> str:
    """A phone number in E.164 (+79123456789). Russian numbers may be typed the Russian
    way (8 912 …, 912 …); anything else needs its country code (`accounts.phones`)."""
    phone = phone_e164(raw)
    if phone is None:
        raise BookingError("phone_invalid")
    return phone


def normalise_email(raw: str) -> str:
    email = (raw or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise BookingError("email_invalid") from None
    if len(email) > 254:
        raise BookingError("email_invalid")
    return email.lower()


def normalise_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name or len(name) > NAME_MAX or any(ord(c) < 32 for c in name):
        raise BookingError("name_invalid")
    return name


def hold_tickets(hold: Hold) -> list[PricedTicket]:
    """The hold's tickets one by one (a line of 3 adults is 3 tickets) at today's prices."""
    departure = hold.departure
    prices = PriceTable.for_departures(departure.product_id, [departure.pk])
    tickets = []
    for line in hold.lines.select_related("seat").order_by("pk"):
        zone_id = line.seat.zone_id if line.seat else None
        try:
            price = prices.price(line.ticket_type_id, departure.pk, zone_id)
        except KeyError:
            # The ticket type was taken off sale after the places were held.
            raise BookingError("ticket_type_invalid") from None
        tickets.extend(
            PricedTicket(line.ticket_type_id, line.seat_id, price) for _ in range(line.quantity)
        )
    return tickets


def checkout_quote(*, hold: Hold, promo_code: str = "", email: str = "") -> Breakdown:
    """The breakdown the checkout page shows. A promo code that does not apply raises
    `BookingError` with the reason, for the page to show next to the field."""
    tickets = hold_tickets(hold)
    promotion = None
    if normalise_promo_code(promo_code):
        promotion = promotion_check(
            code=promo_code, departure=hold.departure, tickets=tickets, email=email
        )
    return price_tickets(departure=hold.departure, tickets=tickets, promotion=promotion)


def _new_order_code() -> str:
    return "".join(secrets.choice(ORDER_CODE_ALPHABET) for _ in range(ORDER_CODE_LENGTH))


def _customer_for(details: CheckoutDetails, email: str, name: str, phone: str) -> Customer:
    """The customer of the address, with the contact details just typed. The language is
    the page's, except for an address whose account chose one in its profile: that
    choice stands (and the order copies it)."""
    customer, created = Customer.objects.select_for_update().get_or_create(
        email=email,
        defaults={"name": name, "phone": phone, "language": details.language},
    )
    if not created:
        customer.name, customer.phone = name, phone
        if customer.user_id is None:
            customer.language = details.language
    if details.marketing_consent:
        customer.marketing_consent = True
    customer.save()
    return customer


def _record_consents(customer: Customer, order: Order, details: CheckoutDetails) -> None:
    common = {
        "customer": customer,
        "order": order,
        "ip_address": details.ip_address,
        "user_agent": details.user_agent[:300],
    }
    pd_doc = details.personal_data_document or ConsentDocument("", "unpublished")
    offer_doc = details.offer_document or ConsentDocument("", "unpublished")
    rows = [
        Consent(
            kind=Consent.Kind.PERSONAL_DATA,
            document_url=pd_doc.url,
            document_version=pd_doc.version,
            **common,
        ),
        Consent(
            kind=Consent.Kind.OFFER,
            document_url=offer_doc.url,
            document_version=offer_doc.version,
            **common,
        ),
    ]
    if details.marketing_consent:
        rows.append(
            Consent(
                kind=Consent.Kind.MARKETING,
                document_version=settings.BOOKING_MARKETING_CONSENT_VERSION,
                **common,
            )
        )
    Consent.objects.bulk_create(rows)


def order_create(*, hold: Hold, details: CheckoutDetails) -> Order:
    """Turns the customer's unexpired hold into an order awaiting payment, in one
    transaction: the hold's places stay taken by the same hold, now the order's. Placing
    the order for a hold that already has one returns that order."""
    name = normalise_name(details.name)
    email = normalise_email(details.email)
    phone = normalise_phone(details.phone)
    if not details.personal_data_consent:
        raise BookingError("consent_required")
    if not details.offer_accepted:
        raise BookingError("offer_required")
    now = timezone.now()
    with transaction.atomic():
        try:
            hold = (
                Hold.objects.select_for_update()
                .select_related("departure__product")
                .get(pk=hold.pk)
            )
        except Hold.DoesNotExist:
            raise BookingError("hold_expired") from None
        existing = Order.objects.filter(hold=hold).first()
        if existing is not None:
            return existing
        if hold.expires_at <= now:
            raise BookingError("hold_expired")
        departure = hold.departure
        check_departure_on_sale(departure, now)
        tickets = hold_tickets(hold)
        promotion = None
        if normalise_promo_code(details.promo_code):
            # The row lock makes concurrent orders with one code count their uses in turn.
            Promotion.objects.select_for_update().filter(
                code=normalise_promo_code(details.promo_code)
            ).first()
            promotion = promotion_check(
                code=details.promo_code, departure=departure, tickets=tickets, email=email
            )
        breakdown = price_tickets(departure=departure, tickets=tickets, promotion=promotion)
        customer = _customer_for(details, email, name, phone)
        order = _create_with_unique_code(
            departure=departure,
            hold=hold,
            customer=customer,
            # E-mails, SMS and the PDF of the order speak the customer's language.
            language=customer.language,
            name=name,
            email=email,
            phone=phone,
            promotion=promotion,
            subtotal=breakdown.subtotal,
            discount_total=breakdown.discount_total,
            fees_total=breakdown.fees_total,
            total=breakdown.total,
            breakdown=breakdown.to_json(),
            vat_code=breakdown.vat_code,
            expires_at=hold.expires_at,
        )
        Ticket.objects.bulk_create(
            [
                Ticket(
                    order=order,
                    departure=departure,
                    ticket_type_id=t.ticket_type_id,
                    seat_id=t.seat_id,
                    secret=new_ticket_secret(),
                    price=t.price,
                    discount=t.discount,
                    fee=t.fee,
                    paid_amount=t.paid,
                )
                for t in breakdown.tickets
            ]
        )
        _record_consents(customer, order, details)
    return order


def _create_with_unique_code(**fields) -> Order:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Order.objects.create(
                    code=_new_order_code(), secret=secrets.token_urlsafe(32), **fields
                )
        except IntegrityError as error:
            if "code" not in str(error) and "secret" not in str(error):
                raise
    raise RuntimeError("Could not find a free order code")  # 31^8 codes: never in practice


def order_get(*, code: str, secret: str) -> Order:
    """The order behind a status-page link; a wrong secret reads as unknown."""
    if not isinstance(code, str) or not isinstance(secret, str) or len(secret) > 64:
        raise BookingError("order_not_found")
    order = (
        Order.objects.select_related("departure__product", "departure__venue", "hold")
        .filter(code=code.strip().upper()[:12])
        .first()
    )
    if order is None or not secrets.compare_digest(order.secret, secret):
        raise BookingError("order_not_found")
    return order


def hold_keep_for_payment(order: Order, now=None) -> None:
    """Keeps the order's hold (and so its places) alive while its payment is pending: until
    `BOOKING_PAYMENT_WAIT_MINUTES` after the order was placed, never shorter than it was.
    Runs inside the caller's transaction, with the order locked."""
    now = now or timezone.now()
    hold = order.hold
    if hold is None or hold.expires_at <= now:
        return
    keep_until = order.created_at + timedelta(minutes=settings.BOOKING_PAYMENT_WAIT_MINUTES)
    if keep_until <= hold.expires_at:
        return
    Hold.objects.filter(pk=hold.pk).update(expires_at=keep_until)
    SeatClaim.objects.filter(hold_id=hold.pk).update(expires_at=keep_until)
    Order.objects.filter(pk=order.pk).update(expires_at=keep_until)
    hold.expires_at = order.expires_at = keep_until


def _claim_sold_seats(order: Order, tickets: list[Ticket], now) -> bool:
    """Gives each seated ticket its seat for good. The order's own claims are handed over;
    a seat whose claim has lapsed is claimed again if nobody else has it. False (and
    nothing changed, thanks to the savepoint) when any seat is someone else's now."""
    try:
        with transaction.atomic():
            for ticket in tickets:
                claim = (
                    SeatClaim.objects.select_for_update()
                    .filter(departure_id=ticket.departure_id, seat_id=ticket.seat_id)
                    .first()
                )
                mine = claim is not None and claim.hold_id and claim.hold_id == order.hold_id
                if claim is not None and not mine:
                    if claim.expires_at is None or claim.expires_at > now:
                        raise IntegrityError("seat taken")
                    claim.delete()
                    claim = None
                if claim is None:
                    SeatClaim.objects.create(
                        departure_id=ticket.departure_id, seat_id=ticket.seat_id, ticket=ticket
                    )
                else:
                    claim.hold = None
                    claim.expires_at = None
                    claim.ticket = ticket
                    claim.save(update_fields=["hold", "expires_at", "ticket"])
    except IntegrityError:
        return False
    return True


def _places_still_free(order: Order, tickets: list[Ticket], now) -> bool:
    """General admission: whether the order's tickets fit, counting everybody else's
    holds and sold tickets. On PostgreSQL by the counter that the tickets will take
    their places in (`DeparturePlaces`), under its row lock, after giving back the
    places of expired holds that no order has (an expired hold of another unpaid order
    keeps its places until `orders_expire` or the sweeper deletes it: locking that order
    here, with ours locked, could deadlock)."""
    if connection.vendor == "postgresql":
        departure = Departure.objects.select_related("vessel").get(pk=order.departure_id)
        expired = Hold.objects.filter(
            departure_id=departure.pk, expires_at__lte=now, order__isnull=True
        )
        expired.exclude(pk=order.hold_id).delete()
        taken = (
            DeparturePlaces.objects.select_for_update()
            .values_list("taken", flat=True)
            .get(pk=departure.pk)
        )
        own = 0
        if order.hold_id:
            own = (
                HoldLine.objects.filter(hold_id=order.hold_id, seat__isnull=True).aggregate(
                    total=Sum("quantity")
                )["total"]
                or 0
            )
        return departure.effective_capacity - taken + own >= len(tickets)
    departure = (
        Departure.objects.select_for_update().select_related("vessel").get(pk=order.departure_id)
    )
    taken = general_admission_taken(
        departure.pk, now, exclude_hold_id=order.hold_id, blocked=departure.blocked_places
    )
    return departure.effective_capacity - taken >= len(tickets)


def order_confirm_paid(*, order: Order, payment: Payment, now=None) -> str:
    """Called with the order locked, inside the transaction that records a succeeded
    payment. Returns what became of the order:
    - "paid": the tickets are sold and valid;
    - "already_paid": nothing to do (the same payment again);
    - "duplicate": the order was paid by another payment, so this one is refunded;
    - "refunded": the places were gone (late payment), the order is cancelled and the
      money is being returned.
    The caller sends the confirmation or the refund after the commit."""
    now = now or timezone.now()
    if order.is_confirmed or order.status == Order.Status.REFUNDED:
        if order.paid_by_id == payment.pk or Refund.objects.filter(payment=payment).exists():
            return "already_paid"
        _refund_whole_payment(payment, Refund.Reason.DUPLICATE)
        return "duplicate"
    if order.status == Order.Status.CANCELLED and Refund.objects.filter(payment=payment).exists():
        return "refunded"
    if order.status == Order.Status.CANCELLED:
        # Cancelled by the staff while it awaited payment: nothing revives it, even when
        # its places are still free; the money goes back like a late payment's.
        _end_hold(order, Order.Status.CANCELLED, Ticket.Status.CANCELLED)
        _refund_whole_payment(payment, Refund.Reason.LATE_PAYMENT)
        return "refunded"
    tickets = list(order.tickets.select_related("departure").order_by("pk"))
    departure = order.departure
    departed = departure.status != Departure.Status.SCHEDULED or departure.starts_at <= now
    seated = [t for t in tickets if t.seat_id]
    if departed:
        secured = False
    elif seated:
        secured = _claim_sold_seats(order, seated, now)
    else:
        secured = _places_still_free(order, tickets, now)
    if secured:
        order.paid_at = now
        order.paid_by = payment
        _end_hold(order, Order.Status.PAID, Ticket.Status.VALID, ["paid_at", "paid_by"])
        return "paid"
    _end_hold(order, Order.Status.CANCELLED, Ticket.Status.CANCELLED)
    _refund_whole_payment(payment, Refund.Reason.LATE_PAYMENT)
    webhooks_emit(event=WebhookEvent.ORDER_CANCELLED, payload=lambda: order_payload(order))
    return "refunded"


def _end_hold(order: Order, status: str, ticket_status: str, fields=()) -> None:
    """The order leaves "awaiting payment": it and its tickets take their new status and
    its hold is deleted. Sold seats' claims were handed to the tickets before, so
    deleting the hold frees only what it still holds: nothing when paid, all otherwise."""
    hold_id = order.hold_id
    order.status = status
    order.hold = None
    order.save(update_fields=["status", "hold", *fields])
    # The hold's places go back to the counter before the tickets take theirs: on a full
    # departure the other order would trip its check (DeparturePlaces).
    if hold_id:
        Hold.objects.filter(pk=hold_id).delete()
    Ticket.objects.filter(order=order).update(status=ticket_status)


def order_end_unpaid(order: Order, status: str) -> None:
    """An order awaiting payment ends unpaid (`status` expired or cancelled): its tickets
    are cancelled and its hold with its seat claims is deleted, so the places are free at
    once. Runs inside the caller's transaction, with the order locked."""
    _end_hold(order, status, Ticket.Status.CANCELLED)


def _refund_whole_payment(payment: Payment, reason: str) -> Refund:
    """Records the refund; the caller has it sent after the commit."""
    return Refund.objects.create(
        payment=payment, idempotence_key=str(uuid.uuid4()), amount=payment.amount, reason=reason
    )


def orders_expire(*, now=None) -> int:
    """Orders nobody paid for in time: their hold is gone or has run out. The places are
    already free (availability ignores expired holds); this records the outcome."""
    now = now or timezone.now()
    expired = 0
    candidates = Order.objects.filter(
        status=Order.Status.AWAITING_PAYMENT, expires_at__lte=now
    ).values_list("pk", flat=True)
    for order_id in list(candidates[:500]):
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=order_id)
            if order.status != Order.Status.AWAITING_PAYMENT or order.expires_at > now:
                continue
            if order.hold_id:
                hold = Hold.objects.filter(pk=order.hold_id).first()
                if hold is not None and hold.expires_at > now:
                    # The hold lives on (a payment is keeping it): so does the order.
                    order.expires_at = hold.expires_at
                    order.save(update_fields=["expires_at"])
                    continue
            _end_hold(order, Order.Status.EXPIRED, Ticket.Status.CANCELLED)
            expired += 1
    return expired
