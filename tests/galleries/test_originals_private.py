"""Originals never have a public URL (issue 12): on local storage only renditions answer at /media/, every
other file (originals, documents, contract PDFs) by a signed link that expires; on S3 the bucket is private
and an original's link is presigned, short-lived and downloads as an attachment. Nothing uploaded is ever
shown inline as HTML or SVG."""

import importlib
import io
import re
import time
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import clear_url_caches
from wagtail.documents.models import Document

from galleries.models import StudioImage
from galleries.uploads import add_upload

from .factories import jpeg, make_gallery, upload

pytestmark = pytest.mark.django_db

EVIL_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


@pytest.fixture
def dev_urls(settings):
    """The URLs `make run` serves (DEBUG on): the finding was that /media/ served every file there."""
    import config.urls

    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


def fetch(client, url, host="localhost"):
    response = client.get(url, HTTP_HOST=host)
    return response, b"".join(response.streaming_content) if response.streaming else response.content


# --- Local storage ----------------------------------------------------------------


def test_an_original_is_not_served_at_its_media_path_but_its_renditions_are(client, dev_urls, studio):
    photo = upload(make_gallery(studio), jpeg(1, 900, 600), "IMG_0001.jpg")
    image = StudioImage.objects.get(pk=photo.image_id)
    assert image.file.name.startswith(f"tenants/{studio.pk}/original_images/")  # the studio's own prefix

    response, _ = fetch(client, f"/media/{image.file.name}", studio.hostname)
    assert response.status_code == 404

    thumb = image.renditions.get(filter_spec__startswith="max-400x400|", filter_spec__endswith="|format-webp")
    response, body = fetch(client, thumb.url, studio.hostname)
    assert response.status_code == 200 and body[8:12] == b"WEBP"
    assert response["Content-Type"] == "image/webp" and response["X-Content-Type-Options"] == "nosniff"
    assert not response.get("Content-Disposition", "").startswith("attachment")  # still inline, as before


def test_an_originals_url_is_signed_expiring_and_downloads_as_an_attachment(client, studio):
    data = jpeg(2, 640, 480)
    photo = upload(make_gallery(studio), data, "IMG_0002.jpg")
    url = StudioImage.objects.get(pk=photo.image_id).file.url
    assert url.startswith("/private-media/") and "original_images" not in url

    response, body = fetch(client, url)
    assert response.status_code == 200 and body == data
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"

    later = time.time() + 601
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert fetch(client, url)[0].status_code == 410
    token = url.split("/")[2]
    assert fetch(client, url.replace(token, token[:-2] + "xx"))[0].status_code == 404
    other = upload(make_gallery(studio, slug="other"), jpeg(3), "IMG_0003.jpg")
    other_name = StudioImage.objects.get(pk=other.image_id).file.name.rsplit("/", 1)[1]
    assert fetch(client, url.rsplit("/", 1)[0] + "/" + other_name)[0].status_code == 404


def test_the_admin_api_hands_out_a_signed_download_url(admin_client_for, photographer, studio):
    photo = upload(make_gallery(studio), jpeg(4), "IMG_0004.jpg")
    admin = admin_client_for(photographer)

    detail = admin.get(f"/admin/api/main/images/{photo.image_id}/", HTTP_HOST="localhost").json()

    download_url = detail["meta"]["download_url"]
    assert "/media/" not in download_url and "/private-media/" in download_url
    response, body = fetch(admin, download_url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")


def test_the_admin_image_page_makes_no_public_full_size_copy(client, dev_urls, admin_client_for, photographer, studio):
    photo = upload(make_gallery(studio), jpeg(5, 800, 600), "IMG_0005.jpg")
    admin = admin_client_for(photographer)

    page = admin.get(f"/admin/images/{photo.image_id}/", HTTP_HOST="localhost")

    assert page.status_code == 200
    full_size = StudioImage.objects.get(pk=photo.image_id).renditions.get(filter_spec="original")
    assert not full_size.file.name.startswith("images/")
    assert fetch(client, f"/media/{full_size.file.name}", studio.hostname)[0].status_code == 404
    assert full_size.url.startswith("/private-media/")
    html = page.content.decode()
    assert "/media/images/IMG_0005.original" not in html
    assert re.search(r'"/private-media/[^"/]+/IMG_0005\.original\.[\w-]+\.jpg"', html)


def test_documents_and_contract_pdfs_are_not_served_at_media_paths(client, dev_urls, studio):
    doc = Document.objects.create(
        title="Price list", file=ContentFile(b"%PDF-1.4 prices", name="prices.pdf"), collection=studio.collection
    )
    contract_pdf = default_storage.save(f"studios/{studio.slug}/contracts/abc-v1.pdf", ContentFile(b"%PDF-1.4"))

    assert fetch(client, f"/media/{doc.file.name}", studio.hostname)[0].status_code == 404
    assert fetch(client, f"/media/{contract_pdf}", studio.hostname)[0].status_code == 404


# --- Nothing inline as HTML or SVG ---------------------------------------------------


def test_an_svg_with_a_script_is_refused_as_an_image_and_never_served(
    client, dev_urls, admin_client_for, photographer, studio
):
    admin = admin_client_for(photographer)
    refused = admin.post(
        "/admin/images/add/",
        {"title": "logo", "file": SimpleUploadedFile("logo.svg", EVIL_SVG, "image/svg+xml")},
        HTTP_HOST="localhost",
    )
    assert refused.status_code == 200 and not StudioImage.objects.filter(title="logo").exists()
    disguised = admin.post(
        "/admin/images/add/",
        {"title": "disguised", "file": SimpleUploadedFile("logo.jpg", EVIL_SVG, "image/jpeg")},
        HTTP_HOST="localhost",
    )
    assert disguised.status_code == 200 and not StudioImage.objects.filter(title="disguised").exists()

    # As a gallery photo: stored pending, refused by the pipeline, its bytes gone.
    with TestCase.captureOnCommitCallbacks(execute=True):
        photo = add_upload(make_gallery(studio), SimpleUploadedFile("evil.svg", EVIL_SVG))
    image = StudioImage.objects.get(pk=photo.image_id)
    assert image.status == "failed" and "not an image we can read" in image.failure_reason
    assert not default_storage.exists(image.file.name)
    assert fetch(client, f"/media/{image.file.name}", studio.hostname)[0].status_code == 404


def test_a_non_image_file_in_the_renditions_folder_downloads_and_is_never_sniffed(client, dev_urls, studio):
    name = default_storage.save("images/evil.svg", ContentFile(EVIL_SVG))

    response, _ = fetch(client, f"/media/{name}", studio.hostname)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_documents_download_as_attachments_and_html_is_refused(client, admin_client_for, photographer, studio):
    admin = admin_client_for(photographer)
    refused = admin.post(
        "/admin/documents/multiple/add/",
        {"files[]": SimpleUploadedFile("page.html", b"<script>alert(1)</script>", "text/html")},
        HTTP_HOST="localhost",
    )
    assert not refused.json()["success"] and not Document.objects.filter(title="page").exists()

    for name, data in [("prices.pdf", b"%PDF-1.4 prices"), ("notes.txt", b"<script>alert(1)</script>")]:
        doc = Document.objects.create(title=name, file=ContentFile(data, name=name), collection=studio.collection)
        response, body = fetch(client, doc.url, studio.hostname)
        assert response.status_code == 200 and body == data
        assert response["Content-Disposition"].startswith("attachment"), name
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "html" not in response["Content-Type"] and "svg" not in response["Content-Type"]


# --- S3 (moto's server) ----------------------------------------------------------------


def _s3_client():
    return default_storage.connection.meta.client


def test_s3_originals_are_private_objects_refused_without_a_signature(s3, studio):
    with TestCase.captureOnCommitCallbacks(execute=True):
        photo = add_upload(make_gallery(studio), SimpleUploadedFile("IMG_0020.jpg", jpeg(20)))
    image = StudioImage.objects.get(pk=photo.image_id)
    assert image.status == "ready", image.failure_reason
    key = default_storage._normalize_name(image.file.name)

    grants = _s3_client().get_object_acl(Bucket=s3, Key=key)["Grants"]
    assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")], grants
    unsigned = requests.get(f"{_s3_client().meta.endpoint_url}/{s3}/{key}", timeout=10)
    assert unsigned.status_code == 403


def test_s3_original_urls_are_presigned_short_lived_attachments(s3, studio, admin_client_for, photographer):
    data = jpeg(21)
    with TestCase.captureOnCommitCallbacks(execute=True):
        photo = add_upload(make_gallery(studio), SimpleUploadedFile("IMG_0021.jpg", data))
    admin = admin_client_for(photographer)

    url = admin.get(f"/admin/api/main/images/{photo.image_id}/", HTTP_HOST="localhost").json()["meta"]["download_url"]

    query = parse_qs(urlsplit(url).query)
    assert "X-Amz-Signature" in query and int(query["X-Amz-Expires"][0]) <= 600
    fetched = requests.get(url, timeout=10)
    assert fetched.status_code == 200 and fetched.content == data
    assert fetched.headers["Content-Disposition"].startswith("attachment;")
    # A rendition stays a plain (presigned) image link.
    thumb = StudioImage.objects.get(pk=photo.image_id).renditions.get(
        filter_spec__startswith="max-400x400|", filter_spec__endswith="|format-webp"
    )
    assert "response-content-disposition" not in thumb.url


def test_s3_originals_never_go_through_an_unsigned_custom_domain(s3, settings, studio):
    from django.core.files.storage import storages

    options = {**settings.STORAGES["default"]["OPTIONS"], "custom_domain": "cdn.example.test"}
    storage = storages.create_storage({"BACKEND": settings.STORAGES["default"]["BACKEND"], "OPTIONS": options})
    name = storage.save("original_images/IMG_0022.jpg", io.BytesIO(jpeg(22)))

    url = storage.url(name)

    assert "cdn.example.test" not in url and "X-Amz-Signature=" in url
    assert requests.get(url, timeout=10).status_code == 200
