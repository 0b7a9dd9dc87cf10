"""`manage.py seed_demo`: a complete, real-looking demo company to click through.

Safe to run again: it updates the demo content in place and only adds departures for
days that have come into the window since the last run. It refuses the production
settings: the demo's administrator and crew have passwords printed in the README.
"""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.seed import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    CREW_EMAIL,
    DEMO_PROMO_CODE,
    Seeder,
    SeedError,
)


class Command(BaseCommand):
    help = (
        "Create or update the demo company: piers, fleet, products, departures, pictures, "
        "pages in Russian with English and Chinese translations, company details and an "
        "administrator."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=45,
            help="How many days of departures to schedule, starting tomorrow (default 45).",
        )

    def handle(self, *args, days, **options):
        module = settings.SETTINGS_MODULE or ""
        if module.rsplit(".", 1)[-1] == "production":
            raise CommandError(
                f"seed_demo refuses to run with {module}: it creates an administrator whose "
                "password is published. Create the real administrator with createsuperuser."
            )
        if days < 1:
            raise CommandError("--days must be at least 1.")
        seeder = Seeder(days=days)
        # Wagtail logs every publish and every immediate task (search and reference
        # index) at INFO; hundreds of those lines would bury the summary.
        loggers = [logging.getLogger(name) for name in ("django_tasks", "wagtail")]
        levels = [logger.level for logger in loggers]
        for logger in loggers:
            logger.setLevel(logging.WARNING)
        try:
            report = seeder.run()
        except SeedError as error:
            raise CommandError(str(error)) from error
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)

        write = self.stdout.write
        write(self.style.SUCCESS(f"Demo company ready (departures {report['window']}):"))
        for name, value in report["totals"].items():
            write(f"  {name}: {value}")
        changes = report["stats"]
        write(
            "This run: "
            + (", ".join(f"{k} {v}" for k, v in changes.items() if v) or "nothing to change")
        )
        write(
            "Timings: "
            + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in report["timings"].items())
        )
        write(
            self.style.SUCCESS(f"Admin: /admin/  e-mail {ADMIN_EMAIL}  password {ADMIN_PASSWORD}")
        )
        write(f"Boarding crew (check-in only): {CREW_EMAIL}  password {ADMIN_PASSWORD}")
        write(f"Promo code to try at checkout: {DEMO_PROMO_CODE} (10 % off)")
