"""With a real Celery worker on Redis (issue 14): a gallery's "Download all" is prepared by itself once the
pipeline has made its photos' web files, and prepared again after a change, with nobody clicking first."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse

from galleries import curation
from galleries.models import GalleryArchive, StudioImage
from galleries.uploads import add_upload
from tests.faults import _procs_celeryfaults as procs

from .factories import jpeg, make_gallery
from .test_gallery_archives import names_in
from .test_web_zip import zip_url

# The private Redis and worker fixtures (tests/faults/_procs_celeryfaults.py).
celery_on_private_redis = procs.celery_on_private_redis
private_redis = procs.private_redis
start_worker = procs.start_worker
wait_for = procs.wait_for

pytestmark = [pytest.mark.postgres, procs.needs_redis_server, pytest.mark.django_db(transaction=True)]

PHOTOS = 6


def live_archive(gallery):
    return GalleryArchive.objects.filter(gallery=gallery, superseded_at__isnull=True).first()


def test_the_worker_prepares_the_archive_after_the_last_photo_and_after_a_change(
    start_worker, studio, api, unlock, settings
):
    settings.GALLERY_ARCHIVE_DELAY_SECONDS = 1  # this process's changes (the hide below) wait as long
    gallery = make_gallery(studio, access_code="WORKERZIP")
    worker = start_worker(GALLERY_ARCHIVE_DELAY_SECONDS=1)
    ids = [add_upload(gallery, SimpleUploadedFile(f"IMG_{i}.jpg", jpeg(i, 900, 600))).pk for i in range(PHOTOS)]

    first = wait_for(lambda: live_archive(gallery), 120, f"the archive (worker log:\n{worker.output()})")
    assert set(StudioImage.objects.filter(gallery_photos__in=ids).values_list("status", flat=True)) == {"ready"}
    token = unlock(studio, code="WORKERZIP")
    response = api("get", zip_url(gallery), studio, token)
    assert isinstance(response, FileResponse), "the first click gets the prepared file"
    assert len(names_in(b"".join(response.streaming_content))) == PHOTOS

    # The worker cleared the "check queued" mark in its cache when the check started; under the test settings
    # this process has a cache of its own (in production both share Redis), where the uploads' mark remains.
    cache.clear()
    curation.set_hidden(gallery, ids[:1], True)
    second = wait_for(
        lambda: (a := live_archive(gallery)) and a.pk != first.pk and a, 60, f"the new archive:\n{worker.output()}"
    )
    response = api("get", zip_url(gallery), studio, token)
    assert isinstance(response, FileResponse)
    assert len(names_in(b"".join(response.streaming_content))) == PHOTOS - 1
    assert GalleryArchive.objects.get(pk=first.pk).superseded_at is not None and second.key != first.key
