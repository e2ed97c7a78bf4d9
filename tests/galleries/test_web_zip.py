""" "Download all" at web size (issue 14): the pipeline renders the web download ahead for galleries that offer
a web-size ZIP, and the ZIP streams those stored files, found with one query, with no rendering and no cache
call per photo. While some are missing the ZIP answers 503 `download_preparing` and queues them."""

import io
import zipfile

import pytest
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from PIL import Image

from galleries.downloads import downloads_left, web_spec
from galleries.models import DownloadAllowance, DownloadEvent, Gallery, StudioRendition
from galleries.tasks import render_gallery_renditions

from .conftest import bulk_ready_photos
from .factories import jpeg, make_gallery, upload

pytestmark = pytest.mark.django_db


def zip_url(gallery):
    return f"/api/client/galleries/{gallery.pk}/download/"


def web_rendition(photo):
    gallery = Gallery.objects.get(pk=photo.gallery_id)
    return StudioRendition.objects.filter(image_id=photo.image_id, filter_spec=web_spec(gallery, "web")).first()


def zip_contents(response) -> dict[str, bytes]:
    assert response.status_code == 200, response.content
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


# --- The pipeline renders the web download ahead ------------------------------------------------------


def test_the_pipeline_renders_the_web_download_for_a_gallery_offering_a_web_zip(studio):
    gallery = make_gallery(studio, access_code="WEBZIP01")
    photo = upload(gallery, jpeg(1, 3000, 2000))

    rendition = web_rendition(photo)
    assert rendition is not None, "no web rendition: the first ZIP would have to render it"
    assert (rendition.width, rendition.height) == (2048, 1365)
    with rendition.file.open("rb") as f:
        img = Image.open(io.BytesIO(f.read()))
        assert (img.format, img.size) == ("JPEG", (2048, 1365))


@pytest.mark.parametrize("fields", [{"downloadable": False}, {"download_resolution": "full"}])
def test_galleries_without_a_web_zip_get_no_web_rendition(studio, fields):
    gallery = make_gallery(studio, access_code="WEBZIP02", **fields)
    photo = upload(gallery, jpeg(1, 640, 480))
    assert web_rendition(photo) is None
    assert photo.image.renditions.count() == 4  # thumb, tile, preview, watermarked, as before


def test_turning_web_downloads_on_renders_what_is_missing_on_publish(api, studio, unlock):
    gallery = make_gallery(studio, access_code="WEBZIP03", downloadable=False)
    photos = [upload(gallery, jpeg(i, 640, 480), f"IMG_{i}.jpg") for i in (1, 2)]
    assert [web_rendition(p) for p in photos] == [None, None]

    gallery = Gallery.objects.get(pk=gallery.pk)
    gallery.downloadable = True
    with TestCase.captureOnCommitCallbacks(execute=True):
        gallery.save_revision().publish()

    assert all(web_rendition(p) is not None for p in photos)
    token = unlock(studio, code="WEBZIP03")
    assert sorted(zip_contents(api("get", zip_url(gallery), studio, token))) == ["IMG_1.jpg", "IMG_2.jpg"]


# --- The ZIP streams the stored files ------------------------------------------------------------------


def test_the_zip_is_the_stored_web_renditions_and_the_same_every_time(api, studio, gallery, photos, unlock):
    token = unlock(studio)
    first = zip_contents(api("get", zip_url(gallery), studio, token))
    second = zip_contents(api("get", zip_url(gallery), studio, token))

    names = ["Ceremony/IMG_0001.jpg", "Ceremony/IMG_0002.jpg", "Reception/IMG_0003.jpg", "Reception/IMG_0004.jpg"]
    assert list(first) == list(second) == names
    assert first == second
    for name, photo in zip(names, photos, strict=True):
        with web_rendition(photo).file.open("rb") as f:
            assert first[name] == f.read(), f"{name} is not the pipeline's web rendition"
    assert DownloadEvent.objects.filter(kind="zip").count() == 2


def test_the_zip_announces_its_length_so_the_browser_shows_progress(api, studio, gallery, photos, unlock):
    token = unlock(studio)
    response = api("get", zip_url(gallery), studio, token)
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None


def test_the_zip_renders_nothing(api, studio, gallery, photos, unlock, monkeypatch):
    from wagtail.images.models import AbstractImage

    def no_rendering(*args, **kwargs):
        raise AssertionError("the ZIP asked Wagtail for a rendition")

    monkeypatch.setattr(AbstractImage, "get_rendition", no_rendering)
    monkeypatch.setattr(AbstractImage, "get_renditions", no_rendering)
    token = unlock(studio)
    assert len(zip_contents(api("get", zip_url(gallery), studio, token))) == 4


class CacheCalls:
    """Counts the calls to the default cache (which is also Wagtail's renditions cache)."""

    METHODS = ("get", "set", "add", "get_many", "set_many", "delete", "delete_many", "incr", "touch", "has_key")

    def __init__(self, monkeypatch):
        self.calls: list[str] = []
        backend = caches["default"]
        for name in self.METHODS:
            real = getattr(backend, name)
            monkeypatch.setattr(backend, name, self._counting(name, real))

    def _counting(self, name, real):
        def call(*args, **kwargs):
            self.calls.append(name)
            return real(*args, **kwargs)

        return call


def with_web_renditions(gallery, count: int):
    """`count` ready photos as the pipeline leaves them in a gallery offering a web ZIP: each with its web
    rendition stored (a small JPEG), without rendering them."""
    photos = bulk_ready_photos(gallery, count)
    spec = web_spec(gallery, "web")
    data = jpeg(1, 64, 48)
    for photo in photos:
        rendition = StudioRendition(image_id=photo.image_id, filter_spec=spec, focal_point_key="")
        rendition.file.save(f"web_{photo.image_id}.jpg", ContentFile(data), save=False)
        rendition.width, rendition.height = 64, 48
        rendition.save()
    return photos


def test_queries_and_cache_calls_per_zip_do_not_grow_with_the_gallery(api, studio, unlock, monkeypatch):
    cache_calls = CacheCalls(monkeypatch)
    measured = {}
    for count in (3, 30):
        code = f"WEBZIP{count:02d}"
        gallery = make_gallery(studio, title=f"Big {count}", access_code=code, download_limit=100)
        with_web_renditions(gallery, count)
        token = unlock(studio, code=code)
        api("get", f"/api/client/galleries/{gallery.pk}/", studio, token)  # the session's one-time look-ups
        cache_calls.calls.clear()
        with CaptureQueriesContext(connection) as queries:
            # Read to the end: the test client then closes it, as the server does, and the download is logged.
            entries = zip_contents(api("get", zip_url(gallery), studio, token))
        assert len(entries) == count
        measured[count] = (len(queries.captured_queries), len(cache_calls.calls))
    assert DownloadEvent.objects.filter(kind="zip").count() == 2
    # Token → gallery, the photos, their web renditions, the allowance (update + row check),
    # then the download's log (event + client timeline): none per photo.
    assert measured[3] == measured[30], measured
    queries_per_zip, cache_calls_per_zip = measured[30]
    # 4 to find everything (access, photos, watermark version, the web renditions; the host's studio is a
    # cache read), 7 for the allowance (get_or_create in savepoints, the conditional UPDATE), 1 to log it.
    assert queries_per_zip == 12, [q["sql"] for q in queries.captured_queries]
    assert cache_calls_per_zip <= 2, cache_calls.calls


# --- Missing renditions: 503 download_preparing, queued --------------------------------------------------


def test_a_missing_web_rendition_answers_503_and_is_queued(api, studio, gallery, photos, unlock):
    Gallery.objects.filter(pk=gallery.pk).update(download_limit=1)
    lost = web_rendition(photos[2])
    lost.file.delete(save=False)
    lost.delete()
    token = unlock(studio, email="emma@example.test")

    with TestCase.captureOnCommitCallbacks(execute=True) as queued:
        response = api("get", zip_url(gallery), studio, token)
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "download_preparing"
    assert "1 of 4" in error["message"]
    assert 5 <= int(response["Retry-After"]) <= 300
    assert queued and queued[0].args == (render_gallery_renditions, gallery.pk), "its rendering was not queued"
    # Nothing was counted or logged for a ZIP the client did not get.
    assert downloads_left(Gallery.objects.get(pk=gallery.pk)) == 1
    assert not DownloadAllowance.objects.filter(used__gt=0).exists()
    assert DownloadEvent.objects.count() == 0

    # The queued task (eager here, a worker in production) made it: the next click gets the whole ZIP.
    assert web_rendition(photos[2]) is not None
    contents = zip_contents(api("get", zip_url(gallery), studio, token))
    assert len(contents) == 4 and "Reception/IMG_0003.jpg" in contents
    assert DownloadEvent.objects.get().kind == "zip"


def test_impatient_clicks_queue_the_rendering_once(api, studio, gallery, photos, unlock):
    StudioRendition.objects.filter(filter_spec=web_spec(gallery, "web")).delete()
    token = unlock(studio)
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        answers = [api("get", zip_url(gallery), studio, token) for _ in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 503]
    assert "4 of 4" in answers[0].json()["error"]["message"]
    assert [callback.args for callback in queued] == [(render_gallery_renditions, gallery.pk)]


def test_a_full_size_zip_needs_no_web_rendition(api, studio, gallery, photos, unlock):
    Gallery.objects.filter(pk=gallery.pk).update(download_resolution="full")
    StudioRendition.objects.filter(filter_spec=web_spec(gallery, "web")).delete()
    token = unlock(studio)
    contents = zip_contents(api("get", zip_url(gallery), studio, token))
    with photos[0].image.file.open("rb") as f:
        assert contents["Ceremony/IMG_0001.jpg"] == f.read()


# --- HEAD: is the ZIP ready? Asked without downloading it or counting a download -------------------------


def head(client, gallery, studio, token, **params):
    return client.head(zip_url(gallery), params, HTTP_HOST=studio.hostname, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_head_says_preparing_then_ready_and_never_counts_or_logs(client, api, studio, gallery, photos, unlock):
    Gallery.objects.filter(pk=gallery.pk).update(download_limit=1)
    lost = web_rendition(photos[2])
    lost.file.delete(save=False)
    lost.delete()
    token = unlock(studio)

    with TestCase.captureOnCommitCallbacks(execute=True) as queued:  # the queued task runs, as a worker would
        preparing = head(client, gallery, studio, token)
    assert preparing.status_code == 503
    assert 5 <= int(preparing["Retry-After"]) <= 300
    assert preparing.content == b""
    assert (render_gallery_renditions, gallery.pk) in [getattr(c, "args", None) for c in queued], "not queued"

    for _ in range(3):  # asked again and again: still the one download left
        ready = head(client, gallery, studio, token)
        assert ready.status_code == 200 and ready.content == b""
    assert head(client, gallery, studio, token, set=gallery.sets.last().pk).status_code == 200
    assert downloads_left(Gallery.objects.get(pk=gallery.pk)) == 1
    assert DownloadEvent.objects.count() == 0

    # The one download is taken by GET; then HEAD says what GET would: the limit is reached.
    assert len(zip_contents(api("get", zip_url(gallery), studio, token))) == 4
    assert DownloadEvent.objects.count() == 1
    refused = api("get", zip_url(gallery), studio, token)
    assert refused.json()["error"]["code"] == "download_limit_reached"
    assert head(client, gallery, studio, token).status_code == refused.status_code
    assert DownloadEvent.objects.count() == 1


def test_head_runs_the_same_checks_as_the_download(client, studio, other_studio, gallery, photos, unlock):
    token = unlock(studio)
    assert head(client, gallery, studio, token, set=999999).status_code == 400
    assert client.head(zip_url(gallery), HTTP_HOST=studio.hostname).status_code == 401
    Gallery.objects.filter(pk=gallery.pk).update(downloadable=False)
    assert head(client, gallery, studio, token).status_code == 403
    # The other studio's host: no such gallery there.
    assert head(client, gallery, other_studio, token).status_code in (401, 404)
