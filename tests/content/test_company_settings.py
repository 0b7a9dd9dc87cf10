"""The company's details that pages show (`CompanySettings.for_request`) come from the
cache, and a change is shown at once."""

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from content.models import CompanySettings


def details():
    request = RequestFactory().get("/ru/")
    return CompanySettings.for_request(request)


def test_details_are_read_once_then_from_the_cache(tree):
    assert details().phone == "+7 812 000-00-00"

    with CaptureQueriesContext(connection) as queries:
        company = details()

    assert company.phone == "+7 812 000-00-00"
    assert [q["sql"] for q in queries if "content_companysettings" in q["sql"]] == []


def test_saved_details_are_shown_at_once(tree, django_capture_on_commit_callbacks):
    details()
    company = CompanySettings.for_site(Site.objects.get(is_default_site=True))
    company.phone = "+7 812 111-11-11"
    with django_capture_on_commit_callbacks(execute=True):
        company.save()

    assert details().phone == "+7 812 111-11-11"


def test_deleted_details_are_not_shown(tree, django_capture_on_commit_callbacks):
    details()
    with django_capture_on_commit_callbacks(execute=True):
        CompanySettings.objects.get(site__is_default_site=True).delete()

    assert details().phone == ""
