"""The staff groups (roles) of crm.roles, with exactly their permissions."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from crm.roles import roles_sync

    roles_sync(apps=apps, using=schema_editor.connection.alias, strict=False)


def remove_roles(apps, schema_editor):
    from crm.roles import roles_remove

    roles_remove(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_customer_erased_at"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("booking", "0016_refund_policy"),
        ("content", "0002_localized_page_choosers"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("crm", "0002_customer_consent_to_accounts"),
        ("wagtail_localize", "0016_rename_page_revision_translationlog_revision"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
