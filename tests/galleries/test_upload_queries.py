"""An upload is a few inserts (issue 14): no search index, reference index or tag lookups for a gallery photo,
and the same number of queries for the 1st photo and the 501st."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from galleries.models import GalleryPhoto, StudioImage
from galleries.uploads import add_upload

from .conftest import bulk_ready_photos
from .factories import jpeg, make_gallery, upload

pytestmark = pytest.mark.django_db

# The quota (the plan: 2 queries without a subscription, 1 with; the bytes used: 1), the image, the next order and
# the gallery row, in one transaction: its BEGIN and COMMIT (SAVEPOINT and RELEASE inside a test's) are the other 2.
UPLOAD_QUERIES = 8


def captured_upload(gallery, name: str):
    with CaptureQueriesContext(connection) as queries, TestCase.captureOnCommitCallbacks() as queued:
        photo = add_upload(gallery, SimpleUploadedFile(name, jpeg(2, 96, 64)))
    return photo, [q["sql"] for q in queries.captured_queries], queued


def test_an_upload_costs_at_most_8_queries_and_indexes_nothing(studio):
    gallery = make_gallery(studio)
    upload(gallery, jpeg(1, 96, 64), "first.jpg")
    photo, sqls, queued = captured_upload(gallery, "second.jpg")

    assert len(sqls) <= UPLOAD_QUERIES, "\n".join(sqls)
    touched = " ".join(sqls).lower()
    for table in ("wagtailsearch_indexentry", "wagtailcore_referenceindex", "taggit_"):
        assert table not in touched, table
    assert StudioImage.objects.get(pk=photo.image_id).is_gallery_photo
    for callback in queued:  # the upload commits: its task is sent (eager here) and the pipeline runs as before
        callback()
    assert StudioImage.objects.get(pk=photo.image_id).status == "ready"


def test_the_upload_costs_the_same_in_a_big_gallery(studio):
    gallery = make_gallery(studio)
    upload(gallery, jpeg(1, 96, 64), "first.jpg")
    _, small, _ = captured_upload(gallery, "second.jpg")
    bulk_ready_photos(gallery, 500)
    photo, big, _ = captured_upload(gallery, "third.jpg")
    assert len(big) == len(small)
    others = GalleryPhoto.objects.filter(gallery=gallery).exclude(pk=photo.pk)
    assert photo.order == max(others.values_list("order", flat=True)) + 1  # still last in manual order


def test_the_admin_upload_request_is_bounded(admin_client_for, photographer, studio, django_assert_max_num_queries):
    """The request adds the admin's own cost (session, user, studio, the gallery and its permission)."""
    admin = admin_client_for(photographer)
    gallery = make_gallery(studio)
    url = f"/admin/galleries/{gallery.pk}/upload/file/"
    assert admin.post(url, {"file": SimpleUploadedFile("a.jpg", jpeg(1))}, HTTP_HOST="localhost").status_code == 201
    with django_assert_max_num_queries(UPLOAD_QUERIES + 9):
        response = admin.post(url, {"file": SimpleUploadedFile("b.jpg", jpeg(2))}, HTTP_HOST="localhost")
    assert response.status_code == 201 and response.json()["status"] == "pending"
