"""Where the parts of a resumable upload wait (galleries/multipart.py): S3's multipart upload, or a private folder of
the local media storage; and the beat sweeper of abandoned uploads. Kept apart from multipart.py so the beat task
(galleries.tasks) can import it without importing the upload services, which import the tasks."""

import contextlib
import logging
import os
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from .models import MultipartUpload

logger = logging.getLogger(__name__)

URL_SECONDS = 3600
HEADER_BYTES = 256 * 1024  # enough for any photo header we read (JPEG's SOF comes after its EXIF, ≤ 64 KB)
PARTS_PREFIX = "upload-parts"  # local storage: private (only images/ is served), swept when abandoned
COPY_BYTES = 1024 * 1024


def on_s3() -> bool:
    return hasattr(default_storage, "bucket")


class S3Parts:
    """Parts held by S3's multipart upload; the browser PUTs them to presigned URLs."""

    @staticmethod
    def _client():
        return default_storage.connection.meta.client, default_storage.bucket_name

    @staticmethod
    def _key(key: str) -> str:
        return default_storage._normalize_name(key)

    def create(self, studio, key: str) -> str:
        client, bucket = self._client()
        return client.create_multipart_upload(Bucket=bucket, Key=self._key(key))["UploadId"]

    def listed(self, upload) -> list[dict]:
        client, bucket = self._client()
        parts, marker = [], 0
        while True:
            page = client.list_parts(
                Bucket=bucket, Key=self._key(upload.key), UploadId=upload.s3_upload_id, PartNumberMarker=marker
            )
            parts += page.get("Parts", [])
            if not page.get("IsTruncated"):
                return parts
            marker = page["NextPartNumberMarker"]

    def url(self, upload, number: int) -> str:
        client, bucket = self._client()
        return client.generate_presigned_url(
            "upload_part",
            Params={
                "Bucket": bucket,
                "Key": self._key(upload.key),
                "UploadId": upload.s3_upload_id,
                "PartNumber": number,
            },
            ExpiresIn=URL_SECONDS,
        )

    def assemble(self, upload, parts) -> str:
        client, bucket = self._client()
        client.complete_multipart_upload(
            Bucket=bucket,
            Key=self._key(upload.key),
            UploadId=upload.s3_upload_id,
            MultipartUpload={"Parts": [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in parts]},
        )
        return upload.key

    def head(self, upload) -> bytes:
        client, bucket = self._client()
        found = client.get_object(Bucket=bucket, Key=self._key(upload.key), Range=f"bytes=0-{HEADER_BYTES - 1}")
        return found["Body"].read()

    def drop_parts(self, upload) -> None:
        client, bucket = self._client()
        with contextlib.suppress(client.exceptions.NoSuchUpload):
            client.abort_multipart_upload(Bucket=bucket, Key=self._key(upload.key), UploadId=upload.s3_upload_id)


class _Concatenated(File):
    """The parts, in order, read as one file by Storage.save (no copy of the whole file in memory)."""

    def __init__(self, names: list[str], size: int):
        super().__init__(None, name=os.path.basename(names[0]) if names else "parts")
        self.names, self._size = names, size

    @property
    def size(self):
        return self._size

    def chunks(self, chunk_size=None):
        for name in self.names:
            with default_storage.open(name, "rb") as part:
                while chunk := part.read(chunk_size or COPY_BYTES):
                    yield chunk

    def __iter__(self):
        return self.chunks()

    def open(self, mode=None):
        return self

    def close(self):
        pass


class LocalParts:
    """Parts held in the media storage under a private folder; the browser PUTs them to the admin's part view."""

    @staticmethod
    def folder(upload) -> str:
        return f"{PARTS_PREFIX}/{upload.studio_id}/{upload.s3_upload_id}/"

    @staticmethod
    def part_name(upload, number: int) -> str:
        return f"{LocalParts.folder(upload)}{number:05d}"

    def create(self, studio, key: str) -> str:
        return uuid.uuid4().hex  # the parts folder's name (kept in s3_upload_id)

    def listed(self, upload) -> list[dict]:
        folder = self.folder(upload)
        try:
            _, files = default_storage.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            return []
        parts = []
        for name in files:
            if name.isdigit() and 1 <= int(name) <= upload.part_count:
                parts.append({"PartNumber": int(name), "Size": default_storage.size(folder + name)})
        return sorted(parts, key=lambda p: p["PartNumber"])

    def url(self, upload, number: int) -> str:
        return reverse("galleries_multipart_part", args=[upload.gallery_id, upload.pk, number])

    def assemble(self, upload, parts) -> str:
        names = [self.part_name(upload, p["PartNumber"]) for p in parts]
        key = default_storage.save(upload.key, _Concatenated(names, sum(p["Size"] for p in parts)))
        self.drop_parts(upload)
        return key

    def head(self, upload) -> bytes:
        with default_storage.open(upload.key, "rb") as stored:
            return stored.read(HEADER_BYTES)

    def drop_parts(self, upload) -> None:
        _drop_folder(self.folder(upload))


def _drop_folder(folder: str) -> None:
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        _, files = default_storage.listdir(folder)
        for name in files:
            default_storage.delete(folder + name)
    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(default_storage.path(folder))  # FileSystemStorage leaves empty folders behind


def backend():
    return S3Parts() if on_s3() else LocalParts()


def drop(upload: MultipartUpload) -> None:
    """Drop the parts held and forget the upload (a completed one keeps its photo)."""
    if upload.photo_id:
        return
    backend().drop_parts(upload)
    MultipartUpload.objects.filter(pk=upload.pk, photo__isnull=True).delete()


def abandon_after() -> timedelta:
    return timedelta(hours=settings.GALLERY_UPLOAD_ABANDON_HOURS)


def sweep_abandoned(now=None) -> dict:
    """Beat: uploads not completed within GALLERY_UPLOAD_ABANDON_HOURS are aborted (their parts dropped), the
    rows of completed ones forgotten, and on local storage part folders without a row (their gallery was
    deleted, which deletes the row) dropped. On S3 a bucket lifecycle rule (AbortIncompleteMultipartUpload)
    is the backstop for the last case; see README "Files"."""
    now = now or timezone.now()
    oldest = now - abandon_after()
    done = {"aborted": 0, "forgotten": 0, "orphans": 0}
    for upload in MultipartUpload.objects.filter(created_at__lt=oldest, photo__isnull=True).iterator():
        try:
            drop(upload)
            done["aborted"] += 1
        except Exception:  # one storage error must not stop the sweep; the next run tries again
            logger.exception("Could not abort abandoned upload %s", upload.pk)
    done["forgotten"], _ = MultipartUpload.objects.filter(created_at__lt=oldest, photo__isnull=False).delete()
    if not on_s3():
        done["orphans"] = _sweep_orphan_folders(oldest)
    if any(done.values()):
        logger.info("Abandoned uploads swept: %s", done)
    return done


def _sweep_orphan_folders(oldest) -> int:
    try:
        studios, _ = default_storage.listdir(PARTS_PREFIX)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    known = set(MultipartUpload.objects.values_list("s3_upload_id", flat=True))
    dropped = 0
    for studio in studios:
        folders, _ = default_storage.listdir(f"{PARTS_PREFIX}/{studio}")
        for folder in folders:
            path = f"{PARTS_PREFIX}/{studio}/{folder}/"
            if folder in known or default_storage.get_modified_time(path.rstrip("/")) >= oldest:
                continue
            _drop_folder(path)
            dropped += 1
    return dropped
