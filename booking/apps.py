from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Booking")

    def ready(self):
        from booking import privacy

        # accounts sits below booking: the customer's personal-data export and erasure
        # reach the orders through this registration (accounts/privacy/registry.py).
        privacy.register()

        from django.db.backends.signals import connection_created

        from booking.search import tune_trigram_matching

        connection_created.connect(tune_trigram_matching, dispatch_uid="booking.search")
