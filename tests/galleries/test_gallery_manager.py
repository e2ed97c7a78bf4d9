"""The gallery manager (a gallery's Photos page in the admin): the grid with status and filters, reorder, move
between sets, hide, delete, cover, retry or remove failed uploads; the client API follows; another studio's
photo ids change nothing; the grid's queries do not grow with the gallery."""

import re

import pytest
from django.test import Client

from galleries.models import (
    Favorite,
    Gallery,
    GalleryPhoto,
    Selection,
    SelectionItem,
    StudioImage,
    WatermarkSettings,
)
from galleries.renditions import rendition_specs

from .conftest import bulk_ready_photos
from .factories import jpeg, make_gallery, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_admin(photographer):
    client = Client(HTTP_HOST="localhost")  # the admin lives on the platform host
    client.force_login(photographer)
    return client


@pytest.fixture
def b_admin(other_photographer):
    client = Client(HTTP_HOST="localhost")
    client.force_login(other_photographer)
    return client


def manager_url(gallery, query=""):
    return f"/admin/galleries/{gallery.pk}/photos/{query}"


def act(admin, gallery, action, photos, **extra):
    return admin.post(
        f"/admin/galleries/{gallery.pk}/photos/action/",
        {"action": action, "photos": [p.pk for p in photos], **extra},
        HTTP_ACCEPT="application/json",
    )


def reorder(admin, gallery, photos):
    return admin.post(
        f"/admin/galleries/{gallery.pk}/photos/reorder/",
        {"ids": [p.pk for p in photos]},
        content_type="application/json",
    )


def client_photos(api, unlock, studio, gallery) -> list[str]:
    token = unlock(studio)
    body = api("get", f"/api/client/galleries/{gallery.pk}/photos/", studio, token, {"limit": 200}).json()
    return [p["filename"] for p in body["results"]]


def grid_names(response) -> list[str]:
    return [p.filename for p in response.context["page"].object_list]


# --- The grid --------------------------------------------------------------------------------------


def test_gallery_edit_page_links_to_its_photos(a_admin, gallery):
    page = a_admin.get(f"/admin/pages/{gallery.pk}/edit/")
    assert manager_url(gallery).encode() in page.content


def test_every_upload_photos_link_opens_the_managers_drop_zone(a_admin, gallery):
    """ "Upload photos" (the gallery's header menu, its Activity page) opens the grid to drop files on, with its
    thumbnails, retries and resumable parts; it opened the old bare file picker."""
    drop_zone = f'href="/admin/galleries/{gallery.pk}/photos/#upload"'
    for url in (f"/admin/pages/{gallery.pk}/edit/", f"/admin/galleries/{gallery.pk}/activity/"):
        html = a_admin.get(url).content.decode()
        assert drop_zone in html, url
        assert f'href="/admin/galleries/{gallery.pk}/upload/"' not in html, url
    assert 'id="upload"' in a_admin.get(manager_url(gallery)).content.decode()


def test_share_panel_has_the_client_link_with_its_code(a_admin, gallery):
    html = a_admin.get(manager_url(gallery)).content.decode()
    assert 'value="https://northlight.localhost/galleries/?code=WEDDING24"' in html
    assert f'action="/admin/galleries/{gallery.pk}/send-ready/"' in html


def test_grid_shows_thumbnails_status_and_failure_reason(a_admin, gallery, photos):
    upload(gallery, b"", "broken.jpg")
    response = a_admin.get(manager_url(gallery))
    assert response.status_code == 200
    html = response.content.decode()
    assert grid_names(response) == ["IMG_0001.jpg", "IMG_0002.jpg", "IMG_0003.jpg", "IMG_0004.jpg", "broken.jpg"]
    # the four processed photos' thumbnails, under the studio's prefix
    assert html.count(f'<img src="/media/tenants/{gallery.studio_id}/images/') == 4
    assert "The file is empty (0 bytes)" in html
    assert html.count('name="action" value="remove"') == 1  # the failed one's own Retry and Remove
    assert "5 photos: 4 ready" in html and "1 failed" in html


def tiles(html: str) -> dict[int, str]:
    """Each tile's markup by photo id."""
    return {
        int(pk): body
        for pk, body in re.findall(r'<li class="photo-tile[^"]*"[^>]*data-photo="(\d+)"(.*?)</li>', html, re.S)
    }


def test_each_tile_shows_its_own_thumbnail_set_and_badges(a_admin, gallery, photos):
    """The tiles are written from plain rows (issue 14): each must still carry its own photo's thumbnail, name,
    set, status and badges, and no other photo's."""
    thumb = rendition_specs(gallery, WatermarkSettings.for_studio(gallery.studio).version)["thumb"]
    Favorite.objects.create(gallery=gallery, photo=photos[0], email="emma@example.test")
    submitted = Selection.objects.create(gallery=gallery, email="emma@example.test", submitted_at="2026-01-01T10:00Z")
    SelectionItem.objects.create(selection=submitted, photo=photos[1])
    act(a_admin, gallery, "hide", photos[2:3])
    act(a_admin, gallery, "cover", photos[3:4])
    processing = upload(gallery, jpeg(9, 480, 320), "IMG_0009.jpg")
    StudioImage.objects.filter(pk=processing.image_id).update(status="processing")
    processing.image.renditions.all().delete()  # as before the pipeline has run

    shown = tiles(a_admin.get(manager_url(gallery)).content.decode())
    assert list(shown) == [p.pk for p in [*photos, processing]]
    for photo in photos:
        tile = shown[photo.pk]
        assert f'<img src="{photo.image.renditions.get(filter_spec=thumb).url}"' in tile
        assert tile.count("<img ") == 1 and f'title="{photo.filename}"' in tile
        assert f'<span title="Set">{photo.set.name}</span>' in tile
    assert [("♥ Favourite" in t, "✓ Selected" in t, ">Hidden<" in t, ">Cover<" in t) for t in shown.values()] == [
        (True, False, False, False),
        (False, True, False, False),
        (False, False, True, False),
        (False, False, False, True),
        (False, False, False, False),
    ]
    assert ">Ready<" in shown[photos[0].pk] and ">Processing<" in shown[processing.pk]
    assert "<img " not in shown[processing.pk] and "photo-tile-placeholder" in shown[processing.pk]
    assert 'title="Set"' not in shown[processing.pk]


def test_the_status_poll_brings_the_pages_counts_along(a_admin, gallery, photos):
    """The uploader's poll also answers the gallery's counts, so the line at the top of the page follows the
    upload (it said "0 photos" until a reload, however many had arrived)."""
    broken = upload(gallery, b"", "broken.jpg")
    GalleryPhoto.objects.filter(pk=photos[0].pk).update(hidden=True)

    body = a_admin.get(f"/admin/galleries/{gallery.pk}/status/?ids={broken.pk}").json()

    assert body["counts"] == {"total": 5, "ready": 3, "processing": 0, "failed": 1, "hidden": 1}
    html = a_admin.get(manager_url(gallery)).content.decode()
    assert "<span data-counts>5 photos: 3 ready, " in html  # the part the page's script rewrites


def test_filters_by_set_status_favourite_and_submitted_selection(a_admin, gallery, photos):
    ceremony = gallery.sets.get(name="Ceremony")
    upload(gallery, b"", "broken.jpg")
    Favorite.objects.create(gallery=gallery, photo=photos[1], email="emma@example.test")
    submitted = Selection.objects.create(gallery=gallery, email="emma@example.test", submitted_at="2026-01-01T10:00Z")
    SelectionItem.objects.create(selection=submitted, photo=photos[2])
    draft = Selection.objects.create(gallery=gallery, email="jonah@example.test")
    SelectionItem.objects.create(selection=draft, photo=photos[3])  # not submitted: not "in the selection"

    def names(query):
        return grid_names(a_admin.get(manager_url(gallery, query)))

    assert names(f"?set={ceremony.pk}") == ["IMG_0001.jpg", "IMG_0002.jpg"]
    assert names("?set=none") == ["broken.jpg"]
    assert names("?status=failed") == ["broken.jpg"]
    assert names("?status=ready") == [p.filename for p in photos]
    assert names("?favourited=yes") == ["IMG_0002.jpg"]
    assert names("?selected=yes") == ["IMG_0003.jpg"]
    assert names(f"?set={ceremony.pk}&favourited=no") == ["IMG_0001.jpg"]
    assert names("?set=999999&status=nonsense") == grid_names(a_admin.get(manager_url(gallery)))  # ignored


@pytest.mark.parametrize("count", [20, 2000])
def test_grid_queries_do_not_grow_with_the_gallery(a_admin, gallery, count, django_assert_num_queries):
    photos = bulk_ready_photos(gallery, count)
    Favorite.objects.create(gallery=gallery, photo=photos[0], email="emma@example.test")
    a_admin.get(manager_url(gallery))  # the session, the user and Wagtail's per-process caches warm
    # The admin's own (session, user, permissions, profile, locale, collections: 8), the studio, the gallery
    # and its page permissions, sets, watermark, photo count, status counts, the page of photos with their
    # thumbnails (one query), the studio's domain for the share link, the recipients' links: the same number for
    # 20 photos and 2,000.
    with django_assert_num_queries(QUERIES_PER_GRID):
        response = a_admin.get(manager_url(gallery, "?p=1"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(count, 200)
    assert response.content.decode().count("data-photo=") == min(count, 200)


QUERIES_PER_GRID = 19


def test_the_last_page_of_two_thousand(a_admin, gallery):
    bulk_ready_photos(gallery, 2000)
    response = a_admin.get(manager_url(gallery, "?p=10"))
    assert grid_names(response)[-1] == "IMG_1999.jpg"
    assert "Page 10 of 10 (2000 photos)" in response.content.decode()


# --- Actions, and the client API following them ------------------------------------------------------


def test_hidden_photos_vanish_from_the_client_and_come_back(a_admin, gallery, photos, api, unlock):
    assert act(a_admin, gallery, "hide", photos[:2]).json() == {
        "ok": True,
        "message": "2 photos hidden from the client.",
    }
    assert client_photos(api, unlock, gallery.studio, gallery) == ["IMG_0003.jpg", "IMG_0004.jpg"]
    token = unlock(gallery.studio)
    download = api("get", f"/api/client/photos/{photos[0].pk}/download/", gallery.studio, token)
    assert download.status_code == 404
    favourites = f"/api/client/galleries/{gallery.pk}/favorites/"
    favourite = api("post", favourites, gallery.studio, token, {"photo": photos[0].pk})
    assert favourite.status_code in (400, 404)
    assert "Hidden" in a_admin.get(manager_url(gallery, "?status=hidden")).content.decode()

    act(a_admin, gallery, "show", photos[:1])
    assert client_photos(api, unlock, gallery.studio, gallery) == ["IMG_0001.jpg", "IMG_0003.jpg", "IMG_0004.jpg"]


def test_deleted_photos_vanish_with_their_images(a_admin, gallery, photos, api, unlock):
    assert client_photos(api, unlock, gallery.studio, gallery)  # cached page built before the delete
    image_ids = [photos[0].image_id, photos[1].image_id]
    response = a_admin.post(
        f"/admin/galleries/{gallery.pk}/photos/action/",
        {"action": "delete", "photos": [photos[0].pk, photos[1].pk], "next": manager_url(gallery, "?status=ready")},
    )
    assert response.status_code == 302 and response["Location"] == manager_url(gallery, "?status=ready")
    assert not StudioImage.objects.filter(pk__in=image_ids).exists()
    assert client_photos(api, unlock, gallery.studio, gallery) == ["IMG_0003.jpg", "IMG_0004.jpg"]
    assert "2 photos deleted." in a_admin.get(manager_url(gallery)).content.decode()


def test_reorder_switches_to_manual_order_and_the_client_follows(a_admin, gallery, photos, api, unlock):
    assert gallery.sort == Gallery.Sort.CAPTURED
    new = [photos[3], photos[0], photos[2], photos[1]]
    assert reorder(a_admin, gallery, new).json()["ok"]
    gallery.refresh_from_db()
    assert gallery.sort == Gallery.Sort.MANUAL
    assert gallery.get_latest_revision().content["sort"] == "manual"  # the editor shows it and publishing keeps it
    assert client_photos(api, unlock, gallery.studio, gallery) == [p.filename for p in new]
    assert grid_names(a_admin.get(manager_url(gallery))) == [p.filename for p in new]


def test_reordering_a_filtered_view_keeps_the_others_in_place(a_admin, gallery, photos, api, unlock):
    reception = gallery.sets.get(name="Reception")  # photos 3 and 4
    assert reorder(a_admin, gallery, [photos[3], photos[2]]).json()["ok"]
    after = ["IMG_0001.jpg", "IMG_0002.jpg", "IMG_0004.jpg", "IMG_0003.jpg"]
    assert client_photos(api, unlock, gallery.studio, gallery) == after
    assert grid_names(a_admin.get(manager_url(gallery, f"?set={reception.pk}"))) == ["IMG_0004.jpg", "IMG_0003.jpg"]


def test_reordering_one_page_of_two_thousand_moves_only_that_page(a_admin, gallery, django_assert_max_num_queries):
    photos = bulk_ready_photos(gallery, 2000)
    GalleryPhoto.objects.filter(gallery=gallery).update(order=0)  # ties, as after an import: broken by id
    first_page = photos[:200]
    new = [first_page[-1], *first_page[:-1]]
    with django_assert_max_num_queries(30):
        assert reorder(a_admin, gallery, new).json()["ok"]
    order = list(GalleryPhoto.objects.filter(gallery=gallery).order_by("order", "id").values_list("pk", flat=True))
    assert order[:200] == [p.pk for p in new]
    assert order[200:] == [p.pk for p in photos[200:]]


def test_move_to_a_set_and_back_to_none(a_admin, gallery, photos, api, unlock):
    reception = gallery.sets.get(name="Reception")
    moved = act(a_admin, gallery, "move", photos[:1], set=reception.pk)
    assert moved.json()["message"] == "1 photo moved to Reception."
    token = unlock(gallery.studio)
    listing = f"/api/client/galleries/{gallery.pk}/photos/"
    in_reception = api("get", listing, gallery.studio, token, {"set": reception.pk})
    assert [p["filename"] for p in in_reception.json()["results"]] == ["IMG_0001.jpg", "IMG_0003.jpg", "IMG_0004.jpg"]
    act(a_admin, gallery, "move", photos[:1], set="")
    assert GalleryPhoto.objects.get(pk=photos[0].pk).set is None


def test_set_as_cover_keeps_the_draft_unpublished(a_admin, gallery, photos):
    draft = gallery.get_latest_revision_as_object()
    draft.title = "Unfinished new title"
    draft.save_revision()
    response = act(a_admin, gallery, "cover", photos[2:3])
    assert response.json() == {"ok": True, "message": "“IMG_0003.jpg” is now the gallery's cover."}
    gallery = Gallery.objects.get(pk=gallery.pk)
    assert gallery.cover_id == photos[2].image_id
    assert gallery.title == "Emma & Jonah — Wedding"  # the draft was not published
    latest = gallery.get_latest_revision()
    assert latest.content["cover"] == photos[2].image_id and latest.content["title"] == "Unfinished new title"
    assert "Cover" in a_admin.get(manager_url(gallery)).content.decode()
    two = act(a_admin, gallery, "cover", photos[:2])
    assert two.status_code == 400 and two.json()["message"] == "Select exactly one photo to make it the cover."


def test_failed_upload_is_retried_or_removed(a_admin, gallery, photos, django_capture_on_commit_callbacks):
    broken = upload(gallery, b"", "broken.jpg")
    assert broken.image.__class__.objects.get(pk=broken.image_id).status == "failed"
    # Its bytes were discarded: retrying cannot help, and the photographer is told to upload it again.
    told = act(a_admin, gallery, "retry", [broken]).json()["message"]
    assert told == (
        "0 photos queued for processing again. Upload again (their files were discarded as unusable): broken.jpg."
    )

    # A photo the sweeper gave up on keeps its file: retry re-queues the pipeline, which now succeeds.
    stuck = upload(gallery, jpeg(9, 400, 300), "IMG_0009.jpg")
    StudioImage.objects.filter(pk=stuck.image_id).update(status="failed", failure_reason="Processing gave up.")
    with django_capture_on_commit_callbacks(execute=True):
        told = act(a_admin, gallery, "retry", [stuck]).json()["message"]
    assert told == "1 photo queued for processing again."
    assert StudioImage.objects.get(pk=stuck.image_id).status == "ready"

    assert act(a_admin, gallery, "retry", photos[:1]).status_code == 400  # not failed
    assert act(a_admin, gallery, "remove", [broken]).json()["ok"]
    assert not GalleryPhoto.objects.filter(pk=broken.pk).exists()


def test_bad_requests_are_refused_clearly(a_admin, gallery, photos):
    unknown = act(a_admin, gallery, "explode", photos[:1])
    assert unknown.json()["message"] == "Choose what to do with the selected photos."
    assert act(a_admin, gallery, "hide", []).json()["message"] == "Select one or more photos first."
    bad_set = act(a_admin, gallery, "move", photos[:1], set="999999")
    assert bad_set.status_code == 400 and "not in this gallery" in bad_set.json()["message"]
    twice = reorder(a_admin, gallery, [photos[0], photos[0]])
    assert twice.status_code == 400
    not_json = a_admin.post(f"/admin/galleries/{gallery.pk}/photos/reorder/", "ids=1", content_type="text/plain")
    assert not_json.status_code == 400
    assert a_admin.get(f"/admin/galleries/{gallery.pk}/photos/action/").status_code == 405


def test_actions_need_the_csrf_token(photographer, gallery, photos):
    admin = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    admin.force_login(photographer)
    assert act(admin, gallery, "hide", photos[:1]).status_code == 403
    assert reorder(admin, gallery, photos).status_code == 403
    assert not GalleryPhoto.objects.filter(hidden=True).exists()


# --- Isolation --------------------------------------------------------------------------------------


@pytest.fixture
def b_gallery_photos(other_studio):
    b_gallery = make_gallery(other_studio, title="Harbour family", sets=["Beach"], access_code="HARBOUR77")
    return b_gallery, [upload(b_gallery, jpeg(50 + i, 320, 213), f"HARBOUR_{i}.jpg") for i in range(2)]


@pytest.mark.parametrize("action", ["hide", "show", "move", "delete", "cover", "retry", "remove"])
def test_another_studios_photo_ids_change_nothing(a_admin, gallery, photos, b_gallery_photos, action):
    b_gallery, b_photos = b_gallery_photos
    before = list(GalleryPhoto.objects.order_by("pk").values_list("pk", "hidden", "set_id", "order"))
    # B's ids in A's gallery, alone or mixed with A's own: the whole action is refused.
    assert act(a_admin, gallery, action, b_photos).status_code == 404
    assert act(a_admin, gallery, action, [photos[0], b_photos[0]]).status_code == 404
    # and A's ids posted to B's gallery: B's gallery is not A's to manage.
    assert act(a_admin, b_gallery, action, photos[:1]).status_code == 404
    assert list(GalleryPhoto.objects.order_by("pk").values_list("pk", "hidden", "set_id", "order")) == before
    assert Gallery.objects.get(pk=b_gallery.pk).cover_id is None


def test_another_studios_photos_cannot_be_reordered_or_listed(a_admin, b_admin, gallery, photos, b_gallery_photos):
    b_gallery, b_photos = b_gallery_photos
    assert reorder(a_admin, gallery, [*photos, *b_photos]).status_code == 404
    assert reorder(a_admin, b_gallery, b_photos[::-1]).status_code == 404
    assert a_admin.get(manager_url(b_gallery)).status_code == 404
    assert b_admin.get(manager_url(gallery)).status_code == 404
    assert act(b_admin, gallery, "delete", photos).status_code == 404
    assert GalleryPhoto.objects.filter(gallery=gallery).count() == 4
