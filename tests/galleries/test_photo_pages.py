"""Photo pages built from plain rows (galleries/photo_pages.py, issue 14): the same JSON, byte for byte, as
the DRF serializer made from model instances before, for the same gallery in many states; a bounded,
constant number of queries; and media URLs from a storage's base that equal the storage's own url()."""

import json
import os
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.files.storage import FileSystemStorage
from django.db.models import Prefetch
from django.test import RequestFactory, override_settings
from django.utils import timezone
from rest_framework.fields import DateTimeField
from rest_framework.renderers import JSONRenderer
from storages.backends.s3 import S3Storage

from galleries import photo_pages
from galleries.api.serializers import PhotoSerializer
from galleries.api.views import encode_cursor
from galleries.models import Gallery, GalleryPhoto, StudioImage, StudioRendition, WatermarkSettings
from galleries.renditions import rendition_specs
from studios.media import LocalMediaStorage, PrivateS3Storage, media_urls

from .conftest import bulk_ready_photos

pytestmark = pytest.mark.django_db


def serializer_page(gallery, host: str, limit: int = 100, offset: int = 0, set_id=None) -> bytes:
    """The page as the view built it before issue 14 (model instances, prefetched renditions, PhotoSerializer),
    rendered as the view renders it."""
    gallery = Gallery.objects.select_related("studio").get(pk=gallery.pk)
    request = RequestFactory().get("/", HTTP_HOST=host)
    specs = rendition_specs(gallery, WatermarkSettings.for_studio(gallery.studio).version)
    photos = (
        gallery.ordered_photos()
        .select_related("image")
        .prefetch_related(
            Prefetch(
                "image__renditions",
                queryset=StudioRendition.objects.filter(filter_spec__in=specs.values()),
                to_attr="prefetched_renditions",
            )
        )
    )
    if set_id is not None:
        photos = photos.filter(set_id=set_id)
    page = list(photos[offset : offset + limit + 1])
    results = PhotoSerializer(page[:limit], many=True, context={"specs": specs, "request": request}).data
    body = {"results": results, "next": encode_cursor(offset + limit) if len(page) > limit else None}
    return JSONRenderer().render(body, "application/json")


@pytest.fixture
def page(api, studio, unlock):
    """The page's bytes from the API (a cold build: each call forgets the gallery's cached pages first)."""
    token = unlock(studio)

    def get(gallery, **params):
        photo_pages_forget(gallery)
        response = api("get", f"/api/client/galleries/{gallery.pk}/photos/", studio, token, params)
        assert response.status_code == 200, response.content
        return response.content

    return get


def photo_pages_forget(gallery):
    from galleries.photo_cache import forget_gallery_photo_pages

    forget_gallery_photo_pages(gallery.pk)


@pytest.fixture
def varied(gallery):
    """A gallery whose photos differ in every way the page shows: sets or none, capture times or none (and
    ties), file names with spaces and accents or none at all, renditions missing, photos not ready."""
    ceremony, reception = gallery.sets.all()
    photos = bulk_ready_photos(gallery, 14)
    images = [p.image for p in photos]
    for i, photo in enumerate(photos):
        photo.set = [ceremony, reception, None][i % 3]
        photo.order = 14 - i
    GalleryPhoto.objects.bulk_update(photos, ["set", "order"])
    for i, image in enumerate(images):
        image.captured_at = (
            None if i % 4 == 0 else datetime(2026, 6, 20, 14, i % 5, 7, 123456 if i % 2 else 0, tzinfo=UTC)
        )
        image.width, image.height = (4000, 6000) if i % 2 else (6000, 4000)
    images[1].original_filename = "Été à Paris (1).jpg"
    images[3].blurhash = ""
    images[4].status = StudioImage.Status.PROCESSING  # not on the page
    images[5].status = StudioImage.Status.FAILED  # nor this one
    StudioImage.objects.bulk_update(images, ["captured_at", "width", "height", "original_filename"])
    # No original file name: the stored file's own name is shown.
    StudioImage.objects.filter(pk=images[2].pk).update(original_filename="", file="original_images/Sans titre 2.jpg")
    StudioImage.objects.bulk_update(images, ["blurhash", "status"])
    # A rendition not made yet, and one whose name needs quoting in a URL.
    StudioRendition.objects.filter(image=images[6], filter_spec__startswith="max-1600x1600").delete()
    StudioRendition.objects.filter(image=images[7], filter_spec__startswith="max-400x400").update(
        file="images/Été photo+(7)~x.webp"
    )
    photo_pages_forget(gallery)
    return photos


# --- The same JSON as the serializer's ------------------------------------------------------------------


@pytest.mark.parametrize("sort", [Gallery.Sort.CAPTURED, Gallery.Sort.FILENAME, Gallery.Sort.MANUAL])
def test_pages_equal_the_serializers_in_every_sort_page_and_set(studio, gallery, varied, page, sort):
    gallery.sort = sort
    gallery.save_revision().publish()
    host = studio.hostname
    ours = page(gallery)
    assert ours == serializer_page(gallery, host)
    assert b"\\u00c9t\\u00e9" not in ours and "Été à Paris (1).jpg".encode() in ours  # UTF-8, as before
    assert len(json.loads(ours)["results"]) == 12  # 14, less the one processing and the one failed
    # A walk of small pages, following the cursors.
    cursor, offset = "", 0
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        ours = page(gallery, **params)
        assert ours == serializer_page(gallery, host, limit=5, offset=offset)
        cursor, offset = json.loads(ours)["next"], offset + 5
        if cursor is None:
            break
    assert offset == 15
    for photo_set in gallery.sets.all():
        assert page(gallery, set=photo_set.pk) == serializer_page(gallery, host, set_id=photo_set.pk)


def test_pages_equal_the_serializers_with_the_watermark_off_and_on_another_host(studio, gallery, varied, page):
    gallery.watermark = False
    gallery.save_revision().publish()
    ours = page(gallery)
    assert ours == serializer_page(gallery, studio.hostname)
    # No unwatermarked renditions exist yet: every rendition is null, on both.
    assert all(r is None for p in json.loads(ours)["results"] for r in p["renditions"].values())


def test_pages_equal_the_serializers_with_media_on_a_cdn_or_s3(studio, gallery, varied, page, settings):
    with override_settings(MEDIA_URL="https://cdn.northlight.test/media/"):
        ours = page(gallery)
        assert b'"url":"https://cdn.northlight.test/media/images/' in ours
        assert ours == serializer_page(gallery, studio.hostname)
    s3 = {
        "BACKEND": "studios.media.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": "media",
            "region_name": "us-east-1",
            "access_key": "k",
            "secret_key": "s",
            "custom_domain": "media.northlight.test",
            "location": "tenant",
            "querystring_auth": True,
        },
    }
    with override_settings(STORAGES={**settings.STORAGES, "default": s3}):
        ours = page(gallery)
        assert b'"url":"https://media.northlight.test/tenant/images/' in ours
        assert ours == serializer_page(gallery, studio.hostname)


def test_capture_times_render_as_drf_renders_them_in_any_time_zone():
    field = DateTimeField()
    values = [
        datetime(2026, 6, 20, 14, 5, 7, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30),  # naive
    ]
    for zone in ("UTC", "Europe/Paris", "America/St_Johns"):
        with timezone.override(zone):
            for value in values:
                assert photo_pages.iso_datetime(value) == field.to_representation(value)
    assert photo_pages.iso_datetime(None) is None


# --- Queries --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [10, 100])
def test_a_page_is_two_queries_whatever_its_size(gallery, count, django_assert_num_queries):
    bulk_ready_photos(gallery, count)
    gallery = Gallery.objects.select_related("studio").get(pk=gallery.pk)
    specs = rendition_specs(gallery, WatermarkSettings.for_studio(gallery.studio).version)
    with django_assert_num_queries(2):  # the photos with their images' columns; their renditions
        results, more = photo_pages.photo_page(gallery, specs, 0, 100)
    assert len(results) == count and not more
    assert all(all(r is not None for r in p["renditions"].values()) for p in results)


@pytest.mark.parametrize("count", [10, 100])
def test_a_cold_page_costs_the_same_queries_for_10_or_100_photos(gallery, count, page, django_assert_num_queries):
    bulk_ready_photos(gallery, count)
    page(gallery)  # the version tokens exist; the page itself is forgotten again below
    # token → access + gallery, photos, renditions (host → studio: a cache read; the watermark's version is
    # remembered while the studio's pages are unchanged)
    with django_assert_num_queries(3):
        body = page(gallery)
    assert body.count(b'"filename"') == count


# --- Media URLs from a precomputed base -------------------------------------------------------------------

NAMES = [
    "images/IMG_0001.max-400x400.client-keep.abc.webp",
    "images/Été à Paris/photo (1)+x~y.webp",
    "images/a#b?c%d;e.webp",
    "/images/leading-slash.webp",
    "images/./dot/../segments.webp",
    "images//double.webp",
    "tenants/12/images/IMG_0001.max-400x400.client-keep.abc.webp",  # a studio's prefix (studios.media.studio_path)
    "tenants/12/images/Été à Paris/photo (1)+x~y.webp",
    "tenants/12/original_images/IMG_0001.jpg",
    "tenants/12/original_images/renditions/IMG_0001.original.abc.jpg",
]


def test_local_media_urls_are_the_storages_own(tmp_path):
    for base in ("/media/", "https://cdn.northlight.test/media/", "//cdn.northlight.test/m/"):
        storage = FileSystemStorage(location=tmp_path, base_url=base)
        urls = media_urls(storage)
        assert not urls.signed
        assert [urls(n) for n in NAMES] == [storage.url(n) for n in NAMES]


def test_local_private_files_keep_their_signed_link(tmp_path):
    storage = LocalMediaStorage(location=tmp_path, base_url="/media/")
    urls = media_urls(storage)
    assert [urls(n) for n in NAMES] == [storage.url(n) for n in NAMES]
    # Outside images/ a file is private: a signed link for each (studios.media_views), never /media/.
    private = urls("original_images/renditions/IMG_0001.abc.jpg")
    assert private.startswith("/media-signed/") or "/media/" not in private
    assert private.split("/")[:-1] == storage.url("original_images/renditions/IMG_0001.abc.jpg").split("/")[:-1]


S3_OPTIONS = {"bucket_name": "media", "region_name": "eu-west-1", "access_key": "k", "secret_key": "s"}


@pytest.mark.parametrize("storage_class", [S3Storage, PrivateS3Storage])
@pytest.mark.parametrize(
    "options",
    [
        {"custom_domain": "media.northlight.test"},
        {"custom_domain": "media.northlight.test", "location": "tenant/a", "url_protocol": "http:"},
        {"querystring_auth": False},
        {"querystring_auth": False, "location": "tenant", "addressing_style": "virtual"},
        {"querystring_auth": False, "endpoint_url": "http://127.0.0.1:9000", "addressing_style": "path"},
    ],
)
def test_unsigned_s3_urls_are_joined_and_equal_the_storages(storage_class, options):
    storage = storage_class(**S3_OPTIONS, **options)
    urls = media_urls(storage)
    public = [n for n in NAMES if n.lstrip("/").startswith(("images/", "tenants/12/images/"))]
    assert not urls.signed
    # A name the storage refuses (outside its location) is refused the same way.
    assert [outcome(urls, n) for n in public] == [outcome(storage.url, n) for n in public]


def outcome(url, name):
    try:
        return url(name)
    except Exception as error:  # noqa: BLE001 - compared: the same refusal from both
        return type(error)


def without_signature(url: str):
    parts = urlsplit(url)
    query = {k: v for k, v in parse_qsl(parts.query) if k not in ("X-Amz-Date", "X-Amz-Signature")}
    return parts._replace(query="").geturl(), query


@pytest.mark.parametrize("storage_class", [S3Storage, PrivateS3Storage])
def test_presigned_s3_urls_are_still_signed_one_by_one(storage_class):
    storage = storage_class(**S3_OPTIONS, querystring_auth=True, signature_version="s3v4")
    urls = media_urls(storage)
    assert urls.signed  # every URL carries its own signature: the storage makes each
    for name in NAMES[:3]:
        ours = urls(name)
        assert "X-Amz-Signature=" in ours
        assert without_signature(ours) == without_signature(storage.url(name))


def test_cloudfront_signed_urls_are_still_signed_one_by_one():
    class Signer:
        def generate_presigned_url(self, url, date_less_than):
            return f"{url}?Signature=for-{os.path.basename(url)}"

    storage = S3Storage(**S3_OPTIONS, custom_domain="d1.cloudfront.test", querystring_auth=True)
    storage.cloudfront_signer = Signer()
    urls = media_urls(storage)
    assert urls.signed
    assert urls(NAMES[0]) == storage.url(NAMES[0]) and "Signature=for-" in urls(NAMES[0])
