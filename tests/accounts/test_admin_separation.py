"""Staff and customers stay apart: a customer signed in on the site never reaches the
Wagtail admin; staff keep signing in at /admin/login/ with their password, behind
django-axes' lockout, which now also counts the customers' password sign-ins."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from tests.accounts.helpers import account_url, new_client, sign_in_by_code, signed_in_user

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "a-long-and-correct-password"


@pytest.fixture
def staff(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    user = User.objects.create_user(email="agent@prichal.example", password=PASSWORD, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename="access_admin"))
    return user


def test_a_customer_signed_in_by_code_is_sent_away_from_the_admin(home):
    client = new_client()
    sign_in_by_code(client, "customer@example.com")
    assert signed_in_user(client) is not None

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/pages/").status_code == 302


def test_staff_still_sign_in_at_the_admin_with_their_password(home, staff):
    client = new_client()

    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_admin_lockout_still_works(home, staff):
    for _ in range(5):
        new_client().post("/admin/login/", {"username": staff.email, "password": "wrong"})

    client = new_client()
    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})

    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_customer_password_failures_count_against_that_account_only(home, settings):
    settings.AXES_FAILURE_LIMIT = 3
    customer = User.objects.create_user(email="buyer@example.com", password=PASSWORD)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=customer, email=customer.email, verified=True, primary=True)
    for _ in range(3):
        new_client().post(account_url("login/"), {"login": "Buyer@example.com", "password": "x"})

    attempt = AccessAttempt.objects.get()
    assert attempt.username == "buyer@example.com"
    locked = new_client().post(
        account_url("login/"), {"login": customer.email, "password": PASSWORD}
    )
    assert locked.status_code == 429
    # Another account from the same address is not locked.
    other = User.objects.create_user(email="other@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=other, email=other.email, verified=True, primary=True)
    client = new_client()
    response = client.post(account_url("login/"), {"login": other.email, "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_user(client) == other


def test_the_lockout_page_of_a_customer_leads_back_to_the_customer_sign_in(home, settings):
    settings.AXES_FAILURE_LIMIT = 1
    User.objects.create_user(email="buyer@example.com", password=PASSWORD)
    new_client().post(account_url("login/"), {"login": "buyer@example.com", "password": "x"})

    locked = new_client().post(
        account_url("login/"), {"login": "buyer@example.com", "password": "x"}
    )

    assert locked.status_code == 429
    assert 'href="/ru/account/login/code/"' in locked.content.decode()
    assert "/admin/login/" not in locked.content.decode()
