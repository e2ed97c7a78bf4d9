"""Resumable uploads straight to S3 in parts (galleries.multipart), against moto's S3 server: start, sign, send
parts, complete (the photo registered and processed as any upload), abort; resuming sends only the missing parts;
complete refuses a file that is no photo, a quota that is full and missing parts; another studio's upload is 404."""

import json

import pytest
import requests
from django.core.files.storage import default_storage
from django.test import Client, TestCase, override_settings

from galleries.models import GalleryPhoto, MultipartUpload, StudioImage

from .factories import jpeg, make_gallery

pytestmark = pytest.mark.django_db

PART = 16 * 1024


@pytest.fixture
def small_parts(s3, monkeypatch):
    """Parts of 16 KB (S3's own smallest is 5 MiB; moto's server runs in this process and is told so). Inside
    the S3 override (`s3` first), so the settings are put back in order afterwards."""
    import moto.s3.models

    monkeypatch.setattr(moto.s3.models, "S3_UPLOAD_PART_MIN_SIZE", 1024)
    with override_settings(GALLERY_UPLOAD_PART_BYTES=PART):
        yield


@pytest.fixture
def a_admin(photographer):
    admin = Client(HTTP_HOST="localhost")
    admin.force_login(photographer)
    return admin


@pytest.fixture
def b_admin(other_photographer):
    admin = Client(HTTP_HOST="localhost")  # a browser of its own
    admin.force_login(other_photographer)
    return admin


def photo_bytes() -> bytes:
    data = jpeg(7, 1600, 1067)
    assert len(data) > 2 * PART, len(data)  # at least three parts
    return data


def post(admin, url, body=None):
    return admin.post(url, json.dumps(body or {}), content_type="application/json")


def base(gallery):
    return f"/admin/galleries/{gallery.pk}/upload/multipart/"


def start(admin, gallery, data, filename="IMG_0100.jpg", size=None):
    response = post(admin, base(gallery), {"filename": filename, "size": size or len(data)})
    assert response.status_code == 201, response.content
    return response.json()


def send_parts(admin, gallery, upload, data, numbers):
    urls = post(admin, f"{base(gallery)}{upload['upload']}/sign/", {"parts": numbers}).json()["urls"]
    for n in numbers:
        chunk = data[(n - 1) * upload["part_size"] : n * upload["part_size"]]
        sent = requests.put(urls[str(n)], data=chunk, timeout=10)
        assert sent.status_code == 200, sent.text


def complete(admin, gallery, upload):
    with TestCase.captureOnCommitCallbacks(execute=True):  # the pipeline runs as for any upload
        return post(admin, f"{base(gallery)}{upload['upload']}/complete/")


def test_start_sign_send_complete_registers_and_processes_the_photo(s3, small_parts, a_admin, gallery):
    data = photo_bytes()
    upload = start(a_admin, gallery, data)
    assert upload["part_size"] == PART and upload["parts"] == -(-len(data) // PART) and upload["done"] == []
    assert GalleryPhoto.objects.count() == 0  # nothing registered before the file is there

    send_parts(a_admin, gallery, upload, data, list(range(1, upload["parts"] + 1)))
    done = complete(a_admin, gallery, upload)
    assert done.status_code == 201, done.content
    photo = GalleryPhoto.objects.get(pk=done.json()["id"])
    image = StudioImage.objects.get(pk=photo.image_id)
    assert photo.gallery == gallery and photo.filename == "IMG_0100.jpg"
    assert image.status == "ready", image.failure_reason
    assert image.file_size == len(data) and (image.width, image.height) == (1600, 1067)
    with default_storage.open(image.file.name, "rb") as stored:
        assert stored.read() == data

    again = complete(a_admin, gallery, upload)  # a retried request: the same photo, nothing new
    assert again.status_code == 201 and again.json()["id"] == photo.pk and GalleryPhoto.objects.count() == 1


def test_resume_sends_only_the_missing_parts(s3, small_parts, a_admin, gallery):
    data = photo_bytes()
    upload = start(a_admin, gallery, data)
    send_parts(a_admin, gallery, upload, data, [1, 3])  # the connection dropped during part 2

    early = post(a_admin, f"{base(gallery)}{upload['upload']}/complete/")
    assert early.status_code == 400 and "Part 2 of this file" in early.json()["error"]["message"]

    # after a reload the browser asks where the upload stands, and sends the rest
    state = a_admin.get(f"{base(gallery)}{upload['upload']}/").json()
    assert state["done"] == [1, 3] and state["parts"] == upload["parts"]
    missing = [n for n in range(1, state["parts"] + 1) if n not in state["done"]]
    send_parts(a_admin, gallery, upload, data, missing)
    done = complete(a_admin, gallery, upload)
    assert done.status_code == 201, done.content
    image = StudioImage.objects.get(pk=GalleryPhoto.objects.get().image_id)
    with default_storage.open(image.file.name, "rb") as stored:
        assert stored.read() == data


def test_a_file_that_is_no_photo_is_refused_at_complete_and_deleted(s3, small_parts, a_admin, gallery):
    data = b"%PDF-1.7 not a photo " * 4000
    upload = start(a_admin, gallery, data, filename="IMG_0101.jpg")
    send_parts(a_admin, gallery, upload, data, list(range(1, upload["parts"] + 1)))
    refused = complete(a_admin, gallery, upload)
    assert refused.status_code == 400
    assert "is not a photo we accept" in refused.json()["error"]["message"]
    assert GalleryPhoto.objects.count() == 0 and StudioImage.objects.count() == 0
    assert MultipartUpload.objects.count() == 0
    assert default_storage.connection.meta.client.list_objects_v2(Bucket=s3).get("KeyCount", 0) == 0


def test_a_full_quota_is_refused_at_complete(s3, small_parts, a_admin, gallery):
    from billing.models import Plan

    data = photo_bytes()
    upload = start(a_admin, gallery, data)
    send_parts(a_admin, gallery, upload, data, list(range(1, upload["parts"] + 1)))
    Plan.objects.filter(code="starter").update(storage_gb=0)  # filled up meanwhile
    refused = complete(a_admin, gallery, upload)
    assert refused.status_code == 413
    assert refused.json()["error"]["message"].startswith("Your storage is full:")
    assert GalleryPhoto.objects.count() == 0
    assert default_storage.connection.meta.client.list_objects_v2(Bucket=s3).get("KeyCount", 0) == 0


def test_a_file_bigger_than_announced_is_discarded(s3, small_parts, a_admin, gallery):
    data = photo_bytes()
    upload = start(a_admin, gallery, data, size=len(data) - 10)  # same number of parts, 10 bytes short
    send_parts(a_admin, gallery, upload, data, list(range(1, upload["parts"] + 1)))
    refused = complete(a_admin, gallery, upload)
    assert refused.status_code == 400 and "bigger than announced" in refused.json()["error"]["message"]
    assert GalleryPhoto.objects.count() == 0 and MultipartUpload.objects.count() == 0


def test_abort_drops_the_parts(s3, small_parts, a_admin, gallery):
    data = photo_bytes()
    upload = start(a_admin, gallery, data)
    send_parts(a_admin, gallery, upload, data, [1])
    assert post(a_admin, f"{base(gallery)}{upload['upload']}/abort/").status_code == 200
    assert MultipartUpload.objects.count() == 0
    assert not default_storage.connection.meta.client.list_multipart_uploads(Bucket=s3).get("Uploads")
    assert a_admin.get(f"{base(gallery)}{upload['upload']}/").status_code == 404


def test_bad_part_numbers_and_early_refusals(s3, small_parts, a_admin, gallery):
    data = photo_bytes()
    upload = start(a_admin, gallery, data)
    for parts in ([0], [upload["parts"] + 1], ["1"], [True], [], "1", None):
        refused = post(a_admin, f"{base(gallery)}{upload['upload']}/sign/", {"parts": parts})
        assert refused.status_code == 400, parts
    too_big = post(a_admin, base(gallery), {"filename": "a.jpg", "size": 10**12})
    assert too_big.status_code == 400 and "can be uploaded; this one is bigger" in too_big.json()["error"]["message"]


def test_another_studios_upload_id_is_404(s3, small_parts, a_admin, b_admin, gallery, other_studio):
    data = photo_bytes()
    upload = start(a_admin, gallery, data)
    b_gallery = make_gallery(other_studio, title="Harbour", slug="harbour-g")
    for path in ("", "sign/", "complete/", "abort/"):
        for admin, target in ((b_admin, gallery), (b_admin, b_gallery)):
            url = f"{base(target)}{upload['upload']}/{path}"
            response = admin.get(url) if not path else post(admin, url, {"parts": [1]})
            assert response.status_code == 404, (url, response.content)
    # A's own other gallery does not reach it either
    own_other = make_gallery(gallery.studio, title="Other", slug="other-g")
    assert post(a_admin, f"{base(own_other)}{upload['upload']}/complete/").status_code == 404
    assert MultipartUpload.objects.count() == 1
