"""Photos whose processing was lost are swept (issue 13): the upload's task never published (Redis down) or
its worker died. Unit tests of galleries/sweeper.py and the task's idempotence; the real thing (kill -9 of a
worker mid-ingest) is tests/faults/test_worker_kill.py."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone
from kombu.exceptions import OperationalError

from galleries import pipeline, tasks
from galleries.models import GalleryPhoto, StudioImage, StudioRendition
from galleries.sweeper import sweep
from galleries.uploads import add_upload

from .factories import jpeg, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.process_photo, "delay", refuse)


def upload_while_broker_down(gallery, seed=1):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return add_upload(gallery, SimpleUploadedFile(f"IMG_{seed}.jpg", jpeg(seed, 480, 320)))


def age(photo, minutes):
    StudioImage.objects.filter(pk=photo.image_id).update(queued_at=timezone.now() - timedelta(minutes=minutes))


def status(photo):
    return StudioImage.objects.get(pk=photo.image_id).status


def test_an_upload_with_the_broker_down_succeeds_and_is_swept_later(gallery, broker_down, monkeypatch):
    photo = upload_while_broker_down(gallery)  # no exception reaches the photographer
    assert status(photo) == "pending"
    assert sweep(tasks.send_photo) == {"requeued": 0, "failed": 0, "unsent": 0}  # not stuck yet

    age(photo, 11)
    monkeypatch.undo()  # Redis is back
    assert sweep(tasks.send_photo)["requeued"] == 1
    assert status(photo) == "ready"


def test_a_photo_stuck_processing_is_requeued_with_backoff_then_failed(gallery, broker_down, settings):
    photo = upload_while_broker_down(gallery)
    StudioImage.objects.filter(pk=photo.image_id).update(status="processing", pipeline_attempts=3)
    sent = []
    age(photo, 11)
    assert sweep(sent.append)["requeued"] == 0, "third attempt: waits 4 × 10 minutes"
    age(photo, 41)
    assert sweep(sent.append)["requeued"] == 1 and sent == [photo.pk]
    assert sweep(sent.append)["requeued"] == 0, "claimed: not sent twice"

    StudioImage.objects.filter(pk=photo.image_id).update(pipeline_attempts=settings.PHOTO_MAX_ATTEMPTS)
    age(photo, 61)
    assert sweep(sent.append)["failed"] == 1
    image = StudioImage.objects.get(pk=photo.image_id)
    assert image.status == "failed" and "did not finish after 8 attempts" in image.failure_reason


def test_a_direct_upload_still_on_its_way_to_s3_is_not_swept(gallery):
    photo = upload(gallery, jpeg(1))
    StudioImage.objects.filter(pk=photo.image_id).update(status="pending", queued_at=None)
    assert sweep(lambda pk: pytest.fail("sent"))["requeued"] == 0


def test_a_duplicate_run_never_moves_a_ready_photo_back_nor_renders_it_again(gallery, monkeypatch):
    photo = upload(gallery, jpeg(1, 480, 320))
    renditions = list(StudioRendition.objects.filter(image=photo.image_id).values_list("pk", "file"))
    # A re-queued duplicate that read the row while the first run was still processing it.
    stale = GalleryPhoto.objects.select_related("image", "gallery", "studio").get(pk=photo.pk)
    stale.image.status, stale.sha256 = "processing", ""
    seen = []
    real = pipeline.process_bytes
    monkeypatch.setattr(pipeline, "process_bytes", lambda *a, **kw: (seen.append(status(photo)), real(*a, **kw))[1])

    assert pipeline._process(stale) == "ready"
    assert "processing" not in seen, "clients saw the photo vanish from their gallery"
    assert status(photo) == "ready"
    assert list(StudioRendition.objects.filter(image=photo.image_id).values_list("pk", "file")) == renditions
