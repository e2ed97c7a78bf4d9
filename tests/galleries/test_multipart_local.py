"""Resumable uploads in parts on local storage (galleries.multipart.LocalParts), at the HTTP level: the same
start → parts → sign → PUT each part → complete / abort as on S3, the parts held in a private folder of the media
storage. A dropped upload resumes from the missing part; another studio cannot touch the upload; a file that is
no photo is refused at complete and leaves no byte; an abandoned upload is swept with its parts."""

import io
import json
import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import Client, TestCase
from django.utils import timezone

from galleries import multipart, upload_parts
from galleries.models import GalleryPhoto, MultipartUpload, StudioImage
from galleries.upload_parts import PARTS_PREFIX, LocalParts
from galleries.uploads import UploadRejected

from .factories import jpeg, make_gallery

pytestmark = pytest.mark.django_db

PART = 16 * 1024


@pytest.fixture(autouse=True)
def small_parts(settings):
    settings.GALLERY_UPLOAD_PART_BYTES = PART


@pytest.fixture
def a_admin(photographer):
    admin = Client(HTTP_HOST="localhost")
    admin.force_login(photographer)
    return admin


@pytest.fixture
def b_admin(other_photographer):
    admin = Client(HTTP_HOST="localhost")
    admin.force_login(other_photographer)
    return admin


def media_files() -> set[str]:
    """Every file in the media folder (the test run's own temporary one), relative to it."""
    root = settings.MEDIA_ROOT
    return {os.path.relpath(os.path.join(d, f), root) for d, _, files in os.walk(root) for f in files}


def photo_bytes() -> bytes:
    data = jpeg(7, 1600, 1067)
    assert len(data) > 2 * PART, len(data)  # at least three parts
    return data


def post(admin, url, body=None):
    return admin.post(url, json.dumps(body or {}), content_type="application/json")


def base(gallery):
    return f"/admin/galleries/{gallery.pk}/upload/multipart/"


def start(admin, gallery, data, filename="IMG_0100.jpg"):
    response = post(admin, base(gallery), {"filename": filename, "size": len(data)})
    assert response.status_code == 201, response.content
    return response.json()


def chunk(data, upload, n):
    return data[(n - 1) * upload["part_size"] : n * upload["part_size"]]


def send_parts(admin, gallery, upload, data, numbers):
    signed = post(admin, f"{base(gallery)}{upload['upload']}/sign/", {"parts": numbers})
    assert signed.status_code == 200, signed.content
    urls = signed.json()["urls"]
    for n in numbers:
        # The admin's own part view, not a presigned URL: same site, session and CSRF header.
        assert urls[str(n)] == f"{base(gallery)}{upload['upload']}/part/{n}/"
        sent = admin.put(urls[str(n)], chunk(data, upload, n), content_type="application/octet-stream")
        assert sent.status_code == 200, sent.content


def complete(admin, gallery, upload):
    with TestCase.captureOnCommitCallbacks(execute=True):  # the pipeline runs as for any upload
        return post(admin, f"{base(gallery)}{upload['upload']}/complete/")


def test_the_manager_uploads_in_parts_on_local_storage(a_admin, gallery):
    html = a_admin.get(f"/admin/galleries/{gallery.pk}/photos/").content.decode()
    assert f'data-multipart-url="{base(gallery)}"' in html


def test_a_dropped_upload_resumes_from_the_missing_part(a_admin, gallery):
    before = media_files()
    data = photo_bytes()
    upload = start(a_admin, gallery, data)
    assert upload["part_size"] == PART and upload["parts"] == -(-len(data) // PART) and upload["done"] == []
    assert GalleryPhoto.objects.count() == 0  # nothing registered before the file is there

    # Part 2's request dropped half-way: what arrived is not kept.
    row = MultipartUpload.objects.get(pk=upload["upload"])
    with pytest.raises(UploadRejected, match="Part 2 arrived incomplete"):
        multipart.receive_part(row, 2, io.BytesIO(chunk(data, upload, 2)[:5000]), PART)
    send_parts(a_admin, gallery, upload, data, [1, *range(3, upload["parts"] + 1)])
    held = media_files() - before
    assert held and all(name.startswith(f"{PARTS_PREFIX}/") for name in held)  # private: not under images/

    early = post(a_admin, f"{base(gallery)}{upload['upload']}/complete/")
    assert early.status_code == 400 and "Part 2 of this file" in early.json()["error"]["message"]

    # After a reload the browser asks where the upload stands, and sends only what is missing.
    state = a_admin.get(f"{base(gallery)}{upload['upload']}/").json()
    assert state["done"] == [1, *range(3, upload["parts"] + 1)] and state["photo"] is None
    send_parts(a_admin, gallery, upload, data, [2])

    done = complete(a_admin, gallery, upload)
    assert done.status_code == 201, done.content
    photo = GalleryPhoto.objects.get(pk=done.json()["id"])
    image = StudioImage.objects.get(pk=photo.image_id)
    assert photo.gallery == gallery and photo.filename == "IMG_0100.jpg"
    assert image.status == "ready", image.failure_reason
    assert image.file_size == len(data) and (image.width, image.height) == (1600, 1067)
    with default_storage.open(image.file.name, "rb") as stored:
        assert stored.read() == data
    assert not any(name.startswith(f"{PARTS_PREFIX}/") for name in media_files() - before)  # parts gone

    again = complete(a_admin, gallery, upload)  # a retried request: the same photo, nothing new
    assert again.status_code == 201 and again.json()["id"] == photo.pk and GalleryPhoto.objects.count() == 1
    assert a_admin.put(f"{base(gallery)}{upload['upload']}/part/1/", b"x").status_code == 400  # complete: closed


def test_a_part_of_the_wrong_length_or_number_is_refused_and_not_kept(a_admin, gallery):
    before = media_files()
    data = photo_bytes()
    upload = start(a_admin, gallery, data)
    url = f"{base(gallery)}{upload['upload']}/part/"
    too_long = a_admin.put(f"{url}1/", chunk(data, upload, 1) + b"extra", content_type="application/octet-stream")
    assert too_long.status_code == 400 and "Part 1 of this file is 16384 bytes" in too_long.json()["error"]["message"]
    assert a_admin.put(f"{url}{upload['parts'] + 1}/", b"x").status_code == 400
    assert a_admin.post(f"{url}1/", chunk(data, upload, 1), "application/octet-stream").status_code == 405  # PUT only
    assert media_files() == before
    assert a_admin.get(f"{base(gallery)}{upload['upload']}/").json()["done"] == []


def test_another_studio_cannot_touch_the_upload(a_admin, b_admin, gallery, other_studio):
    data = photo_bytes()
    upload = start(a_admin, gallery, data)
    send_parts(a_admin, gallery, upload, data, [1])
    b_gallery = make_gallery(other_studio, title="Harbour", slug="harbour-g")
    for admin, target in ((b_admin, gallery), (b_admin, b_gallery)):
        prefix = f"{base(target)}{upload['upload']}/"
        assert admin.get(prefix).status_code == 404
        for path in ("sign/", "complete/", "abort/"):
            assert post(admin, prefix + path, {"parts": [1]}).status_code == 404, (target, path)
        for n in (1, 2):  # neither overwrite a part A sent nor add one
            sent = admin.put(f"{prefix}part/{n}/", b"\xff\xd8\xff" + b"B" * (PART - 3))
            assert sent.status_code == 404, (target, n)
    # A's own other gallery does not reach it either.
    own_other = make_gallery(gallery.studio, title="Other", slug="other-g")
    assert a_admin.put(f"{base(own_other)}{upload['upload']}/part/2/", chunk(data, upload, 2)).status_code == 404

    # A's upload is as A left it, and completes with A's bytes.
    assert a_admin.get(f"{base(gallery)}{upload['upload']}/").json()["done"] == [1]
    send_parts(a_admin, gallery, upload, data, list(range(2, upload["parts"] + 1)))
    done = complete(a_admin, gallery, upload)
    assert done.status_code == 201, done.content
    with default_storage.open(StudioImage.objects.get().file.name, "rb") as stored:
        assert stored.read() == data


def test_a_corrupt_file_is_rejected_at_complete_and_leaves_nothing(a_admin, gallery):
    before = media_files()
    data = b"%PDF-1.7 not a photo " * 4000  # named .jpg, three parts
    upload = start(a_admin, gallery, data, filename="IMG_0101.jpg")
    send_parts(a_admin, gallery, upload, data, list(range(1, upload["parts"] + 1)))
    refused = complete(a_admin, gallery, upload)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == (
        "“IMG_0101.jpg” is not a photo we accept (JPEG, PNG, WebP, HEIC, AVIF, TIFF or GIF)."
    )
    assert GalleryPhoto.objects.count() == 0 and StudioImage.objects.count() == 0
    assert MultipartUpload.objects.count() == 0
    assert media_files() == before  # neither the parts nor the assembled file
    assert a_admin.get(f"{base(gallery)}{upload['upload']}/").status_code == 404
    # The manager still answers (a corrupt upload never breaks a page).
    assert a_admin.get(f"/admin/galleries/{gallery.pk}/photos/").status_code == 200


def test_a_full_quota_is_refused_at_complete_and_leaves_nothing(a_admin, gallery):
    from billing.models import Plan

    before = media_files()
    data = photo_bytes()
    upload = start(a_admin, gallery, data)
    send_parts(a_admin, gallery, upload, data, list(range(1, upload["parts"] + 1)))
    Plan.objects.filter(code="starter").update(storage_gb=0)  # filled up meanwhile
    refused = complete(a_admin, gallery, upload)
    assert refused.status_code == 413
    assert refused.json()["error"]["message"].startswith("Your storage is full:")
    assert GalleryPhoto.objects.count() == 0 and MultipartUpload.objects.count() == 0
    assert media_files() == before


def test_abort_drops_the_parts(a_admin, gallery):
    before = media_files()
    data = photo_bytes()
    upload = start(a_admin, gallery, data)
    send_parts(a_admin, gallery, upload, data, [1, 2])
    assert media_files() != before
    assert post(a_admin, f"{base(gallery)}{upload['upload']}/abort/").status_code == 200
    assert MultipartUpload.objects.count() == 0 and media_files() == before
    assert a_admin.get(f"{base(gallery)}{upload['upload']}/").status_code == 404


def test_the_sweeper_drops_abandoned_uploads_and_orphaned_parts(a_admin, gallery, settings):
    settings.GALLERY_UPLOAD_ABANDON_HOURS = 24
    before = media_files()
    data = photo_bytes()
    abandoned, recent, finished = (start(a_admin, gallery, data, filename=f"IMG_{n}.jpg") for n in range(3))
    for upload in (abandoned, recent, finished):
        send_parts(a_admin, gallery, upload, data, [1])
    send_parts(a_admin, gallery, finished, data, list(range(2, finished["parts"] + 1)))
    assert complete(a_admin, gallery, finished).status_code == 201
    # An orphan: a folder of parts whose row went with its gallery.
    orphan = MultipartUpload.objects.get(pk=recent["upload"])
    orphan.s3_upload_id = "0" * 32
    default_storage.save(LocalParts.part_name(orphan, 1), io.BytesIO(b"left behind"))
    day_ago = timezone.now() - timedelta(hours=25)
    MultipartUpload.objects.filter(pk__in=[abandoned["upload"], finished["upload"]]).update(created_at=day_ago)
    os.utime(default_storage.path(LocalParts.folder(orphan)), (day_ago.timestamp(), day_ago.timestamp()))

    assert upload_parts.sweep_abandoned() == {"aborted": 1, "forgotten": 1, "orphans": 1}

    assert set(MultipartUpload.objects.values_list("pk", flat=True)) == {recent["upload"]}
    left = media_files() - before
    recent_row = MultipartUpload.objects.get()
    assert {n for n in left if n.startswith(PARTS_PREFIX)} == {LocalParts.part_name(recent_row, 1)}
    assert GalleryPhoto.objects.count() == 1  # the finished upload's photo stays
    assert a_admin.get(f"{base(gallery)}{abandoned['upload']}/").status_code == 404
    assert a_admin.get(f"{base(gallery)}{recent['upload']}/").json()["done"] == [1]
    assert upload_parts.sweep_abandoned() == {"aborted": 0, "forgotten": 0, "orphans": 0}
