"""Every page of the customer account, as the customer meets it: in the site's layout
(its header, stylesheet and the account's own), in Russian, English and Chinese with no
English left on the Russian page, working without JavaScript (plain forms and links, no
script of their own); the header's "Sign in" / "My account" link; VK ID and Yandex ID
buttons only when their keys are configured."""

import re

import pytest
from django.contrib.auth import get_user_model

from tests.accounts.helpers import account_url, new_client, request_code, sign_in_by_code
from tests.factories import general_departure, placed_order
from tests.helpers import parse, text

pytestmark = pytest.mark.django_db

User = get_user_model()
LANGUAGES = ("ru", "en", "zh-hans")
# Latin words a Russian or Chinese page may keep: addresses, brands, file types.
ALLOWED_LATIN = {"example", "vk", "id", "yandex", "pdf", "ics", "sms", "e-mail", "mail"}
# The language choice names each language in itself, as the language switcher does.
ALLOWED_LATIN |= {"english"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z-]{2,}")
CJK = re.compile("[\u4e00-\u9fff]")
SOCIAL = {
    "vk": {"APPS": [{"client_id": "vk-test", "secret": "vk-secret"}]},
    "yandex": {"APPS": [{"client_id": "ya-test", "secret": "ya-secret"}]},
}

ANONYMOUS_PAGES = {
    "sign-in (code)": "login/code/",
    "sign-in (password)": "login/",
    "sign-up": "signup/",
    "password reset": "password/reset/",
}
SIGNED_IN_PAGES = {
    "orders": "orders/",
    "profile": "profile/",
    "e-mail": "email/",
    "password": "password/set/",
    "sign-out": "logout/",
}


def english_words(element) -> list[str]:
    without_addresses = re.sub(r"\S+@\S+", " ", text(element))
    return [
        word
        for word in LATIN_WORD.findall(without_addresses)
        if word.lower() not in ALLOWED_LATIN and not word.isupper()  # order codes
    ]


def main_of(response):
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    doc = parse(response)
    main = doc.select_one("main .account-layout")
    assert main is not None, "not in the account layout"
    return doc, main


def check_language(doc, main, language):
    assert doc.select_one("header.site-header") is not None
    assert doc.select_one('link[href*="css/site"]') and doc.select_one('link[href*="css/account"]')
    assert not main.select("script")
    if language == "ru":
        assert english_words(main) == [], english_words(main)
    elif language == "zh-hans":
        assert CJK.search(text(main.select_one("h1")))


@pytest.fixture
def customer(home):
    client = new_client()
    sign_in_by_code(client, "anna@example.com")
    return client


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("tail", ANONYMOUS_PAGES.values(), ids=list(ANONYMOUS_PAGES))
def test_sign_in_pages(home, language, tail):
    doc, main = main_of(new_client(language).get(account_url(tail, language)))
    check_language(doc, main, language)
    assert main.select_one("form[method=post] input[name=csrfmiddlewaretoken]")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_code_page(home, language):
    client = new_client(language)
    response = request_code(client, "anna@example.com", language)

    doc, main = main_of(client.get(response["Location"]))

    check_language(doc, main, language)
    code = main.select_one("input[name=code]")
    assert code["inputmode"] == "numeric" and code["autocomplete"] == "one-time-code"
    assert "anna@example.com" in text(main)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("tail", SIGNED_IN_PAGES.values(), ids=list(SIGNED_IN_PAGES))
def test_account_pages(customer, language, tail):
    doc, main = main_of(customer.get(account_url(tail, language)))

    check_language(doc, main, language)
    nav = main.select_one("nav.account-nav")
    assert nav is not None
    assert nav.select_one("form[method=post] button")  # signing out is a form, no script


@pytest.mark.parametrize("language", LANGUAGES)
def test_order_page(customer, language):
    order = placed_order(general_departure(), paid=True, email="anna@example.com")

    doc, main = main_of(customer.get(account_url(f"orders/{order.code}/", language)))

    check_language(doc, main, language)


def test_the_header_says_sign_in_then_my_account(home):
    client = new_client()
    for language, words in (("ru", "Войти"), ("en", "Sign in"), ("zh-hans", "登录")):
        link = parse(client.get(f"/{account_url('', language).split('/')[1]}/")).select_one(
            "header .account-link"
        )
        assert text(link) == words
        assert link["href"] == account_url("login/code/", language)
    sign_in_by_code(client, "anna@example.com")
    for language, words in (("ru", "Мой кабинет"), ("en", "My account"), ("zh-hans", "我的账户")):
        link = parse(client.get(account_url("profile/", language))).select_one(
            "header .account-link"
        )
        assert text(link) == words
        assert link["href"] == account_url("", language)


def test_my_account_leads_to_the_orders(customer):
    response = customer.get(account_url())
    assert response.status_code == 302 and response["Location"] == "/ru/account/orders/"


def test_no_social_buttons_without_keys(home, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    _doc, main = main_of(new_client().get(account_url("login/code/")))

    assert main.select(".account-provider") == []
    assert new_client().get(account_url("vk/login/")).status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
def test_social_buttons_with_keys(home, settings, language):
    settings.SOCIALACCOUNT_PROVIDERS = SOCIAL
    doc, main = main_of(new_client(language).get(account_url("login/code/", language)))

    buttons = {text(a) for a in main.select("a.account-provider")}
    yandex = {"ru": "Яндекс ID", "en": "Yandex ID", "zh-hans": "Yandex ID"}[language]
    assert buttons == {"VK ID", yandex}
    check_language(doc, main, language)


def test_the_social_sign_in_starts_with_a_form_and_leaves_for_vk_id(home, settings):
    settings.SOCIALACCOUNT_PROVIDERS = SOCIAL
    client = new_client()
    doc, main = main_of(client.get(account_url("vk/login/")))
    check_language(doc, main, "ru")
    assert text(main.select_one("h1")) == "Войти через VK ID"
    yandex = main_of(client.get(account_url("yandex/login/")))[1]
    assert text(yandex.select_one("h1")) == "Войти через Яндекс ID"

    response = client.post(account_url("vk/login/"))

    assert response.status_code == 302
    assert response["Location"].startswith("https://id.vk.ru/authorize?")
    assert "client_id=vk-test" in response["Location"]
    assert (
        "redirect_uri=http%3A%2F%2Ftestserver%2Fru%2Faccount%2Fvk%2Flogin%2Fcallback%2F"
        in (response["Location"])
    )


def test_connections_page_with_keys(customer, settings):
    settings.SOCIALACCOUNT_PROVIDERS = SOCIAL
    doc, main = main_of(customer.get(account_url("3rdparty/")))

    check_language(doc, main, "ru")
    assert {text(a) for a in main.select("a.account-provider")} == {"VK ID", "Яндекс ID"}
    assert "VK ID и Яндекс ID" in [text(a) for a in main.select(".account-nav a")]


def test_the_menu_has_no_connections_without_keys(customer):
    _doc, main = main_of(customer.get(account_url("orders/")))
    items = [text(a) for a in main.select(".account-nav a")]
    assert items == ["Мои заказы", "Обращения", "Профиль", "Эл. почта", "Пароль", "Мои данные"]


def test_rate_limited_page_is_translated(home, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/m/ip"}
    client = new_client()
    client.post(account_url("signup/"), {"email": "a@example.com"})

    response = new_client().post(account_url("signup/"), {"email": "b@example.com"})

    assert response.status_code == 429
    assert "Слишком много запросов" in response.content.decode()


def test_my_data_leads_to_the_personal_data_pages(customer):
    _doc, main = main_of(customer.get(account_url("orders/", "en")))
    items = {text(a): a["href"] for a in main.select(".account-nav a")}
    assert items["My data"] == "/en/account/privacy/"
