"""The profile: name, phone (E.164), preferred language (e-mails, SMS, tickets: orders
copy it), marketing consent on and off, each change a new consent record and an audit
entry (accounts.services.profile.profile_update, the page and the API alike)."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from wagtail.models import ModelLogEntry

from accounts.errors import AccountError
from accounts.models import Consent, Customer
from accounts.services.profile import PROFILE_UPDATE_ACTION, profile_update
from tests.accounts.helpers import account_url, new_client, sign_in_by_code
from tests.factories import general_departure, placed_order
from tests.helpers import parse, text

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def signed_in(home):
    client = new_client()
    sign_in_by_code(client, "anna@example.com")
    return client, Customer.objects.get(email="anna@example.com")


def save(client, **fields):
    data = {"name": "", "phone": "", "language": "ru"}
    data.update(fields)
    if data.pop("marketing", False):
        data["marketing"] = "on"
    return client.post(account_url("profile/"), data)


def test_the_profile_needs_a_sign_in(home):
    response = new_client().get(account_url("profile/"))

    assert response.status_code == 302
    assert response["Location"].startswith("/ru/account/login/code/?next=/ru/account/profile/")


def test_the_profile_is_saved(signed_in):
    client, customer = signed_in

    response = save(client, name="  Анна   Смирнова ", phone="8 912 345-67-89", language="zh-hans")

    assert response.status_code == 303
    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.language) == (
        "Анна Смирнова",
        "+79123456789",
        "zh-hans",
    )
    page = client.get(response["Location"])
    assert "Профиль сохранён." in [text(n) for n in parse(page).select(".account-notice")]
    entry = ModelLogEntry.objects.get(action=PROFILE_UPDATE_ACTION)
    assert entry.data.pop("client_address")  # common.audit
    assert entry.data == {"fields": ["name", "phone", "language"]}
    assert "+7912" not in str(entry.data)  # the audit names fields, never values


def test_marketing_consent_given_then_withdrawn_is_two_records(signed_in):
    client, customer = signed_in

    save(client, marketing=True)
    save(client, marketing=False)

    rows = list(Consent.objects.filter(customer=customer, kind="marketing").order_by("pk"))
    assert [row.granted for row in rows] == [True, False]
    assert all(
        row.document_version == django_settings.BOOKING_MARKETING_CONSENT_VERSION for row in rows
    )
    assert rows[0].ip_address == "203.0.113.50"
    customer.refresh_from_db()
    assert customer.marketing_consent is False
    page = client.get(account_url("profile/"))
    assert not parse(page).select_one("input[name=marketing]").has_attr("checked")


def test_saving_without_a_change_records_nothing(signed_in):
    client, _customer = signed_in
    save(client, marketing=True)
    consents, entries = Consent.objects.count(), ModelLogEntry.objects.count()

    save(client, marketing=True)

    assert Consent.objects.count() == consents
    assert ModelLogEntry.objects.count() == entries


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"phone": "12"}, "phone", "Укажите правильный номер телефона"),
        ({"language": "de"}, "language", "Выберите"),
        ({"name": "x" * 151}, "name", "150"),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_changes_nothing(
    signed_in, fields, field, message
):
    client, customer = signed_in
    before = Customer.objects.values().get(pk=customer.pk)

    response = save(client, marketing=True, **fields)

    assert response.status_code == 400
    errors = parse(response).select(".is-invalid .account-field__error")
    assert any(message in text(error) for error in errors), [text(e) for e in errors]
    assert Customer.objects.values().get(pk=customer.pk) == before
    assert not Consent.objects.filter(kind="marketing").exists()


def test_an_account_without_a_verified_address_has_no_profile(home):
    user = User.objects.create_user(email="pending@example.com")
    client = new_client()
    client.force_login(user)

    response = client.get(account_url("profile/"))

    assert response.status_code == 403
    assert "подтверждённого адреса" in response.content.decode()
    with pytest.raises(AccountError) as refused:
        profile_update(user=user, name="X")
    assert refused.value.code == "email_unverified"


def test_the_preferred_language_is_copied_onto_later_orders(signed_in):
    client, customer = signed_in
    save(client, language="en")

    order = placed_order(general_departure(), email="anna@example.com", language="ru")

    assert order.language == "en"
    customer.refresh_from_db()
    assert customer.language == "en"  # a checkout in Russian does not overwrite the choice


def test_a_guest_order_still_takes_the_page_language(home):
    order = placed_order(general_departure(), email="guest@example.com", language="zh-hans")

    assert order.language == "zh-hans"


def test_the_checkout_is_filled_in_from_the_profile(signed_in):
    from booking.services.holds import hold_create

    client, _customer = signed_in
    save(client, name="Анна Смирнова", phone="+79123456789")
    departure = general_departure()
    ticket_type = departure.product.ticket_types.first()
    hold = hold_create(
        departure_id=departure.pk,
        owner_key=client.session.session_key,
        quantities={ticket_type.pk: 1},
    )

    page = client.get(f"/ru/booking/checkout/{hold.token}/")

    assert page.status_code == 200
    doc = parse(page)
    assert doc.select_one("input[name=email]")["value"] == "anna@example.com"
    assert doc.select_one("input[name=name]")["value"] == "Анна Смирнова"
    assert doc.select_one("input[name=phone]")["value"] == "+79123456789"
