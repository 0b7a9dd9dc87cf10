"""The project's URLs plus a view that fails, to see the 500 page as visitors do."""

from django.urls import path

from config.urls import handler404, handler500
from config.urls import urlpatterns as project_urlpatterns


def fail(request):
    raise RuntimeError("deliberate failure for the 500 page test")


urlpatterns = [path("fail/", fail), *project_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
