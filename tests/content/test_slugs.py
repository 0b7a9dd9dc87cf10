"""New pages get Latin slugs: a Russian title or a Cyrillic slug is transliterated, in the
admin and in code; translations keep their source page's slug."""

import pytest
from django.conf import settings
from wagtail.models import Page
from wagtail_localize.models import TranslationSource

from content.models import StandardPage
from content.slugs import latin_slug
from tests import factories
from tests.helpers import parse


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Ночные мосты", "nochnye-mosty"),
        ("Щука и ёж: экскурсия 1", "shhuka-i-yozh-ekskursiya-1"),
        ("Jazz на воде", "jazz-na-vode"),
        ("Об Объекте", "ob-obekte"),
    ],
)
def test_latin_slug_transliterates_russian(text, slug):
    assert latin_slug(text) == slug


def test_admin_slugs_are_not_unicode():
    """The admin's slug field transliterates the title in the browser only when unicode
    slugs are off (Wagtail's w-slug controller)."""
    assert settings.WAGTAIL_ALLOW_UNICODE_SLUGS is False


def form_fields(doc, form_id):
    """What the browser would post from the form, as it is rendered."""
    form = doc.select_one(f"form#{form_id}") or doc.select_one("form[method=post]")
    data = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        name = field["name"]
        if field.name == "textarea":
            data[name] = field.get_text()
        elif field.name == "select":
            chosen = field.select_one("option[selected]")
            data[name] = chosen.get("value", "") if chosen else ""
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        elif field.get("type") not in ("submit", "button", "file"):
            data[name] = field.get("value", "")
    return data


def post_new_page(client, tree, django_user_model, title, slug):
    """The admin's "add standard page" form under the Russian home, as a browser without
    JavaScript posts it."""
    admin = django_user_model.objects.create_superuser(email="admin@example.com", password="x")
    client.force_login(admin)
    url = f"/admin/pages/add/content/standardpage/{tree.home['ru'].pk}/"
    data = form_fields(parse(client.get(url)), "page-edit-form")
    # The body's StreamField is drawn by JavaScript; an empty one posts only its count.
    data.update({"title": title, "slug": slug, "body-count": "0"})
    return client.post(url, data)


@pytest.mark.parametrize("slug", ["", "ночные-мосты"])
def test_admin_new_russian_page_gets_a_latin_slug(client, tree, django_user_model, slug):
    response = post_new_page(client, tree, django_user_model, "Ночные мосты", slug)

    assert response.status_code == 302, response.context["form"].errors
    page = StandardPage.objects.get(title="Ночные мосты")
    assert page.slug == "nochnye-mosty"
    assert page.get_url().endswith("/ru/nochnye-mosty/")


def test_admin_slug_from_a_title_already_taken_is_numbered(client, tree, django_user_model):
    tree.home["ru"].add_child(instance=StandardPage(title="Ночные мосты"))

    response = post_new_page(client, tree, django_user_model, "Ночные мосты", "")

    assert response.status_code == 302, response.context["form"].errors
    slugs = set(StandardPage.objects.filter(title="Ночные мосты").values_list("slug", flat=True))
    assert slugs == {"nochnye-mosty", "nochnye-mosty-1"}


def test_admin_asks_for_a_slug_when_the_title_has_no_latin_form(client, tree, django_user_model):
    response = post_new_page(client, tree, django_user_model, "夜游", "")

    assert response.status_code == 200
    assert "slug" in response.context["form"].errors
    assert "Введите адрес страницы латиницей." in response.content.decode()
    assert not StandardPage.objects.filter(title="夜游").exists()


def test_a_page_made_in_code_with_a_cyrillic_slug_gets_a_latin_one(tree):
    page = StandardPage(title="Правила посадки", slug="правила-посадки")
    tree.home["ru"].add_child(instance=page)

    assert Page.objects.get(pk=page.pk).slug == "pravila-posadki"


def test_a_page_made_in_code_without_a_slug_gets_one_from_its_title(tree):
    page = StandardPage(title="Ночные мосты")
    tree.home["ru"].add_child(instance=page)
    twin = StandardPage(title="Ночные мосты")
    tree.home["ru"].add_child(instance=twin)

    assert Page.objects.get(pk=page.pk).slug == "nochnye-mosty"
    assert Page.objects.get(pk=twin.pk).slug == "nochnye-mosty-2"


def test_a_draft_with_a_cyrillic_slug_gets_a_latin_one(tree):
    page = StandardPage(title="Черновик", slug="черновик", live=False)
    tree.home["ru"].add_child(instance=page)

    assert Page.objects.get(pk=page.pk).slug == "chernovik"


def test_latin_slugs_are_left_alone(tree):
    page = StandardPage(title="Ночные мосты", slug="bridges_at-night")
    tree.home["ru"].add_child(instance=page)

    assert Page.objects.get(pk=page.pk).slug == "bridges_at-night"


def test_a_translation_keeps_the_source_slug(tree):
    source = factories.StandardPageFactory(
        parent=tree.home["ru"], title="Ночные мосты", slug="nochnye-mosty"
    )

    copy = source.copy_for_translation(tree.locales["en"])
    copy.title = "Night bridges"
    copy.save_revision().publish()

    assert Page.objects.get(pk=copy.pk).slug == "nochnye-mosty"


def test_a_translation_made_by_wagtail_localize_keeps_the_source_slug(tree):
    source = StandardPage(title="Разводные мосты")
    tree.home["ru"].add_child(instance=source)
    source.save_revision().publish()

    translation_source, _ = TranslationSource.get_or_create_from_instance(source)
    translated, _ = translation_source.create_or_update_translation(
        tree.locales["zh-hans"], fallback=True
    )

    assert Page.objects.get(pk=translated.pk).slug == "razvodnye-mosty"


def test_a_translation_of_a_page_with_an_old_cyrillic_slug_keeps_it(tree):
    source = factories.StandardPageFactory(parent=tree.home["ru"], title="Старая", slug="x")
    # A page from before transliteration: its slug was stored as it was typed.
    Page.objects.filter(pk=source.pk).update(slug="старая", url_path=source.url_path)

    copy = Page.objects.get(pk=source.pk).specific.copy_for_translation(tree.locales["en"])

    assert Page.objects.get(pk=copy.pk).slug == "старая"
