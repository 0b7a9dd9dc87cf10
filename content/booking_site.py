"""What the pages tell the booking flow (`booking.site`): booking may not import content,
so content registers these two finders when the app starts (content/apps.py)."""

from django.http import HttpRequest
from wagtail.models import Locale

from content.models import CompanySettings, ProductPage


def product_page_url(product_id: int) -> str | None:
    """The product's live public page in the active language."""
    page = (
        ProductPage.objects.live()
        .public()
        .filter(product_id=product_id, locale=Locale.get_active())
        .first()
    )
    return page.url if page is not None and page.url else None


def legal_documents(request: HttpRequest) -> dict:
    """The legal pages chosen in the company's details (`CompanySettings`)."""
    company = CompanySettings.for_request(request)
    return {
        "personal_data": company.personal_data_consent_page,
        "offer": company.offer_page,
        "refund_rules": company.refund_rules_page,
        "privacy_policy": company.privacy_policy_page,
    }
