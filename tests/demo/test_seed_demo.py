"""`seed_demo` builds the demo company in three languages, and running it again changes
nothing.

The command commits as it goes (wagtail-localize publishes translated pages in on_commit
callbacks, and the order of those commits matters for the page tree), so it is tested
with real commits: one transactional test that seeds, checks, seeds again and compares.
Seeding takes tens of seconds, hence one test with many checks; every check runs and
all failures are reported together."""

import datetime
import io
import os
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.http import HttpRequest
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Site
from wagtail_localize.models import Translation, TranslationSource

from booking.models import (
    Departure,
    Order,
    Payment,
    Product,
    RentalPlan,
    TicketType,
    Venue,
    Vessel,
)
from booking.search import orders_search
from content.models import (
    CompanySettings,
    EventPage,
    ExcursionPage,
    HomePage,
    ListingPage,
    ProductPage,
    StandardPage,
    YachtPage,
)
from crm.roles import ROLES
from demo.history import KEY_PREFIX as HISTORY_KEY
from devservers.webhook_receiver import Receiver
from tests.helpers import card_links, parse

LANGUAGES = {"ru", "en", "zh-hans"}
PREFIX = {"ru": "ru", "en": "en", "zh-hans": "zh"}


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    print(*(line for line in out.getvalue().splitlines() if line.startswith("Timings")))


def snapshot() -> dict:
    pages = Counter(
        (page.specific_class.__name__, page.locale.language_code, page.live)
        for page in Page.objects.filter(depth__gt=1).select_related("locale", "content_type")
    )
    return {
        "pages": pages,
        "page paths": sorted(
            Page.objects.filter(depth__gt=1).values_list("locale__language_code", "url_path")
        ),
        "locales": sorted(Locale.objects.values_list("language_code", flat=True)),
        "sites": Site.objects.count(),
        "products": sorted(Product.objects.values_list("code", flat=True)),
        "ticket types": TicketType.objects.count(),
        "departures": Departure.objects.count(),
        "venues": sorted(Venue.objects.values_list("slug", flat=True)),
        "vessels": Vessel.objects.count(),
        "images": get_image_model().objects.count(),
        "users": sorted(get_user_model().objects.values_list("email", flat=True)),
        "company settings": CompanySettings.objects.count(),
    }


def check_locales(client):
    assert set(Locale.objects.values_list("language_code", flat=True)) == LANGUAGES


def check_site_root_is_a_russian_home_page_with_translations(client):
    site = Site.objects.get(is_default_site=True)
    root = site.root_page.specific

    assert isinstance(root, HomePage)
    assert root.locale.language_code == "ru"
    assert root.live
    translations = {p.locale.language_code for p in root.get_translations().live()}
    assert translations == {"en", "zh-hans"}
    # Wagtail's welcome page is gone: the only pages at the top are the homes.
    assert {type(p.specific) for p in Page.objects.filter(depth=2)} == {HomePage}


def check_translations_are_made_through_wagtail_localize(client):
    root = Site.objects.get(is_default_site=True).root_page
    source = TranslationSource.objects.get(
        object_id=root.translation_key, locale__language_code="ru"
    )
    targets = set(
        Translation.objects.filter(source=source).values_list(
            "target_locale__language_code", flat=True
        )
    )
    assert targets == {"en", "zh-hans"}


def check_listing_pages_exist_in_every_language(client):
    for slug in ("excursions", "yachts"):
        languages = set(
            ListingPage.objects.live()
            .filter(slug=slug)
            .values_list("locale__language_code", flat=True)
        )
        assert languages == LANGUAGES, slug


def check_every_page_type_is_seeded_in_every_language(client):
    for model in (HomePage, ListingPage, ExcursionPage, EventPage, YachtPage, StandardPage):
        languages = set(model.objects.live().values_list("locale__language_code", flat=True))
        assert languages == LANGUAGES, model.__name__


def check_product_pages_sell_products_with_prices_and_future_departures(client):
    pages = ProductPage.objects.live().filter(locale__language_code="ru")
    assert pages.exists()
    for page in pages:
        assert page.product_id, page.title
        assert page.product.ticket_types.filter(is_active=True).exists(), page.title
        assert page.intro, page.title
    for page in pages.exclude(product__kind=Product.Kind.RENTAL):
        assert page.product.departures.filter(
            status=Departure.Status.SCHEDULED, starts_at__gt=timezone.now()
        ).exists(), page.title


def check_the_sailing_yacht_is_rented_by_the_hour(client):
    """White Night is a rental plan (the customer picks the time, no fixed slots); North
    Star still sells fixed slots."""
    plan = RentalPlan.objects.get(product__code="yacht-white-night")
    assert (plan.min_minutes, plan.max_minutes, plan.step_minutes) == (120, 480, 60)
    assert plan.max_guests == 10 and plan.turnaround_minutes == 30
    assert plan.skipper == RentalPlan.Skipper.INCLUDED
    friday = {(f"{h.opens:%H:%M}", f"{h.closes:%H:%M}") for h in plan.hours.filter(weekday=4)}
    assert friday == {("10:00", "01:00")}, friday
    assert sorted(plan.rates.values_list("weekdays", "price_per_hour")) == [
        ("01234", 9000),
        ("56", 11000),
    ]
    assert sorted(plan.options.values_list("name_en", flat=True)) == [
        "Photographer on board",
        "Welcome drink",
    ]
    assert not plan.product.departures.filter(rental_booking__isnull=True).exists()
    assert Departure.objects.filter(product__code="yacht-north-star").exists()
    assert not RentalPlan.objects.filter(product__code="yacht-north-star").exists()
    page = YachtPage.objects.live().get(locale__language_code="ru", product=plan.product)
    for prefix in PREFIX.values():
        translated = page.get_translation(
            Locale.objects.get(language_code=prefix.replace("zh", "zh-hans"))
        )
        doc = parse(client.get(translated.url))
        assert doc.select_one("section.booking--rental [data-rental-timeline]"), prefix
        assert doc.select("form[data-rental-form] select[name=start] option"), prefix


def check_demo_admin_can_log_in(client):
    user = get_user_model().objects.get(email="admin@prichal.local")

    assert user.is_superuser and user.is_staff and user.is_active
    assert user.check_password("prichal-demo")
    assert client.login(
        request=HttpRequest(), username="admin@prichal.local", password="prichal-demo"
    )
    assert client.get("/admin/").status_code == 200


def check_marketer_opens_the_translation_editor(client):
    """A translated page opens in wagtail-localize's translation editor (not the plain page
    editor), and the Russian source in the normal one."""
    assert client.login(
        request=HttpRequest(), username="admin@prichal.local", password="prichal-demo"
    )
    english = ExcursionPage.objects.get(locale__language_code="en", slug="rivers-and-canals")
    russian = english.get_translation(Locale.objects.get(language_code="ru"))

    translated = client.get(f"/admin/pages/{english.pk}/edit/")
    assert translated.status_code == 200
    assert "header-meta--locales" in translated.content.decode()
    source = client.get(f"/admin/pages/{russian.pk}/edit/")
    assert source.status_code == 200
    assert "header-meta--locales" not in source.content.decode()


def check_demo_staff_have_their_roles(client):
    """One demo member of each staff role, signed in with the demo password; the crew
    member still checks in, the marketer sees no orders."""
    User = get_user_model()
    expected = {
        "crew@prichal.local": "Boarding crew",
        "manager@prichal.local": "Manager",
        "agent@prichal.local": "Agent",
        "marketer@prichal.local": "Marketer",
        "accountant@prichal.local": "Accountant",
    }
    for email, role in expected.items():
        user = User.objects.get(email=email)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert set(ROLES[role]) <= user.get_all_permissions(), email
        assert user.check_password("prichal-demo"), email
    assert User.objects.get(email="crew@prichal.local").has_perm("booking.check_in_ticket")
    assert not User.objects.get(email="marketer@prichal.local").has_perm("booking.view_order")
    assert client.login(
        request=HttpRequest(), username="agent@prichal.local", password="prichal-demo"
    )
    assert client.get("/admin/").status_code == 200
    client.logout()


def check_every_seeded_page_renders(client):
    """A crawl of the demo site: every live page in every language answers 200."""
    pages = Page.objects.live().public().filter(depth__gt=1).specific()
    urls = [page.get_url() for page in pages]
    assert len(urls) >= 3 * 6

    failures = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            failures[url] = response.status_code
    assert failures == {}


def check_demo_listing_shows_cards_in_every_language(client):
    for language in LANGUAGES:
        doc = parse(client.get(f"/{PREFIX[language]}/excursions/"))
        links = card_links(doc)
        assert links, language
        assert all(link.startswith(f"/{PREFIX[language]}/") for link in links)


def check_demo_company_details_are_filled_in(client):
    company = CompanySettings.for_site(Site.objects.get(is_default_site=True))

    assert company.legal_name and company.inn and company.address
    assert all(company.legal_pages), "every legal document page is set"


def check_demo_site_is_on_site_url(client):
    site = Site.objects.get(is_default_site=True)

    assert site.root_url == settings.SITE_URL


def check_booking_block_comes_right_after_the_introduction(client):
    for page in ProductPage.objects.live().specific():
        types = [block.block_type for block in page.body]
        assert types[0] == "booking", (page.url_path, page.locale_id, types)
        doc = parse(client.get(page.get_url()))
        link = doc.select_one("header.product-hero a[href='#booking']")
        assert link is not None, page.url_path


# Queries of an uncached page of the demo (`?uncached=1`, as bench/pages.py measures
# it) after a warm-up, with the menu and footer in the fragment cache as in production.
# The excursion's goal is issue 14's; the home page and the listing are as measured.
DEMO_PAGE_MAX_QUERIES = {"": 13, "excursions/": 10, "excursions/rivers-and-canals/": 12}


def check_uncached_demo_pages_keep_their_query_counts(client):
    client = Client()  # an anonymous visitor, whoever the other checks signed in
    fragments = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    with override_settings(CACHES={**settings.CACHES, "fragments": fragments}):
        for language in LANGUAGES:
            for page, maximum in DEMO_PAGE_MAX_QUERIES.items():
                url = f"/{PREFIX[language]}/{page}?uncached=1"
                assert client.get(url).status_code == 200, url
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(url).status_code == 200, url
                print(url, len(queries))
                assert len(queries) <= maximum, (url, [q["sql"] for q in queries])


CHECKS = [
    check_demo_site_is_on_site_url,
    check_booking_block_comes_right_after_the_introduction,
    check_locales,
    check_site_root_is_a_russian_home_page_with_translations,
    check_translations_are_made_through_wagtail_localize,
    check_listing_pages_exist_in_every_language,
    check_every_page_type_is_seeded_in_every_language,
    check_product_pages_sell_products_with_prices_and_future_departures,
    check_the_sailing_yacht_is_rented_by_the_hour,
    check_demo_admin_can_log_in,
    check_marketer_opens_the_translation_editor,
    check_demo_staff_have_their_roles,
    check_every_seeded_page_renders,
    check_demo_listing_shows_cards_in_every_language,
    check_demo_company_details_are_filled_in,
    check_uncached_demo_pages_keep_their_query_counts,
]


def check_demo_orders_are_bought_once(client):
    """The demo's customers bought through the emulator: the README's walk-through finds
    Anna Smirnova's orders by the phone typed the Russian way."""
    out = StringIO()
    call_command("seed_demo_orders", stdout=out)
    bought = Order.objects.exclude(payments__idempotence_key__startswith=HISTORY_KEY)
    statuses = Counter(bought.values_list("status", flat=True))
    assert statuses == {Order.Status.PAID: 5, Order.Status.AWAITING_PAYMENT: 1}, statuses
    assert (
        Payment.objects.filter(status=Payment.Status.SUCCEEDED)
        .exclude(idempotence_key__startswith=HISTORY_KEY)
        .count()
        == 5
    )
    found = {hit.order.email for hit in orders_search("8 (921) 555-01-23")}
    assert found == {"anna.smirnova@example.ru"}, found
    orders = Order.objects.count()
    call_command("seed_demo_orders", stdout=out)
    assert Order.objects.count() == orders
    assert "already there" in out.getvalue()


def check_the_history_fills_the_reports(client):
    """seed_demo_orders (run above) wrote months of past sales: the accountant's XLSX of
    last month's sales holds the totals of the orders paid that month, to the kopeck, and
    every report has rows."""
    from django.db.models import Count, Sum
    from openpyxl import load_workbook

    from booking.models import Refund, Ticket
    from booking.reports import occupancy_report, promotions_report, refunds_report

    first = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    last = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time(), zone)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(), zone)
    orders = Order.objects.filter(paid_at__gte=start, paid_at__lt=end)
    expected = orders.aggregate(count=Count("pk"), paid=Sum("total"))
    assert expected["count"] > 500, expected
    tickets = Ticket.objects.filter(order__in=orders).count()
    refunded = Refund.objects.filter(
        payment__order__in=orders, status=Refund.Status.SUCCEEDED
    ).aggregate(total=Sum("amount"))["total"]

    accountant = get_user_model().objects.get(email="accountant@prichal.local")
    staff = Client()
    staff.force_login(accountant)
    response = staff.get(
        "/admin/reports/sales/",
        {"date_from": first, "date_to": last, "period": "month", "export": "xlsx"},
    )
    assert response.status_code == 200, response.status_code
    sheet = list(load_workbook(io.BytesIO(response.content))["sales"].values)
    # Period, tickets, gross, discounts, fees, paid, refunds, net: the totals row last.
    _label, sold, _gross, _discounts, _fees, paid, refunds, _net = sheet[-1]
    assert sold == tickets, (sheet[-1], tickets)
    assert Decimal(str(paid)) == expected["paid"], (sheet[-1], expected)
    assert Decimal(str(refunds)) == refunded, (sheet[-1], refunded)

    refunds = refunds_report(date_from=first, date_to=last)
    reasons = {row[0] for row in refunds[0].rows[:-1]}
    assert len(reasons) >= 2, reasons  # the customers' own and the weather's
    assert len(promotions_report(date_from=first, date_to=last)[0].rows) > 1
    occupancy = occupancy_report(date_from=first, date_to=last)
    assert len(occupancy[0].rows) > 3, occupancy[0].rows

    # The funnel of those days: every step counted, each no more than the one before.
    from booking.reports import funnel_conversion

    counts = [count for _step, _label, count in funnel_conversion(30)]
    assert counts[-1] > 0 and counts == sorted(counts, reverse=True), counts

    # YooKassa's side of the history is at the emulator: the month reconciles.
    from booking.reconciliation import reconciliation_report

    reconciled = reconciliation_report(date_from=first, date_to=last)
    assert reconciled.provider_checked, reconciled.message
    assert reconciled.differences == 0, [
        (row, keys)
        for table in reconciled.tables
        for row, keys in zip(table.rows, table.differences, strict=True)
        if keys
    ][:5]
    assert all(len(table.rows) > 1 for table in reconciled.tables)


def check_the_crew_works_at_one_pier(client):
    from guardian.shortcuts import get_objects_for_user

    crew = get_user_model().objects.get(email="crew@prichal.local")
    piers = get_objects_for_user(crew, "booking.assigned_to_venue", klass=Venue)
    assert list(piers.values_list("slug", flat=True)) == ["dvortsovaya"]


def check_the_support_desk_has_live_cases(client):
    """seed_demo_orders (run above) also opened the demo's support cases: several states,
    live clocks, the agent on two queues; a second run opens none."""
    from guardian.shortcuts import get_objects_for_user

    from support.models import Case, Macro, Queue
    from support.services.sla import case_clock

    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert statuses == {
        Case.Status.NEW: 3,
        Case.Status.WAITING_CUSTOMER: 1,
        Case.Status.WAITING_US: 1,
        Case.Status.OPEN: 1,
        Case.Status.RESOLVED: 1,
    }, statuses
    states = {case.subject: case_clock(case).state for case in Case.objects.all()}
    assert states["Не пришли билеты после оплаты"] == "warning", states
    assert states["Boat left without us"] == "breached", states
    assert states["退票问题"] == "paused", states
    assert Case.objects.get(subject="Не пришли билеты после оплаты").order is not None
    agent = get_user_model().objects.get(email="agent@prichal.local")
    queues = get_objects_for_user(agent, "support.work_in_queue", klass=Queue)
    assert sorted(queues.values_list("slug", flat=True)) == ["refunds", "sales"]
    assert Macro.objects.count() == 3
    out = StringIO()
    call_command("seed_demo_orders", stdout=out)
    assert Case.objects.count() == 7
    assert "Demo support cases: already there" in out.getvalue()


pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_seed_demo(client, yookassa, settings):
    seed()
    first = snapshot()

    failures = []
    for check in CHECKS:
        try:
            check(client)
        except AssertionError as error:
            failures.append(f"{check.__name__}: {error}")

    seed()
    second = snapshot()
    for name in first:
        if second[name] != first[name]:
            failures.append(f"second run changed {name}: {first[name]!r} -> {second[name]!r}")

    settings.YOOKASSA_EMULATOR = True  # what `make run` has without shop credentials
    # What scripts/run.sh does: a receiver, and its address and secret for the subscription.
    receiver = Receiver("demo-receiver-secret")
    os.environ.update(DEMO_WEBHOOK_URL=receiver.url, DEMO_WEBHOOK_SECRET=receiver.secret)
    try:
        for check in (
            check_demo_orders_are_bought_once,
            check_the_history_fills_the_reports,
            check_the_crew_works_at_one_pier,
            check_the_support_desk_has_live_cases,
        ):
            try:
                check(client)
            except AssertionError as error:
                failures.append(f"{check.__name__}: {error}")
    finally:
        receiver.stop()
        del os.environ["DEMO_WEBHOOK_URL"], os.environ["DEMO_WEBHOOK_SECRET"]
    # The demo's paid orders reached the receiver signed (the history writes no events).
    paid = [item for item in receiver.received if item.event == "order.paid"]
    if len(paid) != 5 or not all(item.verified for item in paid):
        failures.append(f"demo webhooks: {[(i.event, i.verified) for i in receiver.received]}")

    assert failures == [], "\n".join(failures)
