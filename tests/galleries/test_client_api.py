"""The client gallery API (docs/api.md): unlock, detail, photos, proofing; other studios get 404."""

from datetime import timedelta

import pytest
from django.utils import timezone

from galleries.models import Comment, Favorite, Gallery, GalleryAccess, Selection, SelectionItem

from .conftest import bulk_ready_photos
from .factories import jpeg, make_gallery, upload

pytestmark = pytest.mark.django_db

UNLOCK = "/api/client/galleries/unlock/"


PATHS = {
    "gallery-detail": "",
    "gallery-photos": "photos/",
    "gallery-favorites": "favorites/",
    "gallery-selection": "selection/",
    "gallery-selection-submit": "selection/submit/",
    "gallery-comments": "comments/",
    "gallery-download": "download/",
}


def url(name, gallery):
    """The contract paths of docs/api.md."""
    return f"/api/client/galleries/{gallery.pk}/{PATHS[name]}"


# --- Unlock -------------------------------------------------------------------


def test_unlock_returns_a_token_and_the_gallery(api, studio, gallery, photos):
    response = api("post", UNLOCK, studio, data={"code": "wedding 24", "email": "Emma@Example.test"})

    assert response.status_code == 201
    body = response.json()
    assert len(body["token"]) >= 40
    assert body["gallery"]["id"] == gallery.pk
    assert body["gallery"]["photo_count"] == 4
    assert [(s["name"], s["photo_count"]) for s in body["gallery"]["sets"]] == [("Ceremony", 2), ("Reception", 2)]
    access = GalleryAccess.objects.get()
    assert access.email == "emma@example.test"
    assert body["token"] not in access.token_hash  # only a hash is stored


def test_the_unlock_can_answer_the_first_state_the_viewer_would_ask_for_next(api, studio, gallery, photos):
    """`first_page`: the e-mailed link's viewer paints after one round trip (issue 14); what `first` carries is
    what the three GETs answer, byte for byte the same photo page."""
    Favorite.objects.create(gallery=gallery, photo=photos[1], email="emma@example.test")
    body = api("post", UNLOCK, studio, data={"code": "WEDDING24", "email": "emma@example.test", "first_page": 3}).json()
    token = body["token"]
    assert set(body["first"]) == {"photos", "favorites", "selection"}
    photos_page = api("get", url("gallery-photos", gallery), studio, token, {"limit": 3})
    assert body["first"]["photos"] == photos_page.json()
    assert len(body["first"]["photos"]["results"]) == 3 and body["first"]["photos"]["next"]
    assert body["first"]["favorites"] == api("get", url("gallery-favorites", gallery), studio, token).json()
    assert body["first"]["favorites"]["lists"] == {"Favourites": [photos[1].pk]}
    assert body["first"]["selection"] == api("get", url("gallery-selection", gallery), studio, token).json()
    # without it, the answer is as before
    assert "first" not in api("post", UNLOCK, studio, data={"code": "WEDDING24"}).json()
    refused = api("post", UNLOCK, studio, data={"code": "WEDDING24", "first_page": 500})
    assert refused.status_code == 400


def test_wrong_code_is_refused(api, studio, gallery):
    response = api("post", UNLOCK, studio, data={"code": "WEDDING25"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "invalid_code"
    assert GalleryAccess.objects.count() == 0


def test_the_code_only_opens_on_its_own_studio(api, other_studio, gallery):
    response = api("post", UNLOCK, other_studio, data={"code": "WEDDING24"})
    assert response.status_code == 404
    assert GalleryAccess.objects.count() == 0


def test_expired_gallery_says_so(api, studio, gallery):
    Gallery.objects.filter(pk=gallery.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = api("post", UNLOCK, studio, data={"code": "WEDDING24"})
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "gallery_expired"
    assert "expired" in response.json()["error"]["message"]


def test_unlocking_is_throttled_per_ip(api, studio, gallery, settings):
    for _ in range(10):
        api("post", UNLOCK, studio, data={"code": "NOPE-NOPE"})
    response = api("post", UNLOCK, studio, data={"code": "WEDDING24"})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    # Another address is not affected.
    other = api("post", UNLOCK, studio, data={"code": "WEDDING24"}, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 201


def test_wrong_pin_gives_no_token(api, studio, gallery):
    Gallery.objects.filter(pk=gallery.pk).update(download_pin="1234")
    response = api("post", UNLOCK, studio, data={"code": "WEDDING24", "pin": "9999"})
    # The same answer as a wrong code (tests/galleries/test_attempt_limits.py), so it confirms nothing.
    assert response.status_code == 404 and response.json()["error"]["code"] == "invalid_code"
    bad = api("post", UNLOCK, studio, data={"code": "WEDDING24", "pin": "12a4"})
    assert bad.status_code == 400 and "pin" in bad.json()["error"]["fields"]
    assert GalleryAccess.objects.count() == 0


def test_unpublished_gallery_does_not_open(api, studio, gallery):
    gallery.unpublish()
    assert api("post", UNLOCK, studio, data={"code": "WEDDING24"}).status_code == 404


# --- Detail and photos ----------------------------------------------------------


def test_detail_needs_the_token(api, studio, gallery, unlock):
    assert api("get", url("gallery-detail", gallery), studio).status_code == 401
    bad = api("get", url("gallery-detail", gallery), studio, token="not-a-token")
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "invalid_token"
    token = unlock(studio)
    ok = api("get", url("gallery-detail", gallery), studio, token)
    assert ok.status_code == 200
    assert ok.json()["permissions"]["downloadable"] is True


def test_photos_list_with_renditions(api, studio, gallery, photos, unlock):
    token = unlock(studio)
    response = api("get", url("gallery-photos", gallery), studio, token)
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    assert [p["filename"] for p in body["results"]] == ["IMG_0001.jpg", "IMG_0002.jpg", "IMG_0003.jpg", "IMG_0004.jpg"]
    first = body["results"][0]
    assert (first["width"], first["height"]) == (480, 320)
    assert first["blurhash"]
    assert first["renditions"]["thumb"]["width"] == 400
    assert first["renditions"]["preview"] == {
        "url": first["renditions"]["preview"]["url"],
        "width": 480,
        "height": 320,
    }
    assert first["renditions"]["watermarked"]["url"].endswith(".jpg")
    # Public, under the studio's own prefix (studios/media.py)
    assert first["renditions"]["thumb"]["url"].startswith(
        f"http://northlight.localhost/media/tenants/{studio.pk}/images/"
    )
    assert ".max-800x800." in first["renditions"]["tile"]["url"]  # the grid's tile, between thumb and preview


def test_a_portrait_tile_is_800_pixels_high_between_the_thumb_and_the_preview(api, studio, gallery, unlock):
    upload(gallery, jpeg(7, 1200, 1800), "portrait.jpg")
    token = unlock(studio)
    [photo] = api("get", url("gallery-photos", gallery), studio, token).json()["results"]
    sizes = {name: (r["width"], r["height"]) for name, r in photo["renditions"].items()}
    assert sizes == {"thumb": (266, 400), "tile": (533, 800), "preview": (1066, 1600), "watermarked": (1200, 1800)}


def test_photos_by_set_and_cursor(api, studio, gallery, photos, unlock):
    token = unlock(studio)
    reception = gallery.sets.get(name="Reception")
    page1 = api("get", url("gallery-photos", gallery), studio, token, {"set": reception.pk, "limit": 1}).json()
    assert [p["filename"] for p in page1["results"]] == ["IMG_0003.jpg"]
    page2 = api(
        "get", url("gallery-photos", gallery), studio, token, {"set": reception.pk, "limit": 1, "cursor": page1["next"]}
    )
    assert [p["filename"] for p in page2.json()["results"]] == ["IMG_0004.jpg"]
    assert page2.json()["next"] is None
    bad = api("get", url("gallery-photos", gallery), studio, token, {"cursor": "%%%"})
    assert bad.status_code == 400


def test_failed_and_pending_photos_are_not_listed(api, studio, gallery, photos, unlock):
    upload(gallery, b"", "broken.jpg")
    token = unlock(studio)
    names = [p["filename"] for p in api("get", url("gallery-photos", gallery), studio, token).json()["results"]]
    assert "broken.jpg" not in names and len(names) == 4


@pytest.mark.parametrize("count", [10, 500])
def test_photo_page_queries_do_not_grow_with_the_gallery(
    api, studio, gallery, unlock, count, django_assert_num_queries
):
    bulk_ready_photos(gallery, count)
    token = unlock(studio)
    # token → access+gallery, watermark version, photos, renditions (host → studio: cached since the unlock)
    with django_assert_num_queries(4):
        response = api("get", url("gallery-photos", gallery), studio, token, {"limit": 200})
    assert len(response.json()["results"]) == min(count, 200)
    assert all(p["renditions"]["watermarked"] for p in response.json()["results"])


# --- Isolation: another studio's host or token ------------------------------------


@pytest.fixture
def other_gallery_token(other_studio, unlock):
    make_gallery(other_studio, title="Harbour family", access_code="HARBOUR77")
    return unlock(other_studio, "HARBOUR77")


@pytest.mark.parametrize(
    "method,name",
    [
        ("get", "gallery-detail"),
        ("get", "gallery-photos"),
        ("get", "gallery-favorites"),
        ("post", "gallery-favorites"),
        ("delete", "gallery-favorites"),
        ("get", "gallery-selection"),
        ("post", "gallery-selection"),
        ("delete", "gallery-selection"),
        ("post", "gallery-selection-submit"),
        ("get", "gallery-comments"),
        ("post", "gallery-comments"),
        ("get", "gallery-download"),
    ],
)
def test_other_studio_cannot_reach_this_gallery(
    api, studio, other_studio, gallery, photos, unlock, other_gallery_token, method, name
):
    data = {"photo": photos[0].pk, "body": "hi"}
    own_token = unlock(studio)
    # B's token on A's host and A's token on B's host are unknown tokens there (401, as a made-up one: no hint
    # that it opens something elsewhere); B's token on B's host does not open A's gallery (404). Nothing written.
    for host_studio, token, status in (
        (studio, other_gallery_token, 401),
        (other_studio, other_gallery_token, 404),
        (other_studio, own_token, 401),
    ):
        response = api(method, url(name, gallery), host_studio, token, data)
        assert response.status_code == status, (host_studio, response.content)
        assert b"Emma" not in response.content
    assert Favorite.objects.count() == Comment.objects.count() == SelectionItem.objects.count() == 0


def test_other_studio_cannot_download_this_photo(
    api, studio, other_studio, gallery, photos, other_gallery_token, unlock
):
    photo_url = f"/api/client/photos/{photos[0].pk}/download/"
    assert api("get", photo_url, studio, other_gallery_token).status_code == 401  # unknown on this site
    assert api("get", photo_url, other_studio, unlock(studio)).status_code == 401


# --- Favourites, selection, comments ----------------------------------------------


def test_favourites_in_named_lists(api, studio, gallery, photos, unlock):
    token = unlock(studio, email="emma@example.test")
    fav = url("gallery-favorites", gallery)
    assert api("post", fav, studio, token, {"photo": photos[0].pk}).status_code == 201
    assert api("post", fav, studio, token, {"photo": photos[0].pk}).status_code == 200  # idempotent
    api("post", fav, studio, token, {"photo": photos[1].pk, "list": "Album"})
    lists = api("get", fav, studio, token).json()["lists"]
    assert lists == {"Album": [photos[1].pk], "Favourites": [photos[0].pk]}
    response = api("delete", fav, studio, token, {"photo": photos[0].pk})
    assert response.json()["lists"] == {"Album": [photos[1].pk]}
    # DELETE as the schema documents it: the photo in the query string, no body (generated clients send none)
    response = api("delete", f"{fav}?photo={photos[1].pk}&list=Album", studio, token)
    assert response.status_code == 200 and response.json()["lists"] == {}
    missing = api("post", fav, studio, token, {"photo": 999999})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "photo_not_found"


def test_selection_limit_submit_and_lock(
    api, studio, gallery, photos, unlock, mailoutbox, photographer, django_capture_on_commit_callbacks
):
    Gallery.objects.filter(pk=gallery.pk).update(selection_limit=2)
    token = unlock(studio, email="emma@example.test")
    sel = url("gallery-selection", gallery)
    api("post", sel, studio, token, {"photo": photos[0].pk})
    assert api("post", sel, studio, token, {"photo": photos[1].pk}).json()["photos"] == [photos[0].pk, photos[1].pk]
    over = api("post", sel, studio, token, {"photo": photos[2].pk})
    assert over.status_code == 409
    assert over.json()["error"] == {
        "code": "selection_limit",
        "message": "You can select up to 2 photos. Remove one to add another.",
    }
    assert SelectionItem.objects.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        submitted = api("post", url("gallery-selection-submit", gallery), studio, token)
    assert submitted.status_code == 200 and submitted.json()["locked"] is True
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["owner@northlight.test"]
    assert "emma@example.test submitted 2 photos" in mail.subject
    assert "IMG_0001, IMG_0002" in mail.body

    locked = api("delete", f"{sel}?photo={photos[0].pk}", studio, token)
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "selection_locked"
    assert SelectionItem.objects.count() == 2
    assert Selection.objects.get().submitted_at is not None


def test_empty_selection_cannot_be_submitted(api, studio, gallery, photos, unlock, mailoutbox):
    token = unlock(studio)
    response = api("post", url("gallery-selection-submit", gallery), studio, token)
    assert response.status_code == 400 and response.json()["error"]["code"] == "selection_empty"
    assert not Selection.objects.filter(locked=True).exists() and mailoutbox == []


def test_comments(api, studio, gallery, photos, unlock):
    token = unlock(studio, email="emma@example.test")
    com = url("gallery-comments", gallery)
    created = api("post", com, studio, token, {"photo": photos[0].pk, "body": "  Can you brighten this one?  "})
    assert created.status_code == 201 and created.json()["body"] == "Can you brighten this one?"
    empty = api("post", com, studio, token, {"photo": photos[0].pk, "body": ""})
    assert empty.status_code == 400 and "body" in empty.json()["error"]["fields"]
    listed = api("get", com, studio, token, {"photo": photos[0].pk}).json()["results"]
    assert [c["body"] for c in listed] == ["Can you brighten this one?"]
    assert Comment.objects.count() == 1


def test_token_of_an_expired_gallery_stops_working(api, studio, gallery, unlock):
    token = unlock(studio)
    Gallery.objects.filter(pk=gallery.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api("get", url("gallery-detail", gallery), studio, token)
    assert response.status_code == 410 and response.json()["error"]["code"] == "gallery_expired"


def test_second_gallery_photo_is_not_reachable_with_first_token(api, studio, gallery, photos, unlock):
    second = make_gallery(studio, title="Second", slug="second", access_code="SECOND22")
    other_photo = upload(second, jpeg(50), "other.jpg")
    token = unlock(studio)
    assert api("get", url("gallery-detail", second), studio, token).status_code == 404
    response = api("post", url("gallery-favorites", gallery), studio, token, {"photo": other_photo.pk})
    assert response.status_code == 404 and Favorite.objects.count() == 0


def test_schema_documents_the_gallery_endpoints_and_token():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    photos = schema["paths"]["/api/client/galleries/{gallery_id}/photos/"]["get"]
    assert {"galleryToken": []} in photos["security"]
    assert schema["components"]["securitySchemes"]["galleryToken"]["scheme"] == "bearer"
    unlock = schema["paths"]["/api/client/galleries/unlock/"]["post"]
    assert "201" in unlock["responses"]


def test_gallery_page_url_does_not_show_the_gallery(client, studio, gallery):
    response = client.get(gallery.url, HTTP_HOST=studio.hostname)
    assert response.status_code == 302
    assert b"Emma" not in response.content
