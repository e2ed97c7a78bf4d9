"""Celery tasks of the image pipeline: one task per photo, idempotent, retried on transient errors."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Count, Q
from kombu.exceptions import OperationalError as BrokerError

from studios.background import queue_after_commit

from . import pipeline, sweeper, upload_parts
from .models import Gallery, GalleryPhoto, StudioImage, WatermarkSettings
from .proofing import send_expiry_reminders
from .renditions import pipeline_specs

# Worth another try: the database or the storage blinked. A bad file is not: it is marked failed.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
try:
    from botocore.exceptions import BotoCoreError

    TRANSIENT += (BotoCoreError,)
except ImportError:  # pragma: no cover - boto3 is a dependency
    pass

logger = logging.getLogger(__name__)

# What publishing raises with Redis down: kombu's error for the broker, and Celery's RuntimeError when the
# Redis result backend gives up ("Retry limit exceeded while trying to reconnect").
PUBLISH_ERRORS = (BrokerError, RuntimeError, ConnectionError, TimeoutError)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,  # nobody reads it, and a result store that is down would stall the upload's publish
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=120,
    max_retries=6,
)
def process_photo(photo_id: int) -> str:
    return pipeline.process_gallery_photo(photo_id)


def send_photo(photo_id: int) -> bool:
    """Hand a photo to the workers. With the broker down the photo stays queued in PostgreSQL (its
    `queued_at` is set) and sweep_stuck_photos sends it later: an upload never fails because of Redis."""
    try:
        process_photo.delay(photo_id)
    except PUBLISH_ERRORS:
        logger.warning("Could not queue photo %s (broker unreachable); the sweeper will", photo_id, exc_info=True)
        return False
    return True


def queue_photo(photo_id: int) -> None:
    """Queue processing once the upload's transaction has committed (the worker must see the row)."""
    transaction.on_commit(lambda: send_photo(photo_id))


def rerender_watermarked(studio) -> int:
    """After a watermark change: queue the studio's watermarked photos for their new rendition."""
    ids = list(
        GalleryPhoto.objects.for_studio(studio)
        .filter(gallery__watermark=True, image__status=StudioImage.Status.READY)
        .values_list("pk", flat=True)
    )
    for photo_id in ids:
        queue_photo(photo_id)
    return len(ids)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def render_gallery_renditions(gallery_id: int) -> int:
    """Queue the gallery's photos that lack a rendition its clients now get (the watermark was turned on or
    off, the studio changed what metadata it keeps, web-size downloads were turned on, a web ZIP found one
    missing). One query finds them; the others are left alone."""
    gallery = Gallery.objects.select_related("studio").filter(pk=gallery_id).first()
    if gallery is None:
        return 0
    specs = list(pipeline_specs(gallery, WatermarkSettings.for_studio(gallery.studio).version).values())
    ids = list(
        GalleryPhoto.objects.for_studio(gallery.studio)
        .filter(gallery=gallery, image__status=StudioImage.Status.READY)
        .annotate(have=Count("image__renditions", filter=Q(image__renditions__filter_spec__in=specs)))
        .filter(have__lt=len(specs))
        .values_list("pk", flat=True)
    )
    for photo_id in ids:
        queue_photo(photo_id)
    return len(ids)


def rerender_gallery(gallery_id: int) -> None:
    """Once the change commits, make the gallery's missing client renditions."""
    queue_after_commit(render_gallery_renditions, gallery_id)


def rerender_studio(studio) -> int:
    """After a studio-wide change to its client files: every gallery with photos gets its missing renditions."""
    ids = list(Gallery.objects.for_studio(studio).filter(photos__isnull=False).distinct().values_list("pk", flat=True))
    for gallery_id in ids:
        rerender_gallery(gallery_id)
    return len(ids)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def send_gallery_expiry_reminders() -> int:
    return send_expiry_reminders()


@shared_task(acks_late=True, ignore_result=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def sweep_stuck_photos() -> dict:
    return sweeper.sweep(send_photo)


@shared_task(acks_late=True, ignore_result=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def sweep_abandoned_uploads() -> dict:
    return upload_parts.sweep_abandoned()
