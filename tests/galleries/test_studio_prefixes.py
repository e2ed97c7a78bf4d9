"""Every file a studio makes lives under its own storage prefix, `tenants/<studio id>/` (issue 18, studios/media.py):
originals, renditions, documents and contract PDFs. Only renditions (`…/images/…`) are public; offboarding deletes
the whole prefix, files no row names included, and nothing of another studio's."""

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import TestCase
from wagtail.documents.models import Document

from contracts.issuing import issue_contract
from galleries.models import StudioImage
from studios.media import files_under, studio_prefix
from studios.offboarding import offboard_studio
from tests.factories import BookingFactory

from .factories import jpeg, make_gallery, upload

pytestmark = pytest.mark.django_db


def a_studios_files(studio, seed: int, wedding_template=None) -> dict[str, str]:
    """A photo (original and renditions), the admin's full-size copy, a document and, given a template, a contract
    PDF, made the way the product makes them; their stored names by kind."""
    photo = upload(make_gallery(studio, slug=f"wedding-{seed}", access_code=f"CODE{seed:06d}"), jpeg(seed, 900, 600))
    image = StudioImage.objects.get(pk=photo.image_id)
    assert image.status == "ready", image.failure_reason
    names = {
        "original": image.file.name,
        "thumb": image.renditions.get(
            filter_spec__startswith="max-400x400|", filter_spec__endswith="|format-webp"
        ).file.name,
        "full size copy": image.get_rendition("original").file.name,
    }
    doc = Document.objects.create(
        title="Price list", file=ContentFile(b"%PDF-1.4 prices", name="prices.pdf"), collection=studio.collection
    )
    names["document"] = doc.file.name
    if wedding_template is not None:
        with TestCase.captureOnCommitCallbacks(execute=True):
            contract = issue_contract(BookingFactory(studio=studio), wedding_template)
        contract.pdf.save("terms-v1.pdf", ContentFile(b"%PDF-1.4 terms"), save=True)
        names["contract pdf"] = contract.pdf.name
    return names


def test_new_files_are_under_the_studios_prefix_and_only_renditions_are_public(
    client, settings, studio, wedding_template
):
    names = a_studios_files(studio, 1, wedding_template)
    prefix = f"tenants/{studio.pk}/"
    assert studio_prefix(studio.pk) == prefix
    assert names["original"].startswith(f"{prefix}original_images/")
    assert names["thumb"].startswith(f"{prefix}images/")
    assert names["full size copy"].startswith(f"{prefix}original_images/renditions/")
    assert names["document"].startswith(f"{prefix}documents/")
    assert names["contract pdf"].startswith(f"{prefix}contracts/")
    assert set(names.values()) <= set(files_under(default_storage, prefix))
    # The storage's rule holds under the prefix: the thumbnail has a plain media URL, everything else a signed one.
    assert default_storage.url(names["thumb"]) == f"{settings.MEDIA_URL}{names['thumb']}"
    for kind in ["original", "full size copy", "document", "contract pdf"]:
        assert default_storage.url(names[kind]).startswith("/private-media/"), kind


def test_offboarding_deletes_the_studios_prefix_and_nothing_else(studio, other_studio):
    ours = a_studios_files(studio, 2)
    theirs = a_studios_files(other_studio, 3)
    # What no row names any more is still the studio's: an abandoned upload, a rendition of an old watermark.
    orphans = [
        default_storage.save(f"{studio_prefix(studio.pk)}original_images/abandoned/IMG_9.jpg", ContentFile(b"x")),
        default_storage.save(f"{studio_prefix(studio.pk)}images/IMG_1.old-watermark.webp", ContentFile(b"x")),
    ]
    assert all(default_storage.exists(name) for name in [*ours.values(), *orphans])

    with TestCase.captureOnCommitCallbacks(execute=True):
        offboard_studio(studio)

    assert files_under(default_storage, studio_prefix(studio.pk)) == []
    assert not default_storage.exists(studio_prefix(studio.pk).rstrip("/"))  # the folder too
    assert all(default_storage.exists(name) for name in theirs.values())


def test_on_s3_the_prefix_is_listed_and_deleted_in_batches(s3, studio, other_studio):
    ours = a_studios_files(studio, 4)
    theirs = a_studios_files(other_studio, 5)
    orphan = default_storage.save(f"{studio_prefix(studio.pk)}original_images/abandoned/IMG_9.jpg", ContentFile(b"x"))
    assert {*ours.values(), orphan} <= set(files_under(default_storage, studio_prefix(studio.pk)))
    # On S3 too only renditions are readable without a signature; originals are presigned attachments.
    bucket_url = f"{default_storage.connection.meta.client.meta.endpoint_url}/{s3}"
    key = default_storage._normalize_name(ours["original"])
    assert requests.get(f"{bucket_url}/{key}", timeout=10).status_code == 403
    assert "X-Amz-Signature" in default_storage.url(ours["original"])

    with TestCase.captureOnCommitCallbacks(execute=True):
        offboard_studio(studio)

    assert files_under(default_storage, studio_prefix(studio.pk)) == []
    assert set(theirs.values()) <= set(files_under(default_storage, studio_prefix(other_studio.pk)))


def test_on_a_cdn_domain_only_a_studios_renditions_go_unsigned(s3, settings, studio):
    from django.core.files.storage import storages

    options = {**settings.STORAGES["default"]["OPTIONS"], "custom_domain": "cdn.example.test"}
    storage = storages.create_storage({"BACKEND": settings.STORAGES["default"]["BACKEND"], "OPTIONS": options})
    prefix = studio_prefix(studio.pk)
    rendition = storage.save(f"{prefix}images/IMG_1.max-400x400.abc.webp", ContentFile(b"RIFF"))
    original = storage.save(f"{prefix}original_images/IMG_1.jpg", ContentFile(b"x"))

    assert storage.url(rendition) == f"https://cdn.example.test/{rendition}"
    assert "cdn.example.test" not in storage.url(original) and "X-Amz-Signature=" in storage.url(original)


def test_a_long_file_name_still_fits_under_the_prefix(studio):
    # File fields hold 100 characters; the prefix takes some, so the name's stem is shortened, never the folder.
    name = "Emma-and-Jonah-wedding-ceremony-first-look-by-the-mill-pond-at-golden-hour-final-edit-0001.jpg"
    photo = upload(make_gallery(studio), jpeg(6, 900, 600), name)
    image = StudioImage.objects.get(pk=photo.image_id)
    assert image.status == "ready", image.failure_reason
    assert image.file.name.startswith(f"tenants/{studio.pk}/original_images/Emma-and-Jonah")
    assert image.file.name.endswith(".jpg") and len(image.file.name) <= 100
    assert image.original_filename == name
    assert all(len(r.file.name) <= 100 for r in image.renditions.all())
