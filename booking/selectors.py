"""Reads of the booking catalogue that pages and APIs share."""

from decimal import Decimal

from django.db.models import Min, Q, QuerySet

from booking.models import Product


def products_with_from_price(queryset: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """Products annotated with `from_price`: the lowest active ticket price."""
    queryset = Product.objects.all() if queryset is None else queryset
    return queryset.annotate(
        from_price=Min("ticket_types__price", filter=Q(ticket_types__is_active=True))
    )


def product_from_price(product: Product) -> Decimal | None:
    annotated = getattr(product, "from_price", None)
    if annotated is not None:
        return annotated
    return (
        product.ticket_types.filter(is_active=True)
        .aggregate(from_price=Min("price"))
        .get("from_price")
    )
