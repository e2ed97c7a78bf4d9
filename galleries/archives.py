"""A gallery's web-size "Download all" ZIP prepared ahead: written once, when the gallery's web renditions are
all made, and served as one stored file (galleries.downloads.archive_response). Streaming the ZIP as it is
built reads every photo through Python and checksums it (zipstream-ng's CRC-32) at each click: about 1 GB/s
on one core, 0.3–0.4× a plain read of the same files. A stored file goes out with sendfile(2) on local storage
and from S3 itself through a presigned URL, never through a web worker's Python.

The archive is named by a digest of what the ZIP holds (archive_key): whatever changes what a client would
get (a photo added, hidden, removed or reordered, a set renamed, a new watermark: a new rendition file) gives
another key, so a stale archive is never served; the request then streams the ZIP as before and asks for a
new archive. Every change that rebuilds the gallery's photo pages asks too (photo_cache's signal), debounced:
an upload of 2,000 photos queues a check at most every GALLERY_ARCHIVE_DELAY_SECONDS, and the check does
nothing until the last rendition is made. Superseded archives are deleted by a beat sweep once no link
handed out for them can still work (PRIVATE_MEDIA_URL_SECONDS).

The archive is derived data: a lost message or a failed build costs a streamed ZIP, never a download.
Celery's eager mode (development without Redis) prepares nothing: there is no worker to do it off the request."""

import contextlib
import hashlib
import logging
import tempfile
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete
from django.utils.timezone import now

from studios import rls
from studios.media import studio_path

from . import pixels
from .downloads import WrongSize, web_zip_entries, zip_rows, zip_stream
from .models import Gallery, GalleryArchive, StudioRendition
from .photo_cache import gallery_photos_changed
from .renditions import WEB_ZIP_SIZE, offers_web_zip
from .tasks import TRANSIENT

logger = logging.getLogger(__name__)

COPY = 1024 * 1024


def archive_key(entries) -> str:
    """A digest of what the ZIP holds, in order: each entry's path in the archive, its stored file and length."""
    digest = hashlib.sha256()
    for name, file in entries:
        digest.update(f"{name}\0{file.name}\0{file.size}\n".encode())
    return digest.hexdigest()[:32]


def current_archive(gallery, entries) -> GalleryArchive | None:
    """The stored archive of exactly these entries, if one is prepared: one query."""
    return GalleryArchive.objects.filter(
        studio_id=gallery.studio_id, gallery=gallery, key=archive_key(entries), superseded_at__isnull=True
    ).first()


def _queued_key(gallery_id: int) -> str:
    return f"galleries:archive-queued:{gallery_id}"


def archive_soon(gallery_id: int) -> None:
    """Check the gallery's archive once the current transaction commits, after GALLERY_ARCHIVE_DELAY_SECONDS;
    at most one check waits per gallery (a cache key the check clears as it starts, so a change made while it
    runs queues the next). Never raises: without Redis the archive is simply not prepared."""
    if prepare_gallery_archive.app.conf.task_always_eager:
        return

    def send():
        key = _queued_key(gallery_id)
        delay = settings.GALLERY_ARCHIVE_DELAY_SECONDS
        try:
            if cache.add(key, 1, delay + 60):
                prepare_gallery_archive.apply_async((gallery_id,), countdown=delay, retry=False)
        except Exception:  # Redis down: the next ZIP streams, and asks again
            logger.warning("Could not queue the archive of gallery %s", gallery_id, exc_info=True)
            with contextlib.suppress(Exception):  # the cache is down as well: the key expires by itself
                cache.delete(key)

    transaction.on_commit(send)


def _on_photos_changed(sender, gallery_id, **kwargs):
    archive_soon(gallery_id)


def connect() -> None:
    gallery_photos_changed.connect(_on_photos_changed, dispatch_uid="focusflow-gallery-archive")
    post_delete.connect(delete_archive_file, sender=GalleryArchive, dispatch_uid="focusflow-gallery-archive-file")


# Longer than the default 5/6 minutes: a 2,000-photo archive is about 1 GB to write and upload. Still under the
# broker's visibility timeout (CELERY_VISIBILITY_TIMEOUT, 20 minutes), so a running check is not delivered twice.
@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=15 * 60,
    time_limit=17 * 60,
)
def prepare_gallery_archive(gallery_id: int) -> str:
    try:
        cache.delete(_queued_key(gallery_id))  # a change from now on queues another check
    except Exception:  # noqa: BLE001 - the key expires by itself
        logger.warning("Could not clear the archive queue mark of gallery %s", gallery_id, exc_info=True)
    return prepare_archive(gallery_id)


def prepare_archive(gallery_id: int) -> str:
    """Make sure the gallery's current web-size ZIP is stored, and mark any other superseded. Idempotent.
    Returns what it found: `ready` (made now or before), `waiting` (renditions still to make), `none` (no
    web-size ZIP is offered, or there is nothing in it), `gone`."""
    gallery = Gallery.objects.filter(pk=gallery_id).first()
    if gallery is None:
        return "gone"
    with rls.studio(gallery.studio_id):
        if not offers_web_zip(gallery):
            supersede(gallery)
            return "none"
        rows = zip_rows(gallery.ordered_photos())
        if not rows:
            supersede(gallery)
            return "none"
        try:
            entries, missing = web_zip_entries(gallery, rows, WEB_ZIP_SIZE)
        except pixels.PhotoTooLarge:
            return "none"  # the ZIP itself refuses (409); nothing to prepare
        if missing:
            return "waiting"  # the pipeline's last rendition changes the gallery's pages, which asks again
        key = archive_key(entries)
        archive = GalleryArchive.objects.filter(studio_id=gallery.studio_id, gallery=gallery, key=key).first()
        if archive is None:
            archive = _store(gallery, entries, key)
            if archive is None:
                return "waiting"
        elif archive.superseded_at is not None:  # the gallery went back to what it was
            GalleryArchive.objects.filter(pk=archive.pk).update(superseded_at=None)
        supersede(gallery, keep=archive.pk)
        return "ready"


def _store(gallery, entries, key: str) -> GalleryArchive | None:
    """Write the ZIP (the bytes the streamed one would have) to a temporary file, then to storage."""
    storage = GalleryArchive._meta.get_field("file").storage
    name = studio_path(gallery.studio_id, f"archives/{gallery.pk}/{key}.zip", max_length=255)
    with tempfile.TemporaryFile(prefix="focusflow-archive-") as tmp:
        try:
            for chunk in zip_stream(entries):
                tmp.write(chunk)
        except WrongSize as wrong:
            # A rendition changed after its size was kept: its row takes the real size (a change the next
            # check sees as a new key).
            StudioRendition.objects.filter(file=wrong.file.name).update(file_size=wrong.actual)
            logger.warning("Archive of gallery %s: %s", gallery.pk, wrong)
            return None
        size = tmp.tell()
        tmp.seek(0)
        stored = storage.save(name, File(tmp, name=name))
    try:
        with transaction.atomic():
            return GalleryArchive.objects.create(
                studio_id=gallery.studio_id, gallery=gallery, key=key, file=stored, file_size=size
            )
    except IntegrityError:  # a concurrent check stored the same archive first
        storage.delete(stored)
        return GalleryArchive.objects.filter(studio_id=gallery.studio_id, gallery=gallery, key=key).first()


def forget(archive: GalleryArchive) -> None:
    """An archive whose file is gone: its row goes too, so the next check stores it again."""
    GalleryArchive.objects.filter(pk=archive.pk).delete()


def supersede(gallery, keep: int | None = None) -> int:
    """Mark the gallery's other archives superseded: never served again, deleted by the sweep."""
    others = GalleryArchive.objects.filter(studio_id=gallery.studio_id, gallery=gallery, superseded_at__isnull=True)
    if keep is not None:
        others = others.exclude(pk=keep)
    return others.update(superseded_at=now())


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def sweep_superseded_archives() -> int:
    """Beat: delete the files and rows of archives superseded longer ago than a link to one can still work."""
    cutoff = now() - timedelta(seconds=settings.PRIVATE_MEDIA_URL_SECONDS + 60)
    deleted = 0
    for pk, name in GalleryArchive.objects.filter(superseded_at__lt=cutoff).values_list("pk", "file")[:500]:
        _delete_file(name)  # first: a file whose deletion fails keeps its row, and is tried again next time
        GalleryArchive.objects.filter(pk=pk).delete()
        deleted += 1
    return deleted


def _delete_file(name: str) -> None:
    GalleryArchive._meta.get_field("file").storage.delete(name)  # a file already gone is no error


def delete_archive_file(sender, instance, **kwargs):
    """A deleted archive row (its gallery or studio deleted) takes its file with it, once that commits."""
    transaction.on_commit(lambda: _delete_file(instance.file.name))
