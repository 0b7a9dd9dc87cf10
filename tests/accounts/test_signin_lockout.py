"""Staff sign-in is locked out after repeated failures (django-axes, issue 8 item 17).

Wagtail's own login form at /admin/login/: after AXES_FAILURE_LIMIT wrong passwords for an
account from one address, even the right password is refused with a translated lockout
page (429); the lock ends after the cool-off or when an administrator deletes the record
in Settings → Sign-in lockouts; every failure is recorded."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

EMAIL = "agent@prichal.example"
PASSWORD = "a-long-and-correct-password"
ADDRESS = "203.0.113.7"

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    user = get_user_model().objects.create_user(email=EMAIL, password=PASSWORD, is_staff=True)
    user.user_permissions.add(*_admin_access())
    return user


def _admin_access():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename="access_admin")


def sign_in(password, *, address=ADDRESS, language="ru", client=None):
    client = client or Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE=language)
    response = client.post("/admin/login/", {"username": EMAIL, "password": password})
    return client, response


def signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def fail_until_locked(limit=5):
    for _ in range(limit):
        _client, response = sign_in("wrong-password")
        assert response.status_code in {200, 429}


def test_the_right_password_works_before_any_failure(staff):
    client, response = sign_in(PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_after_the_failure_limit_the_right_password_is_refused(staff):
    fail_until_locked()

    client, response = sign_in(PASSWORD)

    assert response.status_code == 429
    assert "Вход временно заблокирован" in response.content.decode()
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("ru", "Вход временно заблокирован"),
        ("en", "Sign-in temporarily blocked"),
        ("zh-hans", "登录已暂时锁定"),
    ],
)
def test_the_lockout_page_is_translated(staff, language, title):
    fail_until_locked()

    _client, response = sign_in(PASSWORD, language=language)

    html = response.content.decode()
    assert response.status_code == 429
    assert title in html
    assert "15" in html  # minutes to wait


def test_the_lock_ends_after_the_cool_off(staff):
    fail_until_locked()
    assert sign_in(PASSWORD)[1].status_code == 429

    # Sixteen minutes later (the cool-off is fifteen).
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))

    client, response = sign_in(PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_an_administrator_unlocks_the_account_in_the_wagtail_admin(staff):
    fail_until_locked()
    admin = get_user_model().objects.create_superuser(email="boss@prichal.example", password="x")
    boss = Client()
    boss.force_login(admin)
    attempt = AccessAttempt.objects.get(username=EMAIL)

    listing = boss.get("/admin/sign_in_lockouts/")
    assert listing.status_code == 200
    assert EMAIL in listing.content.decode()
    response = boss.post(f"/admin/sign_in_lockouts/delete/{attempt.pk}/")
    assert response.status_code == 302

    client, response = sign_in(PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_staff_without_the_permission_cannot_unlock(staff):
    fail_until_locked()
    crew = get_user_model().objects.create_user(email="crew@prichal.example", password="x")
    crew.user_permissions.add(*_admin_access())
    client = Client()
    client.force_login(crew)
    attempt = AccessAttempt.objects.get(username=EMAIL)

    client.post(f"/admin/sign_in_lockouts/delete/{attempt.pk}/")

    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_every_failure_is_recorded(staff):
    for _ in range(3):
        sign_in("wrong-password")

    assert AccessFailureLog.objects.filter(username=EMAIL, ip_address=ADDRESS).count() == 3
    attempt = AccessAttempt.objects.get(username=EMAIL)
    assert attempt.ip_address == ADDRESS
    assert attempt.failures_since_start == 3


def test_the_lock_is_per_account_and_address(staff):
    """Someone elsewhere cannot lock the staff member out."""
    fail_until_locked()

    client, response = sign_in(PASSWORD, address="198.51.100.20")

    assert response.status_code == 302
    assert signed_in(client)


def test_the_test_client_signs_in_with_a_request(staff):
    client = Client()
    assert client.login(request=HttpRequest(), username=EMAIL, password=PASSWORD)
