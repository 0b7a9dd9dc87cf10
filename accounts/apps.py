from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from accounts import signals
        from accounts.staff import audit as staff_audit

        signals.connect()
        staff_audit.connect()
