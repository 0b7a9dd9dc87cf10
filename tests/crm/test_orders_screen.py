"""The CRM's orders: the listing (columns on the pier's clock, filters, a fixed number of
queries, CSV/XLSX export written to the audit trail) and the order screen (customer,
departure, tickets with their state, payments, refunds, consents, timeline, history), all
through the order policy; no add, edit or delete; a marketer is refused."""

import csv
import datetime
import io
import zoneinfo

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from booking.models import Order, Payment, Refund, Ticket
from crm import roles
from tests import factories
from tests.factories import general_departure, placed_order
from tests.factories.people import signed_in_client as client_of
from tests.factories.people import staff_member as staff

pytestmark = pytest.mark.django_db

VLADIVOSTOK = "Asia/Vladivostok"


@pytest.fixture
def agent():
    return staff(roles.AGENT)


@pytest.fixture
def agent_client(agent):
    return client_of(agent)


def far_departure(**kwargs):
    """A departure from a pier in Vladivostok (UTC+10), 20 days away at 21:30 there."""
    venue = factories.VenueFactory(timezone=VLADIVOSTOK, name="Морской вокзал")
    day = timezone.localdate() + datetime.timedelta(days=20)
    starts = datetime.datetime.combine(
        day, datetime.time(21, 30), tzinfo=zoneinfo.ZoneInfo(VLADIVOSTOK)
    )
    return general_departure(venue=venue, starts_at=starts, **kwargs)


@pytest.fixture
def order():
    return placed_order(far_departure(), paid=True, name="Анна Смирнова")


def text(response) -> str:
    return response.content.decode()


# The listing ---------------------------------------------------------------------------


def test_the_listing_shows_the_orders_with_the_departure_on_the_pier_clock(agent_client, order):
    page = text(agent_client.get(reverse("crm_orders:index")))
    assert order.code in page
    assert "Анна Смирнова" in page
    assert "21:30" in page  # Vladivostok's clock, not Moscow's (14:30)
    assert "14:30" not in page
    assert reverse("crm_orders:inspect", args=[order.pk]) in page
    assert 'action="/admin/crm/search/"' in page


def test_the_listing_filters(agent_client, order):
    unpaid = placed_order(general_departure(), email="boris@example.com", name="Борис Петров")
    url = reverse("crm_orders:index")
    paid_only = text(agent_client.get(url, {"status": Order.Status.PAID}))
    assert order.code in paid_only and unpaid.code not in paid_only
    by_pier = text(agent_client.get(url, {"pier": unpaid.departure.venue_id}))
    assert unpaid.code in by_pier and order.code not in by_pier
    today = timezone.localdate().isoformat()
    by_paid_day = text(agent_client.get(url, {"paid_at_from": today, "paid_at_to": today}))
    assert order.code in by_paid_day and unpaid.code not in by_paid_day


@pytest.mark.parametrize(
    "params",
    [
        {"status": "nonsense"},
        {"departure_date_from": "not-a-date"},
        {"pier": "x"},
        {"promo_code": "\x00"},
        {"q": "a" * 5000},
        {"ordering": "nonsense"},
    ],
)
def test_bad_filters_are_no_error(agent_client, order, params):
    response = agent_client.get(reverse("crm_orders:index"), params)
    assert response.status_code == 200


def _many_orders(count: int):
    departure = far_departure(capacity=200)
    for number in range(count):
        placed_order(departure, paid=number % 2 == 0, email=f"buyer{number}@example.com")


@pytest.mark.parametrize("count", [1, 30])
def test_the_listing_is_a_fixed_number_of_queries(
    agent_client, count, django_assert_max_num_queries
):
    _many_orders(count)
    agent_client.get(reverse("crm_orders:index"))  # warm the session and content types
    with django_assert_max_num_queries(20):
        response = agent_client.get(reverse("crm_orders:index"))
    assert response.status_code == 200
    assert text(response).count("/admin/crm/orders/inspect/") >= count


def test_no_add_edit_or_delete(agent_client, order):
    for name, args in (("add", []), ("edit", [order.pk]), ("delete", [order.pk])):
        with pytest.raises(NoReverseMatch):
            reverse(f"crm_orders:{name}", args=args)
    page = text(agent_client.get(reverse("crm_orders:index")))
    assert "/edit/" not in page and "/delete/" not in page


# Export --------------------------------------------------------------------------------


def test_csv_export_writes_the_rows_and_an_audit_entry(agent_client, agent, order):
    other = placed_order(general_departure())
    response = agent_client.get(
        reverse("crm_orders:index"), {"export": "csv", "status": Order.Status.PAID}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2  # the heading and the one paid order
    assert rows[1][0] == order.code
    assert "21:30" in " ".join(rows[1])
    assert other.code not in str(rows)
    entry = ModelLogEntry.objects.get(action="prichal.order.export")
    assert entry.user_id == agent.pk
    assert entry.data["rows"] == 1
    assert entry.data["format"] == "csv"
    assert entry.data["filters"]["status"] == Order.Status.PAID
    assert "Смирнова" not in entry.label and "@" not in entry.label


def test_xlsx_export(agent_client, order):
    response = agent_client.get(reverse("crm_orders:index"), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][0] == order.code
    assert ModelLogEntry.objects.filter(
        action="prichal.order.export", data__rows=1, data__format="xlsx"
    ).exists()


# The order screen -----------------------------------------------------------------------


def test_the_order_screen(agent_client, agent, order):
    tickets = list(order.tickets.order_by("pk"))
    boarded_at = datetime.datetime(2030, 1, 1, 8, 5, tzinfo=datetime.UTC)  # 18:05 there
    Ticket.objects.filter(pk=tickets[0].pk).update(checked_in_at=boarded_at)
    payment = order.payments.get()
    Refund.objects.create(
        payment=payment,
        idempotence_key="refund-test",
        provider_id="yk-refund-42",
        amount=tickets[1].paid_amount,
        reason=Refund.Reason.CUSTOMER,
        status=Refund.Status.SUCCEEDED,
    )
    log(order, "wagtail.edit", user=agent, title=order.code)

    response = agent_client.get(reverse("crm_orders:inspect", args=[order.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "Анна Смирнова" in page
    assert reverse("crm_customers:inspect", args=[order.customer_id]) in page
    assert "Морской вокзал" in page and "21:30" in page
    assert "boarded at 18:05" in page or "на борту с 18:05" in page
    assert payment.provider_id in page and "yk-refund-42" in page
    assert "12.34" in page  # the consent document's version given at checkout
    assert 'id="crm-order-timeline"' in page
    assert response.context["timeline"], "the log entry is on the timeline"
    assert reverse("crm_orders:history", args=[order.pk]) in page
    entry = ModelLogEntry.objects.get(action="prichal.personal_data.view")
    assert entry.user_id == agent.pk
    assert entry.object_id == str(order.customer_id)
    assert entry.data == {"screen": "order", "order_id": order.pk, "client_address": "127.0.0.1"}
    assert "Смирнова" not in entry.label


def test_the_order_history_is_open_to_an_accountant(order):
    client = client_of(staff(roles.ACCOUNTANT))
    assert client.get(reverse("crm_orders:history", args=[order.pk])).status_code == 200
    page = text(client.get(reverse("crm_orders:inspect", args=[order.pk])))
    # An accountant reads orders but not customers: no link to the customer screen.
    assert reverse("crm_customers:inspect", args=[order.customer_id]) not in page


def test_an_unknown_order_is_404(agent_client):
    assert agent_client.get(reverse("crm_orders:inspect", args=[999999])).status_code == 404


# A marketer ------------------------------------------------------------------------------


def test_a_marketer_sees_no_orders(order):
    client = client_of(staff(roles.MARKETER))
    for url in (
        reverse("crm_orders:index"),
        reverse("crm_orders:index") + "?export=csv",
        reverse("crm_orders:inspect", args=[order.pk]),
        reverse("crm_orders:history", args=[order.pk]),
    ):
        assert client.get(url).status_code == 403, url
    home = text(client.get(reverse("wagtailadmin_home")))
    assert "/admin/crm/orders/" not in home
    assert "/admin/crm/customers/" not in home
    assert not ModelLogEntry.objects.filter(action="prichal.order.export").exists()


def test_the_crm_menu_holds_the_console_and_the_booking_editors(agent_client):
    home = text(agent_client.get(reverse("wagtailadmin_home")))
    assert "/admin/crm/orders/" in home
    assert "/admin/crm/customers/" in home
    assert "/admin/snippets/booking/departure/" in home


def test_payments_are_listed_with_their_status(agent_client, order):
    Payment.objects.create(
        order=order,
        idempotence_key="second",
        provider_id="yk-duplicate-7",
        status=Payment.Status.CANCELED,
        amount=order.total,
    )
    page = text(agent_client.get(reverse("crm_orders:inspect", args=[order.pk])))
    assert "yk-duplicate-7" in page


def test_an_accountant_sees_orders_but_not_customers_in_the_menu(order):
    home = text(client_of(staff(roles.ACCOUNTANT)).get(reverse("wagtailadmin_home")))
    assert "/admin/crm/orders/" in home
    assert "/admin/crm/customers/" not in home


def test_the_site_history_report_shows_the_console_entries(admin_client, agent_client, order):
    agent_client.get(reverse("crm_orders:inspect", args=[order.pk]))
    agent_client.get(reverse("crm_orders:index"), {"export": "csv"})
    agent_client.get("/admin/crm/search/", {"q": "Смирнова"})
    response = admin_client.get(reverse("wagtailadmin_reports:site_history"))
    assert response.status_code == 200
    page = text(response)
    assert "Выгрузка заказов" in page
    assert "Просмотр персональных данных" in page
    assert "Поиск заказов" in page
    # The viewed customer's entry links to the customer's screen (not an edit form).
    assert reverse("crm_customers:inspect", args=[order.customer_id]) in page


def test_an_order_the_policy_refuses_is_403(agent_client, order, monkeypatch):
    from crm.permissions import order_policy

    monkeypatch.setattr(
        order_policy, "user_has_permission_for_instance", lambda user, action, obj: False
    )
    response = agent_client.get(reverse("crm_orders:inspect", args=[order.pk]))
    assert response.status_code == 403
    assert not ModelLogEntry.objects.filter(action="prichal.personal_data.view").exists()


def test_export_times_are_on_the_site_clock(agent_client, order):
    response = agent_client.get(reverse("crm_orders:index"), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    created = timezone.localtime(Order.objects.get(pk=order.pk).created_at)
    assert rows[1][1] == created.strftime("%Y-%m-%d %H:%M")
    xlsx = agent_client.get(reverse("crm_orders:index"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    cell = sheet.cell(row=2, column=2).value
    assert cell.replace(second=0, microsecond=0) == created.replace(
        tzinfo=None, second=0, microsecond=0
    )
