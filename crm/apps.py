from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def sync_staff_roles(sender, *, apps, using, plan=None, **kwargs):
    """After every `migrate` (and a test database's flush): Django creates new permissions
    only now, so the staff groups get them here; `roles_sync` is idempotent. Skipped when
    the CRM was just migrated backwards (its migration removed the groups on purpose)."""
    from crm.roles import roles_sync

    if any(backwards and migration.app_label == "crm" for migration, backwards in plan or []):
        return
    try:
        apps.get_model("wagtailcore", "GroupCollectionPermission")
    except LookupError:  # Wagtail's tables are not there (migrated backwards)
        return
    roles_sync(apps=apps, using=using)


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("CRM")

    def ready(self):
        post_migrate.connect(sync_staff_roles, sender=self, dispatch_uid="crm.sync_staff_roles")
