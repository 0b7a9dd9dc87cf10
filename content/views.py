from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render
from django.template.response import TemplateResponse
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
