"""Galleries in the Wagtail admin: editing as content, bulk upload with status, quota, activity, watermark;
every URL as another studio's photographer is a 404 that leaks nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import Revision
from wagtail.test.utils.form_data import querydict_from_html

from galleries.models import (
    Comment,
    DownloadEvent,
    Gallery,
    GalleryAccess,
    GalleryPhoto,
    Selection,
    SelectionItem,
    StudioImage,
    WatermarkSettings,
)
from galleries.renditions import rendition_specs
from tests.factories import ClientFactory

from .conftest import bulk_ready_photos
from .factories import jpeg

pytestmark = pytest.mark.django_db


def on_platform_host(client):
    client.defaults["HTTP_HOST"] = "localhost"  # the admin lives on the platform host
    return client


@pytest.fixture
def a_admin(admin_client_for, photographer):
    return on_platform_host(admin_client_for(photographer))


@pytest.fixture
def b_admin(admin_client_for, other_photographer):
    return on_platform_host(admin_client_for(other_photographer))


def test_gallery_is_edited_as_a_page_and_photos_stay_out_of_revisions(a_admin, gallery, django_assert_max_num_queries):
    bulk_ready_photos(gallery, 2000)
    edit_url = f"/admin/pages/{gallery.pk}/edit/"
    with django_assert_max_num_queries(80):
        page = a_admin.get(edit_url)
    assert page.status_code == 200
    form = querydict_from_html(page.content.decode(), form_id="page-edit-form")
    form["title"] = "Emma & Jonah — Wedding day"
    form["selection_limit"] = "40"
    with django_assert_max_num_queries(120):
        saved = a_admin.post(edit_url, form)
    assert saved.status_code == 302, saved.content[:2000]
    gallery.refresh_from_db()
    assert gallery.get_latest_revision().content["title"] == "Emma & Jonah — Wedding day"
    revision = Revision.objects.filter(object_id=str(gallery.pk)).latest("pk")
    assert "photos" not in revision.content
    assert len(json.dumps(revision.content)) < 5000
    assert GalleryPhoto.objects.filter(gallery=gallery).count() == 2000


def test_client_choice_lists_only_this_studios_clients(a_admin, studio, other_studio, gallery):
    ClientFactory(studio=studio, name="Emma Client")
    ClientFactory(studio=other_studio, name="Harbour Secret Client")
    page = a_admin.get(f"/admin/pages/{gallery.pk}/edit/")
    assert b"Emma Client" in page.content
    assert b"Harbour Secret Client" not in page.content


def test_access_code_must_be_unique_and_long_enough(a_admin, studio, gallery):
    from .factories import make_gallery

    other = make_gallery(studio, title="Second", slug="second", access_code="SECOND77")
    edit_url = f"/admin/pages/{other.pk}/edit/"
    form = querydict_from_html(a_admin.get(edit_url).content.decode(), form_id="page-edit-form")
    form["access_code"] = "wedding24"
    response = a_admin.post(edit_url, form)
    assert response.status_code == 200
    assert "Another of your galleries already uses this code" in response.content.decode()
    form["access_code"] = "abc"
    assert "at least 6" in a_admin.post(edit_url, form).content.decode()
    other.refresh_from_db()
    assert other.access_code == "SECOND77"


def test_another_studios_code_is_free_to_use(a_admin, studio, other_studio, gallery):
    # Codes are typed on the studio's own site (galleries.access looks them up within the host's studio), so they
    # are unique within a studio: a code another studio uses does not block this one, and each opens its own.
    from .factories import make_gallery

    make_gallery(other_studio, title="Harbour", slug="harbour-wedding", access_code="HARBOUR99")
    edit_url = f"/admin/pages/{gallery.pk}/edit/"
    form = querydict_from_html(a_admin.get(edit_url).content.decode(), form_id="page-edit-form")
    form["access_code"] = "harbour99"
    form["action-publish"] = "publish"
    assert a_admin.post(edit_url, form).status_code == 302
    gallery.refresh_from_db()
    assert gallery.access_code == "HARBOUR99"


def test_upload_page_and_file_upload_with_status(a_admin, gallery, django_capture_on_commit_callbacks):
    page = a_admin.get(f"/admin/galleries/{gallery.pk}/upload/")
    assert page.status_code == 200 and b"Ceremony" in page.content
    ceremony = gallery.sets.get(name="Ceremony")
    with django_capture_on_commit_callbacks(execute=True):
        response = a_admin.post(
            f"/admin/galleries/{gallery.pk}/upload/file/",
            {"file": SimpleUploadedFile("IMG_0042.jpg", jpeg(42)), "set": ceremony.pk},
        )
    assert response.status_code == 201
    photo_id = response.json()["id"]
    assert response.json()["filename"] == "IMG_0042.jpg"
    status = a_admin.get(f"/admin/galleries/{gallery.pk}/status/?ids={photo_id}").json()["photos"][0]
    assert status["status"] == "ready" and status["thumb"].endswith(".webp")
    assert GalleryPhoto.objects.get(pk=photo_id).set == ceremony


def test_failed_upload_shows_its_reason(a_admin, gallery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = a_admin.post(
            f"/admin/galleries/{gallery.pk}/upload/file/", {"file": SimpleUploadedFile("notes.txt", b"hello")}
        )
    photo_id = response.json()["id"]
    status = a_admin.get(f"/admin/galleries/{gallery.pk}/status/?ids={photo_id}").json()["photos"][0]
    assert status["status"] == "failed"
    assert "not an image we can read" in status["failure_reason"]
    activity = a_admin.get(f"/admin/galleries/{gallery.pk}/activity/")
    assert b"not an image we can read" in activity.content


def test_storage_quota_is_enforced_with_a_clear_message(a_admin, gallery, photos):
    from billing.models import Plan

    Plan.objects.filter(code="starter").update(storage_gb=0)  # the studio is on the default plan
    before = StudioImage.objects.count()
    response = a_admin.post(
        f"/admin/galleries/{gallery.pk}/upload/file/", {"file": SimpleUploadedFile("IMG_9.jpg", jpeg(9))}
    )
    assert response.status_code == 413
    assert response.json()["error"]["message"].startswith("Your storage is full:")
    assert "upgrade your plan" in response.json()["error"]["message"]
    assert StudioImage.objects.count() == before and GalleryPhoto.objects.count() == 4


def test_upload_without_a_file_or_to_a_foreign_set(a_admin, studio, gallery):
    from .factories import make_gallery

    assert a_admin.post(f"/admin/galleries/{gallery.pk}/upload/file/").status_code == 400
    other_set = make_gallery(studio, title="Other", slug="other", sets=["Elsewhere"]).sets.get()
    response = a_admin.post(
        f"/admin/galleries/{gallery.pk}/upload/file/",
        {"file": SimpleUploadedFile("a.jpg", jpeg(1)), "set": other_set.pk},
    )
    assert response.status_code == 400 and "not in this gallery" in response.json()["error"]["message"]
    assert GalleryPhoto.objects.count() == 0


def test_presign_needs_s3(a_admin, gallery):
    response = a_admin.post(
        f"/admin/galleries/{gallery.pk}/upload/presign/",
        json.dumps({"filename": "a.jpg", "size": 1000}),
        content_type="application/json",
    )
    assert response.status_code == 400 and "S3" in response.json()["error"]["message"]


@pytest.fixture
def activity_data(gallery, photos):
    GalleryAccess.objects.create(
        gallery=gallery, token_hash="x" * 64, email="emma@example.test", expires_at=gallery.latest_revision_created_at
    )
    selection = Selection.objects.create(gallery=gallery, email="emma@example.test")
    for p in photos[:2]:
        SelectionItem.objects.create(selection=selection, photo=p)
    Comment.objects.create(gallery=gallery, photo=photos[0], email="emma@example.test", body="Love this one")
    DownloadEvent.objects.create(gallery=gallery, photo=photos[1], kind="web", email="emma@example.test")
    return selection


def test_activity_shows_views_selections_comments_and_downloads(a_admin, gallery, activity_data):
    page = a_admin.get(f"/admin/galleries/{gallery.pk}/activity/").content.decode()
    assert "Views (1)" in page
    assert "Love this one" in page
    assert "Photo (web size): IMG_0002.jpg" in page
    export = a_admin.get(f"/admin/galleries/{gallery.pk}/selections/{activity_data.pk}/lightroom.txt")
    assert export.content.decode() == "IMG_0001, IMG_0002\n"


def test_gallery_ready_email(a_admin, studio, gallery, mailoutbox):
    response = a_admin.post(f"/admin/galleries/{gallery.pk}/send-ready/", follow=True)
    assert b"no client with an e-mail" in response.content and mailoutbox == []
    client = ClientFactory(studio=studio, name="Emma Stone", email="emma@example.test")
    Gallery.objects.filter(pk=gallery.pk).update(client=client, download_pin="1234")
    a_admin.post(f"/admin/galleries/{gallery.pk}/send-ready/")
    mail = mailoutbox[0]
    assert mail.to == ["emma@example.test"]
    assert mail.subject == "Your photos are ready: Emma & Jonah — Wedding"
    assert "Access code: WEDDING24" in mail.body and "Download PIN: 1234" in mail.body
    assert "https://northlight.localhost/galleries/?code=WEDDING24" in mail.alternatives[0][0]


def test_watermark_settings_bump_the_version_and_rewatermark(
    a_admin, studio, gallery, photos, django_capture_on_commit_callbacks
):
    settings_ = WatermarkSettings.for_studio(studio)
    old_specs = set(rendition_specs(gallery, settings_.version).values())
    with django_capture_on_commit_callbacks(execute=True):
        response = a_admin.post(
            "/admin/galleries/watermark/",
            {"text": "Northlight", "position": "center", "opacity": 40, "scale": 30},
            follow=True,
        )
    assert b"4 photos are being re-watermarked" in response.content
    settings_.refresh_from_db()
    new_specs = set(rendition_specs(gallery, settings_.version).values())
    assert all(f"|watermark-{settings_.version}|" in spec for spec in new_specs)
    assert not new_specs & old_specs
    image = StudioImage.objects.get(pk=photos[0].image_id)
    assert set(image.renditions.values_list("filter_spec", flat=True)) >= old_specs | new_specs


def test_watermark_needs_text_or_image(a_admin, studio):
    version = WatermarkSettings.for_studio(studio).version
    response = a_admin.post(
        "/admin/galleries/watermark/", {"text": "", "position": "center", "opacity": 40, "scale": 30}
    )
    assert response.status_code == 200 and b"Give the watermark a text or an image" in response.content
    assert WatermarkSettings.objects.get(studio=studio).version == version


def test_watermark_page_is_the_photographers_own(b_admin, studio, other_studio):
    WatermarkSettings.objects.create(studio=studio, text="Emma Northlight Secret")
    page = b_admin.get("/admin/galleries/watermark/")
    assert page.status_code == 200 and b"Emma Northlight Secret" not in page.content
    b_admin.post("/admin/galleries/watermark/", {"text": "Harbour", "position": "center", "opacity": 40, "scale": 30})
    assert WatermarkSettings.objects.get(studio=studio).text == "Emma Northlight Secret"
    assert WatermarkSettings.objects.get(studio=other_studio).text == "Harbour"


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/admin/pages/{g}/edit/"),
        ("get", "/admin/galleries/{g}/upload/"),
        ("post", "/admin/galleries/{g}/upload/file/"),
        ("post", "/admin/galleries/{g}/upload/presign/"),
        ("post", "/admin/galleries/{g}/upload/{p}/complete/"),
        ("get", "/admin/galleries/{g}/status/?ids={p}"),
        ("get", "/admin/galleries/{g}/activity/"),
        ("post", "/admin/galleries/{g}/send-ready/"),
        ("get", "/admin/galleries/{g}/selections/{s}/lightroom.txt"),
    ],
)
def test_other_studios_photographer_gets_nothing(b_admin, gallery, photos, activity_data, mailoutbox, method, path):
    url = path.format(g=gallery.pk, p=photos[0].pk, s=activity_data.pk)
    data = {"file": SimpleUploadedFile("x.jpg", jpeg(77))} if "file" in url else {}
    response = getattr(b_admin, method)(url, data)
    assert response.status_code in (302, 403, 404), response.status_code
    if response.status_code == 302:
        assert "/login/" not in response["Location"]
    assert b"Emma" not in response.content and b"IMG_000" not in response.content
    assert GalleryPhoto.objects.count() == 4 and mailoutbox == []


def test_photographer_creates_a_gallery_in_the_admin(a_admin, studio):
    from galleries.models import ClientGalleryIndexPage

    index = ClientGalleryIndexPage.objects.child_of(studio.home_page).first()
    add_url = f"/admin/pages/add/galleries/gallery/{index.pk}/"
    page = a_admin.get(add_url)
    assert page.status_code == 200
    form = querydict_from_html(page.content.decode(), form_id="page-edit-form")
    suggested = form["access_code"]
    form["title"] = "Smith Family"
    form["slug"] = "smith-family"
    form["sets-TOTAL_FORMS"] = "1"
    form["sets-0-name"] = "Beach"
    form["sets-0-ORDER"] = "1"
    form["sets-0-DELETE"] = ""
    form["sets-0-id"] = ""
    form["action-publish"] = "publish"
    response = a_admin.post(add_url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    gallery = Gallery.objects.get(slug="smith-family")
    assert gallery.studio == studio and gallery.live
    assert len(suggested) == 10 and gallery.access_code == suggested
    assert [s.name for s in gallery.sets.all()] == ["Beach"]


def test_copying_a_gallery_gives_it_a_new_code_and_no_photos(gallery, photos):
    copy = gallery.copy(update_attrs={"title": "Copy", "slug": "copy"})
    copy = Gallery.objects.get(pk=copy.pk)
    assert copy.access_code != gallery.access_code and len(copy.access_code) == 10
    assert copy.studio == gallery.studio and copy.photos.count() == 0
