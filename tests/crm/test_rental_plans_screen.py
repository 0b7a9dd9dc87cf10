"""The rental plans' set-up screen (crm.viewsets.rentals): who may use it, a plan saved with
its hours, rates and extras from one form, and the model's rules shown as form errors."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from booking.models import Product, RentalPlan
from crm import roles
from tests import factories
from tests.factories import rental_plan
from tests.factories.people import staff_member

pytestmark = pytest.mark.django_db

URLS = "wagtailsnippets_booking_rentalplan"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def client_of(role: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff_member(role))
    return client


def allowed(response) -> bool:
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home"), (
        response.status_code
    )
    return False


@pytest.mark.parametrize(
    ("role", "view", "change"),
    [
        (roles.ADMINISTRATOR, True, True),
        (roles.MANAGER, True, True),
        (roles.AGENT, True, False),
        (roles.MARKETER, False, False),
        (roles.BOARDING_CREW, False, False),
        (roles.ACCOUNTANT, False, False),
    ],
)
def test_who_may_see_and_edit_rental_plans(role, view, change):
    plan = rental_plan()
    client = client_of(role)

    assert allowed(client.get(reverse(f"{URLS}:list"))) is view
    assert allowed(client.get(reverse(f"{URLS}:add"))) is change
    assert allowed(client.get(reverse(f"{URLS}:edit", args=[plan.pk]))) is change
    assert allowed(client.get(reverse(f"{URLS}:delete", args=[plan.pk]))) is change


def inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def plan_post(product, vessel, venue, **overrides) -> dict:
    data = {
        "product": product.pk,
        "vessel": vessel.pk,
        "venue": venue.pk,
        "min_minutes": "120",
        "max_minutes": "480",
        "step_minutes": "60",
        "turnaround_minutes": "30",
        "notice_minutes": "120",
        "horizon_days": "60",
        "fixed_price": "2000",
        "max_guests": "10",
        "skipper": "included",
        "skipper_price_per_hour": "0",
        **inline(
            "hours",
            [
                {"weekday": "4", "opens": "10:00", "closes": "01:00"},
                {"weekday": "0", "opens": "10:00", "closes": "23:00"},
            ],
        ),
        **inline("rates", [{"weekdays": "01234", "price_per_hour": "9000"}]),
        **inline(
            "options",
            [
                {
                    "name": "Фотограф",
                    "name_en": "Photographer",
                    "name_zh": "摄影师",
                    "price": "3000",
                    "per_hour": "on",
                    "is_active": "on",
                    "sort_order": "1",
                }
            ],
        ),
    }
    data.update(overrides)
    return data


@pytest.fixture
def catalogue():
    venue = factories.VenueFactory()
    product = factories.ProductFactory(kind=Product.Kind.RENTAL, venue=venue)
    vessel = factories.VesselFactory(capacity=12)
    return product, vessel, venue


def test_a_manager_sets_up_a_plan_with_its_hours_rates_and_extras(catalogue):
    product, vessel, venue = catalogue
    client = client_of(roles.MANAGER)

    response = client.post(reverse(f"{URLS}:add"), plan_post(product, vessel, venue))

    assert response.status_code == 302, response.content.decode()[:3000]
    plan = RentalPlan.objects.get(product=product)
    assert plan.max_guests == 10 and plan.fixed_price == Decimal("2000")
    assert sorted(
        (h.weekday, f"{h.opens:%H:%M}", f"{h.closes:%H:%M}") for h in plan.hours.all()
    ) == [
        (0, "10:00", "23:00"),
        (4, "10:00", "01:00"),
    ]
    assert [(r.weekdays, r.price_per_hour) for r in plan.rates.all()] == [
        ("01234", Decimal("9000"))
    ]
    (option,) = plan.options.all()
    assert option.name_en == "Photographer" and option.per_hour
    # The plan's one ticket type, sold on each rental's own price; its "from" price is
    # the shortest rental at the cheapest rate with the fixed part (2 × 9 000 + 2 000).
    (ticket_type,) = product.ticket_types.all()
    assert ticket_type.departures_only and ticket_type.price == Decimal("20000")
    # The audit trail has the creation.
    from wagtail.models import ModelLogEntry

    assert ModelLogEntry.objects.filter(object_id=str(plan.pk), action="wagtail.create").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"max_guests": "40"}, "The vessel takes 12 passengers at most."),
        ({"min_minutes": "90"}, "Make it a multiple of the step (60 minutes)."),
        (
            {"min_minutes": "240", "max_minutes": "120"},
            "The longest rental is shorter than the shortest.",
        ),
        (
            {"rates-0-valid_from": "2027-06-01", "rates-0-valid_until": "2027-05-01"},
            "The season ends before it starts.",
        ),
        ({"rates-0-weekdays": "019"}, "Choose at least one weekday."),
    ],
)
def test_the_rules_show_as_form_errors(catalogue, overrides, message):
    product, vessel, venue = catalogue
    client = client_of(roles.ADMINISTRATOR)

    response = client.post(reverse(f"{URLS}:add"), plan_post(product, vessel, venue, **overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RentalPlan.objects.exists()


def test_a_product_of_another_kind_is_refused(catalogue):
    _product, vessel, venue = catalogue
    excursion = factories.ProductFactory(kind=Product.Kind.EXCURSION, venue=venue)
    client = client_of(roles.MANAGER)

    response = client.post(reverse(f"{URLS}:add"), plan_post(excursion, vessel, venue))

    assert response.status_code == 200
    assert not RentalPlan.objects.exists()


def test_an_edit_changes_a_rate_and_removes_an_extra():
    plan = rental_plan()
    client = client_of(roles.MANAGER)
    hours = list(plan.hours.all())
    rates = list(plan.rates.all())
    options = list(plan.options.all())
    data = plan_post(plan.product, plan.vessel, plan.venue)
    data.update(
        inline(
            "hours",
            [
                {
                    "id": str(h.pk),
                    "weekday": str(h.weekday),
                    "opens": f"{h.opens:%H:%M}",
                    "closes": f"{h.closes:%H:%M}",
                }
                for h in hours
            ],
            initial=len(hours),
        )
    )
    data.update(
        inline(
            "rates",
            [
                {
                    "id": str(r.pk),
                    "weekdays": r.weekdays,
                    "price_per_hour": "9500" if r.weekdays == "01234" else str(r.price_per_hour),
                }
                for r in rates
            ],
            initial=len(rates),
        )
    )
    data.update(
        inline(
            "options",
            [
                {
                    "id": str(o.pk),
                    "name": o.name,
                    "name_en": o.name_en,
                    "name_zh": o.name_zh,
                    "price": str(o.price),
                    "per_hour": "on" if o.per_hour else "",
                    "is_active": "on",
                    "sort_order": str(o.sort_order),
                    "DELETE": "on" if o.name_en == "Welcome drink" else "",
                }
                for o in options
            ],
            initial=len(options),
        )
    )

    response = client.post(reverse(f"{URLS}:edit", args=[plan.pk]), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert plan.rates.get(weekdays="01234").price_per_hour == Decimal("9500")
    assert [o.name_en for o in plan.options.all()] == ["Photographer"]
    assert plan.hours.count() == 7
