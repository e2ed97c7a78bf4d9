"""Adding photos to a gallery: through the admin (multipart) or direct to S3 (presigned POST + `complete`)."""

import os
import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from studios.errors import INVALID, TOO_LARGE, DomainError
from studios.media import studio_path

from . import pixels
from .models import GalleryPhoto, GalleryPhotoCounter, GallerySet, StudioImage
from .quota import check_room_for, human_bytes
from .tasks import queue_photo


class UploadRejected(DomainError):
    code = "upload_rejected"
    kind = INVALID

    def __init__(self, message: str):
        super().__init__(message=message)


class UploadTooLarge(UploadRejected):
    kind = TOO_LARGE


def _check_size(size: int) -> None:
    """Refused before a byte is stored: a rejected upload must leave nothing behind."""
    limit = settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
    if size > limit:
        raise UploadTooLarge(
            f"This file is {human_bytes(size)}; photos may be up to {human_bytes(limit)}. "
            "Export it smaller and upload it again."
        )


def _next_order(gallery) -> int:
    """The gallery's next place, in one statement inside the upload's transaction. Reading the last order and
    inserting after it raced: parallel uploads read the same last one. The counter row's upsert locks it until
    the upload commits, so the next upload waits and counts on from the committed value. The photos' own last
    order (what the statement's snapshot sees) only lifts the counter for galleries it has not counted yet."""
    counter, photo = GalleryPhotoCounter._meta.db_table, GalleryPhoto._meta.db_table
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"  # SQLite's MAX(a, b) is the same
    # The names are the models' own tables (no input); the ids are parameters.
    sql = (
        f"INSERT INTO {counter} (studio_id, gallery_id, last_order) VALUES (%s, %s, "  # noqa: S608
        f'COALESCE((SELECT MAX("order") FROM {photo} WHERE gallery_id = %s), 0) + 1) '
        f"ON CONFLICT (gallery_id) DO UPDATE SET last_order = {greatest}({counter}.last_order + 1, "
        "excluded.last_order) RETURNING last_order"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [gallery.studio_id, gallery.pk, gallery.pk])
        return cursor.fetchone()[0]


def _check_set(gallery, photo_set: GallerySet | None) -> None:
    if photo_set is not None and photo_set.gallery_id != gallery.pk:
        raise UploadRejected("That set belongs to another gallery.")


def _pending_image(gallery, filename: str, size: int) -> StudioImage:
    # Placeholder dimensions: the pipeline reads the real ones; Django must not decode the file here.
    return StudioImage(
        title=filename,
        studio=gallery.studio,
        collection_id=gallery.studio.collection_id,
        original_filename=filename,
        status=StudioImage.Status.PENDING,
        is_gallery_photo=True,
        width=1,
        height=1,
        file_size=size,
    )


def _insert(gallery, image: StudioImage, photo_set: GallerySet | None) -> GalleryPhoto:
    """The image and its gallery row, together or not at all. `bulk_create` sends no signals: a gallery photo
    is never search- or reference-indexed (galleries/indexing.py), so there is nothing for them to do."""
    with transaction.atomic():
        StudioImage.objects.bulk_create([image])
        return GalleryPhoto.objects.create(
            studio=gallery.studio, gallery=gallery, image=image, set=photo_set, order=_next_order(gallery)
        )


def add_upload(gallery, uploaded, photo_set: GallerySet | None = None) -> GalleryPhoto:
    """Store the original as a pending StudioImage in the gallery and queue its processing."""
    _check_set(gallery, photo_set)
    _check_size(uploaded.size)
    check_room_for(gallery.studio, uploaded.size)
    if (size := pixels.header_size(uploaded)) and pixels.too_many(*size):
        # Refused now, from the header alone, rather than accepted and failed by the pipeline later.
        raise UploadRejected(f"This image is {pixels.describe(*size)}. Export it smaller and upload it again.")
    filename = os.path.basename(uploaded.name)[:255]
    image = _pending_image(gallery, filename, uploaded.size)
    # Straight to storage: Django's ImageField would decode the file to read its size, and a
    # broken file must reach the pipeline (which explains the problem) rather than fail here.
    field = image.file.field
    image.file.name = field.storage.save(
        field.generate_filename(image, filename), uploaded, max_length=field.max_length
    )
    image.queued_at = timezone.now()  # from now on the sweeper makes sure it gets processed
    photo = _insert(gallery, image, photo_set)
    queue_photo(photo.pk)
    return photo


@transaction.atomic
def start_direct_upload(gallery, filename: str, size: int, photo_set: GallerySet | None = None) -> dict:
    """Reserve a key and return a presigned POST for it (S3 storage only)."""
    _check_set(gallery, photo_set)
    if not hasattr(default_storage, "bucket"):
        raise UploadRejected("Direct uploads need S3 storage; upload through the admin instead.")
    _check_size(size)
    check_room_for(gallery.studio, size)
    filename = os.path.basename(filename)[:200] or "photo.jpg"
    key = studio_path(gallery.studio_id, f"original_images/{uuid.uuid4().hex}/{filename}")
    image = _pending_image(gallery, filename, size)
    image.file.name = key
    photo = _insert(gallery, image, photo_set)
    client = default_storage.connection.meta.client
    post = client.generate_presigned_post(
        default_storage.bucket_name,
        default_storage._normalize_name(key),
        Conditions=[["content-length-range", 1, size]],
        ExpiresIn=3600,
    )
    return {"photo": photo.pk, "url": post["url"], "fields": post["fields"]}


def complete_direct_upload(photo: GalleryPhoto) -> GalleryPhoto:
    """The browser says the file is in the bucket: check it is, then queue processing."""
    image = photo.image
    if image.status != StudioImage.Status.PENDING:
        return photo
    if not default_storage.exists(image.file.name):
        raise UploadRejected("The file has not arrived in storage yet. Upload it again, then retry.")
    size = default_storage.size(image.file.name)
    if size > (image.file_size or 0):
        # S3 enforces the POST policy's size range; we check again so the quota can't be dodged.
        default_storage.delete(image.file.name)
        StudioImage.objects.filter(pk=image.pk).update(
            status=StudioImage.Status.FAILED,
            file_size=0,
            failure_reason=f"The file is bigger than announced ({size} > {image.file_size} bytes). Upload it again.",
        )
        raise UploadRejected("The uploaded file is bigger than announced; it was discarded. Upload it again.")
    StudioImage.objects.filter(pk=image.pk).update(file_size=size, queued_at=timezone.now())
    with transaction.atomic():
        queue_photo(photo.pk)
    return photo
