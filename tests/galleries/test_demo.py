import io

import pytest
from django.http import FileResponse
from django.test import TestCase

from galleries import demo
from galleries.models import Gallery, GalleryArchive, GalleryPhoto

pytestmark = pytest.mark.django_db


def test_demo_gallery_is_seeded_once_and_processed(studio, other_studio, monkeypatch, api, unlock):
    monkeypatch.setattr(demo, "PHOTOS_PER_SET", 2)
    for _ in range(2):
        with TestCase.captureOnCommitCallbacks(execute=True):
            demo.seed(studio, io.StringIO())
            demo.seed(other_studio, io.StringIO())
    gallery = Gallery.objects.get()
    assert (gallery.title, gallery.access_code, gallery.studio) == ("Emma & Jonah — Wedding", "WEDDING24", studio)
    assert [s.name for s in gallery.sets.all()] == ["Ceremony", "Reception"]
    assert GalleryPhoto.objects.count() == 4
    assert set(GalleryPhoto.objects.values_list("image__status", flat=True)) == {"ready"}
    token = unlock(studio)
    photos = api("get", f"/api/client/galleries/{gallery.pk}/photos/", studio, token).json()["results"]
    assert [p["filename"] for p in photos] == ["EJ_0001.jpg", "EJ_0002.jpg", "EJ_0003.jpg", "EJ_0004.jpg"]
    # "Download all" is prepared, as the worker would (make run has none): the first click gets the stored file.
    assert GalleryArchive.objects.filter(gallery=gallery, superseded_at__isnull=True).count() == 1
    response = api("get", f"/api/client/galleries/{gallery.pk}/download/", studio, token)
    assert isinstance(response, FileResponse) and response.status_code == 200
