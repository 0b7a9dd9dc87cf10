"""What the booking flow needs from the site around it, without importing it.

`booking` sits below `content` (README, "Layout"): it may not import the pages. Two things
of theirs are needed by the customer's booking flow — the product's page (the way back
from an expired hold) and the company's legal documents (the checkout's consents) — so the
app that owns them registers a finder here in its `AppConfig.ready()` (content does, in
content/apps.py), and booking asks this module.

A registry rather than a setting with a dotted path: the finder belongs to the code of the
app that has the pages, not to a deployment, so there is nothing to configure and nothing
to get wrong per environment. Without a registered finder booking still works: no product
page (the caller falls back to the home page) and no documents (the checkout shows the
consents without links and records them as "unpublished").
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

# The legal documents the checkout links to and records consent to, by key.
LEGAL_DOCUMENT_KEYS = ("personal_data", "offer", "refund_rules", "privacy_policy")

_product_page_finder: Callable[[int], str | None] | None = None
_legal_documents_finder: Callable[[HttpRequest], dict[str, Any]] | None = None


def register_product_page_finder(finder: Callable[[int], str | None]) -> None:
    """`finder(product_id)` returns the URL of the product's live page in the active
    language, or None."""
    global _product_page_finder
    _product_page_finder = finder


def product_page_url(product_id: int) -> str | None:
    if _product_page_finder is None:
        return None
    return _product_page_finder(product_id) or None


def register_legal_documents(finder: Callable[[HttpRequest], dict[str, Any]]) -> None:
    """`finder(request)` returns the site's legal pages (Wagtail pages, or None where the
    company has not chosen one) by the keys of `LEGAL_DOCUMENT_KEYS`."""
    global _legal_documents_finder
    _legal_documents_finder = finder


def legal_documents(request: HttpRequest) -> dict[str, Any]:
    found = _legal_documents_finder(request) if _legal_documents_finder is not None else {}
    return {key: found.get(key) for key in LEGAL_DOCUMENT_KEYS}
