"""Parallel uploads into one gallery (the admin's drag-and-drop sends several at once) each get their own place at
the end of the gallery's manual order: none shares an `order` with another."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from galleries.models import GalleryPhoto
from galleries.uploads import add_upload

from .factories import jpeg, make_gallery, upload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
ROUNDS = 3


def upload_at_once(gallery, names: list[str]) -> list[BaseException]:
    """Each name uploaded from its own thread (its own connection), all released together."""
    start = threading.Barrier(len(names))
    errors: list[BaseException] = []

    def one(name: str):
        try:
            start.wait()
            add_upload(gallery, SimpleUploadedFile(name, jpeg(3, 48, 32)))
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_parallel_uploads_get_distinct_orders_after_the_existing_photos(studio):
    gallery = make_gallery(studio)
    upload(gallery, jpeg(1, 48, 32), "first.jpg")
    for round_ in range(ROUNDS):
        assert upload_at_once(gallery, [f"r{round_}_{i}.jpg" for i in range(THREADS)]) == []

    orders = sorted(GalleryPhoto.objects.filter(gallery=gallery).values_list("order", flat=True))
    assert len(orders) == 1 + ROUNDS * THREADS
    assert orders == list(range(1, 2 + ROUNDS * THREADS))  # distinct, and each after the photos already there
