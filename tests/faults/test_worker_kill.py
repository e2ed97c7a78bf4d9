"""kill -9 of the Celery worker in the middle of a 30-photo ingest (issue 13, DESIGN §12).

Before: acks_late with Redis' one-hour visibility timeout and nothing sweeping, so the photo being processed
(and the one prefetched) stayed `processing` for an hour. Now the beat sweeper re-queues them, and the task
claims and finishes each photo once, however many times it is delivered."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from galleries.models import GalleryPhoto, StudioImage, StudioRendition, WatermarkSettings
from galleries.renditions import pipeline_specs
from galleries.uploads import add_upload
from tests.faults import _procs_celeryfaults as procs
from tests.galleries.factories import jpeg, make_gallery

PHOTOS = 30
SWEEP_AFTER = 3  # seconds (production: 10 minutes)

# The private Redis and worker fixtures (tests/faults/_procs_celeryfaults.py).
celery_on_private_redis = procs.celery_on_private_redis
private_redis = procs.private_redis
start_worker = procs.start_worker
wait_for = procs.wait_for

pytestmark = [pytest.mark.postgres, procs.needs_redis_server, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ready_log():
    """Every transition of an image to `ready`, written by PostgreSQL itself (whichever process makes it)."""
    with connection.cursor() as c:
        c.execute(
            """
            CREATE TABLE faults_ready_log (image_id bigint NOT NULL, at timestamptz NOT NULL DEFAULT now());
            CREATE FUNCTION faults_log_ready() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO faults_ready_log (image_id) VALUES (NEW.id); RETURN NEW; END $$;
            CREATE TRIGGER faults_ready AFTER UPDATE ON galleries_studioimage FOR EACH ROW
            WHEN (NEW.status = 'ready' AND OLD.status IS DISTINCT FROM 'ready') EXECUTE FUNCTION faults_log_ready();
            """
        )
    yield
    with connection.cursor() as c:
        c.execute(
            "DROP TRIGGER faults_ready ON galleries_studioimage; DROP FUNCTION faults_log_ready();"
            " DROP TABLE faults_ready_log;"
        )


def statuses(ids) -> dict[str, int]:
    out: dict[str, int] = {}
    for status in StudioImage.objects.filter(gallery_photos__in=ids).values_list("status", flat=True):
        out[status] = out.get(status, 0) + 1
    return out


def test_killed_worker_photos_end_ready_exactly_once(start_worker, studio, ready_log):
    gallery = make_gallery(studio)
    specs = set(pipeline_specs(gallery, WatermarkSettings.for_studio(studio).version).values())
    worker = start_worker(PHOTO_SWEEP_AFTER_SECONDS=SWEEP_AFTER, PHOTO_SWEEP_EVERY_SECONDS=1)
    ids = [add_upload(gallery, SimpleUploadedFile(f"IMG_{i:04d}.jpg", jpeg(i, 1600, 1067))).pk for i in range(PHOTOS)]

    # Kill the whole worker (pool child and beat included) while it is in the middle of the batch.
    wait_for(lambda: statuses(ids).get("ready", 0) >= 5 and statuses(ids).get("processing"), 120, "a photo in work")
    worker.kill9()
    at_kill = statuses(ids)
    assert at_kill.get("ready", 0) < PHOTOS and at_kill.get("processing", 0) >= 1, at_kill

    restarted = time.monotonic()
    start_worker(PHOTO_SWEEP_AFTER_SECONDS=SWEEP_AFTER, PHOTO_SWEEP_EVERY_SECONDS=1)
    wait_for(lambda: statuses(ids).get("ready") == PHOTOS, 120, f"all {PHOTOS} photos ready (at kill: {at_kill})")
    recovered_in = time.monotonic() - restarted

    # Let the duplicates the sweeper queued meanwhile run too: they must change nothing.
    time.sleep(SWEEP_AFTER + 2)
    assert statuses(ids) == {"ready": PHOTOS}
    assert GalleryPhoto.objects.filter(gallery=gallery).count() == PHOTOS
    with connection.cursor() as c:
        c.execute("SELECT image_id, count(*) FROM faults_ready_log GROUP BY image_id")
        ready_counts = dict(c.fetchall())
    images = set(StudioImage.objects.filter(gallery_photos__in=ids).values_list("pk", flat=True))
    assert ready_counts == {pk: 1 for pk in images}, "each photo became ready exactly once"
    per_image = {pk: set() for pk in images}
    duplicates = 0
    for image_id, spec in StudioRendition.objects.filter(image__in=images).values_list("image_id", "filter_spec"):
        duplicates += spec in per_image[image_id]
        per_image[image_id].add(spec)
    assert duplicates == 0 and all(have == specs for have in per_image.values())
    assert recovered_in < 90
    print(
        f"\nworker kill -9: {PHOTOS} photos, at kill {at_kill}, all ready {recovered_in:.1f}s after restart, "
        f"lost 0, ready transitions {sum(ready_counts.values())}, duplicate renditions {duplicates}"
    )
