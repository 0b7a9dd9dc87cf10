"""The booking domain's records, one module per part of the domain; every model is
importable from `booking.models` (the app label stays `booking`)."""

from booking.models.catalogue import (
    PriceZone,
    Product,
    Seat,
    SeatingMode,
    SeatMap,
    TicketPrice,
    TicketType,
    TicketTypeQuerySet,
    Venue,
    Vessel,
    validate_timezone,
)
from booking.models.inventory import (
    CancellationRefund,
    CancelReason,
    Departure,
    Hold,
    HoldLine,
    SeatClaim,
    VesselOccupancy,
)
from booking.models.messaging import MessageKind, MessageTemplate, SentMessage
from booking.models.orders import Order, OrderNote, Ticket
from booking.models.payments import FiscalReceipt, Payment, PaymentNotification, Refund
from booking.models.pricing import (
    PREPAYMENT_MODES,
    VAT_RATES,
    PaymentMode,
    PaymentSubject,
    ProductTaxes,
    Promotion,
    RefundPolicy,
    ServiceFee,
    VatCode,
)

__all__ = [
    "PREPAYMENT_MODES",
    "VAT_RATES",
    "CancelReason",
    "CancellationRefund",
    "Departure",
    "FiscalReceipt",
    "Hold",
    "HoldLine",
    "MessageKind",
    "MessageTemplate",
    "Order",
    "OrderNote",
    "Payment",
    "PaymentMode",
    "PaymentNotification",
    "PaymentSubject",
    "PriceZone",
    "Product",
    "ProductTaxes",
    "Promotion",
    "Refund",
    "RefundPolicy",
    "Seat",
    "SeatClaim",
    "SeatMap",
    "SeatingMode",
    "SentMessage",
    "ServiceFee",
    "Ticket",
    "TicketPrice",
    "TicketType",
    "TicketTypeQuerySet",
    "VatCode",
    "Venue",
    "Vessel",
    "VesselOccupancy",
    "validate_timezone",
]
