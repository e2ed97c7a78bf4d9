"""Client downloads: permission and the gallery's download allowance (atomic), one photo at web or full size, a
whole gallery or set as a streamed ZIP, originals only through signed expiring URLs; every download logged."""

import logging
import os
from contextlib import contextmanager

from django.core import signing
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from zipstream import ZIP_STORED, ZipStream

from crm.activity import record_activity
from studios.errors import FORBIDDEN, GONE, INVALID, LIMIT, NOT_FOUND, DomainError

from . import pixels
from .models import DownloadAllowance, DownloadEvent, GalleryPhoto, WatermarkSettings
from .renditions import WEB_SIZES, web_download_spec

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


def use_one_download(gallery) -> None:
    """Count one download against the gallery's allowance; a conditional UPDATE, so concurrent requests can't
    overrun. The allowance is the gallery's, not the typed e-mail's: a new e-mail or a new unlock brings none."""
    limit = gallery.download_limit
    if limit is None:
        return
    try:
        with transaction.atomic():
            DownloadAllowance.objects.get_or_create(gallery=gallery)
    except IntegrityError:
        pass  # created by a concurrent request
    used = DownloadAllowance.objects.filter(gallery=gallery, used__lt=limit).update(used=F("used") + 1)
    if not used:
        raise DomainError(
            "download_limit_reached",
            f"You have used all {limit} downloads for this gallery. Ask your photographer for more.",
            LIMIT,
        )


def give_back_download(gallery) -> None:
    """Undo use_one_download for a download that was not delivered (it failed, or the client went away)."""
    if gallery.download_limit is None:
        return
    DownloadAllowance.objects.filter(gallery=gallery, used__gt=0).update(used=F("used") - 1)


@contextmanager
def one_download(gallery):
    """Count one download for the work inside the block; given back if the block fails."""
    use_one_download(gallery)
    try:
        yield
    except BaseException:
        give_back_download(gallery)
        raise


def downloads_left(gallery) -> int | None:
    if gallery.download_limit is None:
        return None
    used = DownloadAllowance.objects.filter(gallery=gallery).values_list("used", flat=True).first()
    return max(0, gallery.download_limit - (used or 0))


def log_download(gallery, access, kind: str, photo=None, photo_set=None, ip=None) -> None:
    DownloadEvent.objects.create(gallery=gallery, photo=photo, set=photo_set, kind=kind, email=access.email, ip=ip)
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


class DeliveredZip:
    """The ZIP's bytes for a StreamingHttpResponse, with the download counted only if they were all sent.

    The view takes one download before the first byte (so the limit holds under concurrent requests); the
    server closes the response when it is done, and close() settles it: a complete stream is logged as a
    download, one that failed or that the client abandoned gives its download back (and is logged as an
    error). Never a used-up allowance for a ZIP the client did not get."""

    def __init__(self, gallery, photos, size: str, access, photo_set=None, ip=None):
        self.gallery, self.photos, self.size = gallery, photos, size
        self.access, self.photo_set, self.ip = access, photo_set, ip
        self.complete = self.settled = False

    def __iter__(self):
        yield from zip_stream(self.gallery, self.photos, self.size)
        self.complete = True

    def close(self) -> None:
        if self.settled:
            return
        self.settled = True
        if self.complete:
            log_download(self.gallery, self.access, DownloadEvent.Kind.ZIP, photo_set=self.photo_set, ip=self.ip)
        else:
            give_back_download(self.gallery)
            logger.error("ZIP of gallery %s for %r cut short; download given back", self.gallery.pk, self.access.email)


def zip_stream(gallery, photos, size: str) -> ZipStream:
    """A ZIP that is built while it is sent: one photo's chunks in memory at a time, no temporary file.

    JPEGs don't compress, so entries are stored; web sizes are rendered (once, then reused) as they stream."""
    zs = ZipStream(compress_type=ZIP_STORED)
    seen: set[str] = set()
    spec = web_spec(gallery, size) if size != "full" else None
    for photo in photos:
        folder = f"{photo.set.name}/" if photo.set_id else ""
        if size == "full":
            zs.add(_file_chunks(photo.image.file), _unique(folder + photo.filename, seen))
        else:
            stem = os.path.splitext(photo.filename)[0]
            zs.add(_lazy_rendition_chunks(photo, spec), _unique(f"{folder}{stem}.jpg", seen))
    return zs


def _lazy_rendition_chunks(photo, spec):
    rendition = photo.image.get_rendition(spec)
    yield from _file_chunks(rendition.file)
