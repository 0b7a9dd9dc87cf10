"""SMS backends: console, locmem and SMS.ru against a local fake over real HTTP."""

import logging
import os
import socket
import subprocess
import sys

import pytest
from django.test import override_settings

from booking.gateways import sms
from booking.gateways.sms import ConsoleBackend, LocmemBackend, SmsError, SmsRuBackend, send_sms
from devservers.smsru import FakeSmsRu, segments

API_ID = "SECRET-API-ID-0000-1111"
PHONE = "+79161234567"
SMSRU = "booking.gateways.sms.SmsRuBackend"


@pytest.fixture(scope="module")
def server():
    fake = FakeSmsRu(api_id=API_ID).start()
    yield fake
    fake.stop()


@pytest.fixture
def fake(server):
    server.reset()
    with override_settings(
        SMS_BACKEND=SMSRU, SMSRU_API_ID=API_ID, SMSRU_API_URL=server.url, SMS_SENDER=""
    ):
        yield server


@pytest.fixture
def outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/sms/send"


# --- console and locmem -------------------------------------------------------------


@override_settings(SMS_BACKEND="booking.gateways.sms.ConsoleBackend")
def test_console_backend_logs_the_message_and_succeeds(caplog):
    with caplog.at_level(logging.INFO, logger="booking.sms"):
        result = send_sms(PHONE, "Ваш заказ K7M2QX оплачен")
    assert result.ok and result.provider_id == "console" and result.error_code is None
    assert PHONE in caplog.text and "Ваш заказ K7M2QX оплачен" in caplog.text


@override_settings(SMS_BACKEND="booking.gateways.sms.ConsoleBackend")
@pytest.mark.parametrize("text", ["x", "я" * 700, "您的订单 🚢\nстрока 2", "%s %(x)s {}"])
def test_console_backend_never_raises_on_valid_input(text, caplog):
    with caplog.at_level(logging.INFO, logger="booking.sms"):
        assert send_sms(PHONE, text).ok
    assert text in caplog.text


@override_settings(SMS_BACKEND="booking.gateways.sms.LocmemBackend")
def test_locmem_backend_collects_messages_in_the_outbox(outbox):
    first = send_sms("+7 916 123-45-67", "один")
    second = send_sms("+8613812345678", "二")
    assert first.ok and second.ok and first.provider_id != second.provider_id
    assert [(m.phone, m.text, m.provider_id) for m in outbox] == [
        (PHONE, "один", first.provider_id),
        ("+8613812345678", "二", second.provider_id),
    ]


def test_send_sms_uses_the_backend_named_in_settings(outbox):
    with override_settings(SMS_BACKEND="booking.gateways.sms.LocmemBackend"):
        send_sms(PHONE, "a")
    with override_settings(SMS_BACKEND="booking.gateways.sms.ConsoleBackend"):
        send_sms(PHONE, "b")
    assert [m.text for m in outbox] == ["a"]
    assert isinstance(sms.get_backend("booking.gateways.sms.ConsoleBackend"), ConsoleBackend)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "booking.gateways.sms.ConsoleBackend"),
        ({"SMSRU_API_ID": "x"}, SMSRU),
        (
            {"SMSRU_API_ID": "x", "SMS_BACKEND": "booking.gateways.sms.LocmemBackend"},
            "booking.gateways.sms.LocmemBackend",
        ),
    ],
)
def test_settings_pick_smsru_only_when_an_api_id_is_set(env, expected):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SMS_", "SMSRU_"))}
    out = subprocess.run(
        [sys.executable, "-c", "import config.settings.base as s; print(s.SMS_BACKEND)"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == expected


# --- input refused before anything is sent ------------------------------------------


@pytest.mark.parametrize(
    "phone", ["89161234567", "79161234567", "+7916123", "+7 000 000-00-00", "phone", "", None]
)
def test_an_invalid_phone_is_refused_before_any_request(fake, phone):
    with pytest.raises(SmsError) as error:
        send_sms(phone, "текст")
    assert error.value.code == "invalid_phone"
    assert fake.requests == []


@pytest.mark.parametrize(
    ("text", "code"), [("я" * 701, "too_long"), ("", "empty_text"), ("   ", "empty_text")]
)
def test_a_bad_text_is_refused_before_any_request(fake, text, code):
    with pytest.raises(SmsError) as error:
        send_sms(PHONE, text)
    assert error.value.code == code
    assert fake.requests == []


@pytest.mark.parametrize("backend", [ConsoleBackend, LocmemBackend])
def test_every_backend_refuses_the_same_input(backend, outbox):
    with pytest.raises(SmsError):
        backend().send("89161234567", "текст")
    with pytest.raises(SmsError):
        backend().send(PHONE, "x" * 701)
    assert outbox == []


# --- SMS.ru against the fake ---------------------------------------------------------


def test_smsru_success_returns_the_sms_id(fake):
    result = send_sms(PHONE, "Ваш заказ K7M2QX оплачен")
    assert result.ok and not result.retryable and result.error_code is None
    [request] = fake.requests
    [message] = fake.messages
    assert request["method"] == "POST"
    assert result.provider_id == message["sms_id"]
    assert message["to"] == "79161234567"
    assert message["msg"] == "Ваш заказ K7M2QX оплачен"
    assert message["json"] == "1"
    assert message["api_id"] == API_ID
    assert "from" not in message and "test" not in message


def test_smsru_sends_the_sender_name_and_test_flag_when_configured(fake):
    with override_settings(SMS_SENDER="Prichal", SMSRU_TEST=True):
        assert send_sms("+7 (916) 123-45-67", "hi").ok
    [message] = fake.messages
    assert message["from"] == "Prichal" and message["test"] == "1"
    assert message["to"] == "79161234567"


@pytest.mark.parametrize(
    "text",
    [
        "Ваш заказ оплачен. Отправление 12.07 в 19:30, причал «Дворцовый»",
        "您的订单已付款。登船时间 19:30",
        "Смешанный 混合 text — with emoji 🚢 and ё",
    ],
)
def test_russian_and_chinese_text_arrives_intact(fake, text):
    result = send_sms(PHONE, text)
    assert result.ok
    assert fake.messages[0]["msg"] == text


def test_international_numbers_are_sent_as_digits(fake):
    assert send_sms("+8613812345678", "你好").ok
    assert fake.messages[0]["to"] == "8613812345678"


def test_smsru_wrong_api_id_is_not_retryable(fake):
    with override_settings(SMSRU_API_ID="wrong"):
        result = send_sms(PHONE, "текст")
    assert (result.ok, result.error_code, result.retryable) == (False, "smsru_200", False)
    assert result.provider_id is None
    assert fake.messages == [] and fake.requests[0]["outcome"] == 200


@pytest.mark.parametrize(
    ("status_code", "where", "retryable"),
    [
        (201, "top", True),  # not enough money: goes through once the account is topped up
        (201, "recipient", True),
        (206, "top", True),  # daily limit
        (220, "top", True),  # service temporarily unavailable
        (500, "top", True),  # server error
        (230, "recipient", True),  # daily limit for this number
        (202, "recipient", False),  # bad recipient
        (207, "recipient", False),  # no route
        (209, "recipient", False),  # stop list
        (231, "recipient", False),  # the same message a minute ago: it was sent
        (204, "top", False),  # sender name not approved
        (999, "top", False),  # unknown code
    ],
)
def test_smsru_error_codes_map_to_retryable_or_not(fake, status_code, where, retryable):
    fake.fail_next(status_code=status_code, where=where)
    result = send_sms(PHONE, "текст")
    assert (result.ok, result.error_code, result.retryable) == (
        False,
        f"smsru_{status_code}",
        retryable,
    )
    assert fake.messages == []
    # the failure mode is used once: the next message goes through
    assert send_sms(PHONE, "текст").ok


def test_an_empty_balance_is_a_retryable_error():
    with FakeSmsRu(api_id=API_ID, balance=0) as broke:
        result = SmsRuBackend(api_id=API_ID, api_url=broke.url).send(PHONE, "текст")
        assert (result.ok, result.error_code, result.retryable) == (False, "smsru_201", True)
        broke.balance = 10
        assert SmsRuBackend(api_id=API_ID, api_url=broke.url).send(PHONE, "текст").ok


def test_smsru_refuses_more_than_eight_segments_and_that_is_final(fake):
    text = "я" * 700  # within our limit, but 11 UCS-2 segments
    assert segments(text) == 11
    result = send_sms(PHONE, text)
    assert (result.ok, result.error_code, result.retryable) == (False, "smsru_205", False)
    assert send_sms(PHONE, "я" * 536).ok  # 8 segments of 67


@pytest.mark.parametrize(
    ("status", "retryable"), [(503, True), (502, True), (429, True), (403, False)]
)
def test_http_errors(fake, status, retryable):
    fake.fail_next(http_status=status)
    result = send_sms(PHONE, "текст")
    assert (result.ok, result.error_code, result.retryable) == (False, f"http_{status}", retryable)


def test_a_dropped_connection_is_a_retryable_network_error(fake):
    fake.drop_next()
    result = send_sms(PHONE, "текст")
    assert (result.ok, result.error_code, result.retryable) == (False, "network", True)
    # the request did arrive (the fake read it) but nothing was sent, and it was not resent
    assert [r["outcome"] for r in fake.requests] == ["dropped"]
    assert fake.messages == []


def test_a_provider_that_is_not_running_is_a_retryable_network_error():
    with override_settings(SMS_BACKEND=SMSRU, SMSRU_API_ID=API_ID, SMSRU_API_URL=closed_port_url()):
        result = send_sms(PHONE, "текст")
    assert (result.ok, result.error_code, result.retryable) == (False, "network", True)


def test_a_slow_answer_times_out_and_is_retryable(fake):
    fake.delay_next(1.0)
    result = SmsRuBackend(api_url=fake.url, timeout=(1, 0.2)).send(PHONE, "текст")
    assert (result.ok, result.error_code, result.retryable) == (False, "timeout", True)


def test_the_default_timeouts_are_5s_connect_15s_read():
    assert SmsRuBackend(api_id="x").timeout == (5, 15)


def test_the_api_id_is_never_logged(fake, caplog):
    fake.fail_next(status_code=220).fail_next(http_status=500).drop_next()
    with caplog.at_level(logging.DEBUG):
        results = [send_sms(PHONE, "текст") for _ in range(4)]
        with override_settings(SMSRU_API_URL=closed_port_url()):
            results.append(send_sms(PHONE, "текст"))
    assert [r.ok for r in results] == [False, False, False, True, False]
    assert caplog.records  # the backend and urllib3 did log
    assert API_ID not in caplog.text
    assert all(API_ID not in r.detail for r in results)
    assert API_ID not in repr(sms.get_backend())
    assert "79161234567" not in caplog.text  # phone numbers are masked in the SMS.ru logs
