from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Site content")

    def ready(self):
        from booking import site
        from content import booking_site, flags, signals  # noqa: F401

        # booking sits below content and may not import it: it asks for the product's page
        # and the legal documents through these finders (booking/site.py).
        site.register_product_page_finder(booking_site.product_page_url)
        site.register_legal_documents(booking_site.legal_documents)
