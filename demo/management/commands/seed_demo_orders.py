"""`manage.py seed_demo_orders`: the demo customers' orders, bought through the real
services and paid through the YooKassa emulator (which must be running: `make run` starts
it first). Safe to run again; refuses the production settings like `seed_demo`."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.orders import DemoOrdersError, demo_orders_create
from demo.support import demo_support_create


class Command(BaseCommand):
    help = "Buy the demo customers' orders through the YooKassa emulator (once)."

    def handle(self, *args, **options):
        module = settings.SETTINGS_MODULE or ""
        if module.rsplit(".", 1)[-1] == "production":
            raise CommandError(f"seed_demo_orders refuses to run with {module}.")
        try:
            orders = demo_orders_create()
        except DemoOrdersError as error:
            raise CommandError(str(error)) from error
        if not orders:
            self.stdout.write("Demo orders: already there.")
        else:
            self.stdout.write(
                self.style.SUCCESS("Demo orders: ")
                + ", ".join(f"{order.code} ({order.get_status_display()})" for order in orders)
            )
        # The support desk's demo cases (some point at Anna's order, so they come after).
        cases = demo_support_create()
        self.stdout.write(f"Demo support cases: {len(cases) or 'already there'}.")
