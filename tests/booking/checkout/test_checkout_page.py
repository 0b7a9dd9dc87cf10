"""The checkout page: the session's own unexpired hold only; the form has name, e-mail,
phone, a promo code with "Apply" and three separate unticked consents with their
documents' links; the breakdown shows each ticket, the discount, the fees, the total and
the VAT line. Every bad input is answered next to its field in the visitor's language and
creates nothing."""

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Consent
from tests.booking.checkout.helpers import (
    VALID,
    breakdown_rows,
    checkout_url,
    fake_payments,
    field_error,
    hold_for,
    message,
    nothing_created,
    order_url,
    visitor,
)
from tests.factories import (
    expire,
    placed_order,
)
from tests.helpers import HTML_LANG, parse, text

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------- the page


def test_checkout_shows_the_breakdown_and_three_unticked_separate_consents(shop):
    client, key = visitor()
    hold = hold_for(shop, key)
    response = client.get(checkout_url(hold))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    doc = parse(response)
    assert doc.html["lang"] == "ru"
    rows = breakdown_rows(doc)
    assert rows[1:4] == [["Взрослый", "2 200 ₽"], ["Взрослый", "2 200 ₽"], ["Детский", "1 500 ₽"]]
    assert ["Итого", "5 900 ₽"] in rows
    vat = text(doc.select_one("[data-vat]"))
    assert vat  # "НДС не облагается…" or "В том числе НДС 20% …"
    form = doc.select_one("form[data-checkout-form]")
    assert form["method"] == "post"
    assert form.select_one('input[name="csrfmiddlewaretoken"]')
    assert form.select_one('input[name="phone"]')["type"] == "tel"
    assert form.select_one('input[name="phone"]')["autocomplete"] == "tel"
    assert form.select_one('input[name="email"]')["autocomplete"] == "email"
    assert form.select_one('input[name="name"]')["autocomplete"] == "name"
    assert form.select_one('input[name="promo_code"]')
    assert form.select_one('button[name="action"][value="apply"]')
    boxes = form.select('input[type="checkbox"]')
    assert [box["name"] for box in boxes] == [
        "personal_data_consent",
        "offer_accepted",
        "marketing_consent",
    ]
    assert not any(box.has_attr("checked") for box in boxes)
    # Each checkbox has its own label; the personal data one links to its own document
    # only (152-FZ), the offer one to the offer and the refund rules.
    labels = {box["name"]: form.select_one(f'label[for="{box["id"]}"]') for box in boxes}
    assert [a["href"] for a in labels["personal_data_consent"].select("a")] == [
        shop.document_url("personal_data_consent_page")
    ]
    assert [a["href"] for a in labels["offer_accepted"].select("a")] == [
        shop.document_url("offer_page"),
        shop.document_url("refund_rules_page"),
    ]
    assert labels["marketing_consent"].select("a") == []
    pay = form.select('button[name="action"][value="pay"]')[-1]
    assert "5 900 ₽" in text(pay)
    assert doc.select_one("[data-checkout-countdown] [data-clock]")


def test_the_hold_page_leads_to_checkout(shop):
    client, key = visitor()
    hold = hold_for(shop, key)
    doc = parse(client.get(f"/ru/booking/hold/{hold.token}/"))
    link = doc.select_one(".hold-checkout a.button")
    assert link["href"] == checkout_url(hold)


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_checkout_in_each_language(shop, language):
    client, key = visitor()
    hold = hold_for(shop, key)
    response = client.get(checkout_url(hold, language))
    assert response.status_code == 200
    doc = parse(response)
    assert doc.html["lang"] == HTML_LANG[language]
    names = {"ru": "Взрослый", "en": "Adult", "zh-hans": "成人票"}
    assert text(doc.select_one("table[data-breakdown] tbody th")) == names[language]
    label = doc.select_one('label[for="id_personal_data_consent"] a')
    assert label["href"] == shop.document_url("personal_data_consent_page", language)


VAT_LINES = {
    ("ru", 1): "Без НДС",
    ("en", 1): "VAT not applicable",
    ("zh-hans", 1): "不含增值税",
    ("ru", 4): "В т. ч. НДС 20%",
    ("en", 4): "Including VAT 20%",
    ("zh-hans", 4): "含增值税 20%",
}


@pytest.mark.parametrize(("language", "vat_code"), list(VAT_LINES))
def test_the_vat_line_is_in_the_page_s_language(shop, language, vat_code):
    from booking.services.pricing import product_taxes

    taxes = product_taxes(shop.product.pk)
    taxes.vat_code = vat_code
    taxes.save()
    client, key = visitor()
    checkout = parse(client.get(checkout_url(hold_for(shop, key), language)))
    order = parse(Client().get(order_url(placed_order(shop.departure), language)))
    for doc in (checkout, order):
        vat = text(doc.select_one("[data-vat] th"))
        assert vat == VAT_LINES[language, vat_code]
        if language != "ru":
            assert "НДС" not in text(doc.select_one("main"))


def test_someone_elses_or_unknown_hold_reads_as_not_found(shop):
    owner, key = visitor()
    hold = hold_for(shop, key)
    stranger, _key = visitor()
    assert stranger.get(checkout_url(hold)).status_code == 404
    response = stranger.post(checkout_url(hold), VALID)
    assert response.status_code == 404
    assert Client().get(checkout_url(hold)).status_code == 404
    assert owner.get("/ru/booking/checkout/nonsense-token/").status_code == 404
    nothing_created()


def test_an_expired_hold_gets_the_expired_page_and_the_post_goes_back_to_the_product(shop):
    client, key = visitor()
    hold = hold_for(shop, key)
    expire(hold)
    response = client.get(checkout_url(hold))
    assert response.status_code == 410
    doc = parse(response)
    assert message("hold_expired") in text(doc)
    assert doc.select_one(f'a[href^="{shop.page.url}"]')
    response = client.post(checkout_url(hold), VALID)
    assert response.status_code == 303
    assert response["Location"].startswith(shop.page.url)
    nothing_created()
    page = client.get(response["Location"])
    assert message("hold_expired") in text(parse(page))


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"email": "anna@"}, "email", "email_invalid"),
        ({"email": ""}, "email", "email_invalid"),
        ({"phone": "12345"}, "phone", "phone_invalid"),
        ({"phone": "+86 139"}, "phone", "phone_invalid"),
        ({"phone": "call me"}, "phone", "phone_invalid"),
        ({"name": "   "}, "name", "name_invalid"),
        ({"personal_data_consent": ""}, "personal_data_consent", "consent_required"),
        ({"offer_accepted": ""}, "offer_accepted", "offer_required"),
        ({"promo_code": "NOSUCHCODE"}, "promo_code", "promo_unknown"),
    ],
)
@pytest.mark.parametrize("language", ["ru", "zh-hans"])
def test_each_bad_input_is_named_next_to_its_field_and_creates_nothing(
    shop, changes, field, code, language
):
    client, key = visitor()
    hold = hold_for(shop, key)
    data = {k: v for k, v in {**VALID, **changes}.items() if v != ""}
    response = client.post(checkout_url(hold, language), data)
    assert response.status_code == 400
    doc = parse(response)
    assert field_error(doc, field) == message(code, language)
    assert doc.select_one(f'[name="{field}"]')["aria-invalid"] == "true"
    nothing_created()
    # What was typed stays in the form; consents are never ticked for the customer.
    if "email" not in changes:
        assert doc.select_one('input[name="email"]')["value"] == VALID["email"]
    hold.refresh_from_db()
    assert hold.expires_at > timezone.now()


def test_all_problems_are_shown_at_once(shop):
    client, key = visitor()
    hold = hold_for(shop, key)
    response = client.post(checkout_url(hold), {"action": "pay"})
    assert response.status_code == 400
    doc = parse(response)
    for field, code in (
        ("name", "name_invalid"),
        ("email", "email_invalid"),
        ("phone", "phone_invalid"),
        ("personal_data_consent", "consent_required"),
        ("offer_accepted", "offer_required"),
    ):
        assert field_error(doc, field) == message(code)
    nothing_created()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"action": "pay", "name": "A\x00B", "email": "a\x00@example.com", "phone": "\x00"},
        {"action": "apply", "promo_code": "X\x00Y"},
        {**VALID, "name": "Я" * 10_000, "email": "a" * 10_000, "promo_code": "Z" * 10_000},
        {**VALID, "phone": "9" * 10_000},
        {"action": "something", "personal_data_consent": "\x00"},
        {**VALID, "promo_code": "\x00"},
    ],
)
def test_no_input_makes_a_500_or_an_order(shop, data):
    client, key = visitor()
    hold = hold_for(shop, key)
    response = client.post(checkout_url(hold), data)
    assert response.status_code in (200, 400)
    nothing_created()


def test_a_nul_byte_in_the_user_agent_is_harmless(shop, monkeypatch):
    client, key = visitor()
    hold = hold_for(shop, key)
    started = fake_payments(monkeypatch)
    response = client.post(checkout_url(hold), VALID, headers={"user-agent": "bad\x00agent"})
    assert response.status_code == 303
    assert started
    assert Consent.objects.filter(user_agent="badagent").count() == 2
