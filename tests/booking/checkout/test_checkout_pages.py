"""The checkout page and the order status page.

Checkout: the session's own unexpired hold only; the form has name, e-mail, phone, a promo
code with "Apply" and three separate unticked consents with their documents' links; the
breakdown shows each ticket, the discount, the fees, the total and the VAT line. Every bad
input is answered next to its field in the visitor's language and creates nothing; a good
one creates the order with its consents and sends the browser to YooKassa.

Order page: reachable by its secret link only; status, breakdown, tickets and the PDF once
paid; a small JSON status for the page to poll."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation
from wagtail.models import Site

from accounts.models import Consent
from booking.models import Hold, Order, Payment, Promotion, ServiceFee
from booking.services.errors import BookingError
from booking.services.holds import hold_create
from content.models import CompanySettings
from tests import factories
from tests.conftest import make_home, make_locales, republish, translate
from tests.factories import (
    expire,
    general_departure,
    placed_order,
    product_with_ticket_types,
)
from tests.helpers import HTML_LANG, PREFIX, parse, text

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Анна Смирнова",
    "email": "anna@example.com",
    "phone": "8 912 345-67-89",
    "personal_data_consent": "on",
    "offer_accepted": "on",
    "action": "pay",
}


def message(code: str, language: str = "ru", **params) -> str:
    """A booking error's message in `language` (the suite's catalogue test makes sure
    every msgid is translated)."""
    with translation.override(language):
        return BookingError(code, **params).message


class Shop:
    """A general-admission excursion (adult 2200, child 1500) on its page, with the three
    legal documents configured (each translated into English and Chinese)."""

    def __init__(self, home):
        locales = make_locales()
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        self.home = home
        self.product, (self.adult, self.child) = product_with_ticket_types(
            prices=("2200.00", "1500.00")
        )
        for ticket_type, names in (
            (self.adult, ("Взрослый", "Adult", "成人票")),
            (self.child, ("Детский", "Child", "儿童票")),
        ):
            ticket_type.name, ticket_type.name_en, ticket_type.name_zh = names
            ticket_type.save()
        self.departure = general_departure(
            capacity=20, product=self.product, starts_at=factories.moscow_datetime(tomorrow, 12)
        )
        body = factories.stream(("booking", {"product": self.product.pk, "title": ""}))
        self.page = republish(
            factories.ExcursionPageFactory(
                parent=home, slug="river-walk", product=self.product, body=body
            )
        )
        self.documents = {}
        for field, slug in (
            ("personal_data_consent_page", "consent"),
            ("offer_page", "offer"),
            ("refund_rules_page", "refund-rules"),
            ("privacy_policy_page", "privacy"),
        ):
            page = republish(factories.StandardPageFactory(parent=home, title=slug, slug=slug))
            self.documents[field] = {"ru": page}
            for code in ("en", "zh-hans"):
                translated_home = home.get_translation_or_none(locales[code])
                if translated_home is None:
                    translate(home, locales[code])
                self.documents[field][code] = translate(page, locales[code], title=f"{slug} {code}")
        company = CompanySettings.for_site(Site.objects.get(is_default_site=True))
        for field, pages in self.documents.items():
            setattr(company, field, pages["ru"])
        company.save()

    def document_url(self, field: str, language: str = "ru") -> str:
        return self.documents[field][language].url


@pytest.fixture(scope="module")
def _module_shop(django_db_setup, django_db_blocker):
    from django.core.cache import cache

    with django_db_blocker.unblock(), transaction.atomic():
        cache.clear()
        make_locales()
        yield Shop(make_home())
        transaction.set_rollback(True)
    cache.clear()


@pytest.fixture
def shop(_module_shop, db):
    return _module_shop


def visitor() -> tuple[Client, str]:
    client = Client()
    session = client.session
    session.save()
    client.cookies["sessionid"] = session.session_key
    return client, session.session_key


def hold_for(shop, owner_key: str, adults: int = 2, children: int = 1) -> Hold:
    quantities = {shop.adult.pk: adults}
    if children:
        quantities[shop.child.pk] = children
    return hold_create(departure_id=shop.departure.pk, owner_key=owner_key, quantities=quantities)


def checkout_url(hold: Hold, language: str = "ru") -> str:
    return f"/{PREFIX[language]}/booking/checkout/{hold.token}/"


def order_url(order: Order, language: str = "ru", tail: str = "") -> str:
    return f"/{PREFIX[language]}/booking/order/{order.code}/{order.secret}/{tail}"


def field_error(doc, name: str) -> str:
    node = doc.select_one(f"#{name}-error")
    return text(node)


def breakdown_rows(doc) -> list[list[str]]:
    table = doc.select_one("table[data-breakdown]")
    return [[text(cell) for cell in row.select("th, td")] for row in table.select("tr")]


def nothing_created():
    assert Order.objects.count() == 0
    assert Consent.objects.count() == 0


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


# ---------------------------------------------------------------- promo codes


def make_promotion(**fields) -> Promotion:
    values = {"code": "SPRING10", "kind": Promotion.Kind.PERCENT, "value": Decimal("10")}
    values.update(fields)
    return Promotion.objects.create(**values)


def test_apply_shows_the_discount_without_judging_the_rest(shop):
    make_promotion()
    client, key = visitor()
    hold = hold_for(shop, key)
    response = client.post(checkout_url(hold), {"action": "apply", "promo_code": "spring10"})
    assert response.status_code == 200
    doc = parse(response)
    discount = text(doc.select_one("[data-discount]"))
    assert "SPRING10" in discount and "590 ₽" in discount
    assert text(doc.select_one("[data-total]")) == "5 310 ₽"
    assert "5 310 ₽" in text(doc.select('button[value="pay"]')[-1])
    assert doc.select(".checkout-field__error") == []
    assert doc.select_one("#promo_code-ok")
    nothing_created()


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_apply_with_a_bad_code_says_why_next_to_the_field(shop, language):
    make_promotion(valid_until=timezone.now() - datetime.timedelta(days=1))
    client, key = visitor()
    hold = hold_for(shop, key)
    response = client.post(
        checkout_url(hold, language), {"action": "apply", "promo_code": "SPRING10"}
    )
    doc = parse(response)
    assert field_error(doc, "promo_code") == message("promo_expired", language)
    assert doc.select_one("[data-discount]") is None
    assert text(doc.select_one("[data-total]")).replace(",", " ") in ("5 900 ₽", "5900 ₽")
    nothing_created()


def apply_promo(client, hold, code="spring10"):
    response = client.post(checkout_url(hold), {"action": "apply", "promo_code": code})
    assert response.status_code == 200
    return response


def test_an_applied_promo_code_survives_a_reload(shop):
    make_promotion()
    client, key = visitor()
    hold = hold_for(shop, key)
    apply_promo(client, hold)

    doc = parse(client.get(checkout_url(hold)))
    assert "SPRING10" in text(doc.select_one("[data-discount]"))
    assert text(doc.select_one("[data-total]")) == "5 310 ₽"
    assert doc.select_one("input[name=promo_code]")["value"] == "SPRING10"
    assert doc.select_one("#promo_code-ok")


def test_an_applied_promo_code_survives_changing_the_selection(shop, monkeypatch):
    from booking.services.holds import hold_update

    make_promotion()
    client, key = visitor()
    hold = hold_for(shop, key)
    apply_promo(client, hold)
    checkout = parse(client.get(checkout_url(hold)))
    hold_url = checkout.select_one(".checkout-summary__change a")["href"]
    assert client.get(hold_url).status_code == 200
    hold_update(hold=hold, quantities={shop.adult.pk: 1})

    doc = parse(client.get(checkout_url(hold)))
    assert "220 ₽" in text(doc.select_one("[data-discount]"))
    assert text(doc.select_one("[data-total]")) == "1 980 ₽"
    promo = doc.select_one("input[name=promo_code]")["value"]
    fake_payments(monkeypatch)
    response = client.post(checkout_url(hold), {**VALID, "promo_code": promo})
    assert response.status_code == 303
    order = Order.objects.get()
    assert (order.total, order.promotion.code) == (Decimal("1980.00"), "SPRING10")


def test_the_promo_code_is_remembered_for_its_own_hold_only(shop):
    make_promotion()
    client, key = visitor()
    hold = hold_for(shop, key)
    apply_promo(client, hold)
    other = hold_for(shop, key, adults=1, children=0)

    doc = parse(client.get(checkout_url(other)))
    assert doc.select_one("[data-discount]") is None
    assert doc.select_one("input[name=promo_code]").get("value") is None
    # Someone else's session knows nothing of it either.
    stranger, _ = visitor()
    assert "SPRING10" not in stranger.get(checkout_url(hold)).content.decode()


def test_a_promo_code_removed_by_the_customer_stays_removed(shop):
    make_promotion()
    client, key = visitor()
    hold = hold_for(shop, key)
    apply_promo(client, hold)
    apply_promo(client, hold, "")

    doc = parse(client.get(checkout_url(hold)))
    assert doc.select_one("[data-discount]") is None
    assert text(doc.select_one("[data-total]")) == "5 900 ₽"


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
@pytest.mark.parametrize("how", ["promo_expired", "promo_used_up"])
def test_a_remembered_code_that_no_longer_applies_is_dropped_with_a_message(shop, how, language):
    promotion = make_promotion(max_uses=1)
    client, key = visitor()
    hold = hold_for(shop, key)
    apply_promo(client, hold)
    if how == "promo_expired":
        promotion.valid_until = timezone.now() - datetime.timedelta(seconds=1)
        promotion.save()
    else:
        placed_order(shop.departure, promo_code="SPRING10", email="boris@example.com")

    response = client.get(checkout_url(hold, language))
    assert response.status_code == 200
    doc = parse(response)
    notice = text(doc.select_one("p.booking-notice--error"))
    assert "SPRING10" in notice and message(how, language) in notice
    assert doc.select_one("[data-discount]") is None
    assert text(doc.select_one("[data-total]")).replace(",", " ") in ("5 900 ₽", "5900 ₽")
    assert doc.select_one("input[name=promo_code]").get("value") is None
    assert doc.select_one("#promo_code-ok") is None

    # Said once: the code is forgotten.
    again = parse(client.get(checkout_url(hold, language)))
    assert again.select_one("p.booking-notice--error") is None


def test_fees_have_their_own_lines(shop):
    fee = ServiceFee.objects.create(
        name="Сервисный сбор",
        name_en="Service fee",
        per=ServiceFee.Per.ORDER,
        kind=ServiceFee.Kind.FIXED,
        value=Decimal("100"),
    )
    fee.products.add(shop.product)
    client, key = visitor()
    hold = hold_for(shop, key)
    doc = parse(client.get(checkout_url(hold, "en")))
    assert [text(c) for c in doc.select_one("[data-fee]").select("th, td")] == [
        "Service fee",
        "100 ₽",
    ]
    assert text(doc.select_one("[data-total]")) == "6,000 ₽"


# ---------------------------------------------------------------- placing the order


class FakePayment:
    confirmation_url = "https://yookassa.test/checkout/abc"


def fake_payments(monkeypatch, error: str | None = None) -> list:
    """Stands in for `payment_start` (the real one is tested against the emulator)."""
    calls = []

    def payment_start(*, order, return_url):
        calls.append((order, return_url))
        if error:
            raise BookingError(error)
        return FakePayment()

    monkeypatch.setattr("booking.checkout_views.payment_start", payment_start)
    return calls


def test_pay_creates_the_order_and_its_consents_and_goes_to_the_payment(shop, monkeypatch):
    calls = fake_payments(monkeypatch)
    client, key = visitor()
    hold = hold_for(shop, key)
    before = timezone.now()
    response = client.post(
        checkout_url(hold),
        {**VALID, "marketing_consent": "on"},
        REMOTE_ADDR="198.51.100.4",
        headers={"user-agent": "Firefox/140"},
    )
    assert response.status_code == 303
    assert response["Location"] == FakePayment.confirmation_url
    order = Order.objects.get()
    assert order.hold_id == hold.pk
    assert order.phone == "+79123456789"
    assert order.language == "ru"
    assert order.total == Decimal("5900.00")
    [(started, return_url)] = calls
    assert started == order
    assert return_url == f"http://testserver{order_url(order)}"
    consents = {c.kind: c for c in Consent.objects.filter(order=order)}
    assert set(consents) == {"personal_data", "offer", "marketing"}
    pd_page = shop.documents["personal_data_consent_page"]["ru"]
    assert consents["personal_data"].document_version == f"{pd_page.pk}.{pd_page.live_revision_id}"
    assert consents["personal_data"].document_url == pd_page.url
    offer = shop.documents["offer_page"]["ru"]
    assert consents["offer"].document_version == f"{offer.pk}.{offer.live_revision_id}"
    for consent in consents.values():
        assert consent.ip_address == "198.51.100.4"
        assert consent.user_agent == "Firefox/140"
        assert consent.created_at >= before
    # Back on the checkout page (the browser's Back button): the order is there already.
    again = client.get(checkout_url(hold))
    assert again.status_code == 303 and again["Location"] == order_url(order)


def test_the_order_keeps_the_visitors_language_and_the_translated_document(shop, monkeypatch):
    fake_payments(monkeypatch)
    client, key = visitor()
    hold = hold_for(shop, key)
    response = client.post(checkout_url(hold, "zh-hans"), {**VALID, "phone": "+86 139 1234 5678"})
    assert response.status_code == 303
    order = Order.objects.get()
    assert order.language == "zh-hans"
    assert order.phone == "+8613912345678"
    consent = Consent.objects.get(order=order, kind="personal_data")
    assert consent.document_url == shop.document_url("personal_data_consent_page", "zh-hans")
    assert not Consent.objects.filter(kind="marketing").exists()


def test_pay_with_a_promo_code(shop, monkeypatch):
    fake_payments(monkeypatch)
    make_promotion()
    client, key = visitor()
    hold = hold_for(shop, key)
    response = client.post(checkout_url(hold), {**VALID, "promo_code": "spring10"})
    assert response.status_code == 303
    assert Order.objects.get().total == Decimal("5310.00")


def test_payment_unavailable_shows_the_order_page_with_try_again(shop, monkeypatch):
    fake_payments(monkeypatch, error="payment_unavailable")
    client, key = visitor()
    hold = hold_for(shop, key)
    response = client.post(checkout_url(hold), VALID)
    order = Order.objects.get()
    assert response.status_code == 303
    assert response["Location"] == order_url(order)
    doc = parse(client.get(response["Location"]))
    assert message("payment_unavailable") in text(doc)
    form = doc.select_one(f'form[action="{order_url(order, tail="pay/")}"]')
    assert form is not None and form["method"] == "post"
    fake_payments(monkeypatch)
    response = client.post(order_url(order, tail="pay/"))
    assert response.status_code == 303
    assert response["Location"] == FakePayment.confirmation_url


# ---------------------------------------------------------------- the order page


def test_a_wrong_secret_is_a_404_like_an_unknown_order(shop):
    order = placed_order(shop.departure)
    client = Client()
    for url in (
        f"/ru/booking/order/{order.code}/{'x' * 43}/",
        f"/ru/booking/order/NOSUCH12/{order.secret}/",
        f"/ru/booking/order/{order.code}/{'x' * 43}/status.json",
        f"/ru/booking/order/{order.code}/{'x' * 43}/tickets.pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/ru/booking/order/{order.code}/{'x' * 43}/pay/").status_code == 404
    assert client.get(order_url(order)).status_code == 200


def test_an_order_awaiting_payment(shop):
    order = placed_order(shop.departure)
    response = Client().get(order_url(order))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    doc = parse(response)
    assert order.code in text(doc)
    assert doc.select_one("[data-order-status]")["data-order-status"] == "awaiting_payment"
    assert doc.select_one("[data-pdf]") is None
    assert doc.select_one("[data-tickets]") is None
    assert ["Итого", "4 400 ₽"] in breakdown_rows(doc)
    status = Client().get(order_url(order, tail="status.json"))
    assert status.status_code == 200
    assert status.json() == {"status": "awaiting_payment", "paid": False, "payment": None}
    assert Client().get(order_url(order, tail="tickets.pdf")).status_code == 404


def test_while_the_payment_is_pending_the_page_polls(shop):
    order = placed_order(shop.departure)
    Payment.objects.create(
        order=order, idempotence_key="k1", provider_id="p1", amount=order.total, status="pending"
    )
    doc = parse(Client().get(order_url(order)))
    root = doc.select_one("[data-order]")
    assert root["data-poll"] == order_url(order, tail="status.json")
    refresh = doc.select_one('noscript meta[http-equiv="refresh"]')
    assert refresh is not None and int(refresh["content"]) <= 5
    data = Client().get(order_url(order, tail="status.json")).json()
    assert data == {"status": "awaiting_payment", "paid": False, "payment": "pending"}


def test_a_declined_payment_offers_to_pay_again(shop):
    order = placed_order(shop.departure)
    Payment.objects.create(
        order=order, idempotence_key="k1", provider_id="p1", amount=order.total, status="canceled"
    )
    doc = parse(Client().get(order_url(order, "en")))
    assert "Payment did not go through" in text(doc.select_one("h1"))
    form = doc.select_one(f'form[action="{order_url(order, "en", "pay/")}"]')
    assert "Pay again" in text(form)
    assert doc.select_one('meta[http-equiv="refresh"]') is None


def test_secret_pages_keep_their_address_from_other_sites_without_breaking_their_forms(shop):
    """`no-referrer` makes browsers send `Origin: null` on the page's own POST ("Pay
    again"), which the CSRF check refuses; `same-origin` keeps the secret from other sites
    and the form working. The end-to-end test presses the button in Chromium."""
    client, key = visitor()
    checkout = client.get(checkout_url(hold_for(shop, key)))
    order = placed_order(shop.departure)
    Payment.objects.create(
        order=order, idempotence_key="k1", provider_id="p1", amount=order.total, status="canceled"
    )
    page = Client().get(order_url(order))
    for response in (checkout, page):
        assert response.status_code == 200
        assert response["Referrer-Policy"] == "same-origin"
        assert parse(response).select('meta[name="referrer"]') == []


@pytest.mark.parametrize("language", ["ru", "en", "zh-hans"])
def test_a_paid_order_shows_its_tickets_and_the_pdf(shop, language):
    order = placed_order(shop.departure, paid=True)
    response = Client().get(order_url(order, language))
    assert response.status_code == 200
    doc = parse(response)
    assert doc.html["lang"] == HTML_LANG[language]
    assert doc.select_one("[data-order-status]")["data-order-status"] == "paid"
    rows = doc.select("[data-tickets] tbody tr")
    assert len(rows) == 2
    names = {"ru": "Взрослый", "en": "Adult", "zh-hans": "成人票"}
    assert names[language] in text(rows[0])
    assert doc.select_one("[data-pdf]")["href"] == order_url(order, language, "tickets.pdf")
    assert doc.select_one('meta[http-equiv="refresh"]') is None
    assert Client().get(order_url(order, language, "status.json")).json()["paid"] is True


def test_the_pdf_is_an_attachment(shop):
    """The real PDF (booking.services.confirmations.order_tickets_pdf)."""
    order = placed_order(shop.departure, paid=True)
    response = Client().get(order_url(order, tail="tickets.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="prichal-{order.code}.pdf"'
    assert response.content.startswith(b"%PDF")


def test_a_late_payment_that_lost_its_places_says_the_money_is_coming_back(shop):
    from booking.models import Refund

    order = placed_order(shop.departure)
    payment = Payment.objects.create(
        order=order, idempotence_key="k1", provider_id="p1", amount=order.total, status="succeeded"
    )
    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED, hold=None)
    Refund.objects.create(
        payment=payment, idempotence_key="r1", amount=payment.amount, reason="late_payment"
    )
    doc = parse(Client().get(order_url(order, "en")))
    assert "being returned" in text(doc.select_one(".order-state"))
    assert doc.select_one("[data-pdf]") is None


# ---------------------------------------------------------------- with the emulator


def test_checkout_to_the_emulator_and_back_paid(shop, yookassa):
    client, key = visitor()
    hold = hold_for(shop, key)
    response = client.post(checkout_url(hold, "en"), VALID, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 303
    order = Order.objects.get()
    payment = order.payments.get()
    assert response["Location"] == payment.confirmation_url
    assert response["Location"].startswith(yookassa.url)
    remote = yookassa.payment(payment.provider_id)
    assert remote["confirmation"]["return_url"] == f"http://testserver{order_url(order, 'en')}"
    assert Consent.objects.filter(order=order, ip_address="203.0.113.9").count() == 2

    # Back from YooKassa before paying: the page waits and polls.
    doc = parse(client.get(order_url(order, "en")))
    assert doc.select_one("[data-order]")["data-poll"] == order_url(order, "en", "status.json")
    assert client.get(order_url(order, "en", "status.json")).json()["paid"] is False

    yookassa.settle(payment.provider_id, "succeed")
    Payment.objects.filter(pk=payment.pk).update(checked_at=None)
    data = client.get(order_url(order, "en", "status.json")).json()
    assert data["status"] == "paid" and data["paid"] is True
    doc = parse(client.get(order_url(order, "en")))
    assert doc.select_one("[data-order-status]")["data-order-status"] == "paid"
    assert len(doc.select("[data-tickets] tbody tr")) == 3
    assert doc.select_one("[data-pdf]")


def test_a_declined_payment_can_be_paid_again(shop, yookassa):
    client, key = visitor()
    hold = hold_for(shop, key)
    first = client.post(checkout_url(hold), VALID)
    order = Order.objects.get()
    payment = order.payments.get()
    yookassa.settle(payment.provider_id, "decline")
    Payment.objects.filter(pk=payment.pk).update(checked_at=None)
    doc = parse(client.get(order_url(order)))
    assert doc.select_one(".order-status--declined")
    form = doc.select_one(f'form[action="{order_url(order, tail="pay/")}"]')
    assert form is not None
    again = client.post(form["action"])
    assert again.status_code == 303
    assert again["Location"] != first["Location"]
    assert again["Location"].startswith(yookassa.url)
    assert order.payments.count() == 2
