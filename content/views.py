from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from wagtail.models import Locale, Page

SEARCH_QUERY_MAX_LENGTH = 100


def search(request):
    """Full-text search over live public pages in the visitor's language."""
    # NUL cannot be stored or searched in PostgreSQL text; nobody types it on purpose.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:SEARCH_QUERY_MAX_LENGTH]
    results = None
    if query:
        pages = Page.objects.live().public().filter(locale=Locale.get_active()).specific()
        paginator = Paginator(pages.search(query), 10)
        try:
            results = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            results = paginator.page(1)
        except EmptyPage:
            results = paginator.page(max(paginator.num_pages, 1))
    return TemplateResponse(request, "content/search.html", {"query": query, "results": results})


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """Renders without touching the database: the error may be the database itself."""
    return render(request, "500.html", {"minimal": True}, status=500)


FRAGMENT_HEADER = "HTTP_X_PRICHAL_FRAGMENT"


@never_cache
def booking_block(request, product_id: int):
    """The live part of a booking block, never cached: departures with places left, the
    visitor's notices and a form with a fresh CSRF token. A cached page shows the block's
    shell (content/blocks/booking_shell.html); its script fetches this with the
    X-Prichal-Fragment header and puts the answer in place, and without JavaScript the
    shell's link opens this as a page of its own, where the form works as on any page."""
    from booking.models import FunnelStep, Product
    from booking.selectors import product_from_price
    from booking.services.funnel import funnel_record

    product = get_object_or_404(Product, pk=product_id)
    # The funnel's first step: a cached product page reaches Python only here, once per
    # view (and a page without JavaScript when its visitor opens the block).
    funnel_record(FunnelStep.PRODUCT_VIEWED, product_id=product.pk)
    context = {
        "product": product,
        "value": {"product": product, "title": ""},
        "from_price": product_from_price(product),
    }
    if request.META.get(FRAGMENT_HEADER):
        response = TemplateResponse(request, "content/blocks/booking.html", context)
    else:
        response = TemplateResponse(request, "content/booking_block.html", context)
    patch_vary_headers(response, ("X-Prichal-Fragment",))
    return response
