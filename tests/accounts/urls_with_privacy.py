"""The site's URLs plus a stand-in for the personal-data pages (`account_privacy`), which
arrive in another branch of issue 10: the account menu links to them once they exist."""

from django.http import HttpResponse
from django.urls import path

from config.i18n import language_patterns
from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    *language_patterns(
        path("account/privacy/", lambda request: HttpResponse("privacy"), name="account_privacy")
    ),
    *site_urlpatterns,
]
