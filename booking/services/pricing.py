"""What an order costs: ticket prices, the promo code's discount, service fees and the VAT
line, to the kopeck. One computation (`price_tickets`) serves the checkout page, the order,
the e-mail, the PDF and the fiscal receipt, so they can never disagree.

Rules (README, "Decisions"):
- a discount applies to the prices of the tickets in the promotion's scope and is spread
  over them in proportion to their prices;
- fees are computed on what is left after the discount: a per-ticket fee is charged on
  every ticket that costs something, a per-order fee is spread over the tickets in
  proportion to what they cost (evenly when every ticket is free);
- every split uses the largest-remainder method, so the shares add up exactly and each
  ticket knows what was paid for it (price − discount + fee), which makes a later refund
  of one ticket exact.
"""

from dataclasses import asdict, dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from booking.models import (
    VAT_RATES,
    Departure,
    Order,
    ProductTaxes,
    Promotion,
    ServiceFee,
)
from booking.services.errors import BookingError

KOPECK = Decimal("0.01")
ZERO = Decimal("0.00")
# Orders that use up a promo code: paid ones and those still waiting for their payment.
PROMOTION_USING_STATUSES = (
    Order.Status.AWAITING_PAYMENT,
    *Order.CONFIRMED_STATUSES,
    Order.Status.REFUNDED,
)


def kopecks(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(KOPECK, rounding=ROUND_HALF_UP)


def allocate(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Splits `amount` (in kopecks) in proportion to `weights` so that the shares sum to
    it exactly: each share is rounded down, and the kopecks left over go to the largest
    remainders (ties to the earlier share). All-zero weights split evenly."""
    if not weights:
        return []
    amount = kopecks(amount)
    if not any(weights):
        weights = [Decimal(1)] * len(weights)
    total_weight = sum(weights)
    exact = [amount * w / total_weight for w in weights]
    shares = [e.quantize(KOPECK, rounding=ROUND_DOWN) for e in exact]
    left = int((amount - sum(shares)) / KOPECK)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += KOPECK
    return shares


@dataclass
class PricedTicket:
    """One ticket of a quote: its price, and its share of the discount and the fees."""

    ticket_type_id: int
    seat_id: int | None
    price: Decimal
    discount: Decimal = ZERO
    fee: Decimal = ZERO

    @property
    def paid(self) -> Decimal:
        return self.price - self.discount + self.fee


@dataclass
class FeeLine:
    fee_id: int
    names: dict[str, str]
    amount: Decimal


@dataclass
class Breakdown:
    tickets: list[PricedTicket]
    fees: list[FeeLine] = field(default_factory=list)
    promo_code: str = ""
    promotion_id: int | None = None
    vat_code: int = 1

    @property
    def subtotal(self) -> Decimal:
        return sum((t.price for t in self.tickets), ZERO)

    @property
    def discount_total(self) -> Decimal:
        return sum((t.discount for t in self.tickets), ZERO)

    @property
    def fees_total(self) -> Decimal:
        return sum((f.amount for f in self.fees), ZERO)

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount_total + self.fees_total

    @property
    def vat_rate(self) -> int | None:
        return VAT_RATES.get(self.vat_code)

    @property
    def vat_amount(self) -> Decimal | None:
        """The VAT inside the total (prices include it); None when sold without VAT."""
        rate = self.vat_rate
        if rate is None:
            return None
        return kopecks(self.total * rate / (100 + rate))

    def to_json(self) -> dict:
        """What the order keeps: the breakdown exactly as the customer accepted it."""
        return {
            "tickets": [
                {**asdict(t), "price": str(t.price), "discount": str(t.discount), "fee": str(t.fee)}
                for t in self.tickets
            ],
            "fees": [{**asdict(f), "amount": str(f.amount)} for f in self.fees],
            "promo_code": self.promo_code,
            "promotion_id": self.promotion_id,
            "vat_code": self.vat_code,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Breakdown":
        return cls(
            tickets=[
                PricedTicket(
                    ticket_type_id=t["ticket_type_id"],
                    seat_id=t["seat_id"],
                    price=Decimal(t["price"]),
                    discount=Decimal(t["discount"]),
                    fee=Decimal(t["fee"]),
                )
                for t in data.get("tickets", [])
            ],
            fees=[
                FeeLine(fee_id=f["fee_id"], names=f["names"], amount=Decimal(f["amount"]))
                for f in data.get("fees", [])
            ],
            promo_code=data.get("promo_code", ""),
            promotion_id=data.get("promotion_id"),
            vat_code=data.get("vat_code", 1),
        )


def product_taxes(product_id: int) -> ProductTaxes:
    """The product's receipt settings, created with the configured defaults if missing."""
    taxes, _ = ProductTaxes.objects.get_or_create(
        product_id=product_id,
        defaults={
            "vat_code": settings.BOOKING_DEFAULT_VAT_CODE,
            "payment_mode": settings.BOOKING_DEFAULT_PAYMENT_MODE,
        },
    )
    return taxes


def normalise_promo_code(code: str | None) -> str:
    return (code or "").strip().upper()


def promotion_check(
    *, code: str, departure: Departure, tickets: list[PricedTicket], email: str, now=None
) -> Promotion:
    """The promotion a code names if it applies to these tickets of this customer now;
    otherwise a `BookingError` saying why. The caller that records a use holds the
    promotion's row lock, so usage limits cannot be overrun by simultaneous orders."""
    now = now or timezone.now()
    code = normalise_promo_code(code)
    if not code or len(code) > 40:
        raise BookingError("promo_unknown")
    promotion = Promotion.objects.filter(code=code, is_active=True).first()
    if promotion is None:
        raise BookingError("promo_unknown")
    if (promotion.valid_from and now < promotion.valid_from) or (
        promotion.valid_until and now >= promotion.valid_until
    ):
        raise BookingError("promo_expired")
    if not _eligible(promotion, departure, tickets):
        raise BookingError("promo_not_applicable")
    subtotal = sum((t.price for t in tickets), ZERO)
    if subtotal < promotion.min_order_amount:
        raise BookingError("promo_min_order", amount=f"{promotion.min_order_amount:.2f}")
    uses = Order.objects.filter(promotion=promotion, status__in=PROMOTION_USING_STATUSES)
    if promotion.max_uses is not None and uses.count() >= promotion.max_uses:
        raise BookingError("promo_used_up")
    if (
        promotion.max_uses_per_customer is not None
        and uses.filter(customer__email=email.strip().lower()).count()
        >= promotion.max_uses_per_customer
    ):
        raise BookingError("promo_customer_limit")
    return promotion


def _eligible(promotion: Promotion, departure: Departure, tickets: list[PricedTicket]):
    """Indexes of the tickets the promotion discounts (empty: it does not apply)."""
    product_ids = set(promotion.products.values_list("pk", flat=True))
    if product_ids and departure.product_id not in product_ids:
        return []
    type_ids = set(promotion.ticket_types.values_list("pk", flat=True))
    return [
        i
        for i, t in enumerate(tickets)
        if t.price > 0 and (not type_ids or t.ticket_type_id in type_ids)
    ]


def _apply_discount(promotion: Promotion, departure: Departure, tickets: list[PricedTicket]):
    chosen = _eligible(promotion, departure, tickets)
    base = sum((tickets[i].price for i in chosen), ZERO)
    if promotion.kind == Promotion.Kind.PERCENT:
        discount = kopecks(base * promotion.value / 100)
    else:
        discount = min(kopecks(promotion.value), base)
    for i, share in zip(
        chosen, allocate(discount, [tickets[i].price for i in chosen]), strict=True
    ):
        tickets[i].discount = share


def applicable_fees(product_id: int) -> list[ServiceFee]:
    return list(
        ServiceFee.objects.filter(is_active=True)
        .filter(Q(products__isnull=True) | Q(products=product_id))
        .distinct()
        .order_by("pk")
    )


def _apply_fees(fees: list[ServiceFee], tickets: list[PricedTicket]) -> list[FeeLine]:
    lines = []
    for fee in fees:
        after_discount = [t.price - t.discount for t in tickets]
        if fee.per == ServiceFee.Per.TICKET:
            if fee.kind == ServiceFee.Kind.FIXED:
                shares = [kopecks(fee.value) if base > 0 else ZERO for base in after_discount]
            else:
                shares = [kopecks(base * fee.value / 100) for base in after_discount]
        else:
            if fee.kind == ServiceFee.Kind.FIXED:
                amount = kopecks(fee.value)
            else:
                amount = kopecks(sum(after_discount, ZERO) * fee.value / 100)
            shares = allocate(amount, after_discount)
        amount = sum(shares, ZERO)
        if amount == 0:
            continue
        for ticket, share in zip(tickets, shares, strict=True):
            ticket.fee += share
        lines.append(
            FeeLine(
                fee_id=fee.pk,
                names={"ru": fee.name, "en": fee.name_en, "zh-hans": fee.name_zh},
                amount=amount,
            )
        )
    return lines


def price_tickets(
    *,
    departure: Departure,
    tickets: list[PricedTicket],
    promotion: Promotion | None = None,
) -> Breakdown:
    """The breakdown of these tickets (their `price` set, in hold order) on this departure
    with this promotion (already checked by `promotion_check`) and the active fees."""
    tickets = [PricedTicket(t.ticket_type_id, t.seat_id, kopecks(t.price)) for t in tickets]
    if promotion is not None:
        _apply_discount(promotion, departure, tickets)
    fees = _apply_fees(applicable_fees(departure.product_id), tickets)
    return Breakdown(
        tickets=tickets,
        fees=fees,
        promo_code=promotion.code if promotion else "",
        promotion_id=promotion.pk if promotion else None,
        vat_code=product_taxes(departure.product_id).vat_code,
    )
