"""The pipeline: checks with clear reasons, dedupe, EXIF, blurhash, and renditions from one decode."""

import io
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from PIL import Image

from galleries.models import GalleryPhoto, StudioImage, StudioRendition, WatermarkSettings
from galleries.pipeline import PhotoRejected, decode, process_gallery_photo
from galleries.renditions import pipeline_specs, rendition_specs

from .factories import image_bytes, jpeg, make_gallery, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def gallery(studio):
    return make_gallery(studio, sets=["Ceremony", "Reception"])


def reload(photo):
    return GalleryPhoto.objects.select_related("image").get(pk=photo.pk)


def test_a_jpeg_gets_the_whole_rendition_set_as_wagtail_renditions(gallery, django_assert_num_queries):
    photo = reload(upload(gallery, jpeg(1, 3000, 2000)))

    image = photo.image
    assert image.status == "ready" and image.failure_reason == ""
    assert (image.width, image.height) == (3000, 2000)
    assert len(photo.sha256) == 64 and len(image.blurhash) >= 6
    specs = pipeline_specs(gallery, WatermarkSettings.for_studio(gallery.studio).version)
    sizes = {r.filter_spec: (r.width, r.height) for r in image.renditions.all()}
    assert sizes == {
        specs["thumb"]: (400, 266),
        specs["tile"]: (800, 533),
        specs["preview"]: (1600, 1066),
        specs["watermarked"]: (2400, 1600),
        specs["web"]: (2048, 1365),  # the gallery offers a web-size ZIP: its entry is made ahead
    }
    # The files are real images of the stated size and format.
    for rendition in image.renditions.all():
        with rendition.file.open("rb") as f:
            decoded = Image.open(io.BytesIO(f.read()))
        assert decoded.size == (rendition.width, rendition.height)
        assert decoded.format == ("JPEG" if "jpeg" in rendition.filter_spec else "WEBP")


def test_get_rendition_finds_the_pipeline_renditions_without_rendering(gallery, monkeypatch):
    photo = reload(upload(gallery, jpeg(2, 1200, 900)))
    ids = set(StudioRendition.objects.values_list("id", flat=True))

    def no_render(*args, **kwargs):
        raise AssertionError("Wagtail re-rendered a rendition the pipeline had made")

    monkeypatch.setattr(StudioImage, "generate_rendition_file", no_render)
    image = StudioImage.objects.get(pk=photo.image_id)
    specs = pipeline_specs(gallery, WatermarkSettings.for_studio(gallery.studio).version)
    for spec in specs.values():
        assert image.get_rendition(spec).id in ids
    assert set(image.get_renditions(*specs.values())) == set(specs.values())
    assert StudioRendition.objects.count() == len(specs) == 5  # thumb, tile, preview, watermarked, web download


def test_watermark_operation_is_registered_and_used_by_wagtail(gallery):
    # A spec the pipeline did not make is rendered by Wagtail through our registered operation.
    photo = reload(upload(gallery, jpeg(3, 800, 600)))
    WatermarkSettings.objects.filter(studio=gallery.studio).update(opacity=100, scale=50, position="center")
    rendition = photo.image.get_rendition("max-300x300|watermark-99|format-png")
    plain = photo.image.get_rendition("max-300x300|format-png")
    with rendition.file.open("rb") as a, plain.file.open("rb") as b:
        marked, unmarked = Image.open(a).convert("RGB"), Image.open(b).convert("RGB")
    assert marked.size == unmarked.size == (300, 225)
    assert marked.tobytes() != unmarked.tobytes()


def test_changing_the_watermark_changes_the_spec(gallery):
    settings_ = WatermarkSettings.for_studio(gallery.studio)
    before = rendition_specs(gallery, settings_.version)["watermarked"]
    settings_.save()  # nothing changed: same version
    assert rendition_specs(gallery, settings_.version)["watermarked"] == before
    settings_.text = "© Northlight 2026"
    settings_.save()
    after = rendition_specs(gallery, settings_.version)["watermarked"]
    assert after != before and after.startswith("max-2400x2400|watermark-")
    gallery.watermark = False
    assert rendition_specs(gallery, settings_.version)["watermarked"] == "max-2400x2400|client-keep|format-jpeg"


@pytest.mark.parametrize(
    "name,data",
    [
        ("photo.png", image_bytes("PNG")),
        ("photo.webp", image_bytes("WEBP")),
        ("photo.tiff", image_bytes("TIFF")),
    ],
)
def test_accepted_formats(gallery, name, data):
    photo = reload(upload(gallery, data, name))
    assert photo.image.status == "ready", photo.image.failure_reason
    assert photo.image.renditions.count() == 5  # thumb, tile, preview, watermarked, web download


def test_heic_is_accepted(gallery):
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 90, 200)).save(out, "HEIF", quality=60)
    photo = reload(upload(gallery, out.getvalue(), "IMG_1234.HEIC"))
    assert photo.image.status == "ready", photo.image.failure_reason
    assert (photo.image.width, photo.image.height) == (640, 480)


def truncated():
    data = jpeg(5, 800, 600)
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    "name,data,reason",
    [
        ("empty.jpg", b"", "The file is empty (0 bytes)"),
        ("half.jpg", truncated(), "damaged or incomplete"),
        ("notes.jpg", b"this is not a photo at all" * 40, "not an image we can read"),
        ("anim.gif", image_bytes("GIF"), "GIF files are not supported. Upload JPEG, PNG, WebP, HEIC or TIFF."),
        ("scan.bmp", image_bytes("BMP"), "BMP files are not supported"),
    ],
)
def test_bad_files_fail_with_a_reason_and_the_gallery_keeps_its_other_photos(gallery, name, data, reason):
    good = reload(upload(gallery, jpeg(6), "good.jpg"))
    bad = reload(upload(gallery, data, name))
    after = reload(upload(gallery, jpeg(7), "after.jpg"))

    assert bad.image.status == "failed"
    assert reason in bad.image.failure_reason
    assert bad.image.renditions.count() == 0 and bad.sha256 == ""
    assert good.image.status == after.image.status == "ready"
    assert list(gallery.ordered_photos().values_list("pk", flat=True)) == [good.pk, after.pk]


def test_decompression_bomb_is_refused_without_decoding(settings):
    # The pipeline's own check (files that skip the upload check: direct uploads to S3). The upload check:
    # tests/galleries/test_pixel_limit.py.
    settings.MAX_IMAGE_PIXELS = 1_000_000
    with pytest.raises(PhotoRejected, match="megapixels we accept"):
        decode(image_bytes("PNG", size=(1500, 1000)))


def test_the_same_photo_twice_in_a_gallery_is_refused_but_allowed_in_another(gallery, studio):
    first = reload(upload(gallery, jpeg(8), "IMG_1.jpg"))
    again = reload(upload(gallery, jpeg(8), "IMG_1 copy.jpg"))
    other = reload(upload(make_gallery(studio, title="Other", slug="other"), jpeg(8), "IMG_1.jpg"))

    assert first.image.status == "ready"
    assert again.image.status == "failed"
    assert again.image.failure_reason == "This photo is already in the gallery as “IMG_1.jpg”."
    assert other.image.status == "ready"


def exif_jpeg(orientation=1, offset=None):
    img = Image.open(io.BytesIO(jpeg(9, 600, 400)))
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS R5"
    exif[0x0112] = orientation
    sub = exif.get_ifd(0x8769)
    sub[0xA434] = "RF24-70mm F2.8 L IS USM"
    sub[0x829D] = 2.8
    sub[0x829A] = 1 / 250
    sub[0x8827] = 400
    sub[0x920A] = 50.0
    sub[0x9003] = "2026:06:20 15:30:00"
    if offset:
        sub[0x9011] = offset
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_exif_is_read_and_capture_time_is_utc(gallery):
    photo = reload(upload(gallery, exif_jpeg(offset="+02:00")))
    image = photo.image
    assert image.camera == "Canon EOS R5"
    assert image.lens == "RF24-70mm F2.8 L IS USM"
    assert (image.aperture, image.shutter_speed, image.iso, image.focal_length) == ("f/2.8", "1/250s", 400, "50mm")
    assert image.captured_at == datetime(2026, 6, 20, 13, 30, tzinfo=UTC)


def test_capture_time_without_offset_is_read_in_the_studio_zone(gallery):
    # The studio fixture is in Europe/London (BST in June: UTC+1).
    photo = reload(upload(gallery, exif_jpeg()))
    assert photo.image.captured_at == datetime(2026, 6, 20, 14, 30, tzinfo=UTC)


def test_portrait_photos_are_auto_oriented(gallery):
    photo = reload(upload(gallery, exif_jpeg(orientation=6)))
    assert (photo.image.width, photo.image.height) == (400, 600)
    specs = rendition_specs(gallery, WatermarkSettings.for_studio(gallery.studio).version)
    thumb = photo.image.renditions.get(filter_spec=specs["thumb"])
    assert (thumb.width, thumb.height) == (266, 400)
    preview = photo.image.renditions.get(filter_spec=specs["preview"])
    assert (preview.width, preview.height) == (400, 600)  # never enlarged


def test_running_the_task_again_changes_nothing(gallery):
    photo = reload(upload(gallery, jpeg(10)))
    renditions = sorted(StudioRendition.objects.values_list("id", "file"))
    assert process_gallery_photo(photo.pk) == "ready"
    assert sorted(StudioRendition.objects.values_list("id", "file")) == renditions


def test_a_missing_original_fails_clearly(gallery):
    photo = upload(gallery, jpeg(11))
    photo.image.file.storage.delete(photo.image.file.name)
    StudioImage.objects.filter(pk=photo.image_id).update(status="pending")
    assert process_gallery_photo(photo.pk) == "failed"
    assert "missing from storage" in reload(photo).image.failure_reason


def test_photos_made_before_the_tile_existed_get_it_from_render_missing_renditions(
    gallery, django_capture_on_commit_callbacks
):
    # Every size the pipeline makes for this gallery (it offers a web ZIP: the web download too).
    specs = pipeline_specs(gallery, WatermarkSettings.for_studio(gallery.studio).version)
    old, complete = (reload(upload(gallery, jpeg(n, 1200, 800), f"IMG_{n}.jpg")) for n in (1, 2))
    old.image.renditions.filter(filter_spec=specs["tile"]).delete()  # as the pipeline left it before the tile
    kept = set(complete.image.renditions.values_list("pk", flat=True))

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the photos are queued once the queries commit
        call_command("render_missing_renditions", stdout=out)

    assert "1 galleries" in out.getvalue()
    tile = old.image.renditions.get(filter_spec=specs["tile"])
    assert (tile.width, tile.height) == (800, 533)
    assert set(old.image.renditions.values_list("filter_spec", flat=True)) == set(specs.values())
    assert set(complete.image.renditions.values_list("pk", flat=True)) == kept  # left alone
