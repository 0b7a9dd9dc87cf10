"""Rendered site chrome (menu, footer) is cached per language; anything that can change
it clears that cache."""

from django.core.cache import caches
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished, post_page_move

from content.models import CompanySettings


def clear_site_chrome(**kwargs):
    caches["fragments"].clear()


page_published.connect(clear_site_chrome, dispatch_uid="content_chrome_published")
page_unpublished.connect(clear_site_chrome, dispatch_uid="content_chrome_unpublished")
post_page_move.connect(clear_site_chrome, dispatch_uid="content_chrome_moved")


@receiver(post_save, sender=CompanySettings, dispatch_uid="content_chrome_settings")
def company_settings_saved(**kwargs):
    clear_site_chrome()


@receiver(post_delete, dispatch_uid="content_chrome_page_deleted")
def page_deleted(sender, **kwargs):
    from wagtail.models import Page

    if issubclass(sender, Page):
        clear_site_chrome()
