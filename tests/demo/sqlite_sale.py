"""Run by tests/demo/test_sqlite.py in a process of its own, on an SQLite database (the
demo's): migrates it, then sells three tickets with a fixed-amount promo code whose shares
have kopecks, and prints the order's money as JSON."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)

from booking.models import Promotion  # noqa: E402
from booking.services.holds import hold_create  # noqa: E402
from booking.services.orders import order_create  # noqa: E402
from tests.factories import checkout_details, general_departure  # noqa: E402
from tests.factories.booking import product_with_ticket_types  # noqa: E402

product, types = product_with_ticket_types(prices=("1600.00", "1100.00", "1300.00"))
departure = general_departure(product=product)
Promotion.objects.create(code="MINUS777", kind=Promotion.Kind.FIXED, value=777)
hold = hold_create(
    departure_id=departure.pk, owner_key="sqlite", quantities={t.pk: 1 for t in types}
)
order = order_create(hold=hold, details=checkout_details(promo_code="MINUS777"))
print(
    json.dumps(
        {
            "total": str(order.total),
            "tickets": [
                [str(t.price), str(t.discount), str(t.paid_amount)]
                for t in order.tickets.order_by("pk")
            ],
        }
    )
)
