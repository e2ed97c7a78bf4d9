"""A rejected upload leaves no bytes behind (issue 12): wrong type, damaged, a decompression bomb or too big,
through the admin's bulk upload, the studio API, the presigned S3 `complete` and a real worker. The photo may
stay as a failed row with its reason; its file is gone from MEDIA_ROOT or the bucket."""

import os

import pytest
import requests
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from galleries.models import GalleryPhoto, StudioImage
from galleries.uploads import UploadRejected, add_upload, complete_direct_upload, start_direct_upload
from tests.frontend_api.conftest import on_plan

from .factories import image_bytes, jpeg, make_gallery
from .test_pipeline_services import wait_until_done

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
# (name, bytes, what the photographer reads); the bomb is 3000×3000 against a 4-megapixel limit.
REJECTED = [
    ("logo.svg", SVG, "not an image we can read"),
    ("half.jpg", jpeg(5, 800, 600)[:900], "damaged or incomplete"),
    ("bomb.png", image_bytes("PNG", size=(3000, 3000)), "megapixels"),
]


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.MAX_IMAGE_PIXELS = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 4_000_000
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 200_000


def files_in_media() -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(root, name), django_settings.MEDIA_ROOT)
        for root, _dirs, names in os.walk(django_settings.MEDIA_ROOT)
        for name in names
    )


def too_big() -> bytes:
    return jpeg(6, 64, 64) + b"\0" * 250_000  # a readable JPEG, past the 200 kB limit


# --- Admin bulk upload --------------------------------------------------------------------


@pytest.fixture
def admin(admin_client_for, photographer):
    client = admin_client_for(photographer)
    client.defaults["HTTP_HOST"] = "localhost"
    return client


@pytest.mark.parametrize("name,data,reason", REJECTED)
def test_admin_upload_that_fails_processing_leaves_no_file(admin, studio, name, data, reason):
    gallery = make_gallery(studio)
    before = files_in_media()

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin.post(f"/admin/galleries/{gallery.pk}/upload/file/", {"file": SimpleUploadedFile(name, data)})

    if reason == "megapixels":  # read from the header at upload (galleries/pixels.py): refused before it is stored
        assert response.status_code == 400 and reason in response.json()["error"]["message"]
    else:
        assert response.status_code == 201
        status = admin.get(f"/admin/galleries/{gallery.pk}/status/?ids={response.json()['id']}").json()["photos"][0]
        assert status["status"] == "failed" and reason in status["failure_reason"]
    assert files_in_media() == before


def test_admin_upload_too_big_is_refused_before_it_is_stored(admin, studio):
    gallery = make_gallery(studio)
    before = files_in_media()

    response = admin.post(
        f"/admin/galleries/{gallery.pk}/upload/file/", {"file": SimpleUploadedFile("huge.jpg", too_big())}
    )

    assert response.status_code == 400
    assert "may be up to 195.3 KB. Export it smaller" in response.json()["error"]["message"]
    assert files_in_media() == before and not GalleryPhoto.objects.exists()


def test_a_rejected_photo_no_longer_counts_against_the_storage_quota(admin, studio):
    from galleries.quota import storage_used_bytes

    gallery = make_gallery(studio)
    with TestCase.captureOnCommitCallbacks(execute=True):
        add_upload(gallery, SimpleUploadedFile("half.jpg", REJECTED[1][1]))
    assert storage_used_bytes(studio) == 0


# --- Studio API multipart ----------------------------------------------------------------


@pytest.fixture
def api_key(studio):
    from frontend_api.models import ApiKey

    on_plan(studio)  # the Studio plan has API access
    return ApiKey.issue(studio=studio, name="Lightroom plug-in", scope=ApiKey.Scope.WRITE)[1]


@pytest.mark.parametrize("name,data,reason", [*REJECTED, ("huge.jpg", too_big(), None)])
def test_studio_api_upload_that_is_rejected_leaves_no_file(client, studio, api_key, name, data, reason):
    gallery = make_gallery(studio)
    before = files_in_media()

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/api/studio/galleries/{gallery.pk}/photos/",
            {"file": SimpleUploadedFile(name, data)},
            HTTP_HOST="localhost",
            HTTP_AUTHORIZATION=f"Bearer {api_key}",
        )

    if reason is None:
        assert response.status_code == 413 and response.json()["error"]["code"] == "upload_rejected"
    elif reason == "megapixels":  # refused from its header before it is stored
        assert response.status_code == 400 and reason in response.json()["error"]["message"]
    else:
        assert response.status_code == 201
        image = StudioImage.objects.get(gallery_photos=response.json()["id"])
        assert image.status == "failed" and reason in image.failure_reason
    assert files_in_media() == before


# --- Presigned upload to S3, then `complete` -----------------------------------------------


def bucket_keys(bucket) -> list[str]:
    listed = default_storage.connection.meta.client.list_objects_v2(Bucket=bucket)
    return sorted(o["Key"] for o in listed.get("Contents", []))


@pytest.mark.parametrize("name,data,reason", REJECTED)
def test_presigned_upload_rejected_at_processing_leaves_nothing_in_the_bucket(s3, studio, name, data, reason):
    gallery = make_gallery(studio)
    ticket = start_direct_upload(gallery, name, len(data))
    posted = requests.post(ticket["url"], data=ticket["fields"], files={"file": (name, data)}, timeout=10)
    assert posted.status_code in (200, 204), posted.text
    assert len(bucket_keys(s3)) == 1

    with TestCase.captureOnCommitCallbacks(execute=True):
        complete_direct_upload(GalleryPhoto.objects.get(pk=ticket["photo"]))

    image = StudioImage.objects.get(gallery_photos=ticket["photo"])
    assert image.status == "failed" and reason in image.failure_reason
    assert bucket_keys(s3) == []


def test_presigned_upload_too_big_is_refused_before_a_key_is_handed_out(s3, studio):
    with pytest.raises(UploadRejected, match="Export it smaller"):
        start_direct_upload(make_gallery(studio), "huge.jpg", 250_000)
    assert not GalleryPhoto.objects.exists() and bucket_keys(s3) == []


# --- A real worker ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_the_worker_discards_what_it_rejects(celery_worker, studio):
    gallery = make_gallery(studio)
    before = files_in_media()
    # The worker process has the default limits (the fixture's small ones are this process's): no bomb here.
    rejected = REJECTED[:2]
    photos = [add_upload(gallery, SimpleUploadedFile(name, data)) for name, data, _ in rejected]
    good = add_upload(gallery, SimpleUploadedFile("IMG_1.jpg", jpeg(1, 600, 400)))

    statuses = wait_until_done([p.pk for p in [*photos, good]])

    assert [statuses[p.pk] for p in photos] == ["failed"] * len(rejected)
    assert statuses[good.pk] == "ready"
    kept = {StudioImage.objects.get(gallery_photos=good).file.name}
    kept |= set(StudioImage.objects.get(gallery_photos=good).renditions.values_list("file", flat=True))
    assert sorted(set(files_in_media()) - set(before)) == sorted(kept)
