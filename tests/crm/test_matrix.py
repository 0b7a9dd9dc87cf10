"""The README's role × screen × action matrix, walked cell by cell.

The table under "### Role × screen × action" is parsed from README.md; each of its rows is
performed by a function of `CHECKS` (label → check(ctx) -> allowed?) as a member of each
role's real group (`crm.roles`), through the screens (a signed-in test client) or the CRM
API (a Wagtail API token). A cell "✓…" must be allowed (the screen answers, or the action
is really done: a refund through the YooKassa emulator, a message in the outbox), a cell
"—" refused (403; Wagtail's own screens redirect to the dashboard; the API 403/404) with
nothing changed. A README row without a check, or a check without a README row, fails.

The world (users, tokens, departures at piers A and B, orders paid through the emulator)
is built once for the module inside a transaction rolled back at its end; each cell runs
in a savepoint of it, so a refund or a cancellation in one cell is gone in the next."""

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm
from wagtail.models import ModelLogEntry

from booking.gateways import sms
from booking.models import (
    MessageTemplate,
    Order,
    OrderNote,
    Product,
    Promotion,
    Refund,
    RentalPlan,
    SentMessage,
    ServiceFee,
    Ticket,
    WebhookDelivery,
    WebhookSubscription,
)
from crm import roles
from crm.audit import MANIFEST_ACTION, personal_data_viewed
from crm.permissions import VENUE_ASSIGNMENT
from crm.views.support_phone import case_url
from support.models import CalendarOverride, Case, CaseMessage, Queue, SlaPolicy, WorkingHours
from support.services.cases import CaseRequest, case_open
from tests.booking.refunds.helpers import paid_through_yookassa, pier_departure
from tests.conftest import make_home, make_locales
from tests.crm.api.helpers import TokenClient, token_for
from tests.factories import make_user, placed_order, rental_plan

README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = "### Role × screen × action"
ALLOWED, REFUSED = "✓", "—"


# The table -------------------------------------------------------------------------------


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def parse_matrix(text: str) -> tuple[list[str], dict[str, dict[str, str]]]:
    """The roles (columns) and, per row label, each role's cell text."""
    table = []
    for line in text.split(HEADING, 1)[1].splitlines():
        if line.startswith("|"):
            table.append(line)
        elif table:
            break  # the first table after the heading, to its end
    header, separator, *rows = table
    assert set(separator.replace("|", "").replace("-", "").strip()) <= {":", ""}
    roles_ = _cells(header)[1:]
    matrix = {}
    for line in rows:
        label, *cells = _cells(line)
        assert len(cells) == len(roles_), f"row {label!r}: {len(cells)} cells"
        assert label not in matrix, f"row {label!r} twice"
        matrix[label] = dict(zip(roles_, cells, strict=True))
    return roles_, matrix


ROLES, MATRIX = parse_matrix(README.read_text(encoding="utf-8"))


def expected(cell: str) -> bool:
    if cell.startswith(ALLOWED):
        return True
    assert cell == REFUSED, f"a cell is {ALLOWED!r} (with a qualifier) or {REFUSED!r}: {cell!r}"
    return False


# The world -------------------------------------------------------------------------------


@dataclass
class World:
    users: dict
    tokens: dict
    departure_a: object
    departure_b: object
    # Per role: an order paid through YooKassa for the screens' refund and one for the API's.
    screen_orders: dict
    api_orders: dict
    order: Order  # a paid order anyone may look at
    unpaid: Order
    page: object
    case: Case  # a support case in the queue the agent works in


def _role_user(role: str):
    user = make_user(f"{role.lower().replace(' ', '-')}@matrix.example")
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from devservers.yookassa import EmulatorServer

    server = EmulatorServer(notification_url=None, retry_delays=(0.2, 0.5)).start()
    gateway = override_settings(
        YOOKASSA_SHOP_ID="emulator",
        YOOKASSA_SECRET_KEY="test_emulator_key",
        YOOKASSA_API_URL=server.api_url,
    )
    try:
        with gateway, django_db_blocker.unblock(), transaction.atomic():
            cache.clear()
            make_locales()
            page = make_home()
            soon = timezone.now() + datetime.timedelta(days=20)
            departure_a = pier_departure(starts_at=soon, capacity=40)
            departure_b = pier_departure(starts_at=soon + datetime.timedelta(hours=2))
            users = {role: _role_user(role) for role in roles.ROLES}
            # The crew member is assigned to pier A (a guardian object permission).
            assign_perm(VENUE_ASSIGNMENT, users[roles.BOARDING_CREW], departure_a.venue)
            tokens = {role: token_for(user)[1] for role, user in users.items()}
            # A support case in the sales queue, where the agent works (guardian).
            sales = Queue.objects.get(slug="sales")
            assign_perm("support.work_in_queue", users[roles.AGENT], sales)
            case = case_open(
                request=CaseRequest(
                    channel=Case.Channel.EMAIL,
                    subject="Забыл рюкзак",
                    body="Синий рюкзак, рейс в 11:00.",
                    email="case@matrix.example",
                    name="Ольга",
                ),
                queue=sales,
            )
            allowed_refunds = [r for r in ROLES if expected(MATRIX["Order: refund tickets"][r])]
            allowed_api = [r for r in ROLES if expected(MATRIX["CRM API: refund, resend"][r])]
            yield World(
                users=users,
                tokens=tokens,
                departure_a=departure_a,
                departure_b=departure_b,
                screen_orders={
                    role: paid_through_yookassa(departure_a, email=f"s{i}@example.com")
                    for i, role in enumerate(allowed_refunds)
                },
                api_orders={
                    role: paid_through_yookassa(departure_a, email=f"a{i}@example.com")
                    for i, role in enumerate(allowed_api)
                },
                order=paid_through_yookassa(
                    departure_a, email="anna@example.com", name="Анна Смирнова"
                ),
                unpaid=placed_order(departure_a, email="late@example.com"),
                page=page,
                case=case,
            )
            transaction.set_rollback(True)
    finally:
        server.stop()
        cache.clear()


@dataclass
class Ctx:
    role: str
    user: object
    client: Client
    api: TokenClient
    world: World
    capture: object  # django_capture_on_commit_callbacks

    def order_for_refund(self, kind: str) -> Order:
        orders = self.world.screen_orders if kind == "screen" else self.world.api_orders
        return orders.get(self.role, self.world.order)


@pytest.fixture(autouse=True)
def _outboxes():
    mail.outbox.clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()


# How a response reads -----------------------------------------------------------------------


def screen(response, *, redirect_to: str | None = None, wagtail: bool = False) -> bool:
    """Allowed: 200, or a redirect to `redirect_to` (the action's own result). Refused: a
    403, or on Wagtail's own screens (`wagtail=True`) its `permission_denied`, a redirect to
    the dashboard. Anything else (404, 500, a redirect elsewhere) fails the test."""
    status = response.status_code
    if status == 200:
        return True
    if status == 403:
        return False
    if status == 302:
        if response.url == reverse("wagtailadmin_home"):
            assert wagtail, "a CRM screen refuses with a 403, not a redirect to the dashboard"
            return False
        if redirect_to is not None and response.url.split("?")[0] == redirect_to:
            return True
    raise AssertionError(f"unexpected answer {status} {getattr(response, 'url', '')}")


def wagtail_screen(response) -> bool:
    return screen(response, wagtail=True)


def api(response, *, ok=(200,)) -> bool:
    if response.status_code in ok:
        return True
    if response.status_code in (403, 404):
        body = response.json()
        assert body["code"] in (
            "forbidden",
            "order_not_found",
            "customer_not_found",
            "case_not_found",
        ), body
        return False
    raise AssertionError(f"unexpected answer {response.status_code}: {response.content[:300]}")


def same(*answers: bool) -> bool:
    """One row checked several ways: they must agree."""
    assert len(set(answers)) == 1, f"the parts of this row disagree: {answers}"
    return answers[0]


def snippet_url(model, name: str, *args) -> str:
    return reverse(model.snippet_viewset.get_url_name(name), args=args)


# The rows ---------------------------------------------------------------------------------


def orders_list_and_export(ctx: Ctx) -> bool:
    index = reverse("crm_orders:index")
    listed = screen(ctx.client.get(index))
    export = ctx.client.get(index, {"export": "csv"})
    exported = screen(export)
    if exported:
        assert export["Content-Type"].startswith("text/csv")
        assert ctx.world.order.code in b"".join(export.streaming_content).decode()
    return same(listed, exported)


def order_view(ctx: Ctx) -> bool:
    order = ctx.world.order
    shown = ctx.client.get(reverse("crm_orders:inspect", args=[order.pk]))
    if shown.status_code == 200:
        assert order.code in shown.content.decode()
    history = ctx.client.get(reverse("crm_orders:history", args=[order.pk]))
    return same(screen(shown), screen(history))


def order_refund(ctx: Ctx) -> bool:
    """The quote, then the confirmation: a real refund through the emulator."""
    order = ctx.order_for_refund("screen")
    ticket = order.tickets.order_by("pk").first()
    url = reverse("crm_orders:refund", args=[order.pk])
    quote = ctx.client.post(url, {"tickets": [ticket.pk], "step": "quote"})
    if not screen(quote):
        assert not Refund.objects.filter(payment__order=order).exists()
        return False
    quoted = re.search(r'name="quoted" value="(\d+)"', quote.content.decode()).group(1)
    with ctx.capture(execute=True):
        done = ctx.client.post(url, {"tickets": [ticket.pk], "quoted": quoted, "step": "confirm"})
    assert screen(done, redirect_to=reverse("crm_orders:inspect", args=[order.pk]))
    refund = Refund.objects.get(payment__order=order)
    assert refund.status == Refund.Status.SUCCEEDED
    entry = ModelLogEntry.objects.for_instance(order).get(action="booking.order.refund")
    assert entry.user == ctx.user
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.REFUNDED
    return True


def order_resend(ctx: Ctx) -> bool:
    order = ctx.world.order
    url = reverse("crm_orders:resend", args=[order.pk])
    allowed = screen(
        ctx.client.post(url, {"channels": ["email"], "step": "confirm"}),
        redirect_to=reverse("crm_orders:inspect", args=[order.pk]),
    )
    sent = SentMessage.objects.filter(order=order, sent_by=ctx.user)
    if allowed:
        assert [m.to for m in mail.outbox] == [[order.email]] and sent.exists()
    else:
        assert mail.outbox == [] and not sent.exists()
    return allowed


def order_cancel_and_note(ctx: Ctx) -> bool:
    world = ctx.world
    inspect = reverse("crm_orders:inspect", args=[world.unpaid.pk])
    cancelled = screen(
        ctx.client.post(
            reverse("crm_orders:cancel", args=[world.unpaid.pk]),
            {"reason": "Просил клиент", "step": "confirm"},
        ),
        redirect_to=inspect,
    )
    world.unpaid.refresh_from_db()
    assert (world.unpaid.status == Order.Status.CANCELLED) is cancelled
    noted = screen(
        ctx.client.post(
            reverse("crm_orders:note", args=[world.order.pk]), {"text": "Перезвонить после 18"}
        ),
        redirect_to=reverse("crm_orders:inspect", args=[world.order.pk]),
    )
    assert OrderNote.objects.filter(order=world.order, author=ctx.user).exists() is noted
    return same(cancelled, noted)


def customers_list_and_view(ctx: Ctx) -> bool:
    customer = ctx.world.order.customer
    listed = screen(ctx.client.get(reverse("crm_customers:index")))
    shown = ctx.client.get(reverse("crm_customers:inspect", args=[customer.pk]))
    if shown.status_code == 200:
        assert "anna@example.com" in shown.content.decode()
    return same(listed, screen(shown))


def customer_note(ctx: Ctx) -> bool:
    customer = ctx.world.order.customer
    inspect = reverse("crm_customers:inspect", args=[customer.pk])
    response = ctx.client.post(
        reverse("crm_customers:note", args=[customer.pk]), {"text": "Постоянный клиент"}
    )
    allowed = screen(response, redirect_to=inspect)
    assert customer.notes.filter(author=ctx.user).exists() is allowed
    return allowed


def customer_personal_data(ctx: Ctx) -> bool:
    """The export is really made (a JSON download); the erasure up to its confirmation
    form (the customer's departure is ahead: erasing would be refused anyway)."""
    customer = ctx.world.order.customer
    export = ctx.client.post(
        reverse("crm_customers:export", args=[customer.pk]), {"purpose": "customer_request"}
    )
    exported = screen(export)
    if exported:
        assert export["Content-Type"].startswith("application/json")
        assert "anna@example.com" in export.content.decode()
    erase = screen(ctx.client.get(reverse("crm_customers:erase", args=[customer.pk])))
    return same(exported, erase)


def support_setup_view(ctx: Ctx) -> bool:
    queue = Queue.objects.get(is_default=True)
    return same(
        wagtail_screen(ctx.client.get(reverse("support_queues:index"))),
        wagtail_screen(ctx.client.get(reverse("support_queues:inspect", args=[queue.pk]))),
        wagtail_screen(ctx.client.get(reverse("support_macros:index"))),
    )


def support_setup_change(ctx: Ctx) -> bool:
    """The editors' forms, and a calendar override really added (or not)."""
    policy = SlaPolicy.objects.order_by("pk").first()
    monday = WorkingHours.objects.get(weekday=0)
    forms = [
        wagtail_screen(ctx.client.get(reverse(name, args=args)))
        for name, args in (
            ("support_queues:add", []),
            ("support_macros:add", []),
            ("support_sla_policies:index", []),
            ("support_sla_policies:edit", [policy.pk]),
            ("support_working_hours:edit", [monday.pk]),
        )
    ]
    response = ctx.client.post(
        reverse("support_calendar_overrides:add"),
        {"date": "2031-12-31", "opens": "10:00", "closes": "15:00", "note": ""},
    )
    added = screen(response, redirect_to=reverse("support_calendar_overrides:index"), wagtail=True)
    assert CalendarOverride.objects.filter(date="2031-12-31").exists() is added
    return same(*forms, added)


def support_queue_assignments(ctx: Ctx) -> bool:
    agent = ctx.world.users[roles.AGENT]
    return same(
        wagtail_screen(ctx.client.get(reverse("crm_queue_assignments:index"))),
        wagtail_screen(ctx.client.get(reverse("crm_queue_assignments:edit", args=[agent.pk]))),
    )


def support_phone_case(ctx: Ctx) -> bool:
    """A case opened from the order screen: linked to the order, by the staff member."""
    order = ctx.world.order
    response = ctx.client.post(
        reverse("crm_phone_cases:order", args=[order.pk]),
        {
            "subject": "Звонок о рейсе",
            "body": "Спрашивает, можно ли с собакой",
            "priority": "3",
            "queue": Queue.objects.get(is_default=True).pk,
        },
    )
    cases = Case.objects.filter(order=order, created_by=ctx.user)
    if response.status_code == 403:
        assert not cases.exists()
        return False
    case = cases.get()
    assert response.status_code == 302
    assert response.url in (reverse("crm_orders:inspect", args=[order.pk]), case_url(case))
    assert case.channel == Case.Channel.PHONE and case.customer == order.customer
    assert ModelLogEntry.objects.for_instance(case).get(action="support.case.open").user == ctx.user
    return True


def order_search(ctx: Ctx) -> bool:
    order = ctx.world.order
    response = ctx.client.get(reverse("crm_search"), {"q": order.code})
    return screen(response, redirect_to=reverse("crm_orders:inspect", args=[order.pk]))


def dashboard_panel(ctx: Ctx) -> bool:
    response = ctx.client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return 'id="crm-dashboard"' in response.content.decode()


def dashboard_sales_panel(ctx: Ctx) -> bool:
    response = ctx.client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return 'id="crm-sales"' in response.content.decode()


def dashboard_support_panel(ctx: Ctx) -> bool:
    response = ctx.client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return 'id="crm-support"' in response.content.decode()


def dashboard_conversion_panel(ctx: Ctx) -> bool:
    response = ctx.client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return 'id="crm-conversion"' in response.content.decode()


def occupancy_url(ctx: Ctx) -> str:
    return reverse("crm_inventory:departure", args=[ctx.world.departure_a.pk])


def occupancy_view(ctx: Ctx) -> bool:
    return screen(ctx.client.get(occupancy_url(ctx)))


def occupancy_block(ctx: Ctx) -> bool:
    """Block three places (confirmed), then put them back on sale."""
    departure, url = ctx.world.departure_a, occupancy_url(ctx)
    blocked = screen(ctx.client.post(url, {"places-quantity": 3, "confirm": "1"}), redirect_to=url)
    departure.refresh_from_db()
    assert (departure.blocked_places == 3) is blocked
    unblocked = screen(
        ctx.client.post(url, {"places-quantity": 0, "confirm": "1"}), redirect_to=url
    )
    departure.refresh_from_db()
    assert departure.blocked_places == 0
    return same(blocked, unblocked)


def manifest(ctx: Ctx) -> bool:
    """The screen, the PDF and the CSV export of pier A's departure; each read audited."""
    departure = ctx.world.departure_a
    screen_url = reverse("crm_manifests:manifest", args=[departure.pk])
    before = ModelLogEntry.objects.filter(action=MANIFEST_ACTION, user=ctx.user).count()
    shown = ctx.client.get(screen_url)
    if shown.status_code == 200:
        assert ctx.world.order.name in shown.content.decode()
    printed = ctx.client.get(reverse("crm_manifests:file", args=[departure.pk, "pdf"]))
    if printed.status_code == 200:
        assert printed.content.startswith(b"%PDF-")
    exported = ctx.client.get(reverse("crm_manifests:file", args=[departure.pk, "csv"]))
    if exported.status_code == 200:
        assert ctx.world.order.code in b"".join(exported.streaming_content).decode()
    allowed = same(screen(shown), screen(printed), screen(exported))
    after = ModelLogEntry.objects.filter(action=MANIFEST_ACTION, user=ctx.user).count()
    assert after - before == (3 if allowed else 0)
    return allowed


def vessel_timeline(ctx: Ctx) -> bool:
    url = reverse("crm_vessel_timeline:index")
    return screen(ctx.client.get(url, {"vessel": ctx.world.departure_a.vessel_id}))


def departure_cancel(ctx: Ctx) -> bool:
    """The reason, the dry run and the confirmation: pier B's departure really cancelled
    (or not), then its cancellation screen."""
    departure = ctx.world.departure_b
    url = reverse("crm_cancel:start")
    step1 = screen(ctx.client.get(url, {"departures": departure.pk}))
    data = {"departures": [departure.pk], "reason": "weather", "text": "Шторм"}
    preview = screen(ctx.client.post(url, {**data, "step": "preview"}))
    progress = reverse("crm_cancel:progress", args=[departure.pk])
    done = screen(ctx.client.post(url, {**data, "step": "confirm"}), redirect_to=progress)
    # A fresh read: the world's object stays as it was for the next cells.
    status = type(departure).objects.get(pk=departure.pk).status
    assert (status == "cancelled") is done
    return same(step1, preview, done)


def check_in(ctx: Ctx, departure) -> bool:
    response = ctx.client.get(reverse("checkin:scanner", args=[departure.pk]))
    if response.status_code == 200:
        assert 'name="token"' in response.content.decode()
    return screen(response)


def check_in_own_pier(ctx: Ctx) -> bool:
    return check_in(ctx, ctx.world.departure_a)


def check_in_other_pier(ctx: Ctx) -> bool:
    return check_in(ctx, ctx.world.departure_b)


def check_in_api(ctx: Ctx, departure) -> bool:
    """The scanner's order lookup (session-authenticated, /api/v1/checkin/)."""
    code = ctx.world.order.code
    url = reverse("api-v1:checkin-order", kwargs={"departure_id": departure.pk, "code": code})
    response = ctx.client.get(url)
    if response.status_code == 200 and departure == ctx.world.departure_a:
        assert code in response.content.decode()
    return api(response)


def check_in_api_own_pier(ctx: Ctx) -> bool:
    return check_in_api(ctx, ctx.world.departure_a)


def check_in_api_other_pier(ctx: Ctx) -> bool:
    return check_in_api(ctx, ctx.world.departure_b)


def check_in_undo(ctx: Ctx) -> bool:
    ticket = ctx.world.order.tickets.order_by("pk").first()
    return wagtail_screen(ctx.client.get(reverse("booking_check_in_undo", args=[ticket.pk])))


def assignments(ctx: Ctx) -> bool:
    crew = ctx.world.users[roles.BOARDING_CREW]
    return same(
        wagtail_screen(ctx.client.get(reverse("crm_staff_assignments:index"))),
        wagtail_screen(ctx.client.get(reverse("crm_staff_assignments:edit", args=[crew.pk]))),
    )


def booking_editors_view(ctx: Ctx) -> bool:
    departure_model = type(ctx.world.departure_a)
    return same(
        wagtail_screen(ctx.client.get(snippet_url(Product, "list"))),
        wagtail_screen(ctx.client.get(snippet_url(departure_model, "list"))),
    )


def booking_editors_change(ctx: Ctx) -> bool:
    departure = ctx.world.departure_a
    return same(
        wagtail_screen(ctx.client.get(snippet_url(Product, "add"))),
        wagtail_screen(ctx.client.get(snippet_url(type(departure), "edit", departure.pk))),
    )


def _rental_plan(ctx: Ctx) -> RentalPlan:
    return RentalPlan.objects.first() or rental_plan()


def rental_plans_view(ctx: Ctx) -> bool:
    _rental_plan(ctx)
    return wagtail_screen(ctx.client.get(snippet_url(RentalPlan, "list")))


def rental_plans_change(ctx: Ctx) -> bool:
    plan = _rental_plan(ctx)
    return same(
        wagtail_screen(ctx.client.get(snippet_url(RentalPlan, "add"))),
        wagtail_screen(ctx.client.get(snippet_url(RentalPlan, "edit", plan.pk))),
        wagtail_screen(ctx.client.get(snippet_url(RentalPlan, "delete", plan.pk))),
    )


def promotions_fees(ctx: Ctx) -> bool:
    return same(
        wagtail_screen(ctx.client.get(snippet_url(Promotion, "list"))),
        wagtail_screen(ctx.client.get(snippet_url(ServiceFee, "list"))),
        wagtail_screen(ctx.client.get(snippet_url(Promotion, "add"))),
    )


def message_templates(ctx: Ctx) -> bool:
    return same(
        wagtail_screen(ctx.client.get(snippet_url(MessageTemplate, "list"))),
        wagtail_screen(ctx.client.get(snippet_url(MessageTemplate, "add"))),
    )


def pages(ctx: Ctx) -> bool:
    page = ctx.world.page
    return same(
        wagtail_screen(ctx.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))),
        wagtail_screen(ctx.client.get(reverse("wagtailimages:add"))),
    )


def history_report(ctx: Ctx) -> bool:
    """Wagtail's site history lists an entry on a customer (ids only in its title) to
    those who may view customers."""
    customer = ctx.world.order.customer
    personal_data_viewed(
        customer=customer, user=ctx.world.users[roles.ADMINISTRATOR], screen="customer"
    )
    response = ctx.client.get(reverse("wagtailadmin_reports:site_history"))
    assert response.status_code == 200
    return f"customer #{customer.pk}" in response.content.decode()


def support_report(ctx: Ctx) -> bool:
    """The managers' support report (Reports → Support cases) and its XLSX export."""
    url = reverse("crm_support_report")
    allowed = screen(ctx.client.get(url))
    exported = ctx.client.get(url, {"export": "xlsx"})
    assert screen(exported) == allowed
    if allowed:
        assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    return allowed


def reports_screens(ctx: Ctx) -> bool:
    """The operator's reports (Reports → Sales, Refunds and cancellations, Promotions,
    Occupancy, Payments reconciliation) and a CSV and an XLSX download."""
    names = ("sales", "refunds", "promotions", "occupancy", "reconciliation")
    allowed = same(*(screen(ctx.client.get(reverse(f"crm_report_{n}"))) for n in names))
    csv_export = ctx.client.get(reverse("crm_report_sales"), {"export": "csv"})
    xlsx_export = ctx.client.get(reverse("crm_report_occupancy"), {"export": "xlsx"})
    assert same(screen(csv_export), screen(xlsx_export)) == allowed
    if allowed:
        assert csv_export["Content-Type"].startswith("text/csv")
        assert xlsx_export["Content-Type"].startswith("application/vnd.openxmlformats")
    return allowed


def api_reports(ctx: Ctx) -> bool:
    return same(
        *(
            api(ctx.api.get(f"/reports/{name}"))
            for name in ("sales", "refunds", "promotions", "occupancy")
        )
    )


def funnel_report(ctx: Ctx) -> bool:
    """The sales funnel (Reports → Sales funnel), its XLSX download and the CRM API's."""
    shown = screen(ctx.client.get(reverse("crm_report_funnel")))
    exported = ctx.client.get(reverse("crm_report_funnel"), {"export": "xlsx"})
    allowed = same(shown, screen(exported), api(ctx.api.get("/reports/funnel")))
    if allowed:
        assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    return allowed


def api_tokens(ctx: Ctx) -> bool:
    response = ctx.client.get(reverse("wagtailusers_api_tokens:index"))
    allowed = wagtail_screen(response)
    if allowed:
        assert "phone desk" in response.content.decode()  # their own token is listed
    return same(allowed, wagtail_screen(ctx.client.get(reverse("wagtailusers_api_tokens:add"))))


def api_read(ctx: Ctx) -> bool:
    order = ctx.world.order
    ticket = order.tickets.order_by("pk").first()
    found = ctx.api.get("/search", {"q": order.code})
    if found.status_code == 200:
        assert [hit["code"] for hit in found.json()] == [order.code]
    quote = ctx.api.get(f"/orders/{order.code}/refund-quote", {"tickets": str(ticket.pk)})
    if quote.status_code == 200:
        assert quote.json()["allowed"] is True
    return same(api(found), api(ctx.api.get(f"/orders/{order.code}")), api(quote))


def api_refund_and_resend(ctx: Ctx) -> bool:
    order = ctx.order_for_refund("api")
    ticket = order.tickets.order_by("pk").first()
    with ctx.capture(execute=True):
        refund = ctx.api.post(f"/orders/{order.code}/refunds", {"tickets": [ticket.pk]})
    refunded = api(refund, ok=(201,))
    refunds = Refund.objects.filter(payment__order=order)
    if refunded:
        assert refunds.get().status == Refund.Status.SUCCEEDED
    else:
        assert not refunds.exists()
    mail.outbox.clear()  # the refund's own notice
    resent = api(ctx.api.post(f"/orders/{order.code}/resend", {"channels": ["email"]}))
    assert ([m.to for m in mail.outbox] == [[order.email]]) is resent
    assert SentMessage.objects.filter(order=order, sent_by=ctx.user).exists() is resent
    return same(refunded, resent)


def api_customer(ctx: Ctx) -> bool:
    customer = ctx.world.order.customer
    response = ctx.api.get(f"/customers/{customer.pk}")
    if response.status_code == 200:
        assert response.json()["email"] == "anna@example.com"
    return api(response)


def _cases_of_queues(ctx: Ctx) -> tuple[Case, Case]:
    """A case in the sales queue, which the member of staff works in (a guardian object
    permission: an agent's "own queues"), and one in the refunds queue, which they do not."""
    sales, refunds = Queue.objects.get(slug="sales"), Queue.objects.get(slug="refunds")
    assign_perm("support.work_in_queue", ctx.user, sales)
    cases = []
    for queue, email in ((sales, "anna@example.com"), (refunds, "boris@example.com")):
        request = CaseRequest(
            channel=Case.Channel.WEB, subject="Забыл рюкзак", body="Синий рюкзак", email=email
        )
        cases.append(case_open(request=request, queue=queue))
    return cases[0], cases[1]


def api_cases_read(ctx: Ctx) -> bool:
    own, other = _cases_of_queues(ctx)
    listed = ctx.api.get("/cases")
    read = ctx.api.get(f"/cases/{own.pk}")
    allowed = same(api(listed), api(read))
    if allowed:
        ids = {item["id"] for item in listed.json()["items"]}
        assert own.pk in ids
        assert read.json()["customer"]["email"] == "anna@example.com"
        every_queue = ctx.role != roles.AGENT
        assert (other.pk in ids) is every_queue
        assert api(ctx.api.get(f"/cases/{other.pk}")) is every_queue
    return allowed


def api_cases_change(ctx: Ctx) -> bool:
    own, _other = _cases_of_queues(ctx)
    created = ctx.api.post(
        "/cases",
        {"email": "gleb@example.com", "subject": "Перенос", "body": "Звонил", "queue": "sales"},
    )
    with ctx.capture(execute=True):
        replied = ctx.api.post(f"/cases/{own.pk}/replies", {"body": "Нашли рюкзак."})
    noted = ctx.api.post(f"/cases/{own.pk}/notes", {"body": "Позвонить"})
    changed = ctx.client.patch(
        f"/api/v1/crm/cases/{own.pk}",
        data='{"status": "resolved"}',
        content_type="application/json",
        headers=ctx.api.headers(),
    )
    allowed = same(
        api(created, ok=(201,)), api(replied, ok=(201,)), api(noted, ok=(201,)), api(changed)
    )
    own.refresh_from_db()
    assert Case.objects.filter(customer__email="gleb@example.com").exists() is allowed
    assert ([m.to for m in mail.outbox] == [["anna@example.com"]]) is allowed
    assert (own.first_responded_at is not None) is allowed
    assert own.messages.filter(kind="note").exists() is allowed
    assert (own.status == Case.Status.RESOLVED) is allowed
    audited = ModelLogEntry.objects.filter(
        action="support.case.change", object_id=str(own.pk), user_id=ctx.user.pk
    )
    assert audited.exists() is allowed
    return allowed


def cases_list_and_view(ctx: Ctx) -> bool:
    case = ctx.world.case
    listing = ctx.client.get(reverse("crm_cases:index"), {"inbox": "unassigned"})
    if listing.status_code == 200:
        assert case.reference in listing.content.decode()
    shown = ctx.client.get(reverse("crm_cases:inspect", args=[case.pk]))
    if shown.status_code == 200:
        assert "Забыл рюкзак" in shown.content.decode()
    history = ctx.client.get(reverse("crm_cases:history", args=[case.pk]))
    return same(screen(listing), screen(shown), screen(history))


def case_reply_note_change(ctx: Ctx) -> bool:
    """A public reply (e-mailed), an internal note, a change of priority: each really done
    or refused with nothing changed."""
    case = ctx.world.case
    inspect = reverse("crm_cases:inspect", args=[case.pk])
    with ctx.capture(execute=True):
        replied = screen(
            ctx.client.post(
                reverse("crm_cases:reply", args=[case.pk]),
                {"reply-body": "Рюкзак нашёлся.", "reply-status": "open"},
            ),
            redirect_to=inspect,
        )
    assert ([m.to for m in mail.outbox] == [["case@matrix.example"]]) is replied
    noted = screen(
        ctx.client.post(reverse("crm_cases:note", args=[case.pk]), {"note-body": "Позвонить"}),
        redirect_to=inspect,
    )
    assert case.messages.filter(kind=CaseMessage.Kind.NOTE, author=ctx.user).exists() is noted
    changed = screen(
        ctx.client.post(
            reverse("crm_cases:change", args=[case.pk]),
            {
                "change-status": "open" if replied else "new",
                "change-priority": "1",
                "change-queue": case.queue_id,
                "change-assignee": "",
                "change-tags": "",
            },
        ),
        redirect_to=inspect,
    )
    case.refresh_from_db()
    assert (case.priority == Case.Priority.P1) is changed
    assert (case.first_responded_at is not None) is replied
    return same(replied, noted, changed)


def _webhook_delivery() -> WebhookDelivery:
    """A subscription (to nowhere: nothing is sent inside a cell, whose commit never comes)
    and one delivery with a failed attempt."""
    subscription = WebhookSubscription.objects.create(
        name="Бухгалтерия", url="https://partner.example/hooks", events=["order.paid"]
    )
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event="order.paid", body="{}", created_at=timezone.now()
    )
    delivery.attempt_set.create(at=timezone.now(), status_code=502, duration_ms=40)
    return delivery


def webhooks_view(ctx: Ctx) -> bool:
    delivery = _webhook_delivery()
    subscription = delivery.subscription
    shown = ctx.client.get(reverse("crm_webhook_subscriptions:inspect", args=[subscription.pk]))
    if shown.status_code == 200:
        assert subscription.secret not in shown.content.decode()  # readers never see it
    log = ctx.client.get(reverse("crm_webhook_deliveries:inspect", args=[delivery.pk]))
    if log.status_code == 200:
        assert "502" in log.content.decode()
    return same(
        wagtail_screen(ctx.client.get(reverse("crm_webhook_subscriptions:index"))),
        wagtail_screen(shown),
        wagtail_screen(ctx.client.get(reverse("crm_webhook_deliveries:index"))),
        wagtail_screen(log),
    )


def webhooks_change(ctx: Ctx) -> bool:
    delivery = _webhook_delivery()
    subscription = delivery.subscription
    edit = ctx.client.get(reverse("crm_webhook_subscriptions:edit", args=[subscription.pk]))
    if edit.status_code == 200:
        assert subscription.secret in edit.content.decode()
    resend = ctx.client.post(reverse("crm_webhook_deliveries:resend", args=[delivery.pk]))
    copies = WebhookDelivery.objects.filter(event_id=delivery.event_id).exclude(pk=delivery.pk)
    resent = screen(
        resend,
        wagtail=True,
        redirect_to=reverse("crm_webhook_deliveries:inspect", args=[copies.first().pk])
        if copies.exists()
        else None,
    )
    assert copies.exists() is resent
    tested = wagtail_screen(
        ctx.client.get(reverse("crm_webhook_subscriptions:test", args=[subscription.pk]))
    )
    return same(
        wagtail_screen(ctx.client.get(reverse("crm_webhook_subscriptions:add"))),
        wagtail_screen(edit),
        resent,
        tested,
    )


CHECKS = {
    "Orders: list and export": orders_list_and_export,
    "Order: view (screen and history)": order_view,
    "Order: refund tickets": order_refund,
    "Order: resend the confirmation": order_resend,
    "Order: cancel an unpaid order / note": order_cancel_and_note,
    "Customers: list and view": customers_list_and_view,
    "Customer: note": customer_note,
    "Customer: export / erase personal data": customer_personal_data,
    "Support desk set-up (queues, macros, SLA policies, calendar): view": support_setup_view,
    "Support desk set-up (queues, macros, SLA policies, calendar): change": support_setup_change,
    "Support queue assignments": support_queue_assignments,
    "Support case: open from a phone call": support_phone_case,
    "Order search": order_search,
    "Dashboard CRM panel": dashboard_panel,
    "Dashboard: sales today vs last week": dashboard_sales_panel,
    "Dashboard: support desk numbers": dashboard_support_panel,
    "Dashboard: conversion by funnel step": dashboard_conversion_panel,
    "Departure occupancy: view": occupancy_view,
    "Departure occupancy: block / unblock": occupancy_block,
    "Departure manifest: view, print, export": manifest,
    "Departure: cancel (mass refund)": departure_cancel,
    "Vessel timeline": vessel_timeline,
    "Boarding check-in: own pier's departure": check_in_own_pier,
    "Boarding check-in: another pier's departure": check_in_other_pier,
    "Boarding check-in API: own pier's departure": check_in_api_own_pier,
    "Boarding check-in API: another pier's departure": check_in_api_other_pier,
    "Boarding check-in: undo a boarding": check_in_undo,
    "Pier and vessel assignments": assignments,
    "Booking editors (products, departures …): view": booking_editors_view,
    "Booking editors (products, departures …): add, change": booking_editors_change,
    "Rental plans (hours, rates, extras): view": rental_plans_view,
    "Rental plans (hours, rates, extras): add, change, delete": rental_plans_change,
    "Promotions, fees": promotions_fees,
    "Message templates": message_templates,
    "Pages": pages,
    "Site history report: entries on customers": history_report,
    "Support report (Reports → Support cases), CSV/XLSX": support_report,
    "Reports (Reports → Sales, Refunds and cancellations, Promotions, Occupancy, Payments reconciliation), CSV/XLSX": (
        reports_screens
    ),
    "CRM API: reports": api_reports,
    "Sales funnel (Reports → Sales funnel), CSV/XLSX, and the CRM API's": funnel_report,
    "API tokens (own)": api_tokens,
    "CRM API: search, order, refund quote": api_read,
    "CRM API: refund, resend": api_refund_and_resend,
    "CRM API: customer": api_customer,
    "CRM API: cases list, read": api_cases_read,
    "CRM API: case create, reply, note, change": api_cases_change,
    "Support cases: list and view": cases_list_and_view,
    "Support case: reply, note, change": case_reply_note_change,
    "Webhook subscriptions and delivery log: view": webhooks_view,
    "Webhook subscriptions: add, change, test, resend": webhooks_change,
}


# The tests --------------------------------------------------------------------------------


def test_the_columns_are_the_roles():
    assert list(roles.ROLES) == ROLES


def test_every_row_has_a_check_and_every_check_a_row():
    assert sorted(set(MATRIX) - set(CHECKS)) == [], "README rows without a check"
    assert sorted(set(CHECKS) - set(MATRIX)) == [], "checks without a README row"


def test_a_table_that_drifts_is_caught():
    """The parser reads what a changed README would say."""
    text = README.read_text(encoding="utf-8")
    changed = text.replace("| Pages | ✓ | — |", "| Pages | ✓ | ✓ |", 1)
    assert changed != text
    assert expected(parse_matrix(changed)[1]["Pages"][roles.MANAGER]) is True
    with pytest.raises(AssertionError):
        expected("yes")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES, ids=_slug)
@pytest.mark.parametrize("row", list(MATRIX), ids=_slug)
def test_cell(row, role, world, django_capture_on_commit_callbacks):
    check = CHECKS.get(row)
    assert check is not None, f"README row {row!r} has no check in CHECKS"
    user = world.users[role]
    client = Client()
    client.force_login(user)
    ctx = Ctx(
        role=role,
        user=user,
        client=client,
        api=TokenClient(world.tokens[role]),
        world=world,
        capture=django_capture_on_commit_callbacks,
    )
    cell = MATRIX[row][role]
    assert check(ctx) is expected(cell), f"{role} × {row}: the README says {cell!r}"


def test_the_world_is_what_the_matrix_needs(world, db):
    """Pier A's and B's departures differ, the crew member is assigned to A only, and
    the orders for real refunds were paid through the emulator."""
    assert world.departure_a.venue_id != world.departure_b.venue_id
    assert set(world.screen_orders) == {
        r for r in ROLES if expected(MATRIX["Order: refund tickets"][r])
    }
    crew = world.users[roles.BOARDING_CREW]
    assert crew.has_perm(VENUE_ASSIGNMENT, world.departure_a.venue)
    assert not crew.has_perm(VENUE_ASSIGNMENT, world.departure_b.venue)
    for order in [*world.screen_orders.values(), *world.api_orders.values(), world.order]:
        assert order.payments.get().provider_id


# Found while writing the matrix -------------------------------------------------------------


@pytest.mark.django_db
def test_a_manager_limited_to_another_pier_cannot_undo_a_boarding(world):
    ticket = world.order.tickets.order_by("pk").first()
    Ticket.objects.filter(pk=ticket.pk).update(checked_in_at=timezone.now())
    manager = make_user("pier-b-manager@matrix.example")
    manager.groups.add(Group.objects.get(name=roles.MANAGER))
    assign_perm(VENUE_ASSIGNMENT, manager, world.departure_b.venue)
    client = Client()
    client.force_login(manager)
    url = reverse("booking_check_in_undo", args=[ticket.pk])
    client.post(url, {"reason": "Ошибся при посадке"})
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None
