"""`manage.py seed_demo_orders`: the demo customers' orders, bought through the real
services and paid through the YooKassa emulator (which must be running: `make run` starts
it first). Safe to run again; refuses the production settings like `seed_demo`."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.history import demo_history_create, emulator_import
from demo.orders import DemoOrdersError, demo_orders_create, demo_webhook_subscribe
from demo.support import demo_support_create


class Command(BaseCommand):
    help = "Buy the demo customers' orders through the YooKassa emulator (once)."

    def handle(self, *args, **options):
        module = settings.SETTINGS_MODULE or ""
        if module.rsplit(".", 1)[-1] == "production":
            raise CommandError(f"seed_demo_orders refuses to run with {module}.")
        # The demo's webhook receiver (scripts/run.sh starts it): subscribed first, so that
        # the demo orders' payments below are delivered to it.
        webhook_url = os.environ.get("DEMO_WEBHOOK_URL", "")
        if webhook_url:
            subscription = demo_webhook_subscribe(webhook_url, os.environ["DEMO_WEBHOOK_SECRET"])
            self.stdout.write(f"Demo webhook subscription: {subscription.url}")
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
        # Months of past sales for the reports and the dashboard (once; no emulator needed).
        history = demo_history_create()
        if history:
            self.stdout.write(
                "Demo history: " + ", ".join(f"{count} {name}" for name, count in history.items())
            )
        # ...and YooKassa's side of it, so that the reconciliation report matches.
        imported = emulator_import()
        if any(imported.values()):
            self.stdout.write(
                "Demo history at the YooKassa emulator: "
                + ", ".join(f"{count} {name}" for name, count in imported.items())
            )
        # The support desk's demo cases (some point at Anna's order, so they come after).
        cases = demo_support_create()
        self.stdout.write(f"Demo support cases: {len(cases) or 'already there'}.")
