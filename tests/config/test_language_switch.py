"""The language switcher keeps the visitor where they are: the hold, checkout, order and
search pages are the same view in every language, a Wagtail page goes to its
translation, and the query string (a listing's filters, the search) goes along; a page
without a translation falls back to that language's home. And shared msgids with two
meanings have a context (the checkout's e-mail field is not the "Письмо" channel)."""

import pytest
from django.test import Client
from django.urls import reverse

from booking.services.holds import hold_create
from tests.factories import placed_order
from tests.helpers import alternate_links, parse, path, switcher_links, text


def visitor() -> tuple[Client, str]:
    client = Client()
    session = client.session
    session.save()
    client.cookies["sessionid"] = session.session_key
    return client, session.session_key


def hold_in(tree, owner_key):
    ticket_type = tree.products["excursion"].ticket_types.filter(is_active=True).first()
    return hold_create(
        departure_id=tree.departures["excursion"].pk,
        owner_key=owner_key,
        quantities={ticket_type.pk: 1},
    )


def expect(tail: str) -> dict[str, str]:
    return {"ru": f"/ru/{tail}", "en": f"/en/{tail}", "zh-Hans": f"/zh/{tail}"}


@pytest.mark.parametrize("prefix", ["ru", "en", "zh"])
@pytest.mark.parametrize("kind", ["hold", "checkout"])
def test_hold_and_checkout_pages_switch_to_themselves(tree, kind, prefix):
    client, key = visitor()
    hold = hold_in(tree, key)
    tail = f"booking/{kind}/{hold.token}/"

    response = client.get(f"/{prefix}/{tail}")

    assert response.status_code == 200
    assert switcher_links(parse(response)) == expect(tail)


@pytest.mark.parametrize("prefix", ["ru", "en", "zh"])
def test_order_page_switches_to_itself(tree, prefix):
    order = placed_order(tree.departures["excursion"])
    tail = f"booking/order/{order.code}/{order.secret}/"

    response = Client().get(f"/{prefix}/{tail}")

    assert response.status_code == 200
    assert switcher_links(parse(response)) == expect(tail)


def test_search_keeps_its_query(tree):
    response = Client().get("/en/search/?q=jazz&page=1")

    assert switcher_links(parse(response)) == expect("search/?q=jazz&page=1")


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_listing_keeps_its_filters(tree, language):
    query = "type=excursion&date=2026-12-07"

    doc = parse(Client().get(f"{path('listing', language)}?{query}"))

    links = switcher_links(doc)
    assert links == {
        "ru": f"/ru/excursions/?{query}",
        "en": f"/en/excursions/?{query}",
        "zh-Hans": f"/zh/excursions/?{query}",
    }
    # hreflang names the page, not one of its filtered views.
    assert all("?" not in href for href in alternate_links(doc).values())


def test_product_page_goes_to_its_translation(tree):
    doc = parse(Client().get(path("excursion", "zh-hans")))

    assert switcher_links(doc) == {
        "ru": path("excursion", "ru"),
        "en": path("excursion", "en"),
        "zh-Hans": path("excursion", "zh-hans"),
    }


def test_untranslated_page_falls_back_to_home_without_the_query(tree):
    doc = parse(Client().get("/ru/only-russian/?utm_source=x"))

    assert switcher_links(doc) == {
        "ru": "/ru/only-russian/?utm_source=x",
        "en": "/en/",
        "zh-Hans": "/zh/",
    }


def test_a_missing_page_offers_the_homes(tree):
    doc = parse(Client().get("/en/no-such-page/"))

    assert switcher_links(doc) == {"ru": "/ru/", "en": "/en/", "zh-Hans": "/zh/"}


# --- ambiguous msgids ---------------------------------------------------------------


def test_checkout_e_mail_field_is_an_address_not_a_letter(tree):
    client, key = visitor()
    hold = hold_in(tree, key)

    doc = parse(client.get(f"/ru/booking/checkout/{hold.token}/"))

    label = text(doc.select_one('label[for="id_email"]'))
    assert label == "Эл. почта"


def test_message_template_channel_is_still_a_letter(db, client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="admin@example.com", password="x")
    client.force_login(admin)

    response = client.get(
        reverse("wagtailsnippets_booking_messagetemplate:add"), HTTP_ACCEPT_LANGUAGE="ru"
    )

    assert response.status_code == 200
    assert "Письмо" in response.content.decode()


def test_sort_order_and_purchase_order_are_told_apart():
    from django.utils import translation

    from booking.models import Order, TicketType

    with translation.override("ru"):
        assert str(Order._meta.verbose_name) == "заказ"
        assert str(TicketType._meta.get_field("sort_order").verbose_name) == "порядок"
        assert str(Order._meta.get_field("name").verbose_name) == "имя"
