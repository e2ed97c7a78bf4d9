"""Photos whose processing was lost: the upload committed but the task was never published (Redis down),
or a worker died mid-photo (kill -9, OOM, a lost machine). A beat task re-queues them with backoff; after
PHOTO_MAX_ATTEMPTS a photo is marked failed with a reason the photographer sees (the dead-letter state).

A photo is "stuck" when it is pending or processing and its `queued_at` (set when it was queued, re-queued
or started) is older than PHOTO_SWEEP_AFTER_SECONDS × 2^(attempts − 1), at most an hour. The delay must be
longer than the task's hard time limit, so a photo still being worked on is never taken for a lost one;
re-queueing one that is only waiting in a long queue costs a duplicate message, which the idempotent task
turns into a no-op."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .models import GalleryPhoto, StudioImage
from .photo_cache import forget_gallery_photo_pages

logger = logging.getLogger(__name__)

UNFINISHED = (StudioImage.Status.PENDING, StudioImage.Status.PROCESSING)
MAX_BACKOFF = timedelta(hours=1)


def gave_up_reason(attempts: int) -> str:
    return (
        f"Processing did not finish after {attempts} attempts (the worker stopped or ran out of time each "
        "time). Upload the photo again; if it fails again, export it smaller."
    )


def _due(queued_at, attempts: int, now) -> bool:
    wait = timedelta(seconds=settings.PHOTO_SWEEP_AFTER_SECONDS) * 2 ** max(0, attempts - 1)
    return queued_at <= now - min(wait, MAX_BACKOFF)


def sweep(send, now=None) -> dict:
    """Re-queue stuck photos through `send(photo_id)`; mark failed those out of attempts. Safe to run twice
    at once: each photo is claimed with a conditional UPDATE on the `queued_at` it was read with."""
    now = now or timezone.now()
    oldest = now - timedelta(seconds=settings.PHOTO_SWEEP_AFTER_SECONDS)
    rows = (
        GalleryPhoto.objects.filter(image__status__in=UNFINISHED, image__queued_at__lte=oldest)
        .values_list("pk", "gallery_id", "image_id", "image__queued_at", "image__pipeline_attempts")
        .order_by("image__queued_at")
    )
    done = {"requeued": 0, "failed": 0, "unsent": 0}
    for photo_id, gallery_id, image_id, queued_at, attempts in rows.iterator():
        if not _due(queued_at, attempts, now):
            continue
        claim = StudioImage.objects.filter(pk=image_id, status__in=UNFINISHED, queued_at=queued_at)
        if attempts >= settings.PHOTO_MAX_ATTEMPTS:
            if claim.update(status=StudioImage.Status.FAILED, failure_reason=gave_up_reason(attempts)):
                done["failed"] += 1
                logger.error("Photo %s failed after %s attempts", photo_id, attempts)
                forget_gallery_photo_pages(gallery_id)
            continue
        if claim.update(queued_at=now, pipeline_attempts=F("pipeline_attempts") + 1):
            done["requeued"] += 1
            if not send(photo_id):
                done["unsent"] += 1
    if any(done.values()):
        logger.warning("Photo sweeper: %s", done)
    return done
