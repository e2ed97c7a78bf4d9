"""Client downloads: permission and the gallery's download allowance (atomic), one photo at web or full size, a
whole gallery or set as a streamed ZIP (of stored files: originals, or the web renditions the pipeline made
ahead), originals only through signed expiring URLs; every download logged."""

import logging
import math
import os
from contextlib import contextmanager
from typing import NamedTuple

from django.core import signing
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from zipstream import ZIP_STORED, ZipStream

from crm.activity import record_activity
from studios.errors import FORBIDDEN, GONE, INVALID, LIMIT, NOT_FOUND, UNAVAILABLE, DomainError

from . import pixels
from .models import DownloadAllowance, DownloadEvent, GalleryPhoto, StudioRendition, WatermarkSettings
from .renditions import WEB_SIZES, web_download_spec
from .tasks import rerender_gallery

logger = logging.getLogger(__name__)

ORIGINAL_URL_SECONDS = 600
ORIGINAL_SALT = "galleries.original"
CHUNK = 256 * 1024


def web_spec(gallery, size: str) -> str:
    """The web-size file of a photo in `gallery`: its watermark (if on), sRGB, no private metadata."""
    return web_download_spec(gallery, WatermarkSettings.for_studio(gallery.studio).version, size)


def check_may_download(gallery, access, size: str) -> None:
    if not gallery.downloadable:
        raise DomainError("downloads_disabled", "Downloads are turned off for this gallery.", FORBIDDEN)
    if gallery.download_pin and not access.pin_ok:
        raise DomainError("pin_required", "Enter the download PIN your photographer gave you to download.", FORBIDDEN)
    if size == "full" and gallery.download_resolution != gallery.Resolution.FULL:
        raise DomainError(
            "full_size_not_allowed", "This gallery offers web-size downloads only; use size=web.", FORBIDDEN
        )
    if size != "full" and size not in WEB_SIZES:
        raise DomainError(
            "invalid",
            "size must be web, web-640, web-1024, web-2048 or full.",
            INVALID,
            fields={"size": ["Unknown size."]},
        )


def _grant(gallery, access=None):
    """(limit, the DownloadAllowance rows that count it, the row's identity): the gallery's allowance, or for
    a recipient's own link (galleries.sharing) that link's."""
    link = getattr(access, "share_link", None) if access is not None else None
    if link is not None:
        return link.download_limit, {"studio_id": gallery.studio_id, "gallery": gallery, "share_link": link}
    return gallery.download_limit, {"studio_id": gallery.studio_id, "gallery": gallery, "share_link": None}


def use_one_download(gallery, access=None) -> None:
    """Count one download against the allowance (the gallery's, or the recipient link's the access was opened
    with); a conditional UPDATE, so concurrent requests can't overrun. The gallery's allowance is not the
    typed e-mail's: a new e-mail or a new unlock brings none."""
    limit, key = _grant(gallery, access)
    if limit is None:
        return
    try:
        with transaction.atomic():
            DownloadAllowance.objects.get_or_create(**key)
    except IntegrityError:
        pass  # created by a concurrent request
    used = DownloadAllowance.objects.filter(used__lt=limit, **key).update(used=F("used") + 1)
    if not used:
        raise _limit_reached(limit, personal=key["share_link"] is not None)


def check_download_left(gallery, access=None) -> None:
    """use_one_download's refusal without taking one: for asking whether a download would go through."""
    if downloads_left(gallery, access) == 0:
        limit, key = _grant(gallery, access)
        raise _limit_reached(limit, personal=key["share_link"] is not None)


def _limit_reached(limit: int, personal: bool = False) -> DomainError:
    where = "with your link to this gallery" if personal else "for this gallery"
    return DomainError(
        "download_limit_reached",
        f"You have used all {limit} downloads {where}. Ask your photographer for more.",
        LIMIT,
    )


def give_back_download(gallery, access=None) -> None:
    """Undo use_one_download for a download that was not delivered (it failed, or the client went away)."""
    limit, key = _grant(gallery, access)
    if limit is None:
        return
    DownloadAllowance.objects.filter(used__gt=0, **key).update(used=F("used") - 1)


@contextmanager
def one_download(gallery, access=None):
    """Count one download for the work inside the block; given back if the block fails."""
    use_one_download(gallery, access)
    try:
        yield
    except BaseException:
        give_back_download(gallery, access)
        raise


def downloads_left(gallery, access=None) -> int | None:
    limit, key = _grant(gallery, access)
    if limit is None:
        return None
    used = DownloadAllowance.objects.filter(**key).values_list("used", flat=True).first()
    return max(0, limit - (used or 0))


def log_download(gallery, access, kind: str, photo=None, photo_set=None, ip=None) -> None:
    DownloadEvent.objects.create(
        studio_id=gallery.studio_id, gallery=gallery, photo=photo, set=photo_set, kind=kind, email=access.email, ip=ip
    )
    if gallery.client_id:
        what = photo.filename if photo is not None else (photo_set.name if photo_set is not None else "all photos")
        record_activity(
            gallery.client,
            "gallery_downloaded",
            f"{gallery.title}: {what}",
            data={"gallery": gallery.pk, "kind": kind, "email": access.email},
        )


# --- Originals through signed, expiring URLs -------------------------------


def original_url(request, photo: GalleryPhoto) -> str:
    """A URL for the original that works for ORIGINAL_URL_SECONDS: presigned on S3, signed by us otherwise."""
    name = photo.image.file.name
    filename = photo.filename.replace('"', "")
    if hasattr(default_storage, "bucket"):
        client = default_storage.connection.meta.client
        return client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": default_storage.bucket_name,
                "Key": default_storage._normalize_name(name),
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
            },
            ExpiresIn=ORIGINAL_URL_SECONDS,
        )
    token = signing.dumps({"p": photo.pk, "s": photo.studio_id}, salt=ORIGINAL_SALT, compress=True)
    # The path is part of the API contract (galleries/api/urls.py).
    return request.build_absolute_uri(f"/api/client/originals/{token}/")


def photo_for_original_token(token: str, studio) -> GalleryPhoto:
    try:
        data = signing.loads(token, salt=ORIGINAL_SALT, max_age=ORIGINAL_URL_SECONDS)
    except signing.SignatureExpired:
        raise DomainError("link_expired", "This download link has expired. Download the photo again.", GONE) from None
    except signing.BadSignature:
        raise DomainError("not_found", "No such download.", NOT_FOUND) from None
    if studio is None or data.get("s") != studio.pk:
        raise DomainError("not_found", "No such download.", NOT_FOUND)
    photo = GalleryPhoto.objects.for_studio(studio).select_related("image").filter(pk=data.get("p")).first()
    if photo is None:
        raise DomainError("not_found", "No such download.", NOT_FOUND)
    return photo


# --- ZIP -----------------------------------------------------------------------
#
# A web-size ZIP is made of web renditions the pipeline stored ahead (renditions.pipeline_specs), found with
# one query for the whole gallery: nothing is rendered while the client waits, and no per-photo
# get_rendition() (a cache read and write each). Photos still without theirs make the ZIP answer 503
# `download_preparing` with Retry-After, and are queued; the client tries again.

# About one photo's rendition set on one worker process (benchmarks/renditions.py): for Retry-After.
PREPARE_SECONDS_PER_PHOTO = 0.5
# A ZIP found renditions missing: their rendering is queued at most once per gallery in this long (the
# photos' tasks are idempotent; this only spares the queue a task per impatient click).
PREPARE_QUEUE_SECONDS = 300


class StoredFile(NamedTuple):
    """A stored file read as it streams: a photo's original or a rendition's file, by name."""

    storage: Storage
    name: str


class ZipEntry(NamedTuple):
    name: str  # its path in the archive: "<set>/<file name>"
    file: StoredFile
    size: int | None = None  # known for local files: the ZIP's length is then sent as Content-Length


def _file_chunks(field_file):
    with field_file.storage.open(field_file.name, "rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def _unique(name: str, seen: set[str]) -> str:
    stem, ext = os.path.splitext(name)
    candidate, n = name, 1
    while candidate.lower() in seen:
        n += 1
        candidate = f"{stem} ({n}){ext}"
    seen.add(candidate.lower())
    return candidate


def check_zip(photos, size: str) -> None:
    """Every entry must be one we can produce, checked before the first byte is sent: once the ZIP is
    streaming its status (200) is out and a failure can only cut it short. Web sizes are rendered from the
    original, so an original above the pixel limit cannot be in one."""
    if size != "full":
        for photo in photos:
            pixels.check_renderable(photo)


def stored_renditions(photos, spec: str) -> dict[int, StoredFile]:
    """The stored `spec` rendition of each photo's image that has one, by image id: one query, whatever the
    number of photos (no get_rendition(), so no cache read or write per photo)."""
    storage = StudioRendition._meta.get_field("file").storage
    rows = StudioRendition.objects.filter(image_id__in={p.image_id for p in photos}, filter_spec=spec)
    return {image_id: StoredFile(storage, name) for image_id, name in rows.values_list("image_id", "file")}


def zip_entries(gallery, photos, size: str) -> list[ZipEntry]:
    """What the ZIP of `photos` holds, decided before its first byte: originals (`full`), or the stored web
    renditions. Raises `photo_too_large` (409) or, when some web renditions are not made yet,
    `download_preparing` (503, Retry-After) after queueing them."""
    check_zip(photos, size)
    seen: set[str] = set()
    if size == "full":
        entries = [ZipEntry(_unique(_folder(photo) + photo.filename, seen), photo.image.file) for photo in photos]
    else:
        stored = stored_renditions(photos, web_spec(gallery, size))
        missing = sum(1 for photo in photos if photo.image_id not in stored)
        if missing:
            raise _preparing(gallery, missing, len(photos))
        entries = [
            ZipEntry(
                _unique(f"{_folder(photo)}{os.path.splitext(photo.filename)[0]}.jpg", seen), stored[photo.image_id]
            )
            for photo in photos
        ]
    return _with_sizes(entries)


def _with_sizes(entries: list[ZipEntry]) -> list[ZipEntry]:
    """Local files' sizes (a stat each, nothing read), so the ZIP's length is known before its first byte: the
    browser shows the download's progress, and the body goes out without chunked encoding. On object storage
    (a request per file) or with a file missing (the stream will be cut short), sizes stay unknown."""
    if not entries or not all(isinstance(entry.file.storage, FileSystemStorage) for entry in entries):
        return entries
    try:
        return [entry._replace(size=entry.file.storage.size(entry.file.name)) for entry in entries]
    except OSError:
        return entries


def _folder(photo) -> str:
    return f"{photo.set.name}/" if photo.set_id else ""


def _preparing(gallery, missing: int, total: int) -> DomainError:
    """Queue the gallery's missing renditions (at most once per PREPARE_QUEUE_SECONDS) and say when to
    come back. Nothing is counted against the allowance."""
    if cache.add(f"galleries:web-zip-queued:{gallery.pk}", 1, PREPARE_QUEUE_SECONDS):
        rerender_gallery(gallery.pk)
    wait = min(PREPARE_QUEUE_SECONDS, max(5, math.ceil(missing * PREPARE_SECONDS_PER_PHOTO)))
    return DomainError(
        "download_preparing",
        f"Your photos are being prepared for download ({missing} of {total} still to do). Try again in {wait} seconds.",
        UNAVAILABLE,
        retry_after=wait,
    )


class DeliveredZip:
    """The ZIP's bytes for a StreamingHttpResponse, with the download counted only if they were all sent.

    The view takes one download before the first byte (so the limit holds under concurrent requests); the
    server closes the response when it is done, and close() settles it: a complete stream is logged as a
    download, one that failed or that the client abandoned gives its download back (and is logged as an
    error). Never a used-up allowance for a ZIP the client did not get."""

    def __init__(self, gallery, entries: list[ZipEntry], access, photo_set=None, ip=None):
        self.gallery, self.zip = gallery, zip_stream(entries)
        self.access, self.photo_set, self.ip = access, photo_set, ip
        self.complete = self.settled = False

    @property
    def length(self) -> int | None:
        """The ZIP's size in bytes when every entry's is known (ZIP_STORED: nothing to estimate)."""
        return len(self.zip) if self.zip.sized else None

    def __iter__(self):
        yield from self.zip
        self.complete = True

    def close(self) -> None:
        if self.settled:
            return
        self.settled = True
        if self.complete:
            log_download(self.gallery, self.access, DownloadEvent.Kind.ZIP, photo_set=self.photo_set, ip=self.ip)
        else:
            give_back_download(self.gallery, self.access)
            logger.error("ZIP of gallery %s for %r cut short; download given back", self.gallery.pk, self.access.email)


def zip_stream(entries: list[ZipEntry]) -> ZipStream:
    """A ZIP that is built while it is sent: one file's chunks in memory at a time, no temporary file, no
    query and no cache call (everything was looked up by zip_entries). JPEGs don't compress: entries are
    stored."""
    zs = ZipStream(compress_type=ZIP_STORED, sized=all(entry.size is not None for entry in entries))
    for entry in entries:
        zs.add(_file_chunks(entry.file), entry.name, size=entry.size)
    return zs
