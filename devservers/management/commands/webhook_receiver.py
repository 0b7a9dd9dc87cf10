"""`python manage.py webhook_receiver`: a partner's webhook endpoint for the demo (`make
run` starts it and subscribes it to every event): it verifies each delivery's signature
as the README tells partners to, prints it and appends it to a JSON-lines file. It
refuses to run in production, like the YooKassa emulator."""

import logging
import os
import time

from django.core.management.base import BaseCommand, CommandError

from devservers.management.commands.yookassa_emulator import refusal_reason
from devservers.webhook_receiver import Receiver


class Command(BaseCommand):
    help = "Receive the site's outbound webhooks and check their signatures (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8002, help="Port on 127.0.0.1.")
        parser.add_argument("--secret", required=True, help="The subscription's signing secret.")
        parser.add_argument(
            "--log", default="var/webhooks-received.jsonl", help="Where deliveries are appended."
        )

    def handle(self, *args, **options):
        reason = refusal_reason()
        if reason:
            raise CommandError(f"The webhook receiver is for development only: {reason}.")
        logging.getLogger("webhook_receiver").setLevel(logging.INFO)
        folder = os.path.dirname(os.path.abspath(options["log"]))
        os.makedirs(folder, exist_ok=True)
        receiver = Receiver(options["secret"], port=options["port"], log_file=options["log"])
        self.stdout.write(f"Webhook receiver on {receiver.url}, writing to {options['log']}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            receiver.stop()
