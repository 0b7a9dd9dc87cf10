"""Rendered site chrome (menu, footer) is cached per language; anything that can change
it clears that cache."""

from django.core.cache import cache, caches
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save, pre_delete
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


@receiver(post_save, sender=CompanySettings, dispatch_uid="company_settings_cache_saved")
@receiver(post_delete, sender=CompanySettings, dispatch_uid="company_settings_cache_deleted")
def _forget_company_settings(instance, **kwargs):
    """`CompanySettings.for_request` reads the new row once the change commits (now and
    again then: a page rendered meanwhile may have cached the old one)."""
    key = CompanySettings.cache_key(instance.site_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


@receiver(post_delete, dispatch_uid="content_chrome_page_deleted")
def page_deleted(sender, **kwargs):
    from wagtail.models import Page

    if issubclass(sender, Page):
        clear_site_chrome()


# ---------------------------------------------------------------- whole-page cache
# What each change purges (content.page_cache): the pages that show it, in every
# language. The site's chrome (menu, footer, company details, piers in every listing's
# filter) is on every page: a change there purges the whole site.

# Departure fields that no cached page shows: a hold or a check-in that touches only
# these does not purge the product's pages (places left are never baked into them).
_DEPARTURE_UNSHOWN = frozenset({"capacity", "blocked_places", "crew_notified_at"})


def _referrer_page_ids(objects) -> set[int]:
    """Pages whose fields or blocks point at `objects` (Wagtail's reference index: a
    booking block's product, a link block's page)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, ReferenceIndex

    objects = [obj for obj in objects if obj is not None and obj.pk is not None]
    if not objects:
        return set()
    page_type = ContentType.objects.get_for_model(Page)
    references = ReferenceIndex.get_references_to_in_bulk(objects).filter(
        base_content_type=page_type
    )
    return {int(pk) for pk in references.values_list("object_id", flat=True)}


def _with_ancestors(pages) -> set[int]:
    """The pages and the listings and home pages above them (their cards)."""
    from wagtail.models import Page

    ids, paths = set(), set()
    for page in pages:
        ids.add(page.pk)
        steps = Page.steplen
        paths.update(page.path[:end] for end in range(steps, len(page.path), steps))
    if paths:
        ids.update(Page.objects.filter(path__in=paths).values_list("pk", flat=True))
    return ids


def product_page_ids(product_ids) -> set[int]:
    from booking.models import Product
    from content.models import ProductPage

    selling = list(ProductPage.objects.filter(product_id__in=product_ids).only("path"))
    ids = _with_ancestors(selling)
    ids |= _referrer_page_ids(list(Product.objects.filter(pk__in=product_ids)))
    return ids


def purge_products(product_ids) -> None:
    from content.page_cache import purge_pages

    product_ids = {pk for pk in product_ids if pk is not None}
    if product_ids:
        purge_pages(product_page_ids(product_ids))


def _chrome_shows(page) -> bool:
    """A page in the main menu (a child of a home page) or among the footer's documents."""
    if page.depth == 3 and page.show_in_menus:
        return True
    return CompanySettings.objects.filter(
        models.Q(privacy_policy_page=page.pk)
        | models.Q(personal_data_consent_page=page.pk)
        | models.Q(offer_page=page.pk)
        | models.Q(refund_rules_page=page.pk)
    ).exists()


def purge_page_and_dependents(page, *, was_in_menu: bool = False) -> None:
    """A page published, unpublished, moved or deleted: the page, its translations (their
    language switchers link to it), the listings and home pages above each of them, and
    the pages that link to it; the whole site when the chrome shows it."""
    from wagtail.models import Page

    from content.page_cache import purge_pages

    if was_in_menu or _chrome_shows(page):
        purge_pages((), site=True)
        return
    translations = [page, *Page.objects.filter(translation_key=page.translation_key).only("path")]
    ids = _with_ancestors(translations)
    ids |= _referrer_page_ids(translations)
    purge_pages(ids)


def _page_changed(sender, instance, **kwargs):
    purge_page_and_dependents(instance)


def _page_moved(sender, instance, parent_page_before=None, **kwargs):
    from content.page_cache import purge_pages

    purge_page_and_dependents(instance, was_in_menu=instance.show_in_menus)
    # The listing it left no longer shows its card.
    if parent_page_before is not None:
        purge_pages(_with_ancestors([parent_page_before]))


page_published.connect(_page_changed, dispatch_uid="page_cache_published")
page_unpublished.connect(_page_changed, dispatch_uid="page_cache_unpublished")
post_page_move.connect(_page_moved, dispatch_uid="page_cache_moved")


@receiver(pre_delete, dispatch_uid="page_cache_page_deleted")
def _page_deleting(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page) and instance.pk is not None:
        purge_page_and_dependents(instance, was_in_menu=instance.show_in_menus)


@receiver(post_save, sender=CompanySettings, dispatch_uid="page_cache_settings")
def _company_settings_saved(**kwargs):
    from content.page_cache import purge_pages

    purge_pages((), site=True)


def _product_changed(sender, instance, **kwargs):
    purge_products([instance.pk])


def _product_child_changed(sender, instance, update_fields=None, **kwargs):
    if (
        sender.__name__ == "Departure"
        and update_fields
        and set(update_fields) <= _DEPARTURE_UNSHOWN
    ):
        return
    purge_products([instance.product_id])


def _ticket_price_changed(sender, instance, **kwargs):
    from booking.models import TicketType

    purge_products(
        TicketType.objects.filter(pk=instance.ticket_type_id).values_list("product_id", flat=True)
    )


def _venue_changed(sender, instance, **kwargs):
    from content.page_cache import purge_pages

    purge_pages((), site=True)


def _connect_booking_models():
    from booking.models import Departure, Product, RentalPlan, TicketPrice, TicketType, Venue

    for signal in (post_save, pre_delete):
        name = "saved" if signal is post_save else "deleted"
        signal.connect(_product_changed, sender=Product, dispatch_uid=f"page_cache_product_{name}")
        for model in (TicketType, Departure, RentalPlan):
            signal.connect(
                _product_child_changed,
                sender=model,
                dispatch_uid=f"page_cache_{model.__name__}_{name}",
            )
        signal.connect(
            _ticket_price_changed, sender=TicketPrice, dispatch_uid=f"page_cache_price_{name}"
        )
        signal.connect(_venue_changed, sender=Venue, dispatch_uid=f"page_cache_venue_{name}")


_connect_booking_models()
