"""Resumable uploads straight to S3 in parts (issue 17: "resumable after a network drop").

The gallery manager's uploader (static/admin/gallery-manager.js), where the storage is S3:

1. `start` — the same early refusals as any upload (set, size, quota, file name); an S3 multipart upload is
   created and a MultipartUpload row (studio key) remembers it. The browser keeps its id in localStorage.
2. `parts` — the part numbers S3 already holds (ListParts): after a drop or a reload the browser sends only the
   missing ones. `sign` gives presigned URLs for the part numbers asked (1..part_count, nothing else).
3. `complete` — the parts S3 holds are assembled (the server lists them: no ETag is taken from the browser),
   then the file is checked as any upload is (a photo type by its first bytes, the announced size, the pixel
   limit from its header, the studio's quota) and registered exactly as `uploads.add_upload` registers one: a
   pending image in the gallery, its processing queued. A refused file is deleted from the bucket.
4. `abort` — S3 drops the parts; the row goes.

Without S3 (local storage, the demo) the uploader keeps the existing one-request upload, retried per file."""

import contextlib
import io
import os
import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from studios.errors import NOT_FOUND, DomainError
from studios.media import studio_path

from . import pixels
from .models import MultipartUpload
from .quota import check_room_for
from .tasks import queue_photo
from .uploads import UploadRejected, _check_set, _check_size, _insert, _pending_image

PART_BYTES = 8 * 1024 * 1024  # S3's smallest part is 5 MiB (except the last)
URL_SECONDS = 3600
HEADER_BYTES = 256 * 1024  # enough for any photo header we read (JPEG's SOF comes after its EXIF, ≤ 64 KB)
ACCEPTED = "JPEG, PNG, WebP, HEIC, AVIF, TIFF or GIF"


def _s3():
    if not hasattr(default_storage, "bucket"):
        raise UploadRejected("Resumable uploads need S3 storage; upload through the admin instead.")
    return default_storage.connection.meta.client, default_storage.bucket_name


def _object_key(key: str) -> str:
    return default_storage._normalize_name(key)


def part_bytes() -> int:
    return getattr(settings, "GALLERY_UPLOAD_PART_BYTES", PART_BYTES)


@transaction.atomic
def start(gallery, filename: str, size: int, photo_set=None) -> MultipartUpload:
    client, bucket = _s3()
    _check_set(gallery, photo_set)
    _check_size(size)
    check_room_for(gallery.studio, size)
    filename = os.path.basename(filename)[:200] or "photo.jpg"
    key = studio_path(gallery.studio_id, f"original_images/{uuid.uuid4().hex}/{filename}")
    created = client.create_multipart_upload(Bucket=bucket, Key=_object_key(key))
    return MultipartUpload.objects.create(
        studio=gallery.studio,
        gallery=gallery,
        set=photo_set,
        filename=filename,
        size=size,
        part_size=part_bytes(),
        key=key,
        s3_upload_id=created["UploadId"],
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


def _listed_parts(upload: MultipartUpload) -> list[dict]:
    client, bucket = _s3()
    parts, marker = [], 0
    while True:
        page = client.list_parts(
            Bucket=bucket, Key=_object_key(upload.key), UploadId=upload.s3_upload_id, PartNumberMarker=marker
        )
        parts += page.get("Parts", [])
        if not page.get("IsTruncated"):
            return parts
        marker = page["NextPartNumberMarker"]


def state(upload: MultipartUpload) -> dict:
    """What the browser needs to go on: the parts S3 already has."""
    done = [] if upload.photo_id else sorted(p["PartNumber"] for p in _listed_parts(upload))
    return {
        "upload": upload.pk,
        "part_size": upload.part_size,
        "parts": upload.part_count,
        "done": done,
        "photo": upload.photo_id,
    }


def sign(upload: MultipartUpload, numbers) -> dict[str, str]:
    if upload.photo_id:
        raise UploadRejected("This upload is already complete.")
    if not isinstance(numbers, list) or not numbers or len(numbers) > 100:
        raise UploadRejected("Send the part numbers to upload (up to 100 at a time).")
    if not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= upload.part_count for n in numbers):
        raise UploadRejected(f"Part numbers go from 1 to {upload.part_count} for this file.")
    client, bucket = _s3()
    return {
        str(n): client.generate_presigned_url(
            "upload_part",
            Params={
                "Bucket": bucket,
                "Key": _object_key(upload.key),
                "UploadId": upload.s3_upload_id,
                "PartNumber": n,
            },
            ExpiresIn=URL_SECONDS,
        )
        for n in sorted(set(numbers))
    }


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
    A refused file is deleted (its parts, or the assembled object) once the transaction has rolled back."""
    discard = None
    try:
        with transaction.atomic():
            upload = (
                MultipartUpload.objects.select_for_update(of=("self",))
                .select_related("set", "gallery")
                .get(pk=upload.pk)
            )
            if upload.photo_id:
                return upload.photo  # completed before (a retried request)
            parts = _listed_parts(upload)
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
            client, bucket = _s3()
            client.complete_multipart_upload(
                Bucket=bucket,
                Key=_object_key(upload.key),
                UploadId=upload.s3_upload_id,
                MultipartUpload={"Parts": [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in parts]},
            )
            discard = "object"
            _check_file(upload, received)
            discard = None
            image = _pending_image(upload.gallery, upload.filename, received)
            image.file.name = upload.key
            image.queued_at = timezone.now()
            photo = _insert(upload.gallery, image, upload.set)
            upload.photo = photo
            upload.save(update_fields=["photo"])
            queue_photo(photo.pk)
            return photo
    except DomainError:
        if discard == "parts":
            abort(upload)
        elif discard == "object":
            default_storage.delete(upload.key)
            MultipartUpload.objects.filter(pk=upload.pk).delete()
        raise


def _check_file(upload: MultipartUpload, size: int) -> None:
    """add_upload's checks, on the stored file: its type (by content), size, pixel limit and the quota."""
    client, bucket = _s3()
    head = client.get_object(Bucket=bucket, Key=_object_key(upload.key), Range=f"bytes=0-{HEADER_BYTES - 1}")
    head = head["Body"].read()
    if photo_type(head) is None:
        raise UploadRejected(f"“{upload.filename}” is not a photo we accept ({ACCEPTED}).")
    _check_size(size)
    if (dimensions := pixels.header_size(io.BytesIO(head))) and pixels.too_many(*dimensions):
        raise UploadRejected(f"This image is {pixels.describe(*dimensions)}. Export it smaller and upload it again.")
    check_room_for(upload.gallery.studio, size)


def abort(upload: MultipartUpload) -> None:
    """Drop the parts S3 holds and forget the upload (a completed one keeps its photo)."""
    if upload.photo_id:
        return
    client, bucket = _s3()
    with contextlib.suppress(client.exceptions.NoSuchUpload):
        client.abort_multipart_upload(Bucket=bucket, Key=_object_key(upload.key), UploadId=upload.s3_upload_id)
    upload.delete()
