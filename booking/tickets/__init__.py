"""Tickets as documents: the signed token a ticket's QR code carries (`tokens`) and the
PDF an order's tickets are printed on (`pdf`). Both work on plain values, so the order
models, the check-in service and the e-mail task call them without either depending on
the other."""
