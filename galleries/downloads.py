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
from django.db.models import F, QuerySet
from django.http import FileResponse, HttpResponseRedirect
from zipstream import ZIP_STORED, ZipStream

from crm.activity import record_activity
from studios import rls
from studios.errors import FORBIDDEN, GONE, INVALID, LIMIT, NOT_FOUND, UNAVAILABLE, DomainError

from . import pixels
from .models import DownloadAllowance, DownloadEvent, GalleryPhoto, StudioImage, StudioRendition, WatermarkSettings
from .renditions import WEB_SIZES, web_download_spec
from .tasks import rerender_gallery

logger = logging.getLogger(__name__)

ORIGINAL_URL_SECONDS = 600
ORIGINAL_SALT = "galleries.original"
# Files are read a megabyte at a time (a 2048 px web file in one read), and the ZIP goes out in pieces of at
# least SEND_AT bytes: a 2,000-photo ZIP is not 8,000 tiny writes (a header, a file, a descriptor each).
CHUNK = 1024 * 1024
SEND_AT = 512 * 1024


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
    """A stored file read as it streams: a photo's original or a rendition's file, by name, with its length in
    bytes when known (stored on the rendition's row, or asked of the storage)."""

    storage: Storage
    name: str
    size: int | None = None


class ZipEntry(NamedTuple):
    name: str  # its path in the archive: "<set>/<file name>"
    file: StoredFile

    @property
    def size(self) -> int | None:  # every entry's known: the ZIP's length is sent as Content-Length
        return self.file.size


class WrongSize(Exception):
    """A file is not the length its row says (changed after it was stored): the ZIP's announced length is wrong."""

    def __init__(self, file: StoredFile, actual: int):
        super().__init__(f"{file.name} is {actual} bytes, not the {file.size} its row says")
        self.file, self.actual = file, actual


# What a ZIP entry needs of a photo, as plain values (a 2,000-photo ZIP builds no model instance): its image,
# its set's name (its folder), its file name, its original (a full-size ZIP) and its pixels (the limit check).
ZIP_ROW = ("image_id", "set__name", "image__original_filename", "image__file", "image__width", "image__height")


class ZipRow(NamedTuple):
    image_id: int
    set_name: str | None
    original_filename: str
    file: str
    width: int
    height: int

    @property
    def filename(self) -> str:  # GalleryPhoto.filename
        return self.original_filename or os.path.basename(self.file)


def zip_rows(photos) -> list[ZipRow]:
    """The photos of a queryset (in its order) as the values a ZIP entry needs: one query."""
    return [ZipRow(*row) for row in photos.values_list(*ZIP_ROW)]


def _file_chunks(file: StoredFile):
    """A stored file's bytes, CHUNK at a time. A local file is checked against the size the ZIP announced
    before any of it goes out (its descriptor's fstat, no extra lookup): a file that changed since its size was
    stored raises WrongSize, as one that is missing raises OSError. On object storage (no size without another
    request) the bytes are counted and WrongSize comes after them."""
    if not isinstance(file.storage, FileSystemStorage):
        sent = 0
        with file.storage.open(file.name, "rb") as f:
            while chunk := f.read(CHUNK):
                sent += len(chunk)
                yield chunk
        if file.size is not None and sent != file.size:
            raise WrongSize(file, sent)  # (zipstream-ng would refuse it too, but the row would stay wrong)
        return
    # Unbuffered: each read is one read(2) straight into the bytes object sent (a web file is one read).
    with open(file.storage.path(file.name), "rb", buffering=0) as f:
        left = os.fstat(f.fileno()).st_size
        if file.size is not None and left != file.size:
            raise WrongSize(file, left)
        while left > 0 and (chunk := f.read(min(CHUNK, left))):
            left -= len(chunk)
            yield chunk


def _unique(name: str, seen: set[str]) -> str:
    key = name.lower()
    if key not in seen:
        seen.add(key)
        return name
    stem, ext = os.path.splitext(name)
    candidate, n = name, 1
    while candidate.lower() in seen:
        n += 1
        candidate = f"{stem} ({n}){ext}"
    seen.add(candidate.lower())
    return candidate


def check_zip(rows: list[ZipRow], size: str) -> None:
    """Every entry must be one we can produce, checked before the first byte is sent: once the ZIP is
    streaming its status (200) is out and a failure can only cut it short. Web sizes are rendered from the
    original, so an original above the pixel limit cannot be in one."""
    if size != "full":
        for row in rows:
            if pixels.too_many(row.width, row.height):
                raise pixels.PhotoTooLarge(row.filename, row.width, row.height)


def stored_renditions(images, spec: str) -> dict[int, StoredFile]:
    """The stored `spec` rendition of each image that has one, with its stored size: one query, whatever the
    number of photos (no get_rendition(), so no cache read or write per photo). `images`: image ids, or a query
    of them, sent as a subquery (2,000 ids are 2,000 parameters: ~35 ms for psycopg to prepare on a worker's
    first ZIP, ~10 ms after)."""
    storage = StudioRendition._meta.get_field("file").storage
    ids = images if isinstance(images, QuerySet) else set(images)
    rows = StudioRendition.objects.filter(image_id__in=ids, filter_spec=spec)
    rows = rows.values_list("image_id", "file", "file_size")
    return {image_id: StoredFile(storage, name, file_size) for image_id, name, file_size in rows}


def zip_entries(gallery, rows: list[ZipRow], size: str, images: QuerySet | None = None) -> list[ZipEntry]:
    """What the ZIP of the photos in `rows` (zip_rows) holds, decided before its first byte: originals
    (`full`), or the stored web renditions. `images`: the rows' image ids as a query, if the caller has it (the
    web renditions are then found with a subquery). Raises `photo_too_large` (409) or, when some web renditions
    are not made yet, `download_preparing` (503, Retry-After) after queueing them."""
    if size == "full":
        seen: set[str] = set()
        storage = StudioImage._meta.get_field("file").storage
        entries = [ZipEntry(_unique(_folder(row) + row.filename, seen), StoredFile(storage, row.file)) for row in rows]
        return _with_sizes(entries)
    entries, missing = web_zip_entries(gallery, rows, size, images)
    if missing:
        raise _preparing(gallery, missing, len(rows))
    return entries


def web_zip_entries(gallery, rows: list[ZipRow], size: str, images=None) -> tuple[list[ZipEntry], int]:
    """The web-size ZIP's entries (zip_entries) and how many photos still lack their stored rendition: while
    any do, the entries are incomplete. Raises `photo_too_large`."""
    check_zip(rows, size)
    ids = images if images is not None else (row.image_id for row in rows)
    stored = stored_renditions(ids, web_spec(gallery, size))
    missing = sum(1 for row in rows if row.image_id not in stored)
    if missing:
        return [], missing
    seen: set[str] = set()
    entries = [
        ZipEntry(_unique(f"{_folder(row)}{os.path.splitext(row.filename)[0]}.jpg", seen), stored[row.image_id])
        for row in rows
    ]
    return _with_sizes(entries), 0


def _with_sizes(entries: list[ZipEntry]) -> list[ZipEntry]:
    """Every entry's size, so the ZIP's length is known before its first byte: the browser shows the download's
    progress, and the body goes out without chunked encoding. Web renditions carry theirs from their rows
    (stored when they were made: nothing to ask per file); originals, and renditions stored before sizes were,
    are asked of local storage (a stat each, nothing read). On object storage (a request per file) or with a
    file missing (the stream will be cut short), such sizes stay unknown and so does the ZIP's length."""
    unknown = [i for i, entry in enumerate(entries) if entry.size is None]
    if not unknown or not all(isinstance(entries[i].file.storage, FileSystemStorage) for i in unknown):
        return entries
    sized = list(entries)
    try:
        for i in unknown:
            name, file = entries[i]
            sized[i] = ZipEntry(name, file._replace(size=os.stat(file.storage.path(file.name)).st_size))
    except OSError:
        return entries
    return sized


def _folder(row: ZipRow) -> str:
    return f"{row.set_name}/" if row.set_name is not None else ""


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


class _Delivery:
    """One download counted before its first byte whose outcome is known only when the server closes the
    response: close() settles it. A complete delivery is logged as a download; one that failed or that the
    client abandoned gives its download back (and is logged as an error). Never a used-up allowance for a ZIP
    the client did not get.

    The server calls close() after the view has returned, outside the request's row-level-security scope (in
    gunicorn, a scope of nobody: the log and the give-back would find no row): it acts in the scope the
    download was made in."""

    def __init__(self, gallery, access, photo_set=None, ip=None):
        self.gallery, self.access, self.photo_set, self.ip = gallery, access, photo_set, ip
        self.scope = rls.current()
        self.complete = self.settled = False

    def settle(self) -> None:
        if self.settled:
            return
        self.settled = True
        with rls.scoped(self.scope):
            if self.complete:
                log_download(self.gallery, self.access, DownloadEvent.Kind.ZIP, photo_set=self.photo_set, ip=self.ip)
            else:
                give_back_download(self.gallery, self.access)
                logger.error(
                    "ZIP of gallery %s for %r cut short; download given back", self.gallery.pk, self.access.email
                )


class DeliveredZip(_Delivery):
    """The ZIP's bytes, built as they go out, for a StreamingHttpResponse (settled by close())."""

    def __init__(self, gallery, entries: list[ZipEntry], access, photo_set=None, ip=None):
        super().__init__(gallery, access, photo_set, ip)
        self.zip = zip_stream(entries)

    @property
    def length(self) -> int | None:
        """The ZIP's size in bytes when every entry's is known (ZIP_STORED: nothing to estimate)."""
        return len(self.zip) if self.zip.sized else None

    def __iter__(self):
        try:
            yield from _coalesced(self.zip)
        except WrongSize as wrong:
            # The announced length is out: this ZIP is cut short (and given back, by close()). Its row takes the
            # file's real size, so the client's next try is whole.
            logger.error("ZIP of gallery %s: %s", self.gallery.pk, wrong)
            StudioRendition.objects.filter(file=wrong.file.name).update(file_size=wrong.actual)
            raise
        self.complete = True

    def close(self) -> None:
        self.settle()


class DeliveredArchive(_Delivery):
    """A prepared archive (galleries.archives) on local storage, as the file a FileResponse sends: the WSGI
    server's file_wrapper hands it to sendfile(2) (gunicorn), so its bytes never pass through Python. Other
    servers (runserver, the test client) read it CHUNK at a time.

    How far it got is known either way: reads are counted, and socket.sendfile() seeks the file to where it
    stopped, also when it fails (its documented contract). close() settles the download."""

    def __init__(self, path: str, size: int, gallery, access, photo_set=None, ip=None):
        self.raw = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by close(), when the server is done
        super().__init__(gallery, access, photo_set, ip)
        self.size, self.position = size, 0

    def fileno(self) -> int:
        return self.raw.fileno()

    def read(self, n: int = -1) -> bytes:
        chunk = self.raw.read(n)
        self._at(self.position + len(chunk))
        return chunk

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        position = self.raw.seek(offset, whence)
        self._at(position)
        return position

    def tell(self) -> int:
        return self.position

    def seekable(self) -> bool:
        # FileResponse would seek to the end to measure the file (which reads here as delivered): the view
        # sets Content-Length itself.
        return False

    def _at(self, position: int) -> None:
        self.position = position
        self.complete = position >= self.size

    def close(self) -> None:
        try:
            self.settle()
        finally:
            self.raw.close()


def archive_response(archive, gallery, access, filename: str, photo_set=None, ip=None):
    """The response that delivers a prepared archive, with the download counted (the caller took it). Local
    storage: the file itself (sendfile), settled when sent. Object storage: a redirect to a presigned URL that
    works for PRIVATE_MEDIA_URL_SECONDS, so the archive goes from the bucket (or its CDN) straight to the client;
    its delivery cannot be seen from here, so the download is logged as it is handed out."""
    storage = archive.file.storage
    if isinstance(storage, FileSystemStorage):
        delivered = DeliveredArchive(storage.path(archive.file.name), archive.file_size, gallery, access, photo_set, ip)
        response = FileResponse(delivered, as_attachment=True, filename=filename, content_type="application/zip")
        response["Content-Length"] = str(archive.file_size)
        response.block_size = CHUNK  # when the server has no sendfile
        return response
    log_download(gallery, access, DownloadEvent.Kind.ZIP, photo_set=photo_set, ip=ip)
    disposition = f'attachment; filename="{filename}"'
    return HttpResponseRedirect(storage.url(archive.file.name, parameters={"ResponseContentDisposition": disposition}))


def _coalesced(chunks):
    """The ZIP's pieces joined into writes of at least SEND_AT bytes (the first at once: the client sees the
    download start before any file is read). A piece that big already goes out as it is, uncopied."""
    chunks = iter(chunks)
    first = next(chunks, None)
    if first is None:
        return
    yield first
    pending, size = [], 0
    for chunk in chunks:
        if len(chunk) >= SEND_AT:
            if pending:
                yield b"".join(pending)
                pending, size = [], 0
            yield chunk
            continue
        pending.append(chunk)
        size += len(chunk)
        if size >= SEND_AT:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


def zip_stream(entries: list[ZipEntry]) -> ZipStream:
    """A ZIP that is built while it is sent: one file's chunks in memory at a time, no temporary file, no
    query and no cache call (everything was looked up by zip_entries). JPEGs don't compress: entries are
    stored."""
    sized = all(entry.size is not None for entry in entries)
    zs = ZipStream(compress_type=ZIP_STORED, sized=sized)
    for name, file in entries:
        # Unsized, no size is promised: a known one would only be checked against a length nobody announced.
        zs.add(_file_chunks(file if sized else file._replace(size=None)), name, size=file.size if sized else None)
    return zs
