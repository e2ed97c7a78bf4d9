"""Demo data (README: what the demo studio has): Northlight's gallery "Emma & Jonah — Wedding", access code WEDDING24,
24 generated photos in "Ceremony" and "Reception", processed. Idempotent."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from studios.demo_images import landscape_jpeg

from .archives import prepare_archive
from .models import ClientGalleryIndexPage, Gallery, GallerySet
from .uploads import add_upload

DEMO_STUDIO = "northlight"
TITLE = "Emma & Jonah — Wedding"
CODE = "WEDDING24"
PHOTOS_PER_SET = 12


def seed(studio, stdout) -> None:
    if studio.slug != DEMO_STUDIO:
        return
    gallery = Gallery.objects.for_studio(studio).filter(access_code=CODE).first()
    if gallery is None:
        gallery = _create_gallery(studio)
    have = set(gallery.photos.values_list("image__original_filename", flat=True))
    added = 0
    for set_index, photo_set in enumerate(gallery.sets.all()):
        for i in range(PHOTOS_PER_SET):
            n = set_index * PHOTOS_PER_SET + i + 1
            name = f"EJ_{n:04d}.jpg"
            if name in have:
                continue
            # Every fourth photo is portrait, as in a real wedding set.
            size = (1067, 1600) if n % 4 == 0 else (1600, 1067)
            add_upload(gallery, SimpleUploadedFile(name, landscape_jpeg(1000 + n, *size)), photo_set)
            added += 1
    # "Download all", prepared as the worker prepares it once the last photo is processed (galleries/archives.py).
    # With a worker (REDIS_URL) the photos are still being processed here: the worker prepares it when done.
    prepare_archive(gallery.pk)
    stdout.write(f"  Gallery “{TITLE}” (code {CODE}): {gallery.photos.count()} photos, {added} new")


def _create_gallery(studio) -> Gallery:
    index = ClientGalleryIndexPage.objects.child_of(studio.home_page).first()
    gallery = Gallery(
        title=TITLE,
        slug="emma-jonah-wedding",
        access_code=CODE,
        intro="<p>Thank you for letting us be part of your day. Pick your favourites for the album.</p>",
        expires_at=timezone.now() + timedelta(days=90),
        selection_limit=30,
        download_limit=100,
    )
    gallery.sets.add(GallerySet(name="Ceremony"))
    gallery.sets.add(GallerySet(name="Reception"))
    index.add_child(instance=gallery)
    gallery.save_revision().publish()
    return gallery
