"""A 2,000-photo gallery costs the admin no more queries than a 1-photo one (issue 14's admin target; timings
are benchmarks/admin.py's, never a test's)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from galleries.models import StudioImage

from .conftest import bulk_ready_photos
from .factories import make_gallery

pytestmark = pytest.mark.django_db


def test_the_gallery_pages_do_not_grow_with_the_photos(admin_client_for, photographer, studio):
    admin = admin_client_for(photographer)
    admin.defaults["HTTP_HOST"] = "localhost"
    gallery = make_gallery(studio)
    bulk_ready_photos(gallery, 1)
    urls = [
        "/admin/galleries/",
        f"/admin/galleries/{gallery.pk}/photos/",
        f"/admin/pages/{gallery.pk}/edit/",
        f"/admin/galleries/{gallery.pk}/upload/",
        f"/admin/galleries/{gallery.pk}/activity/",
        "/admin/images/",
    ]
    small = {}
    for url in urls:
        admin.get(url)  # per-process caches (content types, site root paths)
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(url).status_code == 200, url
        small[url] = len(queries)
        assert small[url] > 5, url  # the request was counted

    more = bulk_ready_photos(gallery, 2000)
    StudioImage.objects.filter(pk=more[0].image_id).update(status="failed", failure_reason="Not a photo we can read.")
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = admin.get(url)
        assert response.status_code == 200, url
        assert len(queries) <= small[url], (url, len(queries), small[url])
    assert "2000 ready, 1 failed" in admin.get(f"/admin/galleries/{gallery.pk}/upload/").content.decode()
    assert "Not a photo we can read." in admin.get(f"/admin/galleries/{gallery.pk}/activity/").content.decode()
