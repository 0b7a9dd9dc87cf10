"""Feature flags (common.flags, content.flags): the rentals flow and the analytics banner
behind django-waffle flags, each on, off, staff only or for a percentage; flags edited in
Settings → Feature flags with every change in Wagtail's audit log; a flag that changes
cached page HTML purges the page cache."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import translation
from waffle.models import Flag
from wagtail.models import ModelLogEntry

from booking.models import Hold
from common.flags import ANALYTICS_BANNER, RENTALS_BY_THE_HOUR, flag_active
from content.flags import FLAG_CHANGE_ACTION
from tests.booking import test_rental_pages as rental_pages
from tests.booking.test_rental_pages import PAGE, form_data, hold_url
from tests.helpers import PREFIX, parse, path

pytestmark = pytest.mark.django_db

NOT_ON_SALE = {
    "ru": "Эта аренда сейчас не продаётся.",
    "en": "This rental is not on sale.",
    "zh-hans": "此租船项目暂不出售。",
}
COUNTER = "98765432"
# The rental page tests' yacht: a vessel page whose booking block sells a rental plan.
yacht = rental_pages.yacht


@pytest.fixture
def set_flag(django_capture_on_commit_callbacks):
    """Changes a flag as a committed save would: waffle drops its cached copy and the
    page cache is purged once the transaction commits."""

    def change(name, **fields) -> Flag:
        flag = Flag.objects.get(name=name)
        for field, value in fields.items():
            setattr(flag, field, value)
        with django_capture_on_commit_callbacks(execute=True):
            flag.save()
        return flag

    return change


def superuser():
    return get_user_model().objects.create_superuser(
        email="flags-admin@example.com", password="x-pass-123456"
    )


def test_the_migration_creates_both_flags_on_for_everyone():
    flags = {
        f.name: f.everyone
        for f in Flag.objects.filter(name__in=[RENTALS_BY_THE_HOUR, ANALYTICS_BANNER])
    }
    assert flags == {RENTALS_BY_THE_HOUR: True, ANALYTICS_BANNER: True}


def test_a_missing_flag_row_keeps_todays_behaviour(rf):
    Flag.objects.filter(name=RENTALS_BY_THE_HOUR).delete()
    assert flag_active(rf.get("/"), RENTALS_BY_THE_HOUR) is True


# ---------------------------------------------------------------- rentals by the hour


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_rentals_off_the_yacht_page_offers_no_rental_and_the_endpoints_say_so(
    client, yacht, language, set_flag
):
    set_flag(RENTALS_BY_THE_HOUR, everyone=False)
    product_id = yacht["plan"].product_id

    doc = parse(client.get(PAGE.format(prefix=PREFIX[language])))
    assert doc.select_one("section.booking--rental") is None
    assert doc.select_one("[data-rental-timeline]") is None

    with translation.override(language):
        quote_url = reverse("booking:rental-quote", kwargs={"product_id": product_id})
    response = client.get(quote_url, {"minutes": "180", "guests": "2"})
    assert response.status_code == 404
    assert response.json() == {"code": "rental_not_found", "message": NOT_ON_SALE[language]}

    with translation.override(language):
        url = hold_url(yacht)
    response = client.post(url, form_data(yacht), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302
    assert not Hold.objects.exists()
    page = parse(client.get(response["Location"]))
    assert NOT_ON_SALE[language] in page.get_text()


def test_rentals_for_staff_only_are_offered_to_staff_and_not_to_visitors(yacht, set_flag):
    set_flag(RENTALS_BY_THE_HOUR, everyone=None, staff=True)
    url = PAGE.format(prefix="ru")

    visitor = Client()
    assert parse(visitor.get(url)).select_one("section.booking--rental") is None
    staff = Client()
    user = get_user_model().objects.create_user(
        email="skipper@example.com", password="x-pass-123456", is_staff=True
    )
    staff.force_login(user)
    assert parse(staff.get(url)).select_one("section.booking--rental") is not None


def test_a_percentage_of_visitors_keeps_each_visitors_draw(yacht, set_flag):
    """Waffle draws once per visitor and keeps the draw in a cookie: a visitor drawn in
    gets rentals, one drawn out does not, whatever the next draw would be."""
    set_flag(RENTALS_BY_THE_HOUR, everyone=None, percent=Decimal("50"))
    url = PAGE.format(prefix="en")
    cookie = f"dwf_{RENTALS_BY_THE_HOUR}"

    drawn_in, drawn_out = Client(), Client()
    drawn_in.cookies[cookie] = "True"
    drawn_out.cookies[cookie] = "False"
    for _ in range(3):
        assert parse(drawn_in.get(url)).select_one("section.booking--rental") is not None
        assert parse(drawn_out.get(url)).select_one("section.booking--rental") is None
    # A new visitor is drawn and told so.
    response = Client().get(url)
    assert response.cookies[cookie].value in ("True", "False")


# ---------------------------------------------------------------- analytics banner


@pytest.fixture
def metrica_on(settings):
    settings.YANDEX_METRICA_COUNTER_ID = COUNTER


def test_analytics_banner_off_no_banner_or_loader_even_with_a_counter(tree, metrica_on, set_flag):
    set_flag(ANALYTICS_BANNER, everyone=False)
    doc = parse(Client().get(path("home", "en")))
    assert doc.select_one("#analytics-consent") is None
    assert doc.select_one('script[src*="analytics"]') is None

    set_flag(ANALYTICS_BANNER, everyone=True)
    doc = parse(Client().get(path("home", "en")))
    assert doc.select_one("#analytics-consent") is not None


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_ENABLED = True
    caches["pages"].clear()
    yield caches["pages"]
    caches["pages"].clear()


def test_changing_the_banner_flag_purges_cached_pages(tree, metrica_on, page_cache, set_flag):
    url = path("home", "ru")
    client = Client()
    assert client.get(url).headers["X-Page-Cache"] == "miss"
    cached = client.get(url)
    assert cached.headers["X-Page-Cache"] == "hit"
    assert parse(cached).select_one("#analytics-consent") is not None

    set_flag(ANALYTICS_BANNER, everyone=False)

    fresh = client.get(url)
    assert fresh.headers["X-Page-Cache"] == "miss"
    assert parse(fresh).select_one("#analytics-consent") is None


def test_a_percentage_does_not_reach_cached_anonymous_pages(tree, metrica_on, page_cache, set_flag):
    """The cached copy is everybody's: only "on for everyone" puts the banner in it."""
    set_flag(ANALYTICS_BANNER, everyone=None, percent=Decimal("99.9"))
    response = Client().get(path("home", "ru"))
    assert response.headers["X-Page-Cache"] == "miss"
    assert parse(response).select_one("#analytics-consent") is None
    assert not response.cookies


# ---------------------------------------------------------------- the admin screen


def test_flags_are_listed_and_edited_in_the_admin_and_the_change_is_audited(db):
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    user = superuser()
    admin.force_login(user)
    flag = Flag.objects.get(name=RENTALS_BY_THE_HOUR)

    listing = admin.get(reverse("feature_flags:index"))
    assert listing.status_code == 200
    assert RENTALS_BY_THE_HOUR in listing.content.decode()
    assert ANALYTICS_BANNER in listing.content.decode()

    response = admin.post(
        reverse("feature_flags:edit", args=[flag.pk]),
        {
            "name": RENTALS_BY_THE_HOUR,
            "everyone": "unknown",
            "percent": "25",
            "staff": "on",
            "note": flag.note,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    flag.refresh_from_db()
    assert (flag.everyone, flag.percent, flag.staff) == (None, Decimal("25.0"), True)
    entry = ModelLogEntry.objects.get(action=FLAG_CHANGE_ACTION)
    assert entry.user_id == user.pk
    assert entry.object_id == str(flag.pk)
    assert entry.data["before"] == {
        "everyone": True,
        "percent": None,
        "staff": False,
        "superusers": True,
        "authenticated": False,
        "testing": False,
    }
    assert entry.data["after"]["everyone"] is None
    assert entry.data["after"]["percent"] == "25.0"
    assert entry.data["after"]["staff"] is True
    with translation.override("en"):
        assert entry.message == (
            "Feature flag rentals_by_the_hour changed: on for everyone → 25.0%, staff"
        )
    history = admin.get(reverse("feature_flags:history", args=[flag.pk]))
    assert history.status_code == 200


def test_a_bad_percentage_is_a_message_not_an_error(db):
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(superuser())
    flag = Flag.objects.get(name=ANALYTICS_BANNER)
    response = admin.post(
        reverse("feature_flags:edit", args=[flag.pk]),
        {"name": ANALYTICS_BANNER, "everyone": "unknown", "percent": "250"},
    )
    assert response.status_code == 200
    flag.refresh_from_db()
    assert flag.everyone is True
    assert not ModelLogEntry.objects.filter(action=FLAG_CHANGE_ACTION).exists()


def test_on_a_cached_yacht_page_the_live_booking_block_honours_the_percentage(
    yacht, page_cache, set_flag
):
    """The page's HTML is everybody's (the booking block is a shell in it); the block's
    live fragment, never cached, is where the visitor's draw decides."""
    set_flag(RENTALS_BY_THE_HOUR, everyone=None, percent=Decimal("50"))
    cookie = f"dwf_{RENTALS_BY_THE_HOUR}"
    drawn_in, drawn_out = Client(), Client()
    drawn_in.cookies[cookie] = "True"
    drawn_out.cookies[cookie] = "False"
    url = PAGE.format(prefix="ru")
    assert drawn_in.get(url).headers["X-Page-Cache"] == "miss"
    assert drawn_out.get(url).headers["X-Page-Cache"] == "hit"

    block = reverse("booking-block", kwargs={"product_id": yacht["plan"].product_id})
    fragment = {"HTTP_X_PRICHAL_FRAGMENT": "1"}
    assert parse(drawn_in.get(block, **fragment)).select_one("section.booking--rental")
    assert parse(drawn_out.get(block, **fragment)).select_one("section.booking--rental") is None


@pytest.mark.parametrize(
    ("everyone", "selected"), [(True, "true"), (False, "false"), (None, "unknown")]
)
def test_the_edit_form_shows_the_flags_state_so_an_untouched_save_keeps_it(db, everyone, selected):
    import re

    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(superuser())
    flag = Flag.objects.get(name=RENTALS_BY_THE_HOUR)
    Flag.objects.filter(pk=flag.pk).update(everyone=everyone)
    page = admin.get(reverse("feature_flags:edit", args=[flag.pk])).content.decode()
    select = re.search(r'<select name="everyone".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="(\w+)" selected>', select) == [selected]
    response = admin.post(
        reverse("feature_flags:edit", args=[flag.pk]),
        {"name": flag.name, "everyone": selected, "superusers": "on", "note": flag.note},
    )
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.everyone is everyone
