"""The client API's photo pages are cached (galleries/photo_cache.py): a repeat request costs only the
access checks, every change a client could see shows on the next request, and the access checks
(token, studio, expiry) still decide every request."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from galleries import photo_cache
from galleries.models import Gallery, GalleryPhoto, StudioImage, StudioRendition, WatermarkSettings
from galleries.pipeline import process_gallery_photo
from galleries.tasks import rerender_watermarked
from galleries.uploads import add_upload
from studios.models import StudioDomain

from .conftest import bulk_ready_photos
from .factories import jpeg, make_gallery, upload

pytestmark = pytest.mark.django_db


def photos_url(gallery) -> str:
    return f"/api/client/galleries/{gallery.pk}/photos/"


@pytest.fixture
def listing(api, studio, gallery, unlock):
    """GET the photo page of `gallery` (default: the fixture's) as a client who unlocked it."""
    token = unlock(studio)

    def get(of=None, token=token, host_studio=studio, **params):
        headers = {k: params.pop(k) for k in list(params) if k.startswith("HTTP_")}
        return api("get", photos_url(of or gallery), host_studio, token, params, **headers)

    return get


def filenames(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["filename"] for p in response.json()["results"]]


# --- A repeat request is cheap and the same --------------------------------------------------


def test_a_repeat_request_runs_only_the_access_queries_and_gets_the_same_bytes(
    gallery, listing, django_assert_num_queries
):
    bulk_ready_photos(gallery, 150)
    # token → access + gallery, watermark version, photos, renditions (host → studio: a cache read)
    with django_assert_num_queries(4):
        first = listing(limit=100)
    # token → access + gallery: the page itself comes from the cache
    with django_assert_num_queries(1):
        again = listing(limit=100)
    assert again.content == first.content and len(again.json()["results"]) == 100
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    # Each page of the walk is its own entry.
    second = listing(limit=100, cursor=first.json()["next"])
    assert len(second.json()["results"]) == 50 and second.content != first.content


def test_a_rebuilt_page_does_not_read_the_watermark_again_while_the_studio_is_unchanged(
    gallery, listing, django_assert_num_queries
):
    bulk_ready_photos(gallery, 20)
    listing()
    photo_cache.forget_gallery_photo_pages(gallery.pk)  # the gallery changed, the studio's watermark did not
    # token → access + gallery, photos, renditions: the watermark's version is the one this process read
    with django_assert_num_queries(3):
        assert len(listing().json()["results"]) == 20


def test_an_unchanged_page_answers_304_to_its_etag(gallery, photos, listing):
    first = listing()
    assert first["ETag"]
    unchanged = listing(HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert listing(HTTP_IF_NONE_MATCH=f'"other", W/{first["ETag"]}').status_code == 304
    upload(gallery, jpeg(9), "IMG_0009.jpg")
    changed = listing(HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and "IMG_0009.jpg" in filenames(changed)
    assert changed["ETag"] != first["ETag"]


def test_media_urls_keep_the_host_the_client_site_asked_on(api, studio, gallery, photos, unlock):
    StudioDomain.objects.create(studio=studio, hostname="photos.northlight.test", is_verified=True)
    token = unlock(studio)

    def thumb_url(host: str) -> str:
        response = api("get", photos_url(gallery), studio, token, HTTP_HOST=host)
        return response.json()["results"][0]["renditions"]["thumb"]["url"]

    assert thumb_url("northlight.localhost").startswith("http://northlight.localhost/media/")
    assert thumb_url("photos.northlight.test").startswith("http://photos.northlight.test/media/")


# --- Every change shows on the next request -------------------------------------------------------


def test_an_uploaded_photo_shows_once_processed(gallery, photos, listing):
    assert len(filenames(listing())) == 4
    # Uploaded, but its processing has not run yet (the task is queued when the upload commits).
    pending = add_upload(gallery, SimpleUploadedFile("IMG_0007.jpg", jpeg(7)))
    assert "IMG_0007.jpg" not in filenames(listing())
    # The pipeline marks it ready with QuerySet.update(), which sends no signal.
    process_gallery_photo(pending.pk)
    response = listing()
    assert "IMG_0007.jpg" in filenames(response)
    assert response.json()["results"][-1]["renditions"]["thumb"]["url"].endswith(".webp")


def test_a_deleted_photo_is_gone(photos, listing):
    listing()
    photos[0].delete()
    assert "IMG_0001.jpg" not in filenames(listing())


def test_a_photo_moved_to_another_set_moves_in_the_set_listing(gallery, photos, listing):
    ceremony, reception = gallery.sets.all()
    assert filenames(listing(set=ceremony.pk)) == ["IMG_0001.jpg", "IMG_0002.jpg"]
    photo = GalleryPhoto.objects.get(pk=photos[1].pk)
    photo.set = reception
    photo.save()
    assert filenames(listing(set=ceremony.pk)) == ["IMG_0001.jpg"]
    assert filenames(listing(set=reception.pk)) == ["IMG_0002.jpg", "IMG_0003.jpg", "IMG_0004.jpg"]


def test_a_deleted_set_no_longer_filters(gallery, photos, listing):
    ceremony = gallery.sets.get(name="Ceremony")
    ceremony_id = ceremony.pk
    assert listing(set=ceremony_id).status_code == 200
    assert listing().json()["results"][0]["set"] == ceremony_id
    ceremony.delete()
    assert listing(set=ceremony_id).status_code == 400
    assert listing().json()["results"][0]["set"] is None


def test_reordering_photos_and_changing_the_sort_reorder_the_page(gallery, photos, listing):
    assert filenames(listing()) == ["IMG_0001.jpg", "IMG_0002.jpg", "IMG_0003.jpg", "IMG_0004.jpg"]
    gallery.sort = Gallery.Sort.MANUAL
    gallery.save_revision().publish()
    last = GalleryPhoto.objects.get(pk=photos[3].pk)
    assert filenames(listing())[0] == "IMG_0001.jpg"
    last.order = 0
    last.save()
    assert filenames(listing())[0] == "IMG_0004.jpg"


def test_a_new_watermark_shows_once_the_photos_are_rewatermarked(studio, gallery, photos, listing):
    before = listing().json()["results"][0]["renditions"]["watermarked"]["url"]
    assert "watermark-1" in before
    settings_ = WatermarkSettings.for_studio(studio)
    settings_.text = "© Northlight 2026"
    settings_.save()
    # The page asks for the new version's rendition, which does not exist yet.
    assert listing().json()["results"][0]["renditions"]["watermarked"] is None
    with TestCase.captureOnCommitCallbacks(execute=True):
        rerender_watermarked(studio)
    assert "watermark-2" in listing().json()["results"][0]["renditions"]["watermarked"]["url"]


def test_turning_the_watermark_off_for_a_gallery_changes_its_page(gallery, photos, listing):
    assert listing().json()["results"][0]["renditions"]["watermarked"] is not None
    gallery.watermark = False
    gallery.save_revision().publish()
    # Unwatermarked renditions are made on reprocessing; until then there is none to show.
    assert listing().json()["results"][0]["renditions"]["watermarked"] is None


# --- Access checks still decide every request ----------------------------------------------------


def test_an_expired_gallery_answers_410_even_with_its_page_cached(gallery, photos, listing):
    etag = listing()["ETag"]
    # Expiry is a date passing, not a save: nothing tells the cache.
    Gallery.objects.filter(pk=gallery.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for response in (listing(), listing(HTTP_IF_NONE_MATCH=etag)):
        assert response.status_code == 410 and response.json()["error"]["code"] == "gallery_expired"


def test_an_unpublished_gallery_answers_404_even_with_its_page_cached(gallery, photos, listing):
    assert listing().status_code == 200
    Gallery.objects.filter(pk=gallery.pk).update(live=False)
    assert listing().status_code == 404


def test_another_studio_gets_404_even_with_the_page_cached(other_studio, gallery, photos, listing, unlock):
    assert listing().status_code == 200
    make_gallery(other_studio, title="Harbour family", access_code="HARBOUR77")
    their_token = unlock(other_studio, "HARBOUR77")
    # a token is unknown on another studio's site (401); B's own token does not open A's gallery (404)
    for host_studio, token, status in (
        (None, their_token, 401),
        (other_studio, their_token, 404),
        (other_studio, None, 401),
    ):
        kwargs = {"token": token} if token else {}
        response = listing(host_studio=host_studio or gallery.studio, **kwargs)
        assert response.status_code == status, response.content
        assert b"IMG_0001" not in response.content


def test_one_gallery_token_cannot_read_another_gallerys_cached_page(studio, gallery, photos, listing, unlock):
    second = make_gallery(studio, title="Second", slug="second", access_code="SECOND22")
    upload(second, jpeg(50), "secret.jpg")
    second_token = unlock(studio, "SECOND22")
    assert filenames(listing(of=second, token=second_token)) == ["secret.jpg"]
    # The first gallery's token asks for the second gallery's (cached) page.
    response = listing(of=second)
    assert response.status_code == 404 and b"secret.jpg" not in response.content


# --- Signed media URLs ---------------------------------------------------------------------


def test_pages_with_signed_urls_are_kept_half_as_long_as_the_urls_work(monkeypatch):
    assert photo_cache.page_timeout() == photo_cache.PAGE_TIMEOUT  # local storage: URLs don't expire

    class PresignedStorage:
        querystring_auth = True
        querystring_expire = 600
        custom_domain = None

    monkeypatch.setattr(photo_cache, "default_storage", PresignedStorage())
    assert photo_cache.page_timeout() == 300


def test_with_the_cache_down_the_page_is_built_every_time(gallery, photos, listing, monkeypatch, caplog):
    expected = listing().content

    def unreachable(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(photo_cache.cache, "get_many", unreachable)
    monkeypatch.setattr(photo_cache.cache, "set", unreachable)
    response = listing()
    assert response.status_code == 200 and response.content == expected
    assert "Photo page cache unavailable" in caplog.text


# --- Issue 14: the rest of what shows on a page ---------------------------------------------------


def test_a_deleted_rendition_leaves_the_page_at_once(photos, listing):
    first = listing().json()["results"][0]
    assert first["renditions"]["preview"] is not None
    # Deleted outside the pipeline (Wagtail deletes an image's renditions when its file changes).
    StudioRendition.objects.filter(image_id=photos[0].image_id, filter_spec__startswith="max-1600x1600").delete()
    again = listing().json()["results"][0]
    assert again["id"] == first["id"] and again["renditions"]["preview"] is None
    assert again["renditions"]["thumb"] == first["renditions"]["thumb"]


def test_an_image_deleted_from_the_library_leaves_the_page(photos, listing):
    assert "IMG_0002.jpg" in filenames(listing())
    StudioImage.objects.get(pk=photos[1].image_id).delete()
    assert "IMG_0002.jpg" not in filenames(listing())


def test_a_renamed_image_shows_its_new_name(photos, listing):
    assert filenames(listing())[0] == "IMG_0001.jpg"
    image = StudioImage.objects.get(pk=photos[0].image_id)
    image.original_filename = "First dance.jpg"
    image.save()
    assert filenames(listing())[0] == "First dance.jpg"


def test_favourites_and_selections_are_not_on_the_shared_page(api, studio, gallery, photos, listing, unlock):
    """A page is one body for every client of the gallery (favourites and selections have their own
    endpoints): what one client marks never shows in, nor changes, the page another gets."""
    before = listing()
    theirs = unlock(studio, email="aunt@example.test")
    url = f"/api/client/galleries/{gallery.pk}"
    assert api("post", f"{url}/favorites/", studio, theirs, {"photo": photos[0].pk}).status_code == 201
    assert api("post", f"{url}/selection/", studio, theirs, {"photo": photos[1].pk}).status_code == 200
    after = listing()
    assert after.content == before.content and after["ETag"] == before["ETag"]
    # Theirs show where they belong, at once.
    lists = api("get", f"{url}/favorites/", studio, theirs).json()["lists"]
    assert photos[0].pk in next(iter(lists.values()))
    assert api("get", f"{url}/selection/", studio, theirs).json()["photos"] == [photos[1].pk]
