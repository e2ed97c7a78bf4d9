"""A page of a gallery's photos for the client API (`GET /api/client/galleries/{id}/photos/`), built from
plain rows (issue 14).

The page is the JSON galleries.api.serializers.PhotoSerializer documents, field for field and byte for byte
(tests/galleries/test_photo_pages.py compares it with the serializer's output). Built from model instances
and a DRF serializer, a cold page of 100 photos spent most of its time making ~500 objects and asking the
storage for 300 URLs while its SQL took a few milliseconds; here it is two queries of tuples (the photos
with their image's columns, then their renditions of this gallery's specs), whatever the page size, and
URLs joined to the storage's base (studios.media.media_urls; files a storage must sign are still asked of
it one by one, e.g. S3 presigned URLs). Caching stays in galleries.photo_cache.

Nothing here depends on who asks: favourites and selections have their own endpoints, so one page serves
every client of the gallery (and may be cached as such).
"""

import os
import re
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from studios.media import media_urls

from .models import StudioRendition

PHOTO_COLUMNS = (
    "id",
    "set_id",
    "image_id",
    "image__file",
    "image__original_filename",
    "image__width",
    "image__height",
    "image__blurhash",
    "image__captured_at",
)
RENDITION_COLUMNS = ("image_id", "filter_spec", "file", "width", "height")


# The characters iri_to_uri() leaves as they are.
_URI_SAFE = re.compile(r"[A-Za-z0-9_.\-~/#%\[\]=:;$&()+,!?*@']*")


def absolute_urls(build_absolute_uri: Callable[[str], str]) -> Callable[[str], str]:
    """`build_absolute_uri` (a request's) for many URLs: a local media URL (`/media/…`) gets the scheme and
    host the client site asked on; one that has them (S3, a CDN) is left alone."""
    root = build_absolute_uri("/")[:-1]  # scheme://host, as the request's own method makes it

    def absolute(url: str) -> str:
        if not url.startswith("/"):
            return url
        if url.startswith("//") or "/./" in url or "/../" in url:
            return build_absolute_uri(url)  # protocol-relative or with dot segments: Django's own joining
        # What build_absolute_uri() does with a path; iri_to_uri() changes nothing in a URL of safe characters.
        return root + url if _URI_SAFE.fullmatch(url) else iri_to_uri(root + url)

    return absolute


def iso_datetime(value) -> str | None:
    """A datetime as DRF's DateTimeField renders it with the default format (ISO 8601, in the current time
    zone, `Z` for UTC); None for none."""
    if not value:
        return None
    if settings.USE_TZ:
        zone = timezone.get_current_timezone()
        value = value.astimezone(zone) if timezone.is_aware(value) else timezone.make_aware(value, zone)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def photo_page(
    gallery,
    specs: dict[str, str],
    offset: int,
    limit: int,
    set_id: int | None = None,
    absolute: Callable[[str], str] = lambda url: url,
) -> tuple[list[dict], bool]:
    """Photos `offset`…`offset + limit` of the gallery's ready photos in its order (only set `set_id`'s if
    given), each with its renditions of `specs` (contract name → filter spec; None where not made yet), and
    whether more follow. Two queries, whatever `limit`."""
    photos = gallery.ordered_photos()
    if set_id is not None:
        photos = photos.filter(set_id=set_id)
    rows = list(photos.values_list(*PHOTO_COLUMNS)[offset : offset + limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    by_image = renditions_by_image({row[2] for row in rows}, specs)
    url = media_urls(StudioRendition._meta.get_field("file").storage)
    names = list(specs.items())
    results = []
    for photo_id, photo_set, image_id, file, original_filename, width, height, blurhash, captured_at in rows:
        made = by_image.get(image_id, {})
        renditions = {}
        for name, spec in names:
            r = made.get(spec)
            renditions[name] = {"url": absolute(url(r[0])), "width": r[1], "height": r[2]} if r else None
        results.append(
            {
                "id": photo_id,
                # GalleryPhoto.filename
                "filename": original_filename or os.path.basename(file),
                "width": width,
                "height": height,
                "blurhash": blurhash,
                "set": photo_set,
                "captured_at": iso_datetime(captured_at),
                "renditions": renditions,
            }
        )
    return results, more


def renditions_by_image(image_ids: set[int], specs: dict[str, str]) -> dict[int, dict[str, tuple]]:
    """{image id: {filter spec: (file name, width, height)}} for these images' renditions of `specs`."""
    if not image_ids:
        return {}
    rows = (
        StudioRendition.objects.filter(image_id__in=image_ids, filter_spec__in=list(specs.values()))
        .order_by("id")  # should an image have two of a spec (another focal point), the newest is shown
        .values_list(*RENDITION_COLUMNS)
    )
    by_image: dict[int, dict[str, tuple]] = {}
    for image_id, spec, file, width, height in rows:
        by_image.setdefault(image_id, {})[spec] = (file, width, height)
    return by_image
