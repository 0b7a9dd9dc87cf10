"""Uploads on S3-compatible object storage (issue 14): with AWS_STORAGE_BUCKET_NAME set,
Wagtail images, their renditions and documents go to the bucket and are read back over
HTTP from the storage's endpoint; support attachments go to a private bucket or prefix
that nobody reads without a signature, and the site still serves them to whoever holds
the signed link. Against moto's S3 server on a free port."""

import io

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from support.models import Case, CaseAttachment, private_storage
from support.services.attachments import AttachmentUpload, attachment_token
from support.services.cases import CaseRequest, case_open
from tests.factories.people import signed_in_client, staff_member
from tests.scaleout.s3 import s3_server, storage_settings

pytestmark = pytest.mark.django_db

MEDIA_BUCKET = "prichal-media"
PRIVATE_BUCKET = "prichal-private"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture(scope="module")
def s3():
    with s3_server() as server:
        server.create_bucket(MEDIA_BUCKET)
        server.create_bucket(PRIVATE_BUCKET)
        yield server


@pytest.fixture
def object_storage(s3, monkeypatch):
    """The site's settings as they are with the bucket configured (media bucket only)."""
    env = s3.env(MEDIA_BUCKET)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, env[name])
    with override_settings(**storage_settings(env)):
        yield s3


def png(colour="navy", size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def test_without_a_bucket_uploads_stay_on_the_disk(s3):
    values = storage_settings({"AWS_STORAGE_BUCKET_NAME": ""})
    assert values["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")
    assert "support_private" not in values["STORAGES"]


def test_the_default_endpoint_is_a_russian_region():
    values = storage_settings({"AWS_STORAGE_BUCKET_NAME": "prichal"})
    assert values["AWS_S3_ENDPOINT_URL"] == "https://storage.yandexcloud.net"
    assert values["AWS_S3_REGION_NAME"] == "ru-central1"


def test_an_image_uploaded_in_the_admin_and_its_rendition_live_in_the_bucket(object_storage, home):
    admin = signed_in_client(staff_member("Administrator"))
    response = admin.post(
        "/admin/images/add/",
        {"title": "Разводной мост", "file": SimpleUploadedFile("most.png", png(), "image/png")},
    )
    assert response.status_code == 302, response.content[:2000]
    image = get_image_model().objects.get(title="Разводной мост")

    original = requests.get(image.file.url, timeout=10)
    assert image.file.url.startswith(f"{object_storage.url}/{MEDIA_BUCKET}/media/original_images/")
    assert original.status_code == 200
    assert original.content == png()

    rendition = image.get_rendition("fill-32x32")
    assert rendition.url.startswith(f"{object_storage.url}/{MEDIA_BUCKET}/media/images/")
    served = requests.get(rendition.url, timeout=10)
    assert served.status_code == 200
    assert PILImage.open(io.BytesIO(served.content)).size == (32, 32)
    # Nothing of it on this machine's disk: another node finds it in the bucket.
    keys = {
        item["Key"]
        for item in object_storage.client().list_objects_v2(Bucket=MEDIA_BUCKET)["Contents"]
    }
    assert image.file.name in {key.removeprefix("media/") for key in keys}
    assert rendition.file.name in {key.removeprefix("media/") for key in keys}


def test_a_document_is_stored_in_the_bucket_and_served_by_the_site(object_storage, home):
    document = get_document_model().objects.create(
        title="Правила", file=SimpleUploadedFile("pravila.pdf", PDF)
    )
    listed = object_storage.client().get_object(
        Bucket=MEDIA_BUCKET, Key=f"media/{document.file.name}"
    )
    assert listed["Body"].read() == PDF
    # Streamed by the site (privacy of collections applies), not a redirect to the bucket.
    response = signed_in_client(staff_member("Administrator")).get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def open_case_with_attachment() -> CaseAttachment:
    case = open_case()
    return CaseAttachment.objects.get(message__case=case)


def open_case():
    return case_open(
        request=CaseRequest(
            channel=Case.Channel.WEB,
            subject="Забыла рюкзак",
            body="Синий рюкзак.",
            email="anna@example.com",
            language="ru",
            attachments=(AttachmentUpload("чек.pdf", PDF),),
        )
    )


@pytest.mark.parametrize(
    ("extra", "bucket", "prefix"),
    [
        ({}, MEDIA_BUCKET, "private/"),
        ({"AWS_PRIVATE_BUCKET_NAME": PRIVATE_BUCKET}, PRIVATE_BUCKET, ""),
    ],
    ids=["private-prefix", "private-bucket"],
)
def test_a_support_attachment_is_private_in_object_storage(
    s3, monkeypatch, home, client, extra, bucket, prefix
):
    env = s3.env(MEDIA_BUCKET, **extra)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, env[name])
    with override_settings(**storage_settings(env)):
        # Django calls a field's storage callable once, when the model is loaded: a
        # process started with these settings has this storage on the field.
        monkeypatch.setattr(CaseAttachment._meta.get_field("file"), "storage", private_storage())
        attachment = open_case_with_attachment()
        key = f"{prefix}{attachment.file.name}"
        stored = s3.client().get_object(Bucket=bucket, Key=key)
        assert stored["Body"].read() == PDF

        # Not publicly readable: an unsigned request to the endpoint is refused.
        assert requests.get(f"{s3.url}/{bucket}/{key}", timeout=10).status_code == 403
        # Only a signed URL of the storage (short-lived) reads it...
        signed = private_storage().url(attachment.file.name)
        assert "Signature=" in signed or "X-Amz-Signature=" in signed
        assert requests.get(signed, timeout=10).content == PDF
        # ...and the site, to whoever holds the case's signed link.
        response = client.get(f"/ru/support/files/{attachment_token(attachment)}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
