"""The confirmations' texts, which marketers may reword per language."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from booking.gateways import sms
from booking.messaging import render_message
from booking.models.messaging import (
    DEFAULTS,
    MessageKind,
    MessageTemplate,
    fill,
)
from booking.services.confirmations import (
    order_confirmation_email,
    order_confirmation_sms,
    order_page_url,
)
from tests.booking.confirmations.helpers import INSTRUCTIONS, html_of, paid_order

# --- marketers' templates -----------------------------------------------------------


def test_a_marketer_s_template_replaces_the_default_for_its_language_only(db):
    template = MessageTemplate(
        kind=MessageKind.ORDER_CONFIRMATION,
        language="en",
        email_subject="Ahoy! Order {order_code} is ready",
        email_body="Dear {name},\n\nsee you at {pier} on {date}, <b>{time}</b>.",
        sms_text="Ahoy {name}: {order_code} {order_url}",
    )
    template.full_clean()
    template.save()
    english = paid_order("en", name="Anna")
    russian = paid_order("ru", email="boris@example.com")
    for order in (english, russian):
        order_confirmation_email(order.pk)
        order_confirmation_sms(order.pk)
    en_mail, ru_mail = mail.outbox
    assert en_mail.subject == f"Ahoy! Order {english.code} is ready"
    assert "Dear Anna," in en_mail.body and "02:00" in en_mail.body
    assert "Dear Anna," in html_of(en_mail)
    assert "&lt;b&gt;02:00&lt;/b&gt;" in html_of(en_mail)
    # The order details are always added.
    assert INSTRUCTIONS["en"] in en_mail.body
    assert sms.outbox[0].text == f"Ahoy Anna: {english.code} {order_page_url(english)}"
    assert "Ahoy" not in ru_mail.subject and "Ahoy" not in sms.outbox[1].text
    assert russian.code in ru_mail.subject


def test_blank_fields_keep_the_defaults(db):
    MessageTemplate.objects.create(
        kind=MessageKind.ORDER_CONFIRMATION, language="en", email_subject="Order {order_code}!"
    )
    message = render_message(MessageKind.ORDER_CONFIRMATION, "en", {"order_code": "AB"})
    assert message.email_subject == "Order AB!"
    with translation.override("en"):
        assert message.sms_text == fill(
            str(DEFAULTS[MessageKind.ORDER_CONFIRMATION]["sms_text"]), {"order_code": "AB"}
        )


@pytest.mark.parametrize(
    ("field", "text", "fragment"),
    [
        ("email_body", "Hello {customer}", "{customer}"),
        ("email_body", "Hello {name.__class__}", "braces"),
        ("email_body", "Total {total:>20}", "braces"),
        ("email_body", "Total {total!r}", "braces"),
        ("email_body", "Hello {name", "braces"),
        ("email_body", "Hello }name{", "braces"),
        ("email_body", "{0} and {}", "braces"),
        ("sms_text", "Order {order_code}", "{order_url}"),
        ("email_subject", "Your tickets", "{order_code}"),
    ],
)
def test_the_admin_form_refuses_unknown_placeholders_and_braces(db, field, text, fragment):
    template = MessageTemplate(kind=MessageKind.ORDER_CONFIRMATION, language="ru", **{field: text})
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            template.full_clean()
        messages = [str(message) for message in refused.value.message_dict[field]]
    assert any(fragment in message for message in messages), messages


def test_every_allowed_placeholder_is_accepted(db):
    MessageTemplate(
        kind=MessageKind.LATE_PAYMENT_REFUND,
        language="zh-hans",
        email_subject="{order_code}",
        email_body="{name} {order_code} {product} {date} {time} {pier} {total} {order_url}",
        sms_text="{order_code} {total}",
    ).full_clean()


def test_rendering_never_raises_on_what_is_stored(db):
    MessageTemplate.objects.create(
        kind=MessageKind.ORDER_CONFIRMATION,
        language="ru",
        email_subject="{order_code} {0} {name.__class__} {",
        email_body="{unknown} {",
    )
    values = {"order_code": "AB", "name": "{total}", "total": "1 ₽", "order_url": "u"}
    message = render_message(MessageKind.ORDER_CONFIRMATION, "ru", values)
    # Texts the form would refuse fall back to the defaults; values are never re-read.
    assert "AB" in message.email_subject and "{0}" not in message.email_subject
    assert fill("{name} {unknown} {", values) == "{total} {unknown} {"


def test_the_admin_edits_a_template_and_sees_the_errors(db, client, django_user_model):
    from django.urls import reverse

    admin = django_user_model.objects.create_superuser(email="admin@example.com", password="x")
    client.force_login(admin)
    url = reverse("wagtailsnippets_booking_messagetemplate:add")
    assert client.get(url).status_code == 200
    data = {
        "kind": MessageKind.ORDER_CONFIRMATION,
        "language": "en",
        "email_subject": "Order {order_code}",
        "email_body": "Hi {nickname}",
        "sms_text": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "{nickname}" in response.content.decode()
    assert not MessageTemplate.objects.exists()
    data["email_body"] = "Hi {name}"
    response = client.post(url, data)
    assert response.status_code == 302
    assert MessageTemplate.objects.get().email_body == "Hi {name}"
