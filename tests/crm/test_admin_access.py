"""Who may read booking records in the Wagtail admin: every snippet's listing and every
chooser URL (choose, results, chosen) checks the model permission, so a boarding crew
member with admin access cannot read promo codes or anything else through a chooser."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from wagtail.snippets.models import get_snippet_models

from booking.models import Promotion
from tests.factories import check_in_group, make_user

pytestmark = pytest.mark.django_db

SECRET_CODE = "PRICHAL10"


def _perm(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def promotion():
    return Promotion.objects.create(
        code=SECRET_CODE, name="Скидка 10%", kind=Promotion.Kind.PERCENT, value=10
    )


@pytest.fixture
def admin_crew_client():
    """A deckhand who may enter the admin (to reach the check-in menu) and board."""
    user = make_user("deckhand@example.com")
    user.groups.add(check_in_group())
    user.user_permissions.add(_perm("wagtailadmin", "access_admin"))
    client = Client()
    client.force_login(user)
    return client


def _viewer_client(model) -> Client:
    opts = model._meta
    user = make_user(f"viewer-{opts.model_name}@example.com")
    user.user_permissions.add(
        _perm("wagtailadmin", "access_admin"), _perm(opts.app_label, f"view_{opts.model_name}")
    )
    client = Client()
    client.force_login(user)
    return client


def _urls(model) -> dict[str, str]:
    viewset = model.snippet_viewset
    chooser = viewset.chooser_viewset
    return {
        "listing": reverse(viewset.get_url_name("list")),
        "listing_results": reverse(viewset.get_url_name("list_results")),
        "choose": reverse(chooser.get_url_name("choose")),
        "choose_results": reverse(chooser.get_url_name("choose_results")),
    }


def test_the_promotion_chooser_is_closed_to_crew(admin_crew_client, promotion):
    for name in ("choose", "choose_results"):
        response = admin_crew_client.get(_urls(Promotion)[name])
        assert response.status_code in (302, 403), name
        assert SECRET_CODE not in response.content.decode(), name
    chosen = reverse(
        Promotion.snippet_viewset.chooser_viewset.get_url_name("chosen"), args=[promotion.pk]
    )
    response = admin_crew_client.get(chosen)
    assert response.status_code in (302, 403)
    assert SECRET_CODE not in response.content.decode()


@pytest.mark.parametrize("model", get_snippet_models(), ids=lambda m: m._meta.label)
def test_every_snippet_listing_and_chooser_checks_the_model_permission(model, admin_crew_client):
    for name, url in _urls(model).items():
        response = admin_crew_client.get(url)
        assert response.status_code in (302, 403), (name, url, response.status_code)
        if response.status_code == 302:
            assert response.url == reverse("wagtailadmin_home"), (name, url)
    viewer = _viewer_client(model)
    for name, url in _urls(model).items():
        assert viewer.get(url).status_code == 200, (name, url)


def test_a_permitted_user_sees_promo_codes_in_the_chooser(promotion):
    response = _viewer_client(Promotion).get(_urls(Promotion)["choose_results"])
    assert response.status_code == 200
    assert SECRET_CODE in response.content.decode()
