"""One pixel limit everywhere (issue 13): MAX_IMAGE_PIXELS is what the upload, the pipeline, web downloads,
ZIPs and Pillow itself (in every process) go by.

Before: the pipeline raised Pillow's limit to MAX_IMAGE_PIXELS only in the worker that ran it, so a 180–200
MP photo was accepted and marked ready, then its web download answered 500 and the gallery ZIP came back
truncated, while still using up one of the client's downloads."""

import hashlib
import io
import os
import struct
import subprocess
import sys
import zipfile
import zlib

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from galleries.downloads import downloads_left
from galleries.models import DownloadEvent, Gallery, GalleryPhoto, StudioImage
from galleries.uploads import UploadRejected, add_upload

from .factories import jpeg, upload

pytestmark = pytest.mark.django_db
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Just above Pillow's own refusal (2 × its default 89.5 MP), below our 200 MP.
BIG = (13_400, 13_400)  # 179.6 MP


def grey_png(width: int, height: int) -> bytes:
    """A valid 8-bit grey PNG of any size, written row by row: a 180 MP one is a few hundred KB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    packer, row, idat = zlib.compressobj(9), b"\0" + b"\x80" * width, []
    for _ in range(height):
        idat.append(packer.compress(row))
    idat.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(idat)) + chunk(b"IEND", b"")


def ready_photo(gallery, name: str, data: bytes, size: tuple[int, int]) -> GalleryPhoto:
    """A photo as the worker leaves it (processed in another process: this one's Pillow is untouched)."""
    image = StudioImage.objects.create(
        title=name, original_filename=name, studio=gallery.studio, collection=gallery.studio.collection,
        file=default_storage.save(f"original_images/{name}", ContentFile(data)),
        width=size[0], height=size[1], status=StudioImage.Status.READY,
    )  # fmt: skip
    return GalleryPhoto.objects.create(
        studio=gallery.studio, gallery=gallery, image=image, order=99, sha256=hashlib.sha256(data).hexdigest()
    )


@pytest.fixture(scope="module")
def web_process_pillow_limit():
    """Pillow's limit in a freshly started process of the project (a web process that never ran the pipeline)."""
    code = "import django; django.setup(); from PIL import Image; print(Image.MAX_IMAGE_PIXELS)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1])


@pytest.fixture
def as_in_a_web_process(web_process_pillow_limit, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", web_process_pillow_limit)


def photo_url(photo, size="web"):
    return f"/api/client/photos/{photo.pk}/download/?size={size}"


def zip_url(gallery):
    return f"/api/client/galleries/{gallery.pk}/download/"


def limited(gallery, downloads=1, **fields):
    Gallery.objects.filter(pk=gallery.pk).update(download_limit=downloads, **fields)
    gallery.refresh_from_db()
    return gallery


def test_every_process_opens_images_with_the_one_limit(web_process_pillow_limit):
    assert web_process_pillow_limit == settings.MAX_IMAGE_PIXELS == settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS


def test_a_photo_under_the_limit_downloads_at_web_size_and_in_the_zip(
    api, studio, gallery, unlock, as_in_a_web_process
):
    big = ready_photo(gallery, "PANORAMA.png", grey_png(*BIG), BIG)
    token = unlock(studio, email="emma@example.test")

    response = api("get", photo_url(big), studio, token)
    assert response.status_code == 200
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (2048, 2048)

    response = api("get", zip_url(gallery), studio, token)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == ["PANORAMA.jpg"] and archive.testzip() is None


def test_a_photo_over_the_limit_is_a_clear_refusal_and_uses_no_download(api, studio, gallery, unlock, settings):
    settings.MAX_IMAGE_PIXELS = 100_000_000  # lowered after the photo was processed
    upload(gallery, jpeg(1, 480, 320))
    big = ready_photo(gallery, "PANORAMA.png", grey_png(*BIG), BIG)
    limited(gallery, downloads=1)
    token = unlock(studio, email="emma@example.test")

    response = api("get", photo_url(big), studio, token)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "photo_too_large"
    assert "“PANORAMA.png” is 13400×13400 pixels (180 megapixels)" in response.json()["error"]["message"]

    # The ZIP is refused before it streams, rather than cut short after 200 OK.
    response = api("get", zip_url(gallery), studio, token)
    assert response.status_code == 409 and response.json()["error"]["code"] == "photo_too_large"
    assert downloads_left(gallery) == 1
    assert DownloadEvent.objects.count() == 0


def test_a_zip_cut_short_gives_its_download_back(api, studio, gallery, unlock):
    photos = [upload(gallery, jpeg(i, 480, 320), f"IMG_{i}.jpg") for i in (1, 2, 3)]
    limited(gallery, downloads=1, download_resolution="full")
    token = unlock(studio, email="emma@example.test")
    default_storage.delete(photos[2].image.file.name)  # lost from storage: the stream fails at the third entry

    response = api("get", zip_url(gallery), studio, token)
    assert response.status_code == 200
    with pytest.raises(FileNotFoundError):
        b"".join(response.streaming_content)
    assert downloads_left(gallery) == 1, "the client did not get the ZIP"
    assert DownloadEvent.objects.count() == 0

    # A complete ZIP is counted (and logged) once it has been sent.
    default_storage.save(photos[2].image.file.name, ContentFile(jpeg(3, 480, 320)))
    response = api("get", zip_url(gallery), studio, token)
    b"".join(response.streaming_content)
    assert downloads_left(gallery) == 0
    assert DownloadEvent.objects.get().kind == "zip"


def test_an_upload_over_the_limit_is_refused_at_once(gallery, settings):
    settings.MAX_IMAGE_PIXELS = 50_000_000
    with pytest.raises(UploadRejected, match=r"8000×8000 pixels \(64 megapixels\), more than the 50 megapixels"):
        add_upload(gallery, SimpleUploadedFile("huge.png", grey_png(8000, 8000)))
    assert not StudioImage.objects.exists()
    assert Image.MAX_IMAGE_PIXELS == 50_000_000  # Pillow follows the setting
