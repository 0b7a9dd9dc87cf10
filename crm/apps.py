from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def sync_staff_roles(sender, *, using, apps=None, plan=None, **kwargs):
    """After `migrate` (and a database's flush, which sends no `apps`: the installed ones
    then) give the staff groups their permissions. Django sends post_migrate once per app and creates each app's permissions
    on its own signal, so this waits for the last app's; `roles_sync` is idempotent.
    Skipped when the CRM was just migrated backwards (its migration removed the groups)."""
    from django.apps import apps as global_apps

    from crm.roles import roles_sync

    apps = apps or global_apps
    signalled = [config for config in global_apps.get_app_configs() if config.models_module]
    if sender is not signalled[-1]:  # Django signals only apps that have models
        return
    if any(backwards and migration.app_label == "crm" for migration, backwards in plan or []):
        return
    try:
        apps.get_model("wagtailcore", "GroupCollectionPermission")
    except LookupError:  # Wagtail's tables are not there (migrated backwards)
        return
    # A flush (no migration plan) has also emptied the permissions that migrations create
    # (wagtail_localize's submit_translation, say): sync what exists, never refuse there.
    roles_sync(apps=apps, using=using, strict=plan is not None)


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("CRM")

    def ready(self):
        # Before any view asks Wagtail for a policy (it would make a fallback one).
        import crm.permissions  # noqa: F401

        post_migrate.connect(sync_staff_roles, dispatch_uid="crm.sync_staff_roles")
