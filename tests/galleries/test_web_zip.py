""" "Download all" at web size (issue 14): the pipeline renders the web download ahead for galleries that offer
a web-size ZIP, and the ZIP streams those stored files, found with one query, with no rendering and no cache
call per photo. While some are missing the ZIP answers 503 `download_preparing` and queues them."""

import io
import os
import zipfile

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from PIL import Image

from galleries.downloads import WrongSize, downloads_left, web_spec
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


# --- Sizes kept with the renditions: the ZIP's length without asking the storage per file ----------------------


def stats_under_media(monkeypatch) -> list[str]:
    """The files under MEDIA_ROOT that are stat()ed from now on."""
    seen, real = [], os.stat

    def stat(path, *args, **kwargs):
        if str(path).startswith(str(settings.MEDIA_ROOT)):
            seen.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    return seen


def stored_length(rendition) -> int:
    with rendition.file.open("rb") as f:
        return len(f.read())


def test_renditions_keep_the_size_of_their_file_when_made(studio, gallery, photos):
    # The pipeline's (the web download among them), and those Wagtail makes on request: one (get_rendition,
    # a get_or_create) or several at once (get_renditions, a bulk_create).
    image = photos[0].image
    image.get_rendition("max-100x100|format-png")
    image.get_renditions("max-120x120|format-png", "max-140x140|format-jpeg")
    renditions = StudioRendition.objects.filter(image=image)
    assert len(renditions) == 5 + 3
    for rendition in renditions:
        assert rendition.file_size == stored_length(rendition), rendition.filter_spec


def test_the_zip_takes_its_length_from_the_rows_without_a_stat_per_file(
    api, studio, gallery, photos, unlock, monkeypatch
):
    token = unlock(studio)
    stats = stats_under_media(monkeypatch)
    response = api("get", zip_url(gallery), studio, token)
    assert stats == [], "the ZIP asked the storage for sizes its rows hold"
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None


def test_renditions_stored_without_their_size_still_make_a_whole_zip_of_announced_length(
    api, studio, gallery, photos, unlock
):
    """Renditions made before sizes were kept: the ZIP asks the storage (as it always did), then the backfill
    stores them and the same ZIP comes from the rows."""
    web = StudioRendition.objects.filter(filter_spec=web_spec(gallery, "web"))
    web.update(file_size=None)
    token = unlock(studio)
    response = api("get", zip_url(gallery), studio, token)
    before = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(before)

    out = io.StringIO()
    call_command("backfill_rendition_sizes", stdout=out)
    assert "Stored the size of 4 renditions; 0 could not be sized" in out.getvalue()
    assert [r.file_size for r in web.order_by("pk")] == [stored_length(r) for r in web.order_by("pk")]
    response = api("get", zip_url(gallery), studio, token)
    after = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(after) == len(before)
    assert zip_contents_of(after) == zip_contents_of(before)


def zip_contents_of(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_backfill_skips_missing_files_and_only_web_zip_renditions_unless_asked(studio, gallery, photos):
    StudioRendition.objects.update(file_size=None)
    lost = web_rendition(photos[1])
    lost.file.storage.delete(lost.file.name)
    out = io.StringIO()
    call_command("backfill_rendition_sizes", stdout=out)
    assert "Stored the size of 3 renditions; 1 could not be sized (file missing)" in out.getvalue()
    sized = StudioRendition.objects.filter(file_size__isnull=False)
    assert set(sized.values_list("filter_spec", flat=True)) == {web_spec(gallery, "web")}

    call_command("backfill_rendition_sizes", "--all", stdout=out)
    assert list(StudioRendition.objects.filter(file_size__isnull=True)) == [StudioRendition.objects.get(pk=lost.pk)]


def test_a_rendition_changed_after_its_size_was_kept_cuts_one_zip_short_and_the_next_is_whole(
    api, studio, gallery, photos, unlock
):
    """Renditions are written once, so this takes a file changed behind the app's back. The length the ZIP
    announced is then wrong: the stream stops before that file (the client's unzip reports a damaged
    archive rather than wrong photos), the download is given back, and the row takes the file's real size."""
    Gallery.objects.filter(pk=gallery.pk).update(download_limit=1)
    changed = web_rendition(photos[2])
    replacement = jpeg(9, 96, 64)
    assert len(replacement) != changed.file_size
    with open(changed.file.path, "wb") as f:
        f.write(replacement)
    token = unlock(studio, email="emma@example.test")

    response = api("get", zip_url(gallery), studio, token)
    assert response.status_code == 200
    with pytest.raises(WrongSize):
        b"".join(response.streaming_content)
    assert downloads_left(Gallery.objects.get(pk=gallery.pk)) == 1, "the client did not get the ZIP"
    assert DownloadEvent.objects.count() == 0
    assert StudioRendition.objects.get(pk=changed.pk).file_size == len(replacement)

    response = api("get", zip_url(gallery), studio, token)
    contents = zip_contents(response)
    assert contents["Reception/IMG_0003.jpg"] == replacement
    assert int(response["Content-Length"]) > 0
    assert downloads_left(Gallery.objects.get(pk=gallery.pk)) == 0
    assert DownloadEvent.objects.get().kind == "zip"


def test_on_s3_the_zip_announces_its_length_from_the_rows(s3, api, studio, unlock):
    """Object storage would take a request per file to size: before sizes were kept, an S3 ZIP went out
    without Content-Length (no progress in the browser). An object changed behind the app's back is found
    by counting its bytes: that ZIP is cut short and the row corrected, as on local storage."""
    gallery = make_gallery(studio, access_code="WEBZIPS3", download_limit=1)
    photos = [upload(gallery, jpeg(i, 480, 320), f"IMG_{i}.jpg") for i in (1, 2)]
    token = unlock(studio, code="WEBZIPS3")
    response = api("get", zip_url(gallery), studio, token)
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    contents = zip_contents_of(body)
    for photo in photos:
        with web_rendition(photo).file.open("rb") as f:
            assert contents[photo.filename] == f.read()

    changed = web_rendition(photos[1])
    replacement = jpeg(9, 96, 64)
    storage = changed.file.storage
    storage.bucket.Object(storage._normalize_name(changed.file.name)).put(Body=replacement)
    Gallery.objects.filter(pk=gallery.pk).update(download_limit=2)
    with pytest.raises(WrongSize):
        b"".join(api("get", zip_url(gallery), studio, token).streaming_content)
    assert downloads_left(Gallery.objects.get(pk=gallery.pk)) == 1
    response = api("get", zip_url(gallery), studio, token)
    assert zip_contents(response)["IMG_2.jpg"] == replacement
    assert downloads_left(Gallery.objects.get(pk=gallery.pk)) == 0


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
    # 5 to find everything (access, photos, watermark version, the web renditions, the prepared archive; the
    # host's studio is a cache read), 7 for the allowance (get_or_create in savepoints, the conditional UPDATE),
    # 1 to log it.
    assert queries_per_zip == 13, [q["sql"] for q in queries.captured_queries]
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
