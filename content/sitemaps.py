from collections import defaultdict

from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page

from content.i18n import hreflang
from content.links import page_full_url


class AllLocalesSitemap(Sitemap):
    """Wagtail's sitemap walks one root page; ours lists every live public page of the
    site in every language, each with its translations as `hreflang` alternates."""

    def items(self):
        site = self.get_wagtail_site()
        roots = Page.objects.filter(translation_key=site.root_page.translation_key)
        pages = Page.objects.none()
        for root in roots:
            pages = pages | Page.objects.descendant_of(root, inclusive=True)
        return pages.live().public().select_related("locale").defer_streamfields().order_by("path")

    def _urls(self, page, protocol, domain):
        pages = list(self.paginator.page(page).object_list)
        by_translation_key = defaultdict(list)
        for item in pages:
            item.location = page_full_url(item, self.request)
            by_translation_key[item.translation_key].append(item)
        urls = []
        for item in pages:
            urls.append(
                {
                    "item": item,
                    "location": item.location,
                    "lastmod": item.last_published_at or item.latest_revision_created_at,
                    "alternates": [
                        {
                            "lang_code": hreflang(other.locale.language_code),
                            "location": other.location,
                        }
                        for other in by_translation_key[item.translation_key]
                    ],
                }
            )
        self.latest_lastmod = max((u["lastmod"] for u in urls if u["lastmod"]), default=None)
        return urls
