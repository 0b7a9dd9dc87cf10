"""`python manage.py yookassa_emulator`: the YooKassa API v3 emulator in the foreground,
for development on one machine. It refuses to run in production."""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devservers.yookassa import EmulatorServer

DEFAULT_NOTIFICATION_URL = "http://127.0.0.1:8000/api/v1/payments/yookassa/notifications"


def refusal_reason() -> str:
    """Why the emulator must not run with the current settings ("" when it may)."""
    module = settings.SETTINGS_MODULE or ""
    if module.rsplit(".", 1)[-1] == "production":
        return f"the settings module is {module}"
    if not settings.DEBUG:
        return "DEBUG is False"
    return ""


class Command(BaseCommand):
    help = (
        "Run the YooKassa API v3 emulator (development only): payments, refunds, receipts, "
        "a confirmation page and notifications."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8001, help="Port to listen on.")
        parser.add_argument(
            "--notification-url",
            default=DEFAULT_NOTIFICATION_URL,
            help="Where notifications are POSTed (empty: not sent).",
        )
        parser.add_argument(
            "--public-url",
            default=None,
            help="The emulator's address as the browser sees it (default: http://host:port).",
        )
        parser.add_argument(
            "--state-file",
            default=None,
            help="Keep payments, refunds and receipts in this JSON file across restarts.",
        )
        parser.add_argument("--shop-id", default="emulator")
        parser.add_argument("--secret-key", default="test_emulator_key")

    def handle(self, *args, **options):
        reason = refusal_reason()
        if reason:
            raise CommandError(
                f"The YooKassa emulator is for development only and refuses to run: {reason}. "
                "Use the development settings (config.settings.dev, DEBUG=True)."
            )
        logging.getLogger("yookassa_emulator").setLevel(logging.INFO)
        try:
            server = EmulatorServer(
                host=options["host"],
                port=options["port"],
                shop_id=options["shop_id"],
                secret_key=options["secret_key"],
                notification_url=options["notification_url"] or None,
                public_url=options["public_url"],
                state_file=options["state_file"],
            )
        except OSError as error:
            raise CommandError(
                f"Cannot listen on {options['host']}:{options['port']}: {error}"
            ) from error
        self.stdout.write(
            f"YooKassa emulator on {server.url} (API {server.api_url}; shop id "
            f"{options['shop_id']!r}, secret key {options['secret_key']!r}); notifications to "
            f"{options['notification_url'] or 'nowhere'}. Quit with CONTROL-C."
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
