"""The whole-page cache (content.page_cache): anonymous visitors get public pages without
a query; nothing per visitor or per minute is in the shared copy; every change a page
shows purges it in every language. The test settings turn the cache off; these tests
turn it on."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from booking.models import Departure, Hold, TicketType
from content.models import CompanySettings
from tests import factories
from tests.conftest import republish, translate
from tests.factories.rentals import rental_plan
from tests.helpers import parse, path

LANGUAGES = ("ru", "en", "zh-hans")


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_ENABLED = True
    caches["pages"].clear()
    yield caches["pages"]
    caches["pages"].clear()


def state(client, url, **kwargs) -> str:
    """'hit', 'miss' (rendered and stored) or 'none' (rendered, not stored)."""
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return response.headers.get("X-Page-Cache", "none")


def warm(client, urls) -> None:
    for url in urls:
        client.get(url)
        assert state(client, url) == "hit", url


def all_languages(*kinds) -> list[str]:
    return [path(kind, language) for kind in kinds for language in LANGUAGES]


# ---------------------------------------------------------------- hits


@pytest.mark.parametrize("kind", ["home", "listing", "excursion", "standard"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_hit_costs_no_query(client, tree, page_cache, django_assert_num_queries, kind, language):
    url = path(kind, language)
    first = client.get(url)
    assert first.headers["X-Page-Cache"] == "miss"

    with django_assert_num_queries(0):
        second = client.get(url)
        head = client.head(url)

    assert second.headers["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert head.status_code == 200 and head.headers["X-Page-Cache"] == "hit"
    assert "public" in second.headers["Cache-Control"]
    assert not second.cookies


def test_listing_filters_and_paging_are_cached_apart(client, tree, page_cache):
    url = path("listing", "en")
    assert state(client, url) == "miss"
    assert state(client, url, data={"kind": "event"}) == "miss"
    assert state(client, url, data={"kind": "event"}) == "hit"
    events = parse(client.get(url, data={"kind": "event"}))
    everything = parse(client.get(url))
    assert len(events.select(".card")) < len(everything.select(".card"))


@pytest.mark.parametrize(
    "query", [{"utm_source": "mail"}, {"rental_date": "2030-01-01"}, {"kind": "x" * 300}]
)
def test_other_query_strings_are_not_cached(client, tree, page_cache, query):
    url = path("listing", "ru")
    assert state(client, url, data=query) == "none"
    assert state(client, url, data=query) == "none"


def test_a_visitor_with_a_session_or_messages_is_not_served_the_shared_copy(
    client, tree, page_cache, settings
):
    url = path("excursion", "ru")
    warm(client, [url])

    client.cookies[settings.SESSION_COOKIE_NAME] = "something"
    response = client.get(url)
    assert "X-Page-Cache" not in response.headers
    assert "private" in response.headers["Cache-Control"]

    other = Client()
    other.cookies["messages"] = "anything"
    assert state(other, url) == "none"


def test_a_signed_in_customer_is_not_served_the_shared_copy(client, tree, page_cache):
    url = path("excursion", "en")
    warm(client, [url])
    customer = factories.signed_in_client(factories.make_user("reader@example.com"))
    assert state(customer, url) == "none"


def test_a_post_is_never_answered_from_the_cache(client, tree, page_cache):
    url = path("standard", "ru")
    warm(client, [url])
    assert "X-Page-Cache" not in client.post(url).headers


def test_a_preview_is_not_cached(admin_client, tree, page_cache):
    page = tree.standard["ru"]
    url = reverse("wagtailadmin_pages:view_draft", args=[page.pk])
    admin_client.get(url)
    assert "X-Page-Cache" not in admin_client.get(url).headers


# ---------------------------------------------------------------- booking block


@pytest.fixture
def booking_page(tree):
    product = tree.products["excursion"]
    body = factories.stream(("booking", {"product": product.pk, "title": "Купить билеты"}))
    page = republish(
        factories.StandardPageFactory(parent=tree.home["ru"], slug="tickets", body=body)
    )
    return {
        "ru": page,
        "en": translate(page, tree.locales["en"]),
        "zh-hans": translate(page, tree.locales["zh-hans"]),
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_cached_page_carries_no_token_and_no_places(client, booking_page, page_cache, language):
    url = booking_page[language].url
    client.get(url)
    doc = parse(client.get(url))

    assert not doc.select("input[name=csrfmiddlewaretoken]")
    assert not doc.select("form[data-booking-form]")
    shell = doc.select_one("[data-booking-fragment]")
    assert shell.select_one("h2").get_text(strip=True) == "Купить билеты"
    link = shell.select_one("a")["href"]
    assert link == shell["data-booking-fragment"]
    assert not client.cookies.get("csrftoken")


def test_the_live_block_comes_with_a_fresh_token_and_places_left(client, booking_page, page_cache):
    url = booking_page["en"].url
    link = parse(client.get(url)).select_one("[data-booking-fragment]")["data-booking-fragment"]

    fragment = client.get(link, HTTP_X_PRICHAL_FRAGMENT="1")
    assert fragment.status_code == 200
    assert "no-cache" in fragment.headers["Cache-Control"]
    doc = parse(fragment)
    assert doc.select_one("form[data-booking-form] input[name=csrfmiddlewaretoken]")
    assert "Places left" in doc.get_text()
    assert not doc.select("html")  # a fragment, not a page


def test_purchase_without_javascript_from_a_cached_page(booking_page, tree, page_cache):
    """The visitor without JavaScript follows the shell's link to the live block, which
    is a page of its own, and holds tickets with its form (CSRF checked)."""
    browser = Client(enforce_csrf_checks=True)
    url = booking_page["ru"].url
    browser.get(url)
    assert state(browser, url) == "hit"
    link = parse(browser.get(url)).select_one("[data-booking-fragment] a")["href"]

    block = parse(browser.get(link))
    form = block.select_one("form[data-booking-form]")
    fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    fields["departure"] = form.select_one("input[name=departure]:checked")["value"]
    ticket_type = TicketType.objects.filter(product=tree.products["excursion"], is_active=True)[0]
    fields[f"qty-{ticket_type.pk}"] = "2"
    response = browser.post(form["action"], fields)

    assert response.status_code == 302
    assert "/booking/hold/" in response["Location"]
    assert Hold.objects.filter(departure=tree.departures["excursion"]).count() == 1
    # Now the visitor has a hold in their session: their pages are theirs.
    assert state(browser, url) == "none"


# ---------------------------------------------------------------- invalidation


def assert_purged(client, urls, change, capture):
    warm(client, urls)
    with capture(execute=True):
        change()
    for url in urls:
        assert state(client, url) == "miss", url


def test_publishing_a_page_purges_it_its_translations_and_the_listings_above(
    client, tree, page_cache, django_capture_on_commit_callbacks
):
    urls = all_languages("excursion", "listing", "home")
    untouched = all_languages("standard", "event")
    warm(client, untouched)

    def change():
        page = Page.objects.get(pk=tree.excursion["en"].pk).specific
        page.title = "White nights, revised"
        page.save_revision().publish()

    assert_purged(client, urls, change, django_capture_on_commit_callbacks)
    assert "White nights, revised" in client.get(path("excursion", "en")).content.decode()
    for url in untouched:
        assert state(client, url) == "hit", url


def test_unpublishing_a_page_purges_its_listing(
    client, tree, page_cache, django_capture_on_commit_callbacks
):
    urls = all_languages("listing")
    warm(client, [path("event", "ru")])

    def change():
        Page.objects.get(pk=tree.event["ru"].pk).unpublish()

    assert_purged(client, urls, change, django_capture_on_commit_callbacks)
    assert client.get(path("event", "ru")).status_code == 404
    assert path("event", "ru") not in client.get(path("listing", "ru")).content.decode()


def test_moving_a_page_purges_both_listings(
    client, tree, page_cache, django_capture_on_commit_callbacks
):
    other = republish(factories.ListingPageFactory(parent=tree.home["ru"], slug="more"))
    urls = [*all_languages("listing"), other.url]

    def change():
        Page.objects.get(pk=tree.event["ru"].pk).move(other, pos="last-child")

    assert_purged(client, urls, change, django_capture_on_commit_callbacks)
    assert "/ru/more/jazz/" in client.get(other.url).content.decode()


def test_deleting_a_page_purges_its_listing(
    client, tree, page_cache, django_capture_on_commit_callbacks
):
    def change():
        Page.objects.get(pk=tree.yacht["zh-hans"].pk).delete()

    assert_purged(client, all_languages("listing"), change, django_capture_on_commit_callbacks)


def test_changing_a_product_purges_its_pages_and_blocks(
    client, tree, booking_page, page_cache, django_capture_on_commit_callbacks
):
    product = tree.products["excursion"]
    urls = [*all_languages("excursion", "listing", "home"), *(p.url for p in booking_page.values())]
    untouched = all_languages("event", "standard")
    warm(client, untouched)

    def change():
        product.duration_minutes = 143
        product.save()

    assert_purged(client, urls, change, django_capture_on_commit_callbacks)
    assert "143" in client.get(path("excursion", "zh-hans")).content.decode()
    for url in untouched:
        assert state(client, url) == "hit", url


def test_changing_a_ticket_price_purges_the_product_pages(
    client, tree, page_cache, django_capture_on_commit_callbacks
):
    ticket_type = TicketType.objects.get(product=tree.products["event"], price=Decimal("2800.50"))

    def change():
        ticket_type.price = Decimal("990")
        ticket_type.save()

    assert_purged(
        client, all_languages("event", "listing"), change, django_capture_on_commit_callbacks
    )
    assert "990" in client.get(path("event", "en")).content.decode()


def test_a_ticket_price_for_a_zone_purges_the_product_pages(
    client, tree, page_cache, django_capture_on_commit_callbacks
):
    ticket_type = TicketType.objects.filter(product=tree.products["event"]).first()

    def change():
        factories.TicketPriceFactory(ticket_type=ticket_type, departure=tree.departures["event"])

    assert_purged(client, all_languages("event"), change, django_capture_on_commit_callbacks)


def test_departures_created_edited_and_cancelled_purge_the_product_pages(
    client, tree, page_cache, django_capture_on_commit_callbacks
):
    product = tree.products["event"]
    soon = timezone.now() + datetime.timedelta(days=1)
    created = {}

    def create():
        created["departure"] = factories.DepartureFactory(
            product=product, vessel=tree.departures["event"].vessel, starts_at=soon
        )

    def edit():
        departure = created["departure"]
        departure.starts_at += datetime.timedelta(hours=2)
        departure.ends_at += datetime.timedelta(hours=2)
        departure.save()

    def cancel():
        departure = created["departure"]
        departure.status = Departure.Status.CANCELLED
        departure.cancelled_at = timezone.now()
        departure.save()

    for change in (create, edit, cancel):
        assert_purged(client, all_languages("event"), change, django_capture_on_commit_callbacks)


def test_a_rental_plan_purges_the_yacht_pages(
    client, tree, page_cache, django_capture_on_commit_callbacks
):
    def change():
        plan = rental_plan()
        plan.product = tree.products["yacht"]
        plan.save()

    assert_purged(client, all_languages("yacht"), change, django_capture_on_commit_callbacks)


def test_company_details_purge_every_page(
    client, tree, page_cache, django_capture_on_commit_callbacks
):
    def change():
        company = CompanySettings.for_site(Site.objects.get(is_default_site=True))
        company.phone = "+7 812 111-22-33"
        company.save()

    urls = all_languages("home", "standard", "yacht")
    assert_purged(client, urls, change, django_capture_on_commit_callbacks)
    assert "+7 812 111-22-33" in client.get(path("yacht", "zh-hans")).content.decode()


def test_publishing_a_menu_page_purges_every_page(
    client, tree, page_cache, django_capture_on_commit_callbacks
):
    def change():
        republish(Page.objects.get(pk=tree.standard["en"].pk).specific)

    assert_purged(
        client, all_languages("event", "home"), change, django_capture_on_commit_callbacks
    )


def test_a_hold_does_not_purge(
    client, tree, booking_page, page_cache, django_capture_on_commit_callbacks
):
    from booking.services.holds import hold_create

    urls = all_languages("excursion")
    warm(client, urls)
    ticket_type = TicketType.objects.filter(product=tree.products["excursion"], is_active=True)[0]
    with django_capture_on_commit_callbacks(execute=True):
        hold_create(
            departure_id=tree.departures["excursion"].pk,
            owner_key="someone",
            quantities={ticket_type.pk: 1},
        )
    for url in urls:
        assert state(client, url) == "hit", url


def test_a_page_that_needs_a_csrf_token_is_not_shared(client, tree, page_cache):
    """The support form block renders a form with a token: Django sets the CSRF cookie
    with it, and a response that sets a cookie is never stored."""
    body = factories.stream(("support_form", {"title": "", "text": ""}))
    page = republish(
        factories.StandardPageFactory(parent=tree.home["ru"], slug="contacts", body=body)
    )
    assert state(client, page.url) == "none"
    assert state(Client(), page.url) == "none"
