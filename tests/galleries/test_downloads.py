"""Downloads: permissions, the gallery's download limit (atomic under concurrency), signed originals, streamed ZIPs."""

import io
import threading
import time
import zipfile
from types import SimpleNamespace

import pytest
from django.core import signing
from django.db import connection
from django.http import StreamingHttpResponse
from PIL import Image

from galleries.models import DownloadAllowance, DownloadEvent, Gallery

from .factories import make_gallery

pytestmark = pytest.mark.django_db


def photo_url(photo, size=None):
    return f"/api/client/photos/{photo.pk}/download/" + (f"?size={size}" if size else "")


def zip_url(gallery):
    return f"/api/client/galleries/{gallery.pk}/download/"


def test_web_size_download_is_a_jpeg_and_is_logged(api, studio, gallery, photos, unlock):
    token = unlock(studio, email="emma@example.test")
    response = api("get", photo_url(photos[0], "web-640"), studio, token)
    assert response.status_code == 200
    assert 'filename="IMG_0001.jpg"' in response["Content-Disposition"]
    img = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert img.format == "JPEG" and img.size == (480, 320)  # never enlarged
    event = DownloadEvent.objects.get()
    assert (event.kind, event.photo_id, event.email) == ("web", photos[0].pk, "emma@example.test")


def test_full_size_only_when_the_gallery_offers_it(api, studio, gallery, photos, unlock):
    token = unlock(studio)
    refused = api("get", photo_url(photos[0], "full"), studio, token)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "full_size_not_allowed"
    assert DownloadEvent.objects.count() == 0


def test_original_through_a_signed_link_that_expires(
    client, api, studio, other_studio, gallery, photos, unlock, monkeypatch
):
    Gallery.objects.filter(pk=gallery.pk).update(download_resolution="full")
    token = unlock(studio)
    response = api("get", photo_url(photos[0], "full"), studio, token)
    assert response.status_code == 302
    link = response["Location"]
    assert link.startswith("http://northlight.localhost/api/client/originals/")
    path = link.removeprefix("http://northlight.localhost")
    original = client.get(path, HTTP_HOST=studio.hostname)
    assert original.status_code == 200
    with photos[0].image.file.open("rb") as f:
        assert b"".join(original.streaming_content) == f.read()
    # The link is bound to its studio, and tampering breaks it.
    assert client.get(path, HTTP_HOST=other_studio.hostname).status_code == 404
    assert client.get(path[:-3] + "xx/", HTTP_HOST=studio.hostname).status_code == 404
    # Eleven minutes later, as the signer sees it.
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: time.time() + 660))
    expired = client.get(path, HTTP_HOST=studio.hostname)
    assert expired.status_code == 410 and expired.json()["error"]["code"] == "link_expired"


def test_pin_protects_downloads(api, studio, gallery, photos, unlock):
    Gallery.objects.filter(pk=gallery.pk).update(download_pin="2468")
    viewer = unlock(studio)
    response = api("get", photo_url(photos[0]), studio, viewer)
    assert response.status_code == 403 and response.json()["error"]["code"] == "pin_required"
    with_pin = unlock(studio, pin="2468")
    assert api("get", photo_url(photos[0]), studio, with_pin).status_code == 200
    assert DownloadEvent.objects.count() == 1


def test_downloads_can_be_turned_off(api, studio, gallery, photos, unlock):
    Gallery.objects.filter(pk=gallery.pk).update(downloadable=False)
    token = unlock(studio)
    for url in (photo_url(photos[0]), zip_url(gallery)):
        response = api("get", url, studio, token)
        assert response.status_code == 403 and response.json()["error"]["code"] == "downloads_disabled"
    assert DownloadEvent.objects.count() == 0


def test_download_limit(api, studio, gallery, photos, unlock):
    Gallery.objects.filter(pk=gallery.pk).update(download_limit=2)
    emma = unlock(studio, email="emma@example.test")
    assert api("get", photo_url(photos[0]), studio, emma).status_code == 200
    assert api("get", photo_url(photos[1]), studio, emma).status_code == 200
    third = api("get", photo_url(photos[2]), studio, emma)
    assert third.status_code == 403
    assert third.json()["error"]["message"] == (
        "You have used all 2 downloads for this gallery. Ask your photographer for more."
    )
    detail = api("get", f"/api/client/galleries/{gallery.pk}/", studio, emma).json()
    assert detail["permissions"]["downloads_left"] == 0
    assert (
        DownloadEvent.objects.count() == 2
    )  # the allowance is the gallery's: tests/galleries/test_download_allowance.py


def read_zip(response) -> zipfile.ZipFile:
    assert isinstance(response, StreamingHttpResponse)
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_gallery_zip_streams_every_photo_in_set_folders(api, studio, gallery, photos, unlock):
    token = unlock(studio, email="emma@example.test")
    response = api("get", zip_url(gallery), studio, token)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="Emma & Jonah _ Wedding.zip"' in response["Content-Disposition"]
    archive = read_zip(response)
    assert archive.namelist() == [
        "Ceremony/IMG_0001.jpg",
        "Ceremony/IMG_0002.jpg",
        "Reception/IMG_0003.jpg",
        "Reception/IMG_0004.jpg",
    ]
    assert archive.testzip() is None
    assert Image.open(archive.open("Ceremony/IMG_0001.jpg")).size == (480, 320)
    event = DownloadEvent.objects.get()
    assert (event.kind, event.email) == ("zip", "emma@example.test")


def test_set_zip_of_originals(api, studio, gallery, photos, unlock):
    Gallery.objects.filter(pk=gallery.pk).update(download_resolution="full")
    reception = gallery.sets.get(name="Reception")
    token = unlock(studio)
    archive = read_zip(api("get", zip_url(gallery), studio, token, {"set": reception.pk}))
    assert archive.namelist() == ["Reception/IMG_0003.jpg", "Reception/IMG_0004.jpg"]
    with photos[2].image.file.open("rb") as f:
        assert archive.read("Reception/IMG_0003.jpg") == f.read()
    assert DownloadEvent.objects.get().set_id == reception.pk


def test_zip_of_an_empty_gallery_says_so(api, studio, unlock):
    make_gallery(studio, title="Empty", slug="empty", access_code="EMPTY123")
    token = unlock(studio, "EMPTY123")
    gallery = Gallery.objects.get(access_code="EMPTY123")
    response = api("get", zip_url(gallery), studio, token)
    assert response.status_code == 404 and response.json()["error"]["code"] == "nothing_to_download"
    assert DownloadAllowance.objects.count() == 0


def test_zip_is_built_lazily(api, studio, gallery, photos, unlock, monkeypatch):
    """Nothing is read from storage before the first chunk is asked for: no temporary archive."""
    token = unlock(studio)
    opened = []
    from galleries import downloads

    real = downloads._file_chunks
    monkeypatch.setattr(downloads, "_file_chunks", lambda f: (opened.append(f.name), (yield from real(f)))[1])
    response = api("get", zip_url(gallery), studio, token)
    assert opened == []
    chunks = iter(response.streaming_content)
    next(chunks)
    assert len(opened) <= 1
    b"".join(chunks)
    assert len(opened) == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_download_limit_holds_under_concurrent_requests(studio, photos, gallery):
    from galleries.downloads import use_one_download
    from studios.errors import DomainError

    Gallery.objects.filter(pk=gallery.pk).update(download_limit=3)
    gallery.refresh_from_db()
    allowed, refused = [], []
    barrier = threading.Barrier(8)

    def attempt():
        try:
            barrier.wait()
            use_one_download(gallery)
            allowed.append(1)
        except DomainError:
            refused.append(1)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (len(allowed), len(refused)) == (3, 5)
    assert DownloadAllowance.objects.get().used == 3


def test_zip_memory_stays_flat_however_big_the_gallery(api, studio, gallery, unlock):
    """20 originals of 2 MB (40 MB of ZIP) stream with a peak of a few chunks, not the archive."""
    import os
    import tracemalloc

    from django.core.files.base import ContentFile

    from .conftest import bulk_ready_photos

    Gallery.objects.filter(pk=gallery.pk).update(download_resolution="full")
    photos = bulk_ready_photos(gallery, 20)
    for photo in photos:
        storage = photo.image.file.storage
        storage.save(photo.image.file.name, ContentFile(os.urandom(2 * 1024 * 1024)))
    token = unlock(studio)
    response = api("get", zip_url(gallery), studio, token)
    tracemalloc.start()
    total = sum(len(chunk) for chunk in response.streaming_content)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert total > 40 * 1024 * 1024
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
