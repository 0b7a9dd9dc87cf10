"""The site's contact form (support.views.case_new_view, support/forms.py): a plain
multipart POST opens a case and acknowledges it by e-mail in the page's language; files
are checked by their bytes, their number and size; a wrong order code, bad input and a
throttled client change nothing; the "sent" page shows only this browser's cases; the
content block renders the same form."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from support.models import Case, CaseAttachment, CaseMessage
from tests.factories import placed_order
from tests.helpers import parse

pytestmark = pytest.mark.django_db

PREFIX = {"ru": "ru", "en": "en", "zh-hans": "zh"}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def url(tail: str = "new/", language: str = "ru") -> str:
    return f"/{PREFIX[language]}/support/{tail}"


def new_client(language: str = "ru", address: str = "203.0.113.20") -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=language, REMOTE_ADDR=address)


def form_data(**overrides) -> dict:
    values = {
        "name": "Анна Смирнова",
        "email": "anna@example.com",
        "phone": "",
        "subject": "Забыла рюкзак на теплоходе",
        "message": "Синий рюкзак, рейс 7 декабря в 11:00, задний ряд.",
        "order_code": "",
    }
    values.update(overrides)
    return values


def photo(name="photo.jpg", content=JPEG, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def post(client, data, language="ru", capture=None):
    if capture is None:
        return client.post(url(language=language), data)
    with capture(execute=True):
        return client.post(url(language=language), data)


def errors(response) -> str:
    return " ".join(
        node.get_text(" ", strip=True) for node in parse(response).select(".account-field__error")
    )


def test_the_form_is_plain_html_multipart_with_labels_and_csrf(home):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="ru")
    response = client.get(url())
    assert response.status_code == 200
    page = parse(response)
    form = page.select_one("form.support-form")
    assert form["method"] == "post"
    assert form["action"] == "/ru/support/new/"
    assert form["enctype"] == "multipart/form-data"
    assert form.select_one("input[name=csrfmiddlewaretoken]") is not None
    files = form.select_one("input[type=file][name=attachments]")
    assert files.has_attr("multiple")
    assert "application/pdf" in files["accept"]
    for name in ("name", "email", "phone", "subject", "message", "order_code", "attachments"):
        field = form.select_one(f"[name={name}]")
        assert form.select_one(f"label[for={field['id']}]") is not None, name
    assert not page.select("form.support-form script")
    # Without the CSRF token the POST is refused and nothing is opened.
    assert client.post(url(), form_data()).status_code == 403
    assert not Case.objects.exists()


def test_the_form_opens_a_case_and_acknowledges_in_the_pages_language(
    home, django_capture_on_commit_callbacks
):
    client = new_client("en")
    response = post(
        client,
        form_data(email="Anna@Example.com", phone="+7 912 345-67-89"),
        "en",
        django_capture_on_commit_callbacks,
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/support/sent/{case.pk}/"
    assert case.channel == Case.Channel.WEB
    assert case.language == "en"
    assert case.status == Case.Status.NEW
    assert case.customer.email == "anna@example.com"
    assert case.customer.phone == "+79123456789"
    assert case.order is None
    message = case.messages.get()
    assert message.kind == CaseMessage.Kind.CUSTOMER
    assert message.body.startswith("Синий рюкзак")
    assert len(mail.outbox) == 1
    ack = mail.outbox[0]
    assert ack.to == ["anna@example.com"]
    assert ack.subject == f"[S-{case.pk}] Забыла рюкзак на теплоходе"
    assert "We have received your request" in ack.body
    sent = client.get(response["Location"])
    assert sent.status_code == 200
    assert f"Your request S-{case.pk} is registered" in parse(sent).get_text(" ")


def test_the_acknowledgement_is_in_russian_from_the_russian_page(
    home, django_capture_on_commit_callbacks
):
    post(new_client("ru"), form_data(), "ru", django_capture_on_commit_callbacks)
    case = Case.objects.get()
    assert case.language == "ru"
    assert "Мы получили ваше обращение" in mail.outbox[0].body


def test_the_sent_page_shows_only_this_browsers_cases(home):
    mine = new_client()
    post(mine, form_data())
    case = Case.objects.get()
    assert mine.get(url(f"sent/{case.pk}/")).status_code == 200
    stranger = new_client(address="198.51.100.9")
    assert stranger.get(url(f"sent/{case.pk}/")).status_code == 404
    assert mine.get(url(f"sent/{case.pk + 1}/")).status_code == 404


def test_five_images_and_pdfs_are_kept(home):
    files = [
        photo("1.jpg"),
        photo("2.png", PNG, "image/png"),
        photo("3.pdf", PDF, "application/pdf"),
        photo("4.jpg"),
        photo("5.pdf", PDF, "application/pdf"),
    ]
    response = post(new_client(), {**form_data(), "attachments": files})
    assert response.status_code == 302
    stored = CaseAttachment.objects.order_by("filename")
    assert [a.filename for a in stored] == ["1.jpg", "2.png", "3.pdf", "4.jpg", "5.pdf"]
    assert [a.content_type for a in stored] == [
        "image/jpeg",
        "image/png",
        "application/pdf",
        "image/jpeg",
        "application/pdf",
    ]
    assert stored[2].file.read() == PDF


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([photo(f"{n}.jpg") for n in range(6)], "At most 5 files can be attached."),
        ([photo("virus.jpg", EXE)], "The file virus.jpg cannot be attached"),
        ([photo("empty.jpg", b"")], None),
    ],
    ids=["six-files", "exe-named-jpg", "empty"],
)
def test_refused_files_change_nothing(home, files, expected):
    response = post(new_client("en"), {**form_data(), "attachments": files}, "en")
    assert response.status_code == 400
    assert not Case.objects.exists()
    assert not CaseAttachment.objects.exists()
    assert len(mail.outbox) == 0
    field = parse(response).select_one("input[name=attachments]")
    assert field["aria-invalid"] == "true"
    assert "id_attachments-error" in field["aria-describedby"].split()
    if expected:
        assert expected in errors(response)
    # What was typed stays in the form.
    assert parse(response).select_one("input[name=subject]")["value"] == form_data()["subject"]


@override_settings(SUPPORT_ATTACHMENT_MAX_BYTES=2 * 2**20)
def test_a_too_large_file_is_refused_before_it_is_read(home):
    big = photo("big.jpg", JPEG + b"\x00" * (2 * 2**20))
    response = post(new_client("en"), {**form_data(), "attachments": [photo(), big]}, "en")
    assert response.status_code == 400
    assert "The file big.jpg is larger than 2 MB." in errors(response)
    assert not Case.objects.exists()
    assert not CaseAttachment.objects.exists()


def test_a_wrong_order_code_is_refused_and_nothing_is_created(home):
    order = placed_order(paid=True, email="other@example.com")
    response = post(new_client("en"), form_data(order_code=order.code), "en")
    assert response.status_code == 400
    assert "We found no order with this code for this e-mail address" in errors(response)
    assert not Case.objects.exists()
    from accounts.models import Customer

    assert not Customer.objects.filter(email="anna@example.com").exists()


def test_a_matching_order_links_the_case_and_its_departure(home):
    order = placed_order(paid=True, email="anna@example.com")
    response = post(new_client(), form_data(order_code=order.code.lower()))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.order == order
    assert case.departure == order.departure


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"email": "not-an-address"}, "email", "Please enter a valid e-mail address."),
        ({"subject": "  "}, "subject", "Please write a subject of at most 200 characters."),
        ({"subject": "x" * 201}, "subject", "Please write a subject of at most 200 characters."),
        ({"message": ""}, "message", "Please write your message (at most 20,000 characters)."),
        ({"phone": "12"}, "phone", "Please enter a valid phone number or leave the field empty."),
        ({"name": ""}, "name", "Please enter your name (at most 150 characters)."),
    ],
)
def test_bad_input_is_explained_at_its_field(home, overrides, field, expected):
    response = post(new_client("en"), form_data(**overrides), "en")
    assert response.status_code == 400
    assert not Case.objects.exists()
    page = parse(response)
    node = page.select_one(f"[name={field}]")
    assert node["aria-invalid"] == "true"
    error_id = f"id_{field}-error"
    assert error_id in node["aria-describedby"].split()
    assert expected in page.select_one(f"#{error_id}").get_text(" ", strip=True)


def test_garbage_posts_never_fail(home):
    client = new_client()
    for data in ({}, {"attachments": "not a file"}, {"email": ["a", "b"]}, {"name": "\x00"}):
        response = client.post(url(), data)
        assert response.status_code == 400
    assert not Case.objects.exists()


@override_settings(SUPPORT_CASE_RATE="2/h", SUPPORT_CASE_ADDRESS_RATE="3/h")
def test_the_form_is_throttled_per_session_and_per_address(home):
    client = new_client("en")
    for _n in range(2):
        assert post(client, form_data(), "en").status_code == 302
    refused = post(client, form_data(), "en")
    assert refused.status_code == 429
    assert "Too many requests from this connection" in parse(refused).get_text(" ")
    assert Case.objects.count() == 2
    # Another browser on the same address: one more, then the address is over its limit.
    other = new_client("en")
    assert post(other, form_data(), "en").status_code == 302
    assert post(other, form_data(), "en").status_code == 429
    # Elsewhere, a fresh visitor is not affected.
    assert post(new_client("en", "198.51.100.7"), form_data(), "en").status_code == 302
    assert Case.objects.count() == 4


@pytest.mark.parametrize(
    ("language", "heading", "label"),
    [
        ("ru", "Напишите нам", "Тема"),
        ("en", "Write to us", "Subject"),
        ("zh-hans", "联系我们", "主题"),
    ],
)
def test_the_form_speaks_the_pages_language(home, language, heading, label):
    response = new_client(language).get(url(language=language))
    page = parse(response)
    assert page.select_one("h1").get_text(strip=True) == heading
    assert page.select_one("label[for=id_subject]").get_text(strip=True) == label


def test_a_signed_in_customer_finds_the_form_prefilled(home):
    from tests.booking.account.helpers import customer_client

    client, _user = customer_client("maria@example.com")
    from accounts.models import Customer

    Customer.objects.filter(email="maria@example.com").update(name="Мария")
    page = parse(client.get(url()))
    assert page.select_one("input[name=email]")["value"] == "maria@example.com"
    assert page.select_one("input[name=name]")["value"] == "Мария"
    assert page.select_one("a[href='/ru/support/cases/']") is not None


def test_the_footer_links_to_the_form(home):
    page = parse(new_client("en").get("/en/"))
    assert page.select_one("footer a[href='/en/support/new/']") is not None


def test_the_content_block_renders_the_form_on_a_page(home, django_capture_on_commit_callbacks):
    from tests import factories
    from tests.conftest import republish

    body = factories.stream(
        ("support_form", {"title": "Напишите капитану", "text": "Ответим за день."}),
    )
    republish(factories.StandardPageFactory(parent=home, slug="contacts", body=body))
    client = new_client()
    response = client.get("/ru/contacts/")
    assert response.status_code == 200
    page = parse(response)
    block = page.select_one("section.support-block")
    assert block.select_one("h2").get_text(strip=True) == "Напишите капитану"
    assert "Ответим за день." in block.get_text(" ")
    form = block.select_one("form.support-form")
    assert form["action"] == "/ru/support/new/"
    assert form["enctype"] == "multipart/form-data"
    assert form.select_one("input[name=csrfmiddlewaretoken]") is not None
    assert form.select_one("label[for=id_subject]").get_text(strip=True) == "Тема"
    # What the block's form posts opens a case like the form's own page.
    sent = post(client, form_data(), "ru", django_capture_on_commit_callbacks)
    assert sent.status_code == 302
    assert Case.objects.get().channel == Case.Channel.WEB


def test_the_block_without_a_heading_says_write_to_us(home):
    from tests import factories
    from tests.conftest import republish

    body = factories.stream(("support_form", {"title": "", "text": ""}))
    republish(factories.StandardPageFactory(parent=home, slug="help", body=body))
    page = parse(new_client().get("/ru/help/"))
    assert page.select_one("section.support-block h2").get_text(strip=True) == "Напишите нам"
