from wagtail import hooks

from content.page_cache import mark_page


@hooks.register("before_serve_page")
def page_cache_mark(page, request, serve_args, serve_kwargs):
    """Marks a public page for the whole-page cache (content.page_cache)."""
    mark_page(page, request)
