"""The agent's actions on an order in the CRM: refund chosen tickets (a quote, then the
real refund through the YooKassa emulator), send the confirmation again (reaching the
outbox), cancel an unpaid order and add a note — each for the roles that may change
orders only (buttons and views), each with a confirmation step, each audited, and every
bad input a translated form error with nothing changed."""

import datetime
import re
from pathlib import Path

import pytest
import wagtail
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import ModelLogEntry

from booking.gateways import sms
from booking.models import Order, OrderNote, Refund, SentMessage, Ticket
from booking.services.refunds import refund_request
from common.money import format_rub
from crm import roles
from tests.booking.refunds.helpers import paid_order, paid_through_yookassa, pier_departure
from tests.factories import general_departure, placed_order
from tests.factories.people import signed_in_client as client_of
from tests.factories.people import staff_member as staff

pytestmark = pytest.mark.django_db

ACTIONS = ("refund", "resend", "cancel", "note")


@pytest.fixture
def agent():
    return staff(roles.AGENT)


@pytest.fixture
def agent_client(agent):
    return client_of(agent)


def soon_departure():
    """A departure 20 days away: inside the refund window."""
    return pier_departure(starts_at=timezone.now() + datetime.timedelta(days=20))


@pytest.fixture
def order():
    return paid_order(soon_departure(), count=2, email="anna@example.com", name="Анна Смирнова")


@pytest.fixture(autouse=True)
def _outboxes():
    mail.outbox.clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def text(response) -> str:
    return response.content.decode()


def has_form_error(response) -> bool:
    """A field's error or the form's own, as the admin's form templates show them."""
    page = text(response)
    return "error-message" in page or "help-critical" in page


def url(action: str, order) -> str:
    return reverse(f"crm_orders:{action}", args=[order.pk])


def audit(order, action: str):
    return ModelLogEntry.objects.for_instance(order).filter(action=action)


def state(order):
    """What an action may change: the order, its tickets, refunds, notes, messages."""
    order.refresh_from_db()
    return (
        order.status,
        order.email,
        order.phone,
        list(order.tickets.order_by("pk").values_list("status", flat=True)),
        Refund.objects.filter(payment__order=order).count(),
        OrderNote.objects.filter(order=order).count(),
        SentMessage.objects.filter(order=order).count(),
        ModelLogEntry.objects.for_instance(order)
        .exclude(action="prichal.personal_data.view")
        .count(),
    )


# Who sees the buttons and who may act ------------------------------------------------


def test_the_agent_sees_the_buttons_of_a_paid_order(agent_client, order):
    page = text(agent_client.get(reverse("crm_orders:inspect", args=[order.pk])))
    for action in ("refund", "resend", "note"):
        assert url(action, order) in page
    assert url("cancel", order) not in page  # paid: nothing to cancel


def test_the_cancel_button_only_while_awaiting_payment(agent_client):
    unpaid = placed_order(general_departure())
    page = text(agent_client.get(reverse("crm_orders:inspect", args=[unpaid.pk])))
    assert url("cancel", unpaid) in page
    assert url("refund", unpaid) not in page and url("resend", unpaid) not in page


def test_the_accountant_sees_the_order_without_buttons_and_is_refused_every_action(order):
    client = client_of(staff(roles.ACCOUNTANT))
    page = client.get(reverse("crm_orders:inspect", args=[order.pk]))
    assert page.status_code == 200
    for action in ACTIONS:
        assert url(action, order) not in text(page)
    before = state(order)
    for action in ACTIONS:
        assert client.get(url(action, order)).status_code == 403
        response = client.post(url(action, order), {"step": "confirm", "text": "x"})
        assert response.status_code == 403
    assert state(order) == before


def test_the_marketer_is_refused(order):
    client = client_of(staff(roles.MARKETER))
    for action in ACTIONS:
        assert client.get(url(action, order)).status_code == 403
        assert client.post(url(action, order), {"step": "confirm"}).status_code == 403


def test_an_unknown_order_is_a_404(agent_client):
    for action in ACTIONS:
        response = agent_client.get(reverse(f"crm_orders:{action}", args=[999999]))
        assert response.status_code == 404


# Refund -------------------------------------------------------------------------------


def test_refund_quote_then_confirmation_through_yookassa(
    agent, agent_client, yookassa, django_capture_on_commit_callbacks
):
    order = paid_through_yookassa(soon_departure(), count=2)
    first, second = order.tickets.order_by("pk")
    form = text(agent_client.get(url("refund", order)))
    assert f'value="{first.pk}"' in form and f'value="{second.pk}"' in form

    quote = agent_client.post(url("refund", order), {"tickets": [first.pk], "step": "quote"})
    page = text(quote)
    assert quote.status_code == 200
    assert 'name="step" value="confirm"' in page
    assert "2 000" in page or "2000" in page  # the ticket's amount
    quoted = re.search(r'name="quoted" value="(\d+)"', page).group(1)
    assert Refund.objects.count() == 0  # a quote changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        done = agent_client.post(
            url("refund", order), {"tickets": [first.pk], "quoted": quoted, "step": "confirm"}
        )
    assert done.status_code == 302 and done.url == reverse("crm_orders:inspect", args=[order.pk])
    refund = Refund.objects.get()
    assert list(refund.tickets.all()) == [first]
    assert refund.reason == Refund.Reason.CUSTOMER
    assert refund.status == Refund.Status.SUCCEEDED  # YooKassa's emulator answered
    first.refresh_from_db(), second.refresh_from_db(), order.refresh_from_db()
    assert first.status == Ticket.Status.REFUNDED and second.status == Ticket.Status.VALID
    assert order.status == Order.Status.PARTLY_REFUNDED
    entry = audit(order, "booking.order.refund").get()
    assert entry.user == agent and entry.data["tickets"] == [first.pk]


def test_the_refund_window_passed_is_shown_and_nothing_is_refunded(agent_client):
    late = paid_order(pier_departure(starts_at=timezone.now() + datetime.timedelta(hours=23)))
    ticket = late.tickets.first()
    response = agent_client.post(url("refund", late), {"tickets": [ticket.pk], "step": "quote"})
    assert response.status_code == 200 and has_form_error(response)
    assert 'name="step" value="confirm"' not in text(response)
    assert "этот срок прошёл" in text(response)  # the quote's refusal, translated
    confirm = agent_client.post(
        url("refund", late), {"tickets": [ticket.pk], "quoted": "200000", "step": "confirm"}
    )
    assert confirm.status_code == 200 and has_form_error(confirm)
    assert Refund.objects.count() == 0
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.VALID


@pytest.mark.parametrize(
    "data",
    [
        {"step": "quote"},  # no tickets
        {"step": "confirm", "quoted": "0"},
        {"tickets": ["abc"], "step": "quote"},
        {"tickets": ["999999"], "step": "confirm", "quoted": "1"},
        {"tickets": ["-1"], "step": "quote"},
    ],
)
def test_refund_bad_input_is_a_form_error(agent_client, order, data):
    before = state(order)
    response = agent_client.post(url("refund", order), data)
    assert response.status_code == 200
    assert has_form_error(response)
    assert state(order) == before


def test_refund_of_another_orders_ticket_is_refused(agent_client, order):
    other = paid_order(soon_departure())
    foreign = other.tickets.first()
    before = state(order), state(other)
    response = agent_client.post(
        url("refund", order), {"tickets": [foreign.pk], "quoted": "1", "step": "confirm"}
    )
    assert response.status_code == 200 and has_form_error(response)
    assert (state(order), state(other)) == before


def test_refund_with_a_tampered_quote_is_refused(agent_client, order):
    ticket = order.tickets.first()
    before = state(order)
    for quoted in ("1", "", "x", "9" * 40):
        response = agent_client.post(
            url("refund", order), {"tickets": [ticket.pk], "quoted": quoted, "step": "confirm"}
        )
        assert response.status_code == 200 and has_form_error(response)
    assert state(order) == before


def test_a_stale_quote_is_refused(agent_client, order):
    """A ticket refunded between the quote and the confirmation."""
    first, second = order.tickets.order_by("pk")
    page = text(
        agent_client.post(url("refund", order), {"tickets": [first.pk, second.pk], "step": "quote"})
    )
    quoted = re.search(r'name="quoted" value="(\d+)"', page).group(1)
    refund_request(order=order, tickets=[first])  # meanwhile, e.g. the customer
    before = state(order)
    response = agent_client.post(
        url("refund", order),
        {"tickets": [first.pk, second.pk], "quoted": quoted, "step": "confirm"},
    )
    assert response.status_code == 200 and has_form_error(response)
    assert "Выбранный билет нельзя вернуть" in text(response)
    assert state(order) == before
    assert Refund.objects.count() == 1


def test_a_refunded_ticket_is_not_offered(agent_client, order):
    first, second = order.tickets.order_by("pk")
    refund_request(order=order, tickets=[first])
    form = text(agent_client.get(url("refund", order)))
    assert f'value="{first.pk}"' not in form and f'value="{second.pk}"' in form


def test_refund_of_an_unpaid_order_redirects_with_a_message(agent_client):
    unpaid = placed_order(general_departure())
    response = agent_client.get(url("refund", unpaid))
    assert response.status_code == 302


# Resend -------------------------------------------------------------------------------


def test_resend_by_email_to_a_corrected_address(agent, agent_client, order):
    review = agent_client.post(
        url("resend", order),
        {"channels": ["email"], "email": "anna.new@example.com", "step": "review"},
    )
    assert review.status_code == 200 and 'name="step" value="confirm"' in text(review)
    assert mail.outbox == []
    done = agent_client.post(
        url("resend", order),
        {"channels": ["email"], "email": "anna.new@example.com", "step": "confirm"},
        follow=True,
    )
    assert done.status_code == 200
    assert [m.to for m in mail.outbox] == [["anna.new@example.com"]]
    order.refresh_from_db()
    assert order.email == "anna.new@example.com"
    message = SentMessage.objects.get(order=order)
    assert message.ok and message.is_resend and message.sent_by == agent
    assert "anna.new@example.com" in text(done)  # the per-channel result and the list
    assert audit(order, "prichal.order.resend").filter(user=agent).exists()
    assert audit(order, "prichal.order.contact_change").exists()


def test_resend_by_both_channels(agent_client, order):
    agent_client.post(url("resend", order), {"channels": ["email", "sms"], "step": "confirm"})
    assert len(mail.outbox) == 1
    assert SentMessage.objects.filter(order=order).count() == 2


def test_the_resend_form_shows_the_current_contacts(agent_client, order):
    page = text(agent_client.get(url("resend", order)))
    assert "anna@example.com" in page


@pytest.mark.parametrize(
    "data",
    [
        {"step": "confirm"},  # no channel
        {"channels": ["fax"], "step": "confirm"},
        {"channels": ["email"], "email": "not-an-email", "step": "confirm"},
        {"channels": ["sms"], "phone": "12", "step": "confirm"},
        {"channels": ["email"], "email": "a" * 300 + "@example.com", "step": "confirm"},
    ],
)
def test_resend_bad_input_is_a_form_error(agent_client, order, data):
    before = state(order)
    response = agent_client.post(url("resend", order), data)
    assert response.status_code == 200
    assert has_form_error(response)
    assert state(order) == before
    assert mail.outbox == []


def test_a_get_of_the_confirmation_step_changes_nothing(agent_client, order):
    before = state(order)
    for action in ACTIONS:
        response = agent_client.get(
            url(action, order), {"step": "confirm", "channels": "email", "text": "x"}
        )
        assert response.status_code in (200, 302)
    assert state(order) == before


# Cancel -------------------------------------------------------------------------------


def test_cancel_an_unpaid_order(agent, agent_client):
    unpaid = placed_order(general_departure())
    review = agent_client.post(url("cancel", unpaid), {"reason": "Просил клиент"})
    assert review.status_code == 200 and 'name="step" value="confirm"' in text(review)
    unpaid.refresh_from_db()
    assert unpaid.status == Order.Status.AWAITING_PAYMENT
    done = agent_client.post(url("cancel", unpaid), {"reason": "Просил клиент", "step": "confirm"})
    assert done.status_code == 302
    unpaid.refresh_from_db()
    assert unpaid.status == Order.Status.CANCELLED
    entry = audit(unpaid, "prichal.order.cancel").get()
    assert entry.user == agent and entry.data["reason"] == "Просил клиент"


def test_a_paid_order_is_not_cancelled(agent_client, order):
    before = state(order)
    response = agent_client.post(url("cancel", order), {"step": "confirm"})
    assert response.status_code == 302
    assert state(order) == before


def test_a_too_long_cancel_reason_is_a_form_error(agent_client):
    unpaid = placed_order(general_departure())
    response = agent_client.post(url("cancel", unpaid), {"reason": "x" * 501, "step": "confirm"})
    assert response.status_code == 200 and has_form_error(response)
    unpaid.refresh_from_db()
    assert unpaid.status == Order.Status.AWAITING_PAYMENT


# Notes --------------------------------------------------------------------------------


def test_add_a_note_shown_on_the_order_screen(agent, agent_client, order):
    response = agent_client.post(url("note", order), {"text": "Перезвонить после 18:00"})
    assert response.status_code == 302
    note = OrderNote.objects.get(order=order)
    assert note.author == agent and note.text == "Перезвонить после 18:00"
    assert audit(order, "prichal.order.note").filter(user=agent).exists()
    page = text(agent_client.get(reverse("crm_orders:inspect", args=[order.pk])))
    assert "Перезвонить после 18:00" in page


@pytest.mark.parametrize("note", ["", "   ", "x" * 2001])
def test_an_empty_or_too_long_note_is_a_form_error(agent_client, order, note):
    before = state(order)
    response = agent_client.post(url("note", order), {"text": note})
    assert response.status_code == 200 and has_form_error(response)
    assert state(order) == before


def test_the_empty_note_error_is_translated(agent_client, order):
    response = agent_client.post(url("note", order), {"text": ""})
    assert "Заметка пуста: сначала напишите её текст." in text(response)


# The order screen: timeline and messages --------------------------------------------


def test_the_screen_shows_the_timeline_and_the_messages_sent(agent_client, order):
    agent_client.post(url("resend", order), {"channels": ["email"], "step": "confirm"})
    agent_client.post(url("note", order), {"text": "Важный клиент"})
    page = text(agent_client.get(reverse("crm_orders:inspect", args=[order.pk])))
    assert 'id="crm-order-messages"' in page
    assert "anna@example.com" in page
    assert "crm-timeline-message" in page and "crm-timeline-note" in page
    assert "crm-timeline-payment" in page


def test_a_signed_out_visitor_is_sent_to_the_sign_in(order):
    before = state(order)
    for action in ACTIONS:
        response = Client().post(url(action, order), {"step": "confirm", "text": "x"})
        assert response.status_code == 302 and "/login/" in response.url
    assert state(order) == before


def test_the_manager_may_act_on_orders(order):
    client = client_of(staff(roles.MANAGER))
    page = text(client.get(reverse("crm_orders:inspect", args=[order.pk])))
    assert url("refund", order) in page
    response = client.post(url("note", order), {"text": "Менеджер в курсе"})
    assert response.status_code == 302
    assert OrderNote.objects.filter(order=order).count() == 1


def test_a_failed_delivery_is_shown_per_channel(agent_client, order, monkeypatch):
    import smtplib

    from django.core.mail.backends import locmem

    def refuse(self, messages):
        raise smtplib.SMTPException("relay refused")

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse)
    done = agent_client.post(
        url("resend", order), {"channels": ["email", "sms"], "step": "confirm"}, follow=True
    )
    page = text(done)
    assert "anna@example.com: не отправлено" in page  # e-mail failed
    assert ": отправлено." in page  # the SMS went
    results = dict(SentMessage.objects.filter(order=order).values_list("channel", "ok"))
    assert results == {"email": False, "sms": True}


# How the screens read (the browser walk's findings) --------------------------------

WAGTAIL_ICONS = Path(wagtail.__file__).parent / "admin/templates/wagtailadmin/icons"


def test_the_header_keeps_one_action_and_the_others_in_the_more_menu(agent_client, order):
    """Three buttons squeezed the order's code out of the header: the first action is a
    button, every action is in the "…" menu (the first shown there on a phone only), all
    labels are verbs and every icon exists in Wagtail."""
    response = agent_client.get(reverse("crm_orders:inspect", args=[order.pk]))
    view = response.context["view"]
    [refund] = view.header_buttons
    assert (refund.label, refund.url, refund.icon_name) == (
        "Вернуть билеты",
        url("refund", order),
        "rotate",
    )
    assert [(b.label, b.url) for b in view.header_more_buttons] == [
        ("Вернуть билеты", url("refund", order)),
        ("Отправить подтверждение повторно", url("resend", order)),
        ("Добавить заметку", url("note", order)),
    ]
    assert "crm-narrow-only" in view.header_more_buttons[0].classname
    for button in [*view.header_buttons, *view.header_more_buttons]:
        assert (WAGTAIL_ICONS / f"{button.icon_name}.svg").exists(), button.icon_name
    page = text(response)
    assert "#icon-undo" not in page and "#icon-rotate" in page
    assert "Добавление заметки" not in page  # a noun on a button


def test_the_order_screen_shows_money_phone_and_language_as_people_read_them(agent_client, order):
    order.phone, order.language = "+79215550123", "zh-hans"
    order.save(update_fields=["phone", "language"])
    page = text(agent_client.get(reverse("crm_orders:inspect", args=[order.pk])))
    assert '<dd class="crm-customer-phone">+7 921 555-01-23</dd>' in page
    assert '<dd class="crm-customer-language">Упрощенный китайский</dd>' in page
    with translation.override("ru"):
        total = format_rub(order.total)
    assert total in page and "\u00a0₽" in total
    assert f"{order.total} ₽" not in page  # no "4000.00 ₽"


def test_refund_amounts_read_the_same_on_the_form_the_message_and_the_audit(
    agent_client, yookassa, django_capture_on_commit_callbacks
):
    order = paid_through_yookassa(soon_departure(), count=2)
    first = order.tickets.order_by("pk").first()
    with translation.override("ru"):
        amount = format_rub(first.paid_amount)
    form = text(agent_client.get(url("refund", order)))
    assert f"#{first.pk} — " in form and f", {amount}" in form  # the ticket's label
    assert f"{first.paid_amount} ₽" not in form
    quote = text(agent_client.post(url("refund", order), {"tickets": [first.pk]}))
    assert f'<th class="crm-refund-amount">{amount}</th>' in quote
    quoted = re.search(r'name="quoted" value="(\d+)"', quote).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        done = agent_client.post(
            url("refund", order),
            {"tickets": [first.pk], "quoted": quoted, "step": "confirm"},
            follow=True,
        )
    refund = Refund.objects.get()
    assert f"Возврат №{refund.pk} на {amount} оформлен: билеты возвращены." in text(done)
    entry = audit(order, "booking.order.refund").get()
    with translation.override("ru"):
        message = log_action_registry.get_formatter(entry).format_message(entry)
    assert message == f"Возвращено билетов: 1, {amount}"


def test_the_resend_confirmation_says_where_each_message_goes(agent_client, order):
    review = text(
        agent_client.post(
            url("resend", order),
            {"channels": ["email", "sms"], "phone": "8 (921) 000-11-22", "step": "review"},
        )
    )
    rows = re.search(r'<dl class="crm-facts crm-review">(.*?)</dl>', review, re.S).group(1)
    rows = [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<d[td]>(.*?)</d[td]>", rows)]
    assert rows == [
        "Способ отправки",
        "Письмо; SMS",
        "Письмо уйдёт на адрес",
        "anna@example.com",
        "SMS уйдёт на номер",
        "+7 921 000-11-22",
    ]
    only_email = text(agent_client.post(url("resend", order), {"channels": ["email"]}))
    assert "<dd>Письмо</dd>" in only_email and "Письмо; " not in only_email
    assert "SMS уйдёт" not in only_email


def test_a_bad_phone_is_refused_before_the_resend_confirmation(agent_client, order):
    before = state(order)
    response = agent_client.post(url("resend", order), {"channels": ["sms"], "phone": "12"})
    assert response.status_code == 200 and has_form_error(response)
    assert 'name="step" value="confirm"' not in text(response)
    assert state(order) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_page_has_the_orders_breadcrumbs_and_code(agent_client, action):
    order = (
        placed_order(general_departure())
        if action == "cancel"
        else paid_order(soon_departure(), count=1)
    )
    response = agent_client.get(url(action, order))
    crumbs = response.context["breadcrumbs_items"]
    assert [c["url"] for c in crumbs[-3:]] == [
        reverse("crm_orders:index"),
        reverse("crm_orders:inspect", args=[order.pk]),
        "",
    ]
    assert crumbs[-1]["sublabel"] == order.code
    assert order.code in response.context["header_title"]


def test_the_timeline_is_unnumbered_and_keeps_an_address_on_one_line(agent_client, order):
    agent_client.post(url("note", order), {"text": "Перезвонить"})
    page = text(agent_client.get(reverse("crm_orders:inspect", args=[order.pk])))
    assert '<ul class="crm-timeline">' in page and '<ol class="crm-timeline">' not in page
    assert re.search(r'<small class="crm-nowrap crm-client-address">с адреса <code>', page)


def test_the_history_counts_entries(agent_client, order):
    agent_client.post(url("note", order), {"text": "Первая"})
    agent_client.post(url("note", order), {"text": "Вторая"})
    page = text(agent_client.get(reverse("crm_orders:history", args=[order.pk])))
    assert "2 записи" in page and "модели лога" not in page
