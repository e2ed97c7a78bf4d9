"""One bad upload never breaks a page (issue 17): a zero-byte and a text-file `.jpg`, through every way a photo
comes in, while it waits for the pipeline and once the pipeline has failed it. The Images library, its chooser
(the gallery's "Choose an image" for the cover), the galleries list, the gallery's own pages and both APIs
answer 200, and where the photo shows, its reason shows with it."""

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from galleries.models import GalleryPhoto, StudioImage
from tests.frontend_api.conftest import on_plan

from .factories import jpeg, make_gallery, upload

pytestmark = pytest.mark.django_db

BROKEN = {"empty.jpg": b"", "notes.jpg": b"Shot list: ceremony 14:00, reception 18:00.\n"}
REASONS = {"empty.jpg": "The file is empty (0 bytes)", "notes.jpg": "not an image we can read"}


@pytest.fixture
def api_key(studio):
    from frontend_api.models import ApiKey  # noqa: PLC0415 - the API layer's model, only for this fixture

    on_plan(studio)  # the Studio plan has API access
    return ApiKey.issue(studio=studio, name="Lightroom plug-in", scope=ApiKey.Scope.WRITE)[1]


@pytest.fixture
def admin(admin_client_for, photographer):
    client = admin_client_for(photographer)
    client.defaults["HTTP_HOST"] = "localhost"
    return client


def upload_in_admin(admin, gallery, name):
    response = admin.post(
        f"/admin/galleries/{gallery.pk}/upload/file/", {"file": SimpleUploadedFile(name, BROKEN[name])}
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def upload_through_studio_api(client, gallery, name, key):
    response = client.post(
        f"/api/studio/galleries/{gallery.pk}/photos/",
        {"file": SimpleUploadedFile(name, BROKEN[name])},
        HTTP_HOST="localhost",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def pages_answer(admin, client, studio, gallery, upload_page=False):
    """Every page a broken photo could break; returns the HTML of the gallery's activity (or upload) page."""
    for url in [
        "/admin/images/",
        "/admin/images/?layout=list",
        "/admin/images/chooser/",
        "/admin/images/chooser/?q=notes",
        "/admin/galleries/",
        f"/admin/pages/{gallery.pk}/edit/",
        f"/admin/galleries/{gallery.pk}/upload/",
    ]:
        response = admin.get(url)
        assert response.status_code == 200, (url, response.status_code)
    unlocked = client.post(
        "/api/client/galleries/unlock/",
        {"code": gallery.access_code},
        content_type="application/json",
        HTTP_HOST=studio.hostname,
    )
    assert unlocked.status_code == 201, unlocked.content
    token = unlocked.json()["token"]
    photos = client.get(
        f"/api/client/galleries/{gallery.pk}/photos/",
        HTTP_HOST=studio.hostname,
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert photos.status_code == 200, photos.content
    assert [p["filename"] for p in photos.json()["results"]] == ["good.jpg"]  # clients see ready photos only
    if upload_page:
        return admin.get(f"/admin/galleries/{gallery.pk}/upload/").content.decode()
    activity = admin.get(f"/admin/galleries/{gallery.pk}/activity/")
    assert activity.status_code == 200
    return activity.content.decode()


def gallery_with_a_good_photo(studio):
    gallery = make_gallery(studio)
    upload(gallery, jpeg(3, 120, 80), "good.jpg")
    return gallery


@pytest.mark.parametrize("name", BROKEN)
@pytest.mark.parametrize("path", ["admin", "studio_api"])
def test_a_broken_upload_breaks_no_page(admin, client, studio, api_key, name, path):
    gallery = gallery_with_a_good_photo(studio)
    with TestCase.captureOnCommitCallbacks() as queued:
        if path == "admin":
            photo_id = upload_in_admin(admin, gallery, name)
        else:
            photo_id = upload_through_studio_api(client, gallery, name, api_key)

    # Waiting for the pipeline (a long queue, or the broker down): its bytes are not an image.
    assert StudioImage.objects.get(gallery_photos=photo_id).status == "pending"
    assert "1 processing" in pages_answer(admin, client, studio, gallery, upload_page=True)
    status = admin.get(f"/admin/galleries/{gallery.pk}/status/?ids={photo_id}").json()["photos"][0]
    assert status["status_label"] == "Waiting to be processed"

    for callback in queued:  # the pipeline runs
        callback()
    activity = pages_answer(admin, client, studio, gallery)
    assert name in activity and REASONS[name] in activity  # the photographer reads what went wrong
    listed = client.get(
        f"/api/studio/galleries/{gallery.pk}/photos/", HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {api_key}"
    ).json()["results"]
    broken = next(p for p in listed if p["id"] == photo_id)
    assert broken["status"] == "failed" and REASONS[name] in broken["failure_reason"]


def test_a_broken_presigned_upload_breaks_no_page(s3, admin, client, studio):
    gallery = gallery_with_a_good_photo(studio)
    presign = f"/admin/galleries/{gallery.pk}/upload/presign/"

    empty = admin.post(presign, {"filename": "empty.jpg", "size": 0}, content_type="application/json")
    assert empty.status_code == 400 and empty.json()["error"]["message"] == "The file is empty (0 bytes)."

    data = BROKEN["notes.jpg"]
    ticket = admin.post(presign, {"filename": "notes.jpg", "size": len(data)}, content_type="application/json")
    assert ticket.status_code == 201, ticket.content
    ticket = ticket.json()
    posted = requests.post(ticket["url"], data=ticket["fields"], files={"file": ("notes.jpg", data)}, timeout=10)
    assert posted.status_code in (200, 204), posted.text
    pages_answer(admin, client, studio, gallery)  # reserved, not yet complete

    with TestCase.captureOnCommitCallbacks(execute=True):
        done = admin.post(f"/admin/galleries/{gallery.pk}/upload/{ticket['photo']}/complete/")
    assert done.status_code == 200, done.content
    activity = pages_answer(admin, client, studio, gallery)
    assert "notes.jpg" in activity and REASONS["notes.jpg"] in activity


@pytest.mark.parametrize("name", BROKEN)
def test_the_images_library_refuses_a_broken_file_with_a_clear_error(admin, studio, name):
    response = admin.post("/admin/images/multiple/add/", {"files[]": SimpleUploadedFile(name, BROKEN[name])})
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is False
    expected = "empty" if name == "empty.jpg" else "either not an image or a corrupted image"
    assert expected in body["error_message"]
    assert not StudioImage.objects.exists()
    assert admin.get("/admin/images/").status_code == 200


def test_a_library_image_whose_file_went_bad_shows_as_missing(admin, studio, settings, tmp_path):
    """A stored original that is no longer an image (a storage fault, a hand-edited file): listed, not a 500."""
    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / "original_images").mkdir()
    (tmp_path / "original_images" / "logo.jpg").write_bytes(b"not an image any more")
    image = StudioImage.objects.create(
        title="Studio logo", file="original_images/logo.jpg", width=400, height=300, collection=studio.collection
    )
    gallery = make_gallery(studio, cover=image)

    for url in [
        "/admin/images/",
        "/admin/images/?layout=list",
        "/admin/images/chooser/",
        f"/admin/pages/{gallery.pk}/edit/",
    ]:
        response = admin.get(url)
        assert response.status_code == 200, url
        assert "Studio logo" in response.content.decode()
    assert not GalleryPhoto.objects.exists()
