"""The reports through the CRM API (crm.api.reports): the same figures as the screens over
the May of tests/crm/reports_world.py, per role; bad filters a translated 422; the
operations in the OpenAPI document."""

import pytest
from django.test import Client

from crm import roles
from tests.crm.api.helpers import api_for
from tests.crm.reports_world import build_world

pytestmark = pytest.mark.django_db

MAY = {"date_from": "2026-05-01", "date_to": "2026-05-31"}
NAMES = ("sales", "refunds", "promotions", "occupancy")


@pytest.mark.parametrize(
    "role, status",
    [
        (roles.ADMINISTRATOR, 200),
        (roles.MANAGER, 200),
        (roles.ACCOUNTANT, 200),
        (roles.AGENT, 403),
    ],
)
def test_who_may_pull_the_reports(role, status):
    api = api_for(role)
    for name in NAMES:
        response = api.get(f"/reports/{name}", MAY)
        assert response.status_code == status, name
        if status == 403:
            assert response.json()["code"] == "forbidden"


def test_the_sales_report_as_json():
    build_world()
    response = api_for(roles.ACCOUNTANT).get(
        "/reports/sales", {**MAY, "period": "month", "group": "promo_code"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["report"], body["date_from"], body["date_to"]) == ("sales", *MAY.values())
    sales, vat = body["tables"]
    assert [c["key"] for c in sales["columns"]] == [
        "period",
        "group",
        "tickets",
        "gross",
        "discounts",
        "fees",
        "paid",
        "refunds",
        "net",
    ]
    assert sales["has_totals"] is True
    assert sales["rows"][-1] == [
        "Итого",
        "",
        7,
        "10800.00",
        "300.00",
        "600.00",
        "11100.00",
        "4950.00",
        "6150.00",
    ]
    assert [
        "2026-05",
        "SUMMER",
        2,
        "3000.00",
        "300.00",
        "150.00",
        "2850.00",
        "0.00",
        "2850.00",
    ] in (sales["rows"])
    assert vat["rows"][-1] == ["Итого", 7, "6150.00", "1081.97"]


def test_the_other_reports_as_json():
    build_world()
    api = api_for(roles.MANAGER, language="en")
    refunds = api.get("/reports/refunds", MAY).json()["tables"][0]
    assert refunds["rows"][-1] == ["Total", 3, 3, "4950.00"]
    promotions = api.get("/reports/promotions", MAY).json()["tables"][0]
    assert promotions["rows"][0][:3] == ["SUMMER", 1, 2]
    occupancy = api.get("/reports/occupancy", MAY).json()["tables"][0]
    assert occupancy["rows"][-1] == ["Total", 30, 6, 3, 3, 0.2]


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-05-31", "date_to": "2026-05-01"},
        {"date_from": "31.13.2026"},
        {"period": "decade"},
        {"product": "abc"},
        {"pier": "999999"},
        {"promotion": "NOSUCH"},
        {"product": "99999999999999999999"},
        {"departure": "99999999999999999999"},
        {"ticket_type": "1e3"},
    ],
)
def test_bad_filters_are_a_translated_422(params):
    api = api_for(roles.ACCOUNTANT)
    response = api.get("/reports/sales", params, language="ru")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_filters"
    assert body["message"].startswith("Фильтры заданы неверно")


def test_the_reports_are_in_the_openapi_document():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for name in NAMES:
        operation = paths[f"/api/v1/crm/reports/{name}"]["get"]
        assert {"200", "403", "422"} <= set(operation["responses"])
    sales = paths["/api/v1/crm/reports/sales"]["get"]
    assert {"date_from", "date_to", "period", "group", "promotion", "channel"} <= {
        p["name"] for p in sales["parameters"]
    }
