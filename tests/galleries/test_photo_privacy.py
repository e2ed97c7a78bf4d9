"""What clients get of a photo is what the studio chose: the watermark on every client file when it is on,
the photographer's colours (sRGB with its profile), no private metadata; only a permitted full-size download
hands out the original, byte for byte."""

import hashlib
import io
import zipfile
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from django.test import TestCase
from PIL import Image, ImageChops
from wagtail.models import Collection

from galleries.models import Gallery, StudioImage, WatermarkSettings
from galleries.renditions import PUBLIC_RENDITIONS
from studios.models import Studio

from .factories import make_gallery, upload
from .photo_files import adobe_rgb_icc, flat_jpeg, metadata_of, private_exif, private_jpeg, profile_description

pytestmark = pytest.mark.django_db

CODE = "PRIVACY24"
GREY = (128, 128, 128)
CLIENT_FILES = ("thumb", "tile", "preview", "watermarked", "web download", "web zip entry")


@pytest.fixture
def loud_watermark(studio):
    """A watermark that cannot be missed: white text, fully opaque, across the middle."""
    WatermarkSettings.for_studio(studio)
    WatermarkSettings.objects.filter(studio=studio).update(text="NORTHLIGHT", opacity=100, scale=40, position="center")


@pytest.fixture
def client_files(api, unlock, studio):
    """Every file a client can get of `photo`: the renditions the client API links (grid, lightbox), the
    web-size download and the web-size ZIP entry, as bytes."""

    def get(gallery, photo) -> dict[str, bytes]:
        token = unlock(studio, code=CODE)
        page = api("get", f"/api/client/galleries/{gallery.pk}/photos/", studio, token)
        assert page.status_code == 200
        renditions = next(p for p in page.json()["results"] if p["id"] == photo.pk)["renditions"]
        files = {}
        for name in ("thumb", "tile", "preview", "watermarked"):
            assert renditions[name] is not None, f"the client API gives no {name}"
            files[name] = stored(renditions[name]["url"])
        download = api("get", f"/api/client/photos/{photo.pk}/download/?size=web", studio, token)
        assert download.status_code == 200
        files["web download"] = b"".join(download.streaming_content)
        archive = api("get", f"/api/client/galleries/{gallery.pk}/download/", studio, token)
        assert archive.status_code == 200
        with zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))) as zf:
            files["web zip entry"] = zf.read(zf.namelist()[0])
        return files

    return get


def stored(url: str) -> bytes:
    """The bytes behind a media URL the API handed out."""
    with default_storage.open(urlsplit(url).path.removeprefix(settings.MEDIA_URL), "rb") as f:
        return f.read()


def marked_pixels(data: bytes, background=GREY) -> int:
    """Pixels of a photo of flat `background` that are far from it: the watermark's (JPEG noise is a few levels)."""
    img = Image.open(io.BytesIO(data)).convert("RGB")
    red, green, blue = ImageChops.difference(img, Image.new("RGB", img.size, background)).split()
    return sum(ImageChops.lighter(ImageChops.lighter(red, green), blue).histogram()[49:])


def centre(data: bytes) -> tuple[int, int, int]:
    img = Image.open(io.BytesIO(data)).convert("RGB")
    return img.getpixel((img.width // 2, img.height // 2))


def publish_watermark(gallery, on: bool) -> None:
    gallery = Gallery.objects.get(pk=gallery.pk)
    gallery.watermark = on
    with TestCase.captureOnCommitCallbacks(execute=True):
        gallery.save_revision().publish()


# --- The watermark ----------------------------------------------------------------------------------


def test_with_the_watermark_on_every_file_a_client_gets_carries_it(studio, loud_watermark, client_files):
    gallery = make_gallery(studio, access_code=CODE)
    photo = upload(gallery, flat_jpeg(GREY))

    files = client_files(gallery, photo)

    unmarked = StudioImage.objects.get(pk=photo.image_id).get_rendition("max-400x400|format-webp")
    with unmarked.file.open("rb") as f:
        assert marked_pixels(f.read()) < 5  # the photo itself is flat: what stands out is the watermark
    for name in CLIENT_FILES:
        assert marked_pixels(files[name]) > 200, f"the client's {name} has no watermark"


def test_turning_the_watermark_on_or_off_after_upload_reaches_clients(studio, loud_watermark, client_files):
    gallery = make_gallery(studio, access_code=CODE, watermark=False)
    photo = upload(gallery, flat_jpeg(GREY))
    assert all(marked_pixels(data) < 5 for data in client_files(gallery, photo).values())

    publish_watermark(gallery, True)
    files = client_files(gallery, photo)  # the cached photo page too
    for name in CLIENT_FILES:
        assert marked_pixels(files[name]) > 200, f"the client's {name} has no watermark once it is turned on"

    publish_watermark(gallery, False)
    assert all(marked_pixels(data) < 5 for data in client_files(gallery, photo).values())


# --- Colour -----------------------------------------------------------------------------------------


def test_an_adobe_rgb_photo_reaches_clients_in_srgb_with_its_profile(studio, client_files):
    gallery = make_gallery(studio, access_code=CODE, watermark=False)
    photo = upload(gallery, flat_jpeg((200, 30, 39), icc_profile=adobe_rgb_icc()))

    for name, data in client_files(gallery, photo).items():
        red, green, blue = centre(data)
        assert abs(red - 233) <= 3 and abs(green - 24) <= 3 and abs(blue - 35) <= 3, (name, (red, green, blue))
        assert "sRGB" in (profile_description(data) or ""), f"the client's {name} has no sRGB profile"


def test_a_full_size_download_is_the_original_byte_for_byte(client, api, unlock, studio):
    gallery = make_gallery(studio, access_code=CODE, download_resolution="full")
    original = flat_jpeg((200, 30, 39), icc_profile=adobe_rgb_icc(), exif=private_exif())
    photo = upload(gallery, original)
    token = unlock(studio, code=CODE)

    redirect = api("get", f"/api/client/photos/{photo.pk}/download/?size=full", studio, token)
    assert redirect.status_code == 302
    link = urlsplit(redirect["Location"])
    downloaded = client.get(f"{link.path}?{link.query}", HTTP_HOST=studio.hostname)
    assert downloaded.status_code == 200
    assert hashlib.sha256(b"".join(downloaded.streaming_content)).hexdigest() == hashlib.sha256(original).hexdigest()

    archive = api("get", f"/api/client/galleries/{gallery.pk}/download/", studio, token)
    with zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))) as zf:
        assert hashlib.sha256(zf.read("IMG_0001.jpg")).digest() == hashlib.sha256(original).digest()


# --- Metadata ---------------------------------------------------------------------------------------


def test_client_files_have_no_gps_serials_or_maker_notes_but_keep_the_credit(studio, client_files):
    gallery = make_gallery(studio, access_code=CODE)
    photo = upload(gallery, private_jpeg())

    for name, data in client_files(gallery, photo).items():
        found = metadata_of(data)
        assert found["gps"] == {}, f"the client's {name} tells where the photo was taken"
        assert found["serials"] == [] and not found["maker_note"], f"the client's {name} names the camera"
        assert found["camera"] == []
        assert (found["artist"], found["copyright"]) == (
            "Ada Northlight",
            "(c) 2026 Northlight Photography",
        ), f"the client's {name} lost the photographer's credit"


def test_a_studio_that_does_not_keep_the_credit_strips_it_too(admin_client_for, photographer, studio, client_files):
    gallery = make_gallery(studio, access_code=CODE)
    photo = upload(gallery, private_jpeg())
    assert metadata_of(client_files(gallery, photo)["thumb"])["artist"] == "Ada Northlight"

    admin = admin_client_for(photographer)
    admin.defaults["HTTP_HOST"] = "localhost"
    page = admin.get("/admin/studio-settings/")
    assert b"Keep copyright in photos" in page.content
    form = page.context["profile_form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, False)}
    data.pop("keep_copyright_metadata")
    with TestCase.captureOnCommitCallbacks(execute=True):
        saved = admin.post("/admin/studio-settings/", data)
    assert saved.status_code == 302, saved.content[:2000]
    assert Studio.objects.get(pk=studio.pk).keep_copyright_metadata is False

    for name, data in client_files(gallery, photo).items():
        found = metadata_of(data)
        assert (found["artist"], found["copyright"]) == (None, None), f"the client's {name} kept the credit"
        assert found["gps"] == {} and found["serials"] == []


# --- Rendition URLs ---------------------------------------------------------------------------------


def test_a_rendition_url_cannot_be_guessed_from_another(studio):
    # The admin's own views make unwatermarked renditions (Wagtail's listing: max-165x165). Named only by
    # image and spec, a client holding a watermarked URL could write theirs.
    gallery = make_gallery(studio, access_code=CODE)
    photo = upload(gallery, flat_jpeg(GREY))
    image = StudioImage.objects.get(pk=photo.image_id)
    stem = image.file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    rendition = image.get_rendition("max-165x165")
    assert rendition.file.name != f"images/{stem}.max-165x165.jpg"
    assert image.get_rendition("max-165x165").url == rendition.url  # still found again, never re-made


# --- The public site's images -------------------------------------------------------------------------


def test_the_public_sites_images_are_srgb_without_private_metadata(studio):
    original = flat_jpeg((200, 30, 39), icc_profile=adobe_rgb_icc(), exif=private_exif())
    image = StudioImage.objects.create(
        title="Portfolio",
        collection=Collection.objects.get(pk=studio.collection_id),
        file=ImageFile(io.BytesIO(original), name="portfolio.jpg"),
    )
    for spec in PUBLIC_RENDITIONS.values():
        with image.get_rendition(spec).file.open("rb") as f:
            data = f.read()
        found = metadata_of(data)
        assert found["gps"] == {} and found["serials"] == [] and not found["maker_note"] and found["camera"] == []
        assert "sRGB" in profile_description(data) and abs(centre(data)[0] - 233) <= 3
