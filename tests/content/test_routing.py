"""A page is found by its `url_path` (content.routing) with Wagtail's own answers: the
page in the visitor's language, 404 for an unknown or unpublished page, view
restrictions of the page and its ancestors (an alias's from its source), redirects
after a 404, and the home page's fallback when its translation is not live."""

from django.contrib.auth.models import Group
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageViewRestriction, Site

from tests.helpers import LANGUAGES, TITLES, parse, path, text

KINDS = ("home", "listing", "excursion", "event", "yacht", "standard")


def title(response) -> str:
    return text(parse(response).select_one("h1"))


def test_every_page_is_found_in_every_language(client, tree):
    for language in LANGUAGES:
        for kind in KINDS:
            response = client.get(path(kind, language))
            assert response.status_code == 200, (kind, language)
            if kind != "home":
                assert title(response) == TITLES[kind][language], (kind, language)


def test_unknown_paths_are_not_found(client, tree):
    for url in (
        "/ru/no-such-page/",
        "/ru/excursions/no-such-page/",
        "/ru/excursions/white-nights/more/",  # no page type routes below its own path
        "/en/only-russian/",  # in Russian only: not in the English tree
        "/ru/white-nights/",  # a slug, but not the page's path
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/ru/only-russian/").status_code == 200


def test_an_unpublished_page_is_not_found_but_its_live_children_are(client, tree):
    """As in Wagtail's walk, only the page asked for must be live."""
    Page.objects.filter(pk=tree.listing["ru"].pk).update(live=False)

    assert client.get(path("listing", "ru")).status_code == 404
    assert client.get(path("excursion", "ru")).status_code == 200
    assert client.get(path("listing", "en")).status_code == 200


def test_a_login_restriction_on_an_ancestor_applies_to_its_pages(client, tree):
    PageViewRestriction.objects.create(
        page=tree.listing["ru"], restriction_type=PageViewRestriction.LOGIN
    )

    for kind in ("listing", "excursion"):
        response = client.get(path(kind, "ru"))
        assert response.status_code == 302, kind
        assert "/login/" in response["Location"]
    assert client.get(path("excursion", "en")).status_code == 200


def test_a_group_restriction_turns_away_other_visitors(client, tree, django_user_model):
    restriction = PageViewRestriction.objects.create(
        page=tree.standard["en"], restriction_type=PageViewRestriction.GROUPS
    )
    group = Group.objects.create(name="Crew")
    restriction.groups.add(group)
    user = django_user_model.objects.create_user(email="visitor@example.com", password="x")
    client.force_login(user)

    assert client.get(path("standard", "en")).status_code == 302

    user.groups.add(group)
    assert client.get(path("standard", "en")).status_code == 200


def test_an_alias_has_its_source_pages_restriction(client, tree):
    alias = tree.standard["ru"].create_alias(
        parent=tree.listing["ru"], update_slug="about-alias", update_locale=None
    )
    assert client.get("/ru/excursions/about-alias/").status_code == 200

    PageViewRestriction.objects.create(
        page=tree.standard["ru"], restriction_type=PageViewRestriction.LOGIN
    )
    assert client.get("/ru/excursions/about-alias/").status_code == 302
    assert alias.alias_of_id == tree.standard["ru"].pk


def test_a_redirect_answers_an_unknown_path(client, tree):
    Redirect.objects.create(
        old_path="/ru/old-excursions", redirect_link="/ru/excursions/", is_permanent=True
    )

    response = client.get("/ru/old-excursions/")

    assert response.status_code == 301
    assert response["Location"] == "/ru/excursions/"


def test_a_home_translation_that_is_not_live_falls_back_to_the_site_root(client, tree):
    """`site.root_page.localized` is the root itself when its translation is a draft:
    Wagtail then finds English URLs in the Russian tree."""
    Page.objects.filter(pk=tree.home["en"].pk).update(live=False)

    assert client.get("/en/about/").status_code == 200
    assert title(client.get("/en/about/")) == TITLES["standard"]["ru"]
    assert client.get("/en/only-russian/").status_code == 200


def test_a_site_for_another_host_is_routed_from_its_own_root(client, tree):
    Site.objects.create(hostname="other.example", port=80, root_page=tree.listing["ru"])

    response = client.get("/ru/white-nights/", HTTP_HOST="other.example")

    assert response.status_code == 200
    assert title(response) == TITLES["excursion"]["ru"]
    assert client.get(path("excursion", "ru")).status_code == 200
