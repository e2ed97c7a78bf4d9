"""Resumable uploads in parts (issue 17: "resumable after a network drop"), on S3 and on local storage.

The gallery manager's uploader (static/admin/gallery-manager.js) runs the same steps on either storage:

1. `start` — the same early refusals as any upload (set, size, quota, file name); on S3 a multipart upload is
   created, on local storage a private folder for the parts is named. A MultipartUpload row (studio key)
   remembers it. The browser keeps its id in localStorage.
2. `parts` — the part numbers the storage already holds: after a drop or a reload the browser sends only the
   missing ones. `sign` gives a URL per part number asked (1..part_count, nothing else): presigned S3 URLs, or
   on local storage the admin's own part view (`receive_part`, which takes a part only at its exact length).
3. `complete` — the parts held are assembled (the server lists them: no ETag or size is taken from the
   browser), then the file is checked as any upload is (a photo type by its first bytes, the announced size,
   the pixel limit from its header, the studio's quota) and registered exactly as `uploads.add_upload`
   registers one: a pending image in the gallery, its processing queued. A refused file is deleted, its parts too.
4. `abort` — the parts are dropped; the row goes.

Parts on local storage live under `upload-parts/<studio>/<folder>/` in the media storage: not under `images/`,
so they have no public URL (studios/media.py). `sweep_abandoned` (beat) drops uploads nobody completed within
GALLERY_UPLOAD_ABANDON_HOURS, and part folders left without a row (their gallery deleted)."""

import io
import logging
import os
import tempfile
import uuid

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from studios.errors import NOT_FOUND, DomainError
from studios.media import studio_path

from . import pixels
from .models import MultipartUpload
from .quota import check_room_for
from .tasks import queue_photo
from .upload_parts import (
    COPY_BYTES,
    LocalParts,
    backend,
    drop,
    on_s3,
    sweep_abandoned,  # noqa: F401 (the beat task's, here with the rest)
)
from .uploads import UploadRejected, _check_set, _check_size, _insert, _pending_image

logger = logging.getLogger(__name__)

PART_BYTES = 8 * 1024 * 1024  # S3's smallest part is 5 MiB (except the last)
ACCEPTED = "JPEG, PNG, WebP, HEIC, AVIF, TIFF or GIF"


def part_bytes() -> int:
    return getattr(settings, "GALLERY_UPLOAD_PART_BYTES", PART_BYTES)


def expected_part_bytes(upload: MultipartUpload, number: int) -> int:
    """A part's length: `part_size`, the last one what is left of the announced size."""
    return min(upload.part_size, upload.size - (number - 1) * upload.part_size)


@transaction.atomic
def start(gallery, filename: str, size: int, photo_set=None) -> MultipartUpload:
    _check_set(gallery, photo_set)
    _check_size(size)
    check_room_for(gallery.studio, size)
    filename = os.path.basename(filename)[:200] or "photo.jpg"
    key = studio_path(gallery.studio_id, f"original_images/{uuid.uuid4().hex}/{filename}")
    return MultipartUpload.objects.create(
        studio=gallery.studio,
        gallery=gallery,
        set=photo_set,
        filename=filename,
        size=size,
        part_size=part_bytes(),
        key=key,
        s3_upload_id=backend().create(gallery.studio, key),
    )


def upload_in(gallery, upload_id) -> MultipartUpload:
    """One of this gallery's uploads (the gallery is the photographer's studio's already); else 404."""
    upload = (
        MultipartUpload.objects.for_studio(gallery.studio)
        .filter(gallery=gallery, pk=upload_id if str(upload_id).isdigit() else 0)
        .first()
    )
    if upload is None:
        raise DomainError("not_found", "No such upload in this gallery; start it again.", NOT_FOUND)
    upload.gallery = gallery
    return upload


def state(upload: MultipartUpload) -> dict:
    """What the browser needs to go on: the parts the storage already has."""
    done = [] if upload.photo_id else [p["PartNumber"] for p in backend().listed(upload)]
    return {
        "upload": upload.pk,
        "part_size": upload.part_size,
        "parts": upload.part_count,
        "done": sorted(done),
        "photo": upload.photo_id,
    }


def sign(upload: MultipartUpload, numbers) -> dict[str, str]:
    if upload.photo_id:
        raise UploadRejected("This upload is already complete.")
    if not isinstance(numbers, list) or not numbers or len(numbers) > 100:
        raise UploadRejected("Send the part numbers to upload (up to 100 at a time).")
    if not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= upload.part_count for n in numbers):
        raise UploadRejected(f"Part numbers go from 1 to {upload.part_count} for this file.")
    parts = backend()
    return {str(n): parts.url(upload, n) for n in sorted(set(numbers))}


def receive_part(upload: MultipartUpload, number: int, stream, length) -> None:
    """Local storage: one part's bytes, kept only when exactly its length arrived (a dropped request leaves
    nothing; sending a part again replaces it). Written to a temporary file first, then stored."""
    if on_s3():
        raise UploadRejected("Parts go straight to S3 here: ask for their URLs (sign).")
    if upload.photo_id:
        raise UploadRejected("This upload is already complete.")
    if not 1 <= number <= upload.part_count:
        raise UploadRejected(f"Part numbers go from 1 to {upload.part_count} for this file.")
    expected = expected_part_bytes(upload, number)
    if length != expected:
        raise UploadRejected(f"Part {number} of this file is {expected} bytes; {length or 0} were announced.")
    with tempfile.SpooledTemporaryFile(max_size=COPY_BYTES) as buffer:
        received = 0
        while received <= expected and (chunk := stream.read(min(COPY_BYTES, expected + 1 - received))):
            buffer.write(chunk)
            received += len(chunk)
        if received != expected:
            raise UploadRejected(f"Part {number} arrived incomplete ({received} of {expected} bytes); send it again.")
        buffer.seek(0)
        name = LocalParts.part_name(upload, number)
        default_storage.delete(name)  # sent again (its answer was lost): the new copy replaces it
        stored = default_storage.save(name, File(buffer, name=os.path.basename(name)))
        if stored != name:  # the same part sent twice at once: one copy is enough
            default_storage.delete(stored)


def photo_type(head: bytes) -> str | None:
    """The photo format the file's first bytes say, or None for anything else (whatever its name says)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif"):
        return "heif"
    return None


def complete(upload: MultipartUpload):
    """Assemble the parts, check the file, register the photo and queue its processing (as add_upload does).
    A refused file is deleted (its parts, or the assembled file) once the transaction has rolled back."""
    discard = None
    parts_held = backend()
    try:
        with transaction.atomic():
            upload = (
                MultipartUpload.objects.select_for_update(of=("self",))
                .select_related("set", "gallery")
                .get(pk=upload.pk)
            )
            if upload.photo_id:
                return upload.photo  # completed before (a retried request)
            parts = parts_held.listed(upload)
            missing = sorted(set(range(1, upload.part_count + 1)) - {p["PartNumber"] for p in parts})
            if missing:
                raise UploadRejected(
                    f"Part{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing[:10]))} of this file "
                    "have not arrived; send them, then complete."
                )
            received = sum(p["Size"] for p in parts)
            if received > upload.size or len(parts) > upload.part_count:  # the quota was checked for the size
                discard = "parts"
                raise UploadRejected("The uploaded file is bigger than announced; it was discarded. Upload it again.")
            discard = "parts"
            upload.key = parts_held.assemble(upload, parts)
            discard = "object"
            _check_file(parts_held.head(upload), upload, received)
            image = _pending_image(upload.gallery, upload.filename, received)
            image.file.name = upload.key
            image.queued_at = timezone.now()
            photo = _insert(upload.gallery, image, upload.set)
            upload.photo = photo
            upload.save(update_fields=["photo", "key"])
            queue_photo(photo.pk)
            discard = None
            return photo
    except Exception:
        if discard == "object":
            default_storage.delete(upload.key)
        if discard:
            abort(upload)
        raise


def _check_file(head: bytes, upload: MultipartUpload, size: int) -> None:
    """add_upload's checks, on the stored file: its type (by content), size, pixel limit and the quota."""
    if photo_type(head) is None:
        raise UploadRejected(f"“{upload.filename}” is not a photo we accept ({ACCEPTED}).")
    _check_size(size)
    if (dimensions := pixels.header_size(io.BytesIO(head))) and pixels.too_many(*dimensions):
        raise UploadRejected(f"This image is {pixels.describe(*dimensions)}. Export it smaller and upload it again.")
    check_room_for(upload.gallery.studio, size)


def abort(upload: MultipartUpload) -> None:
    """Drop the parts held and forget the upload (a completed one keeps its photo)."""
    drop(upload)
