"""The pipeline against real services: a Celery worker on Redis, and S3 through django-storages on moto's server."""

import time

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from galleries.models import GalleryPhoto, StudioImage
from galleries.renditions import rendition_specs
from galleries.uploads import add_upload, complete_direct_upload, start_direct_upload

from .factories import jpeg, make_gallery

# --- A real Celery worker ---------------------------------------------------------


def wait_until_done(photo_ids, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = dict(GalleryPhoto.objects.filter(pk__in=photo_ids).values_list("pk", "image__status"))
        if all(s in ("ready", "failed") for s in statuses.values()):
            return statuses
        time.sleep(0.2)
    raise AssertionError(f"the worker did not finish: {statuses}")


# Transactional: the worker is another process and must see committed rows (tests/factories.py restores
# what the flush between transactional tests removes: roots, plans, permissions).
@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_a_real_worker_processes_each_photo_and_a_bad_one_blocks_nothing(celery_worker, studio):
    gallery = make_gallery(studio)
    files = [
        ("IMG_1.jpg", jpeg(1, 900, 600)),
        ("broken.jpg", jpeg(2, 900, 600)[:700]),
        ("IMG_3.jpg", jpeg(3, 900, 600)),
    ]
    photos = [add_upload(gallery, SimpleUploadedFile(name, data)) for name, data in files]

    statuses = wait_until_done([p.pk for p in photos])

    assert [statuses[p.pk] for p in photos] == ["ready", "failed", "ready"]
    broken = StudioImage.objects.get(gallery_photos=photos[1])
    assert "damaged or incomplete" in broken.failure_reason
    ready = StudioImage.objects.get(gallery_photos=photos[0])
    # thumb, tile, preview, watermarked and the web download (the gallery offers a web-size ZIP)
    assert ready.renditions.count() == 5 and (ready.width, ready.height) == (900, 600)


# --- S3 (moto's server on loopback) ------------------------------------------------


# The `s3` fixture (a fresh private bucket on moto's server) is in tests/galleries/conftest.py.


@pytest.mark.django_db
def test_admin_upload_to_s3_is_processed_and_renditions_are_served(s3, studio):
    gallery = make_gallery(studio)
    with TestCase.captureOnCommitCallbacks(execute=True):
        photo = add_upload(gallery, SimpleUploadedFile("IMG_9.jpg", jpeg(9, 1000, 700)))
    image = StudioImage.objects.get(pk=photo.image_id)
    assert image.status == "ready", image.failure_reason
    thumb = image.renditions.get(filter_spec=rendition_specs(gallery, 1)["thumb"])
    assert "X-Amz-Signature=" in thumb.url
    fetched = requests.get(thumb.url, timeout=10)
    assert fetched.status_code == 200 and fetched.content[8:12] == b"WEBP"


@pytest.mark.django_db
def test_presigned_upload_then_complete(s3, studio):
    gallery = make_gallery(studio)
    data = jpeg(10, 800, 500)
    with TestCase.captureOnCommitCallbacks(execute=True):
        ticket = start_direct_upload(gallery, "DSC_0010.jpg", len(data))
    photo = GalleryPhoto.objects.get(pk=ticket["photo"])
    assert photo.image.status == "pending"

    # Too early: the file is not there yet. Nothing changes.
    from galleries.uploads import UploadRejected

    with pytest.raises(UploadRejected, match="not arrived"):
        complete_direct_upload(photo)
    assert StudioImage.objects.get(pk=photo.image_id).status == "pending"

    posted = requests.post(ticket["url"], data=ticket["fields"], files={"file": ("DSC_0010.jpg", data)}, timeout=10)
    assert posted.status_code in (200, 204), posted.text
    with TestCase.captureOnCommitCallbacks(execute=True):
        complete_direct_upload(photo)
    image = StudioImage.objects.get(pk=photo.image_id)
    assert image.status == "ready", image.failure_reason
    assert (image.width, image.height, image.file_size) == (800, 500, len(data))


@pytest.mark.django_db
def test_presigned_upload_refuses_a_bigger_file_than_announced(s3, studio):
    gallery = make_gallery(studio)
    ticket = start_direct_upload(gallery, "big.jpg", 100)
    posted = requests.post(
        ticket["url"], data=ticket["fields"], files={"file": ("big.jpg", jpeg(11, 800, 500))}, timeout=10
    )
    # Real S3 refuses this POST (content-length-range); moto does not, so `complete` checks again.
    from galleries.uploads import UploadRejected

    photo = GalleryPhoto.objects.get(pk=ticket["photo"])
    if posted.status_code in (200, 204):
        with pytest.raises(UploadRejected, match="bigger than announced"):
            complete_direct_upload(photo)
    image = StudioImage.objects.get(pk=photo.image_id)
    assert image.status == "failed" or posted.status_code == 400
    assert not image.file.storage.exists(image.file.name)


@pytest.mark.django_db
def test_original_download_is_a_presigned_expiring_s3_url(s3, studio, api, unlock):
    from galleries.models import Gallery

    gallery = make_gallery(studio, access_code="S3GALLERY", download_resolution=Gallery.Resolution.FULL)
    data = jpeg(12, 700, 500)
    with TestCase.captureOnCommitCallbacks(execute=True):
        photo = add_upload(gallery, SimpleUploadedFile("IMG_12.jpg", data))
    token = unlock(studio, "S3GALLERY")
    response = api("get", f"/api/client/photos/{photo.pk}/download/?size=full", studio, token)
    assert response.status_code == 302
    link = response["Location"]
    assert "X-Amz-Expires=600" in link
    fetched = requests.get(link, timeout=10)
    assert fetched.status_code == 200 and fetched.content == data
    assert 'attachment; filename="IMG_12.jpg"' in fetched.headers["Content-Disposition"]
    unsigned = requests.get(link.split("?")[0], timeout=10)
    assert unsigned.status_code == 403


@pytest.mark.django_db
def test_admin_direct_upload_to_s3_with_progress_endpoints(s3, admin_client_for, photographer, studio):
    import json

    gallery = make_gallery(studio, sets=["Ceremony"])
    admin = admin_client_for(photographer)
    admin.defaults["HTTP_HOST"] = "localhost"
    data = jpeg(13, 640, 480)
    ceremony = gallery.sets.get()
    ticket = admin.post(
        f"/admin/galleries/{gallery.pk}/upload/presign/",
        json.dumps({"filename": "DSC_13.jpg", "size": len(data), "set": ceremony.pk}),
        content_type="application/json",
    )
    assert ticket.status_code == 201
    ticket = ticket.json()
    posted = requests.post(ticket["url"], data=ticket["fields"], files={"file": ("DSC_13.jpg", data)}, timeout=10)
    assert posted.status_code in (200, 204)
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = admin.post(f"/admin/galleries/{gallery.pk}/upload/{ticket['photo']}/complete/")
    assert done.status_code == 200
    status = admin.get(f"/admin/galleries/{gallery.pk}/status/?ids={ticket['photo']}").json()["photos"][0]
    assert status["status"] == "ready" and "X-Amz-Signature=" in status["thumb"]
    assert GalleryPhoto.objects.get(pk=ticket["photo"]).set == ceremony
