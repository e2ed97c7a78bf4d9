"""Gallery photos are a gallery's, not the studio's Images library's (issue 17), and never search- or
reference-indexed (issue 14): the library, its search and the image choosers show the studio's own images;
the gallery's cover is still chosen with Wagtail's chooser."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import ReferenceIndex
from wagtail.search.models import IndexEntry

from galleries.models import StudioImage

from .factories import jpeg, make_gallery, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(admin_client_for, photographer):
    client = admin_client_for(photographer)
    client.defaults["HTTP_HOST"] = "localhost"
    return client


def add_to_library(admin, name: str) -> StudioImage:
    """Through Wagtail's own uploader, as a photographer adds a portfolio image."""
    response = admin.post("/admin/images/multiple/add/", {"files[]": SimpleUploadedFile(name, jpeg(9, 200, 150))})
    assert response.status_code == 200 and response.json()["success"], response.content
    return StudioImage.objects.get(pk=response.json()["image_id"])


@pytest.fixture
def both(admin, studio):
    gallery = make_gallery(studio)
    photo = upload(gallery, jpeg(4, 160, 120), "Sunset first dance.jpg")
    library = add_to_library(admin, "Sunset over the bay.jpg")
    return gallery, photo.image, library


def listed(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_gallery_photos_stay_out_of_the_images_library_and_its_search(admin, both):
    gallery, photo, library = both
    assert photo.is_gallery_photo and not library.is_gallery_photo
    for url in ["/admin/images/", "/admin/images/?layout=list", "/admin/images/?q=sunset", "/admin/images/results/"]:
        html = listed(admin.get(url))
        assert f"/admin/images/{library.pk}/" in html, url
        assert f"/admin/images/{photo.pk}/" not in html, url


def test_gallery_photos_stay_out_of_the_image_chooser_and_the_cover_is_still_chosen(admin, both):
    gallery, photo, library = both
    for url in ["/admin/images/chooser/", "/admin/images/chooser/results/", "/admin/images/chooser/?q=sunset"]:
        html = listed(admin.get(url))
        assert f"/admin/images/chooser/chosen/{library.pk}/" in html, url
        assert f"/admin/images/chooser/chosen/{photo.pk}/" not in html, url

    # The gallery editor's "Choose an image" for the cover: the chooser opens and a choice comes back.
    assert 'id="id_cover"' in listed(admin.get(f"/admin/pages/{gallery.pk}/edit/"))
    chosen = admin.get(f"/admin/images/chooser/chosen/{library.pk}/")
    assert chosen.status_code == 200 and chosen.json()["step"] == "chosen"
    assert chosen.json()["result"]["id"] == str(library.pk)


def test_the_library_image_is_searchable_and_the_gallery_photo_is_not_indexed(admin, both):
    gallery, photo, library = both
    assert list(StudioImage.objects.search("sunset")) == [library]
    assert list(StudioImage.objects.search("dance")) == []
    image_type = ContentType.objects.get_for_model(StudioImage)
    assert IndexEntry.objects.filter(content_type=image_type, object_id=str(library.pk)).exists()
    assert not IndexEntry.objects.filter(content_type=image_type, object_id=str(photo.pk)).exists()
    # Nothing records what an image points to (its collection, studio, uploader): no screen lists those.
    assert not ReferenceIndex.objects.filter(base_content_type=image_type).exists()


def test_a_cover_still_counts_as_a_usage_of_the_image_until_the_image_goes(admin, studio, both):
    gallery, photo, library = both
    gallery.cover = library
    gallery.save_revision().publish()
    assert ReferenceIndex.get_references_to(library).count() == 1
    assert "Used 1 time" in listed(admin.get(f"/admin/images/{library.pk}/"))
    library.delete()
    assert not ReferenceIndex.objects.filter(to_object_id=str(library.pk)).exists()


def test_the_watermark_form_offers_library_images_only(admin, both):
    gallery, photo, library = both
    html = listed(admin.get("/admin/galleries/watermark/"))
    assert f'value="{library.pk}"' in html
    assert f'value="{photo.pk}"' not in html
