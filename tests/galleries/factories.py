"""Galleries and photos for the tests, made through the same services the admin uses."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image

from galleries.models import ClientGalleryIndexPage, Gallery, GallerySet
from galleries.uploads import add_upload
from studios.demo_images import landscape_jpeg


def make_gallery(studio, title="Emma & Jonah — Wedding", sets=(), **fields) -> Gallery:
    index = ClientGalleryIndexPage.objects.child_of(studio.home_page).first()
    gallery = Gallery(title=title, slug=fields.pop("slug", None) or f"g{Gallery.objects.count() + 1}", **fields)
    for name in sets:
        gallery.sets.add(GallerySet(name=name))
    index.add_child(instance=gallery)
    gallery.save_revision().publish()
    gallery.refresh_from_db()
    return gallery


def jpeg(seed=1, width=320, height=213, **kw) -> bytes:
    return landscape_jpeg(seed, width, height, **kw)


def image_bytes(fmt: str, size=(300, 200), color=(200, 120, 40), **save_kw) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, size, color).save(out, fmt, **save_kw)
    return out.getvalue()


def upload(gallery, data: bytes, name="IMG_0001.jpg", photo_set=None):
    """Upload as the admin does; the queued task runs (eagerly) when the upload commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return add_upload(gallery, SimpleUploadedFile(name, data), photo_set)
