"""A page of a gallery's photos for the client API (`GET /api/client/galleries/{id}/photos/`), built from
plain rows (issue 14).

The page is the JSON galleries.api.serializers.PhotoSerializer documents, field for field and byte for byte
(tests/galleries/test_photo_pages.py compares it with the serializer's output). Built from model instances
and a DRF serializer, a cold page of 100 photos spent most of its time making ~500 objects and asking the
storage for 300 URLs while its SQL took a few milliseconds; here it is two queries of tuples (the photos
with their image's columns, then their renditions of this gallery's specs), whatever the page size, and
URLs joined to the storage's base (studios.media.media_urls; files a storage must sign are still asked of
it one by one, e.g. S3 presigned URLs). Caching stays in galleries.photo_cache.

The two queries are compiled once per database connection and shape (CompiledRows) and then run with the page's
values: compiling them took the ORM ~1 ms of a cold page's ~3.5 ms of CPU. The SQL is the ORM's own, so it
follows the models; tests/galleries/test_photo_pages.py compares the rows with the ORM's.

Nothing here depends on who asks: favourites and selections have their own endpoints, so one page serves
every client of the gallery (and may be cached as such).
"""

import os
import re
from collections.abc import Callable

from django.conf import settings
from django.db import connections, router
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from studios.media import media_urls

from .models import GalleryPhoto, StudioRendition

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
    rows = page_rows(gallery, offset, limit + 1, set_id)
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


# --- The two queries, compiled once per connection -----------------------------------------------------------

# Stand-ins for the values a query is compiled with; each must differ from every constant of the query.
_GALLERY, _SET = -70001, -70002
_IMAGE = -80000  # image ids: -80000, -80001, …
_SPEC = "photo-page-spec-sentinel-"  # filter specs: …-0, …-1, …


def _photos_queryset(gallery_id: int, order: tuple[str, ...], set_id: int | None):
    """gallery.ordered_photos() (optionally one set's), as PHOTO_COLUMNS rows."""
    photos = GalleryPhoto.objects.filter(gallery_id=gallery_id).ready().order_by(*order)
    if set_id is not None:
        photos = photos.filter(set_id=set_id)
    return photos.values_list(*PHOTO_COLUMNS)


def _renditions_queryset(image_ids: list[int], specs: list[str]):
    return (
        StudioRendition.objects.filter(image_id__in=image_ids, filter_spec__in=specs)
        .order_by("id")  # should an image have two of a spec (another focal point), the newest is shown
        .values_list(*RENDITION_COLUMNS)
    )


class CompiledRows:
    """A values_list() query compiled once, with stand-in values, and run again with real ones: the ORM's SQL,
    parameters put in place, its converters applied to the rows. `paged` appends LIMIT/OFFSET parameters (the
    ORM writes a slice's numbers into the SQL text, which would make every page another query)."""

    def __init__(self, connection, queryset, sentinels: tuple, paged: bool = False):
        self.connection = connection
        self.compiler = queryset.query.get_compiler(connection=connection)
        self.sql, params = self.compiler.as_sql()
        # Each parameter is a value's position among the sentinels, or a constant of the query kept as it is.
        self.params = [(sentinels.index(p), None) if p in sentinels else (None, p) for p in params]
        if sorted(i for i, _ in self.params if i is not None) != list(range(len(sentinels))):
            raise ValueError(f"each value must appear once among the query's parameters: {params!r}")
        if paged:
            self.sql += " LIMIT %s OFFSET %s"
        self.paged = paged
        columns = [column[0] for column in self.compiler.select[: self.compiler.col_count]]
        self.converters = self.compiler.get_converters(columns)

    def rows(self, values: tuple, limit: int | None = None, offset: int = 0) -> list[tuple]:
        params = [values[i] if i is not None else constant for i, constant in self.params]
        if self.paged:
            params += [limit, offset]
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = [tuple(row) for row in self.compiler.apply_converters(rows, self.converters)]
        return rows


def _compiled(model, shape: tuple, build) -> CompiledRows:
    connection = connections[router.db_for_read(model)]
    cache = getattr(connection, "_photo_page_queries", None)
    if cache is None:
        cache = connection._photo_page_queries = {}
    compiled = cache.get(shape)
    if compiled is None:
        compiled = cache[shape] = build(connection)
    return compiled


def page_rows(gallery, offset: int, limit: int, set_id: int | None = None) -> list[tuple]:
    """PHOTO_COLUMNS of photos `offset`…`offset + limit` of the gallery's ready photos (set `set_id`'s)."""
    order = gallery.photo_order()
    with_set = set_id is not None
    sentinels = (_GALLERY, _SET) if with_set else (_GALLERY,)
    compiled = _compiled(
        GalleryPhoto,
        ("photos", order, with_set),
        lambda connection: CompiledRows(
            connection, _photos_queryset(_GALLERY, order, _SET if with_set else None), sentinels, paged=True
        ),
    )
    return compiled.rows((gallery.pk, set_id) if with_set else (gallery.pk,), limit, offset)


def _bucket(n: int) -> int:
    """The IN list's length for n values: a power of two, so a few compiled shapes serve every page size."""
    return 1 << max(0, n - 1).bit_length()


def renditions_by_image(image_ids: set[int], specs: dict[str, str]) -> dict[int, dict[str, tuple]]:
    """{image id: {filter spec: (file name, width, height)}} for these images' renditions of `specs`."""
    if not image_ids or not specs:
        return {}
    ids, spec_values = sorted(image_ids), list(specs.values())
    # Padded with repeats of the last value (harmless in IN) to the bucket's length.
    ids += [ids[-1]] * (_bucket(len(ids)) - len(ids))
    spec_values += [spec_values[-1]] * (_bucket(len(spec_values)) - len(spec_values))
    id_sentinels = tuple(_IMAGE - n for n in range(len(ids)))
    spec_sentinels = tuple(f"{_SPEC}{n}" for n in range(len(spec_values)))
    compiled = _compiled(
        StudioRendition,
        ("renditions", len(ids), len(spec_values)),
        lambda connection: CompiledRows(
            connection, _renditions_queryset(list(id_sentinels), list(spec_sentinels)), id_sentinels + spec_sentinels
        ),
    )
    by_image: dict[int, dict[str, tuple]] = {}
    for image_id, spec, file, width, height in compiled.rows((*ids, *spec_values)):
        by_image.setdefault(image_id, {})[spec] = (file, width, height)
    return by_image
