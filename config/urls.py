from django.conf import settings
from django.urls import include, path
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from config.api import api
from config.i18n import language_patterns, root_redirect
from content.sitemaps import AllLocalesSitemap
from content.views import booking_block, search

urlpatterns = [
    # Staff two-factor sign-in (accounts.staff), before the admin's own URLs.
    path("admin/two-factor/", include("accounts.staff.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("api/v1/", api.urls),
    path("documents/", include(wagtaildocs_urls)),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": {"pages": AllLocalesSitemap}},
        name="sitemap",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
    ),
    path("", root_redirect, name="root"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += language_patterns(
    path("search/", search, name="search"),
    # The live part of a booking block on a cached page (content.page_cache).
    path("booking/block/<int:product_id>/", booking_block, name="booking-block"),
    path("booking/", include("booking.urls")),
    # Support: the contact form, the customer's cases, signed attachment links (issue 12).
    path("support/", include("support.urls")),
    # Customer accounts: our pages, the personal-data pages (accounts.privacy), the
    # orders, then django-allauth's (which the first ones may shadow).
    path("account/", include("accounts.urls")),
    path("account/privacy/", include("accounts.privacy.urls")),
    path("account/", include("booking.account_urls")),
    path("account/", include("allauth.urls")),
    path("staff/check-in/", include("crm.checkin.urls")),
    path("", include(wagtail_urls)),
)

handler404 = "content.views.page_not_found"
handler500 = "content.views.server_error"
