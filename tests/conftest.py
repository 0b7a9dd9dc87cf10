"""Shared fixtures: a clean Wagtail site per test, the three locales, and a translated
page tree (ru source, en and zh-hans translations made the way editors make them)."""

import datetime
import os
import subprocess
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation
from wagtail.models import Locale, Page, Site

from booking.models import Product
from content.models import CompanySettings
from tests import factories
from tests.devservers.yookassa import emulator, gateway, recorder  # noqa: F401 (fixtures)
from tests.helpers import INTROS, LANGUAGES, TITLES
from tests.support.dovecot import imap_mailbox, imap_server  # noqa: F401 (fixtures)

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
# from a thread with a running loop unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BASE_DIR = Path(__file__).resolve().parent.parent


def pytest_sessionstart(session):
    """Compile the gettext catalogues (the .mo files are not committed) so that pages are
    rendered with the catalogues as they are in the working tree."""
    for po in sorted((BASE_DIR / "locale").glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(["msgfmt", "-o", str(mo), str(po)], check=False)
    # pytest-django may have set Django up (and cached the catalogues) already: Django
    # keeps its merged catalogues, and Python's gettext keeps every .mo file it has read
    # by path, so a catalogue read before it was compiled would otherwise live on.
    import gettext

    from django.utils.translation import trans_real

    gettext._translations.clear()
    trans_real._translations = {}
    trans_real._default = None


def _plain_transactional(item) -> bool:
    """A test that commits and is flushed afterwards without `serialized_rollback`."""
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    transactional = bool(names & {"transactional_db", "live_server"})
    serialized = "django_db_serialized_rollback" in names
    if marker is not None:
        transactional = transactional or marker.kwargs.get("transaction", False)
        serialized = serialized or marker.kwargs.get("serialized_rollback", False)
    return transactional and not serialized


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Plain transactional tests run last. Their flush fires post_migrate, which creates
    the content types again under new ids; a `serialized_rollback` test after that would
    restore the original rows and collide with them (a duplicate content type)."""
    items.sort(key=_plain_transactional)


def pytest_configure(config):
    # Static files are served by WhiteNoise from STATIC_ROOT, which only `collectstatic`
    # creates; the tests read static files through the finders instead.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


@pytest.fixture(autouse=True)
def _content_types_after_a_flush(request):
    """A plain transactional test may start right after the flush of a serialized-rollback
    test, which leaves no content types or permissions and stale ids in ContentType's
    cache: it starts from what the migrations would have made instead."""
    if not _plain_transactional(request.node):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    if not ContentType.objects.exists():
        for app_config in apps.get_app_configs():
            create_contenttypes(app_config, verbosity=0)
            create_permissions(app_config, verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Uploaded images and their renditions go to a temporary directory."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def _isolated_state():
    """Wagtail caches the site root paths in the cache, which outlives each test's
    rolled-back transaction; a request leaves its language active in the thread; the
    support desk's calendar is kept per process (support.services.sla)."""
    from support.services.sla import desk_calendar_forget

    cache.clear()
    desk_calendar_forget()
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
    cache.clear()
    desk_calendar_forget()


def make_locales():
    return {code: Locale.objects.get_or_create(language_code=code)[0] for code in LANGUAGES}


@pytest.fixture
def locales(db):
    return make_locales()


def translate(page, locale, **fields):
    """What an editor does: copy the page into the locale, edit it, publish it."""
    copy = page.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save_revision().publish()
    return Page.objects.get(pk=copy.pk).specific


def republish(page):
    page.save_revision().publish()
    return Page.objects.get(pk=page.pk).specific


@pytest.fixture
def home(locales):
    return make_home()


def make_home():
    """A Russian home page as the root of the default site, replacing Wagtail's welcome
    page."""
    root = Page.get_first_root_node()
    welcome = list(Page.objects.filter(depth=2))
    home = factories.HomePageFactory(parent=root, slug="prichal", title="Причал")
    Site.objects.all().delete()
    Site.objects.create(
        hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Причал"
    )
    for page in welcome:
        page.delete()
    return republish(home)


@dataclass
class Tree:
    locales: dict
    home: dict = field(default_factory=dict)
    listing: dict = field(default_factory=dict)
    excursion: dict = field(default_factory=dict)
    event: dict = field(default_factory=dict)
    yacht: dict = field(default_factory=dict)
    standard: dict = field(default_factory=dict)
    untranslated: object = None
    products: dict = field(default_factory=dict)
    departures: dict = field(default_factory=dict)
    piers: dict = field(default_factory=dict)
    image: object = None

    def pages(self, kind):
        return getattr(self, kind)


@pytest.fixture(scope="module")
def _module_tree(django_db_setup, django_db_blocker):
    """Building the translated tree takes a couple of seconds, so each test module builds
    it once inside a transaction that is rolled back when the module is done. Each test
    runs in a savepoint inside it (pytest-django's `db`), so what a test changes in the
    database is undone after it; tests must not change the Python objects of the tree."""
    with django_db_blocker.unblock(), transaction.atomic():
        cache.clear()
        yield build_tree(make_locales(), make_home())
        transaction.set_rollback(True)
    cache.clear()


@pytest.fixture
def tree(_module_tree, db):
    return _module_tree


def build_tree(locales, home):
    """The site in three languages:

    home ─┬─ listing "excursions" ─┬─ excursion (pier A, departure in 3 days)
          │                        ├─ event (pier B, departure in 5 days)
          │                        └─ yacht (pier A, rental, no departure)
          ├─ standard page "about" (also the privacy policy in the footer)
          └─ standard page only in Russian
    """
    t = Tree(locales=locales)
    t.home["ru"] = home
    t.piers["a"] = factories.VenueFactory(name="Дворцовая пристань", slug="dvortsovaya")
    t.piers["b"] = factories.VenueFactory(name="Пристань у Летнего сада", slug="letniy-sad")
    today = timezone.localdate()

    def product(kind, code, venue, prices):
        item = factories.ProductFactory(kind=kind, code=code, venue=venue)
        for order, (price, active) in enumerate(prices):
            factories.TicketTypeFactory(
                product=item, price=Decimal(price), is_active=active, sort_order=order
            )
        return item

    t.products["excursion"] = product(
        Product.Kind.EXCURSION,
        "white-nights",
        t.piers["a"],
        [("2500", True), ("1500", True), ("500", False)],
    )
    t.products["event"] = product(
        Product.Kind.EVENT, "jazz", t.piers["b"], [("3200", True), ("2800.50", True)]
    )
    t.products["yacht"] = product(Product.Kind.RENTAL, "assol", t.piers["a"], [("18000", True)])
    vessel = factories.VesselFactory()
    t.departures["excursion"] = factories.DepartureFactory(
        product=t.products["excursion"],
        vessel=vessel,
        starts_at=factories.moscow_datetime(today + datetime.timedelta(days=3), 21),
    )
    t.departures["event"] = factories.DepartureFactory(
        product=t.products["event"],
        vessel=vessel,
        starts_at=factories.moscow_datetime(today + datetime.timedelta(days=5), 20),
    )
    t.image = factories.ImageFactory()

    t.listing["ru"] = factories.ListingPageFactory(
        parent=home, title=TITLES["listing"]["ru"], slug="excursions", show_in_menus=True
    )
    page_kwargs = {"intro": INTROS["ru"], "image": t.image}
    t.excursion["ru"] = factories.ExcursionPageFactory(
        parent=t.listing["ru"],
        title=TITLES["excursion"]["ru"],
        slug="white-nights",
        product=t.products["excursion"],
        **page_kwargs,
    )
    t.event["ru"] = factories.EventPageFactory(
        parent=t.listing["ru"],
        title=TITLES["event"]["ru"],
        slug="jazz",
        product=t.products["event"],
        **page_kwargs,
    )
    t.yacht["ru"] = factories.YachtPageFactory(
        parent=t.listing["ru"],
        title=TITLES["yacht"]["ru"],
        slug="assol",
        product=t.products["yacht"],
        **page_kwargs,
    )
    t.standard["ru"] = factories.StandardPageFactory(
        parent=home, title=TITLES["standard"]["ru"], slug="about", show_in_menus=True
    )
    t.untranslated = factories.StandardPageFactory(
        parent=home, title="Только по-русски", slug="only-russian"
    )
    # Factories save pages without revisions; publishing gives them one, as in the admin.
    for kind in ("listing", "excursion", "event", "yacht", "standard"):
        t.pages(kind)["ru"] = republish(t.pages(kind)["ru"])
    t.untranslated = republish(t.untranslated)

    for code in ("en", "zh-hans"):
        locale = locales[code]
        t.home[code] = translate(home, locale, title=TITLES["home"][code])
        for kind in ("listing", "excursion", "event", "yacht", "standard"):
            extra = {"intro": INTROS[code]} if kind in ("excursion", "event", "yacht") else {}
            t.pages(kind)[code] = translate(
                t.pages(kind)["ru"], locale, title=TITLES[kind][code], **extra
            )

    company = CompanySettings.for_site(Site.objects.get(is_default_site=True))
    company.privacy_policy_page = t.standard["ru"]
    company.phone = "+7 812 000-00-00"
    company.save()
    return t


@dataclass
class YooKassa:
    """A running YooKassa emulator the site's gateway talks to (real HTTP, real SDK)."""

    server: object

    @property
    def url(self) -> str:
        return self.server.url

    def payment(self, payment_id: str) -> dict:
        import requests

        response = requests.get(
            f"{self.server.api_url}/payments/{payment_id}",
            auth=("emulator", "test_emulator_key"),
            timeout=5,
        )
        response.raise_for_status()
        return response.json()

    def settle(self, payment_id: str, outcome: str = "succeed") -> dict:
        """The customer pressed "Pay" (`succeed`) or "Decline" (`decline`)."""
        import requests

        response = requests.post(
            f"{self.server.url}/emulator/payments/{payment_id}/{outcome}", timeout=5
        )
        response.raise_for_status()
        return response.json()

    def notifications(self) -> dict:
        import requests

        return requests.get(f"{self.server.url}/emulator/notifications", timeout=5).json()


@pytest.fixture
def yookassa(settings):
    """The emulator on a free port, with the site's settings pointing at it. It sends no
    notifications unless a test sets `yookassa.server.emulator.notification_url`."""
    from devservers.yookassa import EmulatorServer

    server = EmulatorServer(notification_url=None, retry_delays=(0.2, 0.5)).start()
    settings.YOOKASSA_SHOP_ID = "emulator"
    settings.YOOKASSA_SECRET_KEY = "test_emulator_key"
    settings.YOOKASSA_API_URL = server.api_url
    yield YooKassa(server)
    server.stop()
