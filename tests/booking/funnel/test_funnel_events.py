"""The sales funnel's events (booking.services.funnel) recorded by the real pages, API and
payment: one per step, after the commit, with the product and the language and nothing
about the visitor; a step rolled back is not counted."""

import json

import pytest
from django.db import transaction

from booking.models import FunnelEvent, FunnelStep, Order, Payment
from booking.services.funnel import funnel_record
from tests.booking.checkout.helpers import VALID, checkout_url, order_url, visitor
from tests.helpers import PREFIX

pytestmark = pytest.mark.django_db

S = FunnelStep


def events() -> list[tuple[str, int | None, str]]:
    return list(FunnelEvent.objects.order_by("pk").values_list("step", "product_id", "language"))


def test_each_step_of_a_sale_is_recorded_once(shop, yookassa, django_capture_on_commit_callbacks):
    product = shop.product.pk
    client, _key = visitor()
    en = PREFIX["en"]
    with django_capture_on_commit_callbacks(execute=True):
        # The cached page's script fetches the live booking block.
        fragment = client.get(
            f"/{en}/booking/block/{product}/", headers={"X-Prichal-Fragment": "1"}
        )
    assert fragment.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        # booking.js: the visitor picks a date and a time, then the tickets.
        assert client.get(f"/api/v1/departures/{shop.departure.pk}").status_code == 200
        response = client.post(
            "/api/v1/holds",
            json.dumps(
                {
                    "departure_id": shop.departure.pk,
                    "quantities": [{"ticket_type_id": shop.adult.pk, "quantity": 2}],
                }
            ),
            content_type="application/json",
            headers={"X-Bind-Session": "1", "Accept-Language": "en"},
        )
    assert response.status_code == 201, response.content
    token = response.json()["token"]
    hold_url = checkout_url(type("H", (), {"token": token}), "en")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(hold_url).status_code == 200
        # A reload of the checkout counts again: it is a page view, like the product's.
        pay = client.post(hold_url, VALID)
    assert pay.status_code == 303 and pay["Location"].startswith(yookassa.url)
    order = Order.objects.get()
    payment = order.payments.get()
    yookassa.settle(payment.provider_id, "succeed")
    Payment.objects.filter(pk=payment.pk).update(checked_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(order_url(order, "en", "status.json")).json()["paid"] is True
    Payment.objects.filter(pk=payment.pk).update(checked_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        # Asked again: the order was paid once, so "paid" is counted once.
        assert client.get(order_url(order, "en", "status.json")).json()["paid"] is True

    steps = [step for step, _product, _language in events()]
    assert steps == [
        S.PRODUCT_VIEWED,
        S.DATE_CHOSEN,
        S.HOLD_CREATED,
        S.CHECKOUT_OPENED,
        S.PAYMENT_STARTED,
        S.PAID,
    ]
    assert {product_id for _step, product_id, _language in events()} == {product}
    # The product page and checkout were in English; so was the order.
    languages = {step: language for step, _product, language in events()}
    assert languages[S.PRODUCT_VIEWED] == "en"
    assert languages[S.CHECKOUT_OPENED] == "en"
    assert languages[S.PAID] == "en"


def test_the_form_without_javascript_counts_the_date_and_the_hold(
    shop, django_capture_on_commit_callbacks
):
    client, _key = visitor()
    with django_capture_on_commit_callbacks(execute=True):
        # The block's own page (the shell's link without JavaScript).
        assert client.get(f"/ru/booking/block/{shop.product.pk}/").status_code == 200
        ok = client.post(
            "/ru/booking/hold/",
            {"departure": shop.departure.pk, f"qty-{shop.adult.pk}": "1"},
        )
        # Too many tickets: the date was chosen, no places held.
        refused = client.post(
            "/ru/booking/hold/",
            {"departure": shop.departure.pk, f"qty-{shop.adult.pk}": "90"},
        )
        junk = client.post("/ru/booking/hold/", {"departure": "x"})
    assert ok.status_code == 302 and "/booking/hold/" in ok["Location"]
    assert refused.status_code == junk.status_code == 302
    assert sorted(step for step, _p, _l in events()) == sorted(
        [S.PRODUCT_VIEWED, S.DATE_CHOSEN, S.HOLD_CREATED, S.DATE_CHOSEN]
    )
    assert {language for _s, _p, language in events()} == {"ru"}


def test_no_personal_data_is_stored():
    fields = {field.name for field in FunnelEvent._meta.get_fields()}
    assert fields == {"id", "step", "product", "language", "occurred_at"}


def test_a_step_rolled_back_is_not_counted_and_unknown_languages_are_blank(
    shop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                funnel_record(S.HOLD_CREATED, product_id=shop.product.pk)
                raise RuntimeError("the hold failed")
        except RuntimeError:
            pass
    assert events() == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        funnel_record(S.PAID, product_id=shop.product.pk, language="zh-hans")
        funnel_record(S.PAID, product_id=shop.product.pk, language="fr")
    assert len(callbacks) == 2
    assert events() == [(S.PAID, shop.product.pk, "zh-hans"), (S.PAID, shop.product.pk, "")]
