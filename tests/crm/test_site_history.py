"""The back office reads the audit trail: "Reports → Site history" is in the menu of staff
who see orders (Wagtail shows it only to page editors), and lists the console's entries
with who did what; a marketer does not get it."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from booking.services.backoffice import order_note_add
from crm import roles
from tests.booking.refunds.helpers import paid_order
from tests.factories import make_user

pytestmark = pytest.mark.django_db
REPORT = "wagtailadmin_reports:site_history"


def signed_in(role: str) -> tuple[Client, object]:
    user = make_user(f"{role.lower().replace(' ', '-')}@example.com", first_name="Ольга")
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client, user


@pytest.mark.parametrize("role", [roles.AGENT, roles.MANAGER, roles.ACCOUNTANT])
def test_the_back_office_has_the_site_history_report_in_its_menu(role):
    client, user = signed_in(role)
    order_note_add(order=paid_order(), user=user, text="Звонила, просила напомнить о причале")

    dashboard = client.get(reverse("wagtailadmin_home"))
    report = client.get(reverse(REPORT))

    assert reverse(REPORT).encode() in dashboard.content
    assert report.status_code == 200
    assert "prichal.order.note" in {e.action for e in report.context["object_list"]}


def test_a_marketer_has_no_back_office_history():
    client, _user = signed_in(roles.MARKETER)
    _agent_client, agent = signed_in(roles.AGENT)
    order_note_add(order=paid_order(), user=agent, text="Внутренняя заметка")

    report = client.get(reverse(REPORT))

    assert all(not e.action.startswith("prichal.order") for e in report.context["object_list"])
